/* SPDX-License-Identifier: MIT */
/*
 * A reuselab-report/1 JSON text back into a struct report, so a report made
 * elsewhere (inside a QEMU guest, on another machine) goes through the same
 * table and JUnit writers and into the comparison across kernels.  json-c
 * stays in this file.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

static struct json_object *array_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* strdup of a string member; NULL member stays NULL. -ENOMEM. */
static int dup_of(struct json_object *o, const char *key, char **ret)
{
	const char *s = jsonr_str(o, key);

	*ret = s ? strdup(s) : NULL;
	return s && !*ret ? -ENOMEM : 0;
}

static int result_of(struct json_object *o, const char *key, int missing)
{
	const char *s = jsonr_str(o, key);
	int e;

	if (!s)
		return missing;
	if (!strncmp(s, "errno-", 6))
		return atoi(s + 6);
	e = report_errno_parse(s);
	return e == -EINVAL ? missing : e;
}

static int read_sockets(struct json_object *o, struct step_result *st)
{
	struct json_object *arr = array_of(o, "sockets"), *s, *v;
	size_t n = arr ? json_object_array_length(arr) : 0;

	if (!n)
		return 0;
	st->seen = calloc(n, sizeof(*st->seen));
	if (!st->seen)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct sock_seen *k = &st->seen[i];

		s = json_object_array_get_idx(arr, i);
		jsonr_copy(s, "proto", k->proto, sizeof(k->proto));
		jsonr_copy(s, "state", k->state, sizeof(k->state));
		jsonr_copy(s, "local", k->local, sizeof(k->local));
		jsonr_copy(s, "remote", k->remote, sizeof(k->remote));
		jsonr_copy(s, "owner", k->owner, sizeof(k->owner));
		if (json_object_object_get_ex(s, "uid", &v))
			k->uid = (unsigned)json_object_get_int64(v);
	}
	st->n_seen = n;
	return 0;
}

static int read_steps(struct json_object *o, struct case_result *c)
{
	struct json_object *arr = array_of(o, "steps"), *s, *v;
	size_t n = arr ? json_object_array_length(arr) : 0;

	if (!n)
		return 0;
	c->steps = calloc(n, sizeof(*c->steps));
	if (!c->steps)
		return -ENOMEM;
	c->n_steps = n;
	for (size_t i = 0; i < n; i++) {
		struct step_result *st = &c->steps[i];

		s = json_object_array_get_idx(arr, i);
		jsonr_copy(s, "node", st->node, sizeof(st->node));
		jsonr_copy(s, "call", st->call, sizeof(st->call));
		jsonr_copy(s, "args", st->args, sizeof(st->args));
		st->err = result_of(s, "result", 0);
		st->expect = result_of(s, "expect", -2);
		jsonr_copy(s, "expectation", st->expectation, sizeof(st->expectation));
		if (dup_of(s, "error", &st->error) < 0)
			return -ENOMEM;
		if (json_object_object_get_ex(s, "value", &v))
			st->value = (long)json_object_get_int64(v);
		jsonr_copy(s, "text", st->text, sizeof(st->text));
		if (read_sockets(s, st) < 0)
			return -ENOMEM;
	}
	return 0;
}

static enum verdict verdict_of(const char *s)
{
	for (int v = 0; v < REPORT_N_VERDICTS; v++)
		if (s && !strcmp(s, report_verdict_json((enum verdict)v)))
			return (enum verdict)v;
	return VERDICT_ERROR;
}

/* A case's "time" (absent in reports older than it: zero). */
static void read_time(struct json_object *o, struct case_result *c)
{
	struct json_object *t, *v;

	if (!json_object_object_get_ex(o, "time", &t) || !json_object_is_type(t, json_type_object))
		return;
	if (json_object_object_get_ex(t, "wall_us", &v))
		c->wall_us = (long)json_object_get_int64(v);
	if (json_object_object_get_ex(t, "cpu_us", &v))
		c->cpu_us = (long)json_object_get_int64(v);
}

int report_case_read(struct json_object *o, struct case_result *c)
{
	struct json_object *nodes = array_of(o, "nodes");
	size_t n = nodes ? json_object_array_length(nodes) : 0;

	if (dup_of(o, "id", &c->id) < 0 || dup_of(o, "claim", &c->claim) < 0 ||
	    dup_of(o, "title", &c->title) < 0 || dup_of(o, "source", &c->source) < 0 ||
	    dup_of(o, "predicted", &c->predicted) < 0 || dup_of(o, "observed", &c->observed) < 0 ||
	    dup_of(o, "error", &c->error) < 0 || dup_of(o, "skip_reason", &c->skip_reason) < 0)
		return -ENOMEM;
	if (!c->id)
		return -EINVAL;
	c->verdict = verdict_of(jsonr_str(o, "verdict"));
	read_time(o, c);
	if (n && !(c->nodes = calloc(n, sizeof(*c->nodes))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++, c->n_nodes++) {
		const char *s = json_object_get_string(json_object_array_get_idx(nodes, i));

		if (!(c->nodes[i] = strdup(s ? s : "")))
			return -ENOMEM;
	}
	if (read_steps(o, c) < 0)
		return -ENOMEM;
	return report_programs_read(array_of(o, "programs"), c);
}

static void read_sysctls(struct json_object *root, struct report *r)
{
	struct json_object *o;

	if (!json_object_object_get_ex(root, "sysctls", &o) ||
	    !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, val) {
		if (r->n_sysctls == sizeof(r->sysctls) / sizeof(r->sysctls[0]))
			break;
		snprintf(r->sysctls[r->n_sysctls].key, sizeof(r->sysctls[0].key), "%s", key);
		snprintf(r->sysctls[r->n_sysctls].value, sizeof(r->sysctls[0].value), "%s",
			 json_object_get_string(val));
		r->n_sysctls++;
	}
}

static int read_root(struct json_object *root, struct report *r, char *why, size_t why_len)
{
	const char *schema = jsonr_str(root, "schema");
	struct json_object *cases = array_of(root, "cases");
	int e = 0;

	if (!schema || strcmp(schema, "reuselab-report/1") || !cases) {
		snprintf(why, why_len, "not a reuselab-report/1 JSON report");
		return -EINVAL;
	}
	jsonr_copy(root, "kernel", r->kernel, sizeof(r->kernel));
	jsonr_copy(root, "lab", r->lab, sizeof(r->lab));
	read_sysctls(root, r);
	r->n_cases = json_object_array_length(cases);
	r->cases = r->n_cases ? calloc(r->n_cases, sizeof(*r->cases)) : NULL;
	if (r->n_cases && !r->cases) {
		r->n_cases = 0;
		e = -ENOMEM;
	}
	for (size_t i = 0; e == 0 && i < r->n_cases; i++)
		e = report_case_read(json_object_array_get_idx(cases, i), &r->cases[i]);
	/* reports older than the claim verdicts have none */
	if (e == 0 && array_of(root, "claims"))
		e = report_claims_read(array_of(root, "claims"), r);
	if (e < 0) {
		snprintf(why, why_len, "%s", e == -EINVAL ? "a case without an id" : strerror(-e));
		report_free_cases(r);
	}
	return e;
}

int report_read_json(const char *text, size_t len, struct report *r, char *why, size_t why_len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;
	int e;

	memset(r, 0, sizeof(*r));
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (root) {
		e = read_root(root, r, why, why_len);
	} else {
		snprintf(why, why_len, "not JSON: %s",
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		e = -EINVAL;
	}
	json_object_put(root);
	json_tokener_free(tok);
	return e;
}

int report_read_file(const char *path, struct report *r, char *why, size_t why_len)
{
	struct json_object *root;
	int e;

	memset(r, 0, sizeof(*r));
	root = json_object_from_file(path);
	if (!root) {
		snprintf(why, why_len, "%s", json_util_get_last_err());
		why[strcspn(why, "\n")] = '\0';
		return -EINVAL;
	}
	e = read_root(root, r, why, why_len);
	json_object_put(root);
	return e;
}

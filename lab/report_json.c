/* SPDX-License-Identifier: MIT */
/*
 * The machine report, schema "reuselab-report/1" (docs/report.md,
 * docs/report.schema.json).  Keys are added in a fixed order so two reports
 * of the same run differ only where an outcome does.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "lab/report.h"

/* json_object_object_add takes ownership even on failure; NULL values are JSON null. */
static int add(struct json_object *o, const char *key, struct json_object *v)
{
	return json_object_object_add(o, key, v) ? -ENOMEM : 0;
}

static int add_str(struct json_object *o, const char *key, const char *s)
{
	struct json_object *v = NULL;

	if (s) {
		v = json_object_new_string(s);
		if (!v)
			return -ENOMEM;
	}
	return add(o, key, v);
}

static int add_result(struct json_object *o, const char *key, int err)
{
	char buf[32];

	return add_str(o, key, report_result_text(err, buf, sizeof(buf)));
}

static struct json_object *sockets_json(const struct step_result *st)
{
	struct json_object *arr = json_object_new_array(), *s, *ret = NULL;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < st->n_seen; i++) {
		const struct sock_seen *k = &st->seen[i];

		s = json_object_new_object();
		if (!s || json_object_array_add(arr, s)) {
			json_object_put(s);
			goto out;
		}
		if (add_str(s, "proto", k->proto) < 0 || add_str(s, "state", k->state) < 0 ||
		    add_str(s, "local", k->local) < 0 || add_str(s, "remote", k->remote) < 0 ||
		    add(s, "uid", json_object_new_int64(k->uid)) < 0)
			goto out;
	}
	ret = arr;
	arr = NULL;
out:
	json_object_put(arr);
	return ret;
}

static struct json_object *step_json(const struct step_result *st)
{
	struct json_object *o = json_object_new_object(), *ret = NULL;

	if (!o)
		return NULL;
	if (add_str(o, "node", st->node) < 0 || add_str(o, "call", st->call) < 0 ||
	    add_str(o, "args", st->args) < 0 || add_result(o, "result", st->err) < 0)
		goto out;
	if (st->expect != -2 && add_result(o, "expect", st->expect) < 0)
		goto out;
	if (st->value != 0 && add(o, "value", json_object_new_int64(st->value)) < 0)
		goto out;
	if (add(o, "sockets", sockets_json(st)) < 0 || !json_object_object_get(o, "sockets"))
		goto out;
	ret = o;
	o = NULL;
out:
	json_object_put(o);
	return ret;
}

static struct json_object *case_json(const struct case_result *c)
{
	struct json_object *o = json_object_new_object(), *arr, *v, *ret = NULL;

	if (!o)
		return NULL;
	if (add_str(o, "id", c->id) < 0 || add_str(o, "claim", c->claim) < 0 ||
	    add_str(o, "title", c->title) < 0 || add_str(o, "source", c->source) < 0)
		goto out;
	arr = json_object_new_array();
	if (add(o, "nodes", arr) < 0 || !arr)
		goto out;
	for (size_t i = 0; i < c->n_nodes; i++) {
		v = json_object_new_string(c->nodes[i] ? c->nodes[i] : "");
		if (!v || json_object_array_add(arr, v)) {
			json_object_put(v);
			goto out;
		}
	}
	arr = json_object_new_array();
	if (add(o, "steps", arr) < 0 || !arr)
		goto out;
	for (size_t i = 0; i < c->n_steps; i++) {
		v = step_json(&c->steps[i]);
		if (!v || json_object_array_add(arr, v)) {
			json_object_put(v);
			goto out;
		}
	}
	if (add_str(o, "predicted", c->predicted) < 0 || add_str(o, "observed", c->observed) < 0 ||
	    add_str(o, "verdict", report_verdict_json(c->verdict)) < 0)
		goto out;
	if (c->error && add_str(o, "error", c->error) < 0)
		goto out;
	ret = o;
	o = NULL;
out:
	json_object_put(o);
	return ret;
}

/* sysctls_json (when it parses to an object) first, then the fixed array. */
static struct json_object *sysctls_obj(const struct report *r)
{
	struct json_object *o = NULL;

	if (r->sysctls_json) {
		o = json_tokener_parse(r->sysctls_json);
		if (o && !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			o = NULL;
		}
	}
	if (!o)
		o = json_object_new_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < r->n_sysctls && i < sizeof(r->sysctls) / sizeof(r->sysctls[0]);
	     i++) {
		if (add_str(o, r->sysctls[i].key, r->sysctls[i].value) < 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static struct json_object *summary_json(const struct report *r)
{
	struct json_object *o = json_object_new_object();
	size_t n[4] = {0};

	if (!o)
		return NULL;
	for (size_t i = 0; i < r->n_cases; i++)
		if ((unsigned)r->cases[i].verdict < 4)
			n[r->cases[i].verdict]++;
	if (add(o, "cases", json_object_new_int64((int64_t)r->n_cases)) < 0 ||
	    add(o, "holds", json_object_new_int64((int64_t)n[VERDICT_HOLDS])) < 0 ||
	    add(o, "differs", json_object_new_int64((int64_t)n[VERDICT_DIFFERS])) < 0 ||
	    add(o, "failed", json_object_new_int64((int64_t)n[VERDICT_EXPECT_FAILED])) < 0 ||
	    add(o, "error", json_object_new_int64((int64_t)n[VERDICT_ERROR])) < 0 ||
	    add(o, "exit_status", json_object_new_int(report_exit_status(r))) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int report_write_json(const struct report *r, FILE *out)
{
	struct json_object *root = json_object_new_object(), *cases, *v;
	const char *text;
	int ret = -ENOMEM;

	if (!root)
		goto out;
	if (add_str(root, "schema", "reuselab-report/1") < 0 ||
	    add_str(root, "kernel", r->kernel) < 0 || add_str(root, "lab", r->lab) < 0)
		goto out;
	v = sysctls_obj(r);
	if (add(root, "sysctls", v) < 0 || !v)
		goto out;
	cases = json_object_new_array();
	if (add(root, "cases", cases) < 0 || !cases)
		goto out;
	for (size_t i = 0; i < r->n_cases; i++) {
		v = case_json(&r->cases[i]);
		if (!v || json_object_array_add(cases, v)) {
			json_object_put(v);
			goto out;
		}
	}
	v = summary_json(r);
	if (add(root, "summary", v) < 0 || !v)
		goto out;
	text =
	    json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		goto out;
	ret = 0;
	if (fputs(text, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF)
		ret = -EIO;
out:
	json_object_put(root);
	return ret;
}

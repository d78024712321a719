/* SPDX-License-Identifier: MIT */
/*
 * The machine report, schema "reuselab-report/1" (docs/report.md,
 * docs/report.schema.json).  Keys are added in a fixed order so two reports
 * of the same run differ only where an outcome does, and in each case's
 * "time".
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "lab/report/report_int.h"
#include "lab/report/report.h"

static int add_result(struct json_object *o, const char *key, int err)
{
	char buf[32];

	return jsonw_str(o, key, report_result_text(err, buf, sizeof(buf)));
}

static struct json_object *sockets_json(const struct step_result *st)
{
	struct json_object *arr = json_object_new_array(), *s, *ret = NULL;

	if (!arr)
		return NULL;
	for (size_t i = 0; i < st->n_seen; i++) {
		const struct sock_seen *k = &st->seen[i];

		s = json_object_new_object();
		if (jsonw_push(arr, s) < 0)
			goto out;
		if (jsonw_str(s, "proto", k->proto) < 0 || jsonw_str(s, "state", k->state) < 0 ||
		    jsonw_str(s, "local", k->local) < 0 || jsonw_str(s, "remote", k->remote) < 0 ||
		    jsonw_add(s, "uid", json_object_new_int64(k->uid)) < 0)
			goto out;
		if (k->owner[0] && jsonw_str(s, "owner", k->owner) < 0)
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
	if (jsonw_str(o, "node", st->node) < 0 || jsonw_str(o, "call", st->call) < 0 ||
	    jsonw_str(o, "args", st->args) < 0 || add_result(o, "result", st->err) < 0)
		goto out;
	if (st->expect != -2 && add_result(o, "expect", st->expect) < 0)
		goto out;
	if (st->expectation[0] && jsonw_str(o, "expectation", st->expectation) < 0)
		goto out;
	if (st->error && jsonw_str(o, "error", st->error) < 0)
		goto out;
	if (st->value != 0 && jsonw_add(o, "value", json_object_new_int64(st->value)) < 0)
		goto out;
	if (st->text[0] && jsonw_str(o, "text", st->text) < 0)
		goto out;
	if (jsonw_add(o, "sockets", sockets_json(st)) < 0)
		goto out;
	ret = o;
	o = NULL;
out:
	json_object_put(o);
	return ret;
}

/* {"wall_us", "cpu_us"}: how long the case ran and the CPU it took. */
static struct json_object *time_json(const struct case_result *c)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (jsonw_add(o, "wall_us", json_object_new_int64(c->wall_us)) < 0 ||
	    jsonw_add(o, "cpu_us", json_object_new_int64(c->cpu_us)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *case_json(const struct case_result *c)
{
	struct json_object *o = json_object_new_object(), *nodes, *steps, *ret = NULL;

	if (!o)
		return NULL;
	if (jsonw_str(o, "id", c->id) < 0 || jsonw_str(o, "claim", c->claim) < 0 ||
	    jsonw_str(o, "title", c->title) < 0 || jsonw_str(o, "source", c->source) < 0)
		goto out;
	nodes = json_object_new_array();
	if (jsonw_add(o, "nodes", nodes) < 0)
		goto out;
	for (size_t i = 0; i < c->n_nodes; i++)
		if (jsonw_push(nodes, json_object_new_string(c->nodes[i] ? c->nodes[i] : "")) < 0)
			goto out;
	steps = json_object_new_array();
	if (jsonw_add(o, "steps", steps) < 0)
		goto out;
	for (size_t i = 0; i < c->n_steps; i++)
		if (jsonw_push(steps, step_json(&c->steps[i])) < 0)
			goto out;
	if (jsonw_str(o, "predicted", c->predicted) < 0 ||
	    jsonw_str(o, "observed", c->observed) < 0 ||
	    jsonw_str(o, "verdict", report_verdict_json(c->verdict)) < 0)
		goto out;
	if (c->error && jsonw_str(o, "error", c->error) < 0)
		goto out;
	if (c->skip_reason && jsonw_str(o, "skip_reason", c->skip_reason) < 0)
		goto out;
	if (c->n_programs && jsonw_add(o, "programs", report_programs_json(c)) < 0)
		goto out;
	if (jsonw_add(o, "time", time_json(c)) < 0)
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
		if (jsonw_str(o, r->sysctls[i].key, r->sysctls[i].value) < 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static struct json_object *isolation_json(const struct report *r)
{
	struct json_object *o = json_object_new_object(), *map = json_object_new_array(), *m;

	if (!o || !map)
		goto fail;
	for (size_t i = 0; i < r->n_uid_map; i++) {
		m = json_object_new_object();
		if (jsonw_push(map, m) < 0 ||
		    jsonw_add(m, "inside", json_object_new_int64((int64_t)r->uid_map[i].inside)) < 0 ||
		    jsonw_add(m, "outside", json_object_new_int64((int64_t)r->uid_map[i].outside)) <
			0 ||
		    jsonw_add(m, "count", json_object_new_int64((int64_t)r->uid_map[i].count)) < 0)
			goto fail;
	}
	if (jsonw_add(o, "ephemeral", json_object_new_boolean(r->ephemeral)) < 0 ||
	    jsonw_add(o, "rootless", json_object_new_boolean(r->rootless)) < 0)
		goto fail;
	if (jsonw_add(o, "uid_map", map) < 0) {
		map = NULL;
		goto fail;
	}
	return o;
fail:
	json_object_put(map);
	json_object_put(o);
	return NULL;
}

static int add_count(struct json_object *o, const char *key, size_t n)
{
	return jsonw_add(o, key, json_object_new_int64((int64_t)n));
}

static struct json_object *summary_json(const struct report *r)
{
	struct json_object *o = json_object_new_object();
	size_t n[REPORT_N_VERDICTS];

	if (!o)
		return NULL;
	report_count_verdicts(r, n);
	if (add_count(o, "cases", r->n_cases) < 0 || add_count(o, "holds", n[VERDICT_HOLDS]) < 0 ||
	    add_count(o, "differs", n[VERDICT_DIFFERS]) < 0 ||
	    add_count(o, "failed", n[VERDICT_EXPECT_FAILED]) < 0 ||
	    add_count(o, "error", n[VERDICT_ERROR]) < 0 ||
	    add_count(o, "skipped", n[VERDICT_SKIPPED]) < 0 ||
	    jsonw_add(o, "exit_status", json_object_new_int(report_exit_status(r))) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int report_write_json(const struct report *r, FILE *out)
{
	struct json_object *root = json_object_new_object(), *cases;
	int ret = -ENOMEM;

	if (!root)
		goto out;
	if (jsonw_str(root, "schema", "reuselab-report/1") < 0 ||
	    jsonw_str(root, "kernel", r->kernel) < 0 || jsonw_str(root, "lab", r->lab) < 0 ||
	    jsonw_add(root, "sysctls", sysctls_obj(r)) < 0 ||
	    jsonw_add(root, "isolation", isolation_json(r)) < 0)
		goto out;
	cases = json_object_new_array();
	if (jsonw_add(root, "cases", cases) < 0)
		goto out;
	for (size_t i = 0; i < r->n_cases; i++)
		if (jsonw_push(cases, case_json(&r->cases[i])) < 0)
			goto out;
	if (jsonw_add(root, "claims", report_claims_json(r)) < 0)
		goto out;
	if (jsonw_add(root, "summary", summary_json(r)) < 0)
		goto out;
	ret = jsonw_print(out, root,
			  JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			      JSON_C_TO_STRING_NOSLASHESCAPE);
out:
	json_object_put(root);
	return ret;
}

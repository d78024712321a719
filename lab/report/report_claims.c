/* SPDX-License-Identifier: MIT */
/*
 * A report's claim verdicts as JSON ("claims": id, claim, verdict, the
 * conditions under which it held and differed, the deciding cases) and back,
 * so a report read from a QEMU guest or another machine keeps them; and
 * freeing what the claims own.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

void report_claim_clear(struct claim_result *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->statement);
	for (size_t i = 0; i < c->n_conds; i++) {
		free(c->conds[i].when);
		free(c->conds[i].case_id);
	}
	memset(c, 0, sizeof(*c));
}

void report_free_claims(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_claims; i++)
		report_claim_clear(&r->claims[i]);
	free(r->claims);
	r->claims = NULL;
	r->n_claims = 0;
}

/* {"id", "when", "article_setting", "verdict"} of one deciding case. */
static struct json_object *claim_case_json(const struct claim_condition *k)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (jsonw_str(o, "id", k->case_id) < 0 || jsonw_str(o, "when", k->when) < 0 ||
	    jsonw_add(o, "article_setting", json_object_new_boolean(k->article)) < 0 ||
	    jsonw_str(o, "verdict",
		      !k->ran	 ? "not-run"
		      : k->holds ? "holds"
				 : "differs") < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The array named name in conds, made on first use (for not_run). */
static struct json_object *cond_array(struct json_object *conds, const char *name)
{
	struct json_object *a;

	if (json_object_object_get_ex(conds, name, &a))
		return a;
	a = json_object_new_array();
	return jsonw_add(conds, name, a) < 0 ? NULL : a;
}

/* conditions {"holds": [when...], "differs": [when...], "not_run": [when...]
 * (only when some did not)} and cases [...]. */
static int claim_conditions_add(struct json_object *o, const struct claim_result *c)
{
	struct json_object *conds = json_object_new_object(), *held, *differed, *cases, *list;

	if (jsonw_add(o, "conditions", conds) < 0)
		return -ENOMEM;
	held = json_object_new_array();
	if (jsonw_add(conds, "holds", held) < 0)
		return -ENOMEM;
	differed = json_object_new_array();
	if (jsonw_add(conds, "differs", differed) < 0)
		return -ENOMEM;
	cases = json_object_new_array();
	if (jsonw_add(o, "cases", cases) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_conds; i++) {
		const struct claim_condition *k = &c->conds[i];

		list = !k->ran ? cond_array(conds, "not_run") : k->holds ? held : differed;
		if (!list || jsonw_push(list, json_object_new_string(k->when)) < 0 ||
		    jsonw_push(cases, claim_case_json(k)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static struct json_object *claim_json(const struct claim_result *c)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (jsonw_str(o, "id", c->id) < 0 || jsonw_str(o, "claim", c->statement) < 0 ||
	    jsonw_str(o, "verdict", report_claim_verdict_name(c->verdict)) < 0 ||
	    claim_conditions_add(o, c) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *report_claims_json(const struct report *r)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < r->n_claims; i++)
		if (jsonw_push(arr, claim_json(&r->claims[i])) < 0) {
			json_object_put(arr);
			return NULL;
		}
	return arr;
}

static enum claim_verdict claim_verdict_of(const char *s)
{
	for (int v = CLAIM_HOLDS; v <= CLAIM_DIFFERS; v++)
		if (s && !strcmp(s, report_claim_verdict_name((enum claim_verdict)v)))
			return (enum claim_verdict)v;
	return CLAIM_DIFFERS;
}

/* One claim object into c (zeroed): 0, or -ENOMEM (c partly filled). */
static int claim_read(struct json_object *o, struct claim_result *c)
{
	struct json_object *cases;
	size_t n;

	if (jsonr_dup(o, "id", &c->id) < 0 || jsonr_dup(o, "claim", &c->statement) < 0)
		return -ENOMEM;
	c->verdict = claim_verdict_of(jsonr_str(o, "verdict"));
	if (!json_object_object_get_ex(o, "cases", &cases) ||
	    !json_object_is_type(cases, json_type_array))
		return 0;
	n = json_object_array_length(cases);
	for (size_t i = 0; i < n && c->n_conds < REPORT_CLAIM_CONDS; i++) {
		struct json_object *k = json_object_array_get_idx(cases, i);
		struct claim_condition *out = &c->conds[c->n_conds++];

		const char *v = jsonr_str(k, "verdict") ? jsonr_str(k, "verdict") : "";

		out->article = jsonr_bool(k, "article_setting");
		out->ran = strcmp(v, "not-run") != 0;
		out->holds = !strcmp(v, "holds");
		if (jsonr_dup(k, "when", &out->when) < 0 || jsonr_dup(k, "id", &out->case_id) < 0)
			return -ENOMEM;
	}
	return 0;
}

int report_claims_read(struct json_object *arr, struct report *r)
{
	size_t n = json_object_array_length(arr);

	r->claims = n ? calloc(n, sizeof(*r->claims)) : NULL;
	if (n && !r->claims)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);

		if (!jsonr_str(o, "id"))
			continue;
		r->n_claims++;
		if (claim_read(o, &r->claims[r->n_claims - 1]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * diff: what changed between two probe reports (reuselab-report/1) or two
 * bind matrices (reuselab-matrix/1), typically the same lab on two kernels.
 * Reports are read back with json-c; callers see plain struct report_change.
 * Items are matched by key (a case's id, a cell's coordinates); the first of
 * duplicate keys wins, as in the reports' own order.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"
#include "lab/util/util.h"

#define SCHEMA_REPORT "reuselab-report/1"
#define SCHEMA_MATRIX "reuselab-matrix/1"

struct diff_ctx {
	const char *path[2];
	report_change_fn fn;
	void *arg;
	char *err;
	size_t err_len;
};

/* Put one line naming the cause into the caller's buffer; returns r. */
__attribute__((format(printf, 3, 4))) static int fail(struct diff_ctx *x, int r, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->err_len, fmt, ap);
	va_end(ap);
	return r;
}

/* Where a parse stopped, as a 1-based line, for the error. */
static size_t line_at(const char *buf, size_t len, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off && i < len; i++)
		line += buf[i] == '\n';
	return line;
}

/* Parse buf as exactly one JSON value: 0 with *ret, or -EINVAL (in x->err). */
static int parse_json(struct diff_ctx *x, const char *path, const char *buf, size_t len,
		      struct json_object **ret)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;
	struct json_object *o;
	size_t off;

	if (!tok)
		return fail(x, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	if (jerr == json_tokener_success)
		while (off < len && strchr(" \t\r\n", buf[off]))
			off++;
	if (jerr != json_tokener_success || off < len) {
		json_object_put(o);
		return fail(x, -EINVAL, "%s:%zu: not JSON: %s", path, line_at(buf, len, off),
			    jerr != json_tokener_success ? json_tokener_error_desc(jerr)
							 : "text after the JSON value");
	}
	*ret = o;
	return 0;
}

/* Read and parse a report file: 0 with a JSON object in *ret, or -errno (in x->err). */
static int load(struct diff_ctx *x, const char *path, struct json_object **ret)
{
	struct json_object *o = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r;

	r = report_read_text(path, &buf, &len);
	if (r < 0)
		return fail(x, r, "%s: cannot read: %s", path, strerror(-r));
	r = parse_json(x, path, buf, len, &o);
	free(buf);
	if (r < 0)
		return r;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return fail(x, -EINVAL, "%s: not a reuselab report (not a JSON object)", path);
	}
	*ret = o;
	return 0;
}

/* The string at key, "null" for JSON null or absence; NULL when of another type. */
static const char *str_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "null";
	if (!json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *array_at(struct json_object *root, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* A key naming an item, or -EINVAL when the item is malformed. */
typedef int (*key_fn)(struct json_object *item, char *buf, size_t len);

/* Index an array of objects by key into a JSON object (json-c's hash table). */
static int index_items(struct diff_ctx *x, int side, struct json_object *arr, key_fn fn,
		       const char *what, struct json_object **ret)
{
	struct json_object *idx = json_object_new_object();
	char key[256];

	if (!idx)
		return fail(x, -ENOMEM, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(it, json_type_object) || fn(it, key, sizeof(key)) < 0) {
			json_object_put(idx);
			return fail(x, -EINVAL, "%s: bad input: %s %zu is malformed", x->path[side],
				    what, i + 1);
		}
		/* The first of duplicate ids wins, as in the reports' own order. */
		if (!json_object_object_get_ex(idx, key, NULL) &&
		    json_object_object_add(idx, key, json_object_get(it))) {
			json_object_put(it);
			json_object_put(idx);
			return fail(x, -ENOMEM, "%s", strerror(ENOMEM));
		}
	}
	*ret = idx;
	return 0;
}

static int case_key(struct json_object *c, char *buf, size_t len)
{
	const char *id = str_at(c, "id");

	if (!id || !strcmp(id, "null") || !*id)
		return -EINVAL;
	snprintf(buf, len, "%s", id);
	return 0;
}

int report_cell_key(struct json_object *c, char *buf, size_t len)
{
	struct json_object *f, *s;
	const char *v[7];

	if (!json_object_object_get_ex(c, "first", &f) ||
	    !json_object_object_get_ex(c, "second", &s) ||
	    !json_object_is_type(f, json_type_object) || !json_object_is_type(s, json_type_object))
		return -EINVAL;
	v[0] = str_at(c, "proto");
	v[1] = str_at(c, "state");
	v[2] = str_at(f, "opts");
	v[3] = str_at(f, "addr");
	v[4] = str_at(s, "opts");
	v[5] = str_at(s, "addr");
	v[6] = str_at(c, "uid");
	for (int i = 0; i < 7; i++)
		if (!v[i] || !strcmp(v[i], "null"))
			return -EINVAL;
	if (!str_at(c, "result") || !strcmp(str_at(c, "result"), "null"))
		return -EINVAL;
	snprintf(buf, len, "%s %s first %s@%s second %s@%s uid %s", v[0], v[1], v[2], v[3], v[4],
		 v[5], v[6]);
	return 0;
}

/* Step i's result and arguments; false when the case has no step i. */
static bool step_at(struct json_object *c, size_t i, const char **res, const char **args)
{
	struct json_object *steps, *st;

	*res = *args = NULL;
	if (!json_object_object_get_ex(c, "steps", &steps) ||
	    !json_object_is_type(steps, json_type_array) || i >= json_object_array_length(steps))
		return false;
	st = json_object_array_get_idx(steps, i);
	if (!json_object_is_type(st, json_type_object))
		return false;
	*res = str_at(st, "result");
	*args = str_at(st, "args");
	return true;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "?";
}

/* Compares two matched items and reports what changed; 1 changed, 0 same,
 * or -errno (in x->err). */
typedef int (*cmp_fn)(struct diff_ctx *x, struct json_object *a, struct json_object *b,
		      const char *key);

/* The steps of two runs of one case, one change per step that differs
 * (report_case_step_differs); a STEPS line first when nothing about the
 * case was reported yet. */
static void diff_steps(struct diff_ctx *x, struct json_object *a, struct json_object *b,
		       const struct case_result *const c[2], bool reported)
{
	size_t n = c[0]->n_steps > c[1]->n_steps ? c[0]->n_steps : c[1]->n_steps;

	for (size_t i = 0; i < n; i++) {
		const char *ra, *rb, *da, *db;
		bool ha = step_at(a, i, &ra, &da), hb = step_at(b, i, &rb, &db);
		struct report_change ch = {
		    .kind = REPORT_CHANGE_STEP, .key = c[0]->id, .step = i + 1};
		char fa[512], fb[512];

		if (!report_case_step_differs(c, 2, i))
			continue;
		if (!reported)
			x->fn(&(struct report_change){.kind = REPORT_CHANGE_STEPS, .key = c[0]->id},
			      x->arg);
		reported = true;
		ch.from = ha && ra ? ra : "absent";
		ch.to = hb && rb ? rb : "absent";
		ch.detail = ha && da ? da : hb && db ? db : "?";
		/* The same result from another step (its call or node changed):
		 * say which step gave it on each side, not "ok -> ok". */
		if (ha && hb && !strcmp(ch.from, ch.to)) {
			snprintf(fa, sizeof(fa), "%s %s: %s", c[0]->steps[i].node, da ? da : "?",
				 ch.from);
			snprintf(fb, sizeof(fb), "%s %s: %s", c[1]->steps[i].node, db ? db : "?",
				 ch.to);
			ch.from = fa;
			ch.to = fb;
			ch.detail = "another step";
		}
		x->fn(&ch, x->arg);
	}
}

/* A run in one report and a skip in the other: its steps are absent, not
 * changed, so one line with the reason. */
static void diff_skipped(struct diff_ctx *x, struct json_object *a, struct json_object *b,
			 const char *id, const char *va, const char *vb)
{
	const char *why = str_at(strcmp(va, "skipped") ? b : a, "skip_reason");
	struct report_change ch = {.kind = REPORT_CHANGE_SKIPPED, .key = id, .from = va, .to = vb};

	ch.detail = why && strcmp(why, "null") ? why : "no reason given";
	x->fn(&ch, x->arg);
}

/* What changed between two runs of a case, by the rule the table of several
 * reports uses (report_cases_differ): its values and so its observed text
 * alone are no change. */
static int diff_case(struct diff_ctx *x, struct json_object *a, struct json_object *b,
		     const char *id)
{
	struct case_result ca = {0}, cb = {0};
	const struct case_result *c[2] = {&ca, &cb};
	struct report_change ch = {.key = id};
	const char *oa = or_unknown(str_at(a, "observed")), *ob = or_unknown(str_at(b, "observed"));
	const char *va = or_unknown(str_at(a, "verdict")), *vb = or_unknown(str_at(b, "verdict"));
	int r;

	if (report_case_read(a, &ca) < 0 || report_case_read(b, &cb) < 0) {
		r = fail(x, -ENOMEM, "%s", strerror(ENOMEM));
		goto out;
	}
	r = report_cases_differ(c, 2);
	if (!r)
		goto out;
	if (!strcmp(va, "skipped") != !strcmp(vb, "skipped")) {
		diff_skipped(x, a, b, id, va, vb);
		goto out;
	}
	if (strcmp(oa, ob)) {
		ch.kind = REPORT_CHANGE_OBSERVED;
		ch.from = oa;
		ch.to = ob;
		ch.verdict_from = va;
		ch.verdict_to = vb;
	} else if (strcmp(va, vb)) {
		ch.kind = REPORT_CHANGE_VERDICT;
		ch.from = va;
		ch.to = vb;
		ch.detail = oa;
	}
	if (ch.from)
		x->fn(&ch, x->arg);
	diff_steps(x, a, b, c, ch.from != NULL);
out:
	report_case_clear(&ca);
	report_case_clear(&cb);
	return r;
}

static int diff_cell(struct diff_ctx *x, struct json_object *a, struct json_object *b,
		     const char *key)
{
	const char *ra = str_at(a, "result"), *rb = str_at(b, "result");

	if (!strcmp(ra, rb))
		return 0;
	x->fn(&(struct report_change){.kind = REPORT_CHANGE_CELL, .key = key, .from = ra, .to = rb},
	      x->arg);
	return 1;
}

static void only_in(struct diff_ctx *x, const char *key, int side)
{
	x->fn(&(struct report_change){.kind = REPORT_CHANGE_ONLY_IN,
				      .key = key,
				      .detail = x->path[side]},
	      x->arg);
}

/* What a schema's items are called and how they are matched and compared. */
struct item_kind {
	const char *schema, *array, *what;
	key_fn key;
	cmp_fn cmp;
};

static const struct item_kind item_kinds[] = {
    {SCHEMA_REPORT, "cases", "case", case_key, diff_case},
    {SCHEMA_MATRIX, "cells", "cell", report_cell_key, diff_cell},
};

/*
 * Match the items of two reports by key, compare the matched ones, and list
 * those in one report only.  1 changed, 0 same, or -errno (in x->err).
 */
static int diff_items(struct diff_ctx *x, struct json_object *root[2], const struct item_kind *k)
{
	struct json_object *arr[2], *idx[2] = {NULL, NULL};
	char key[256];
	int changed = 0, r = 0;

	for (int side = 0; side < 2 && r == 0; side++) {
		arr[side] = array_at(root[side], k->array);
		if (!arr[side])
			r = fail(x, -EINVAL, "%s: bad input: no \"%s\" array", x->path[side],
				 k->array);
		else
			r = index_items(x, side, arr[side], k->key, k->what, &idx[side]);
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < json_object_array_length(arr[0]); i++) {
		struct json_object *a = json_object_array_get_idx(arr[0], i), *b;

		k->key(a, key, sizeof(key));
		if (json_object_object_get(idx[0], key) != a)
			continue; /* a duplicate key */
		if (!json_object_object_get_ex(idx[1], key, &b)) {
			only_in(x, key, 0);
			changed = 1;
			continue;
		}
		r = k->cmp(x, a, b, key);
		if (r < 0)
			goto out;
		changed |= r;
	}
	for (size_t i = 0; i < json_object_array_length(arr[1]); i++) {
		struct json_object *b = json_object_array_get_idx(arr[1], i);

		k->key(b, key, sizeof(key));
		if (json_object_object_get(idx[1], key) == b &&
		    !json_object_object_get_ex(idx[0], key, NULL)) {
			only_in(x, key, 1);
			changed = 1;
		}
	}
	r = changed;
out:
	json_object_put(idx[0]);
	json_object_put(idx[1]);
	return r;
}

/* The claim verdicts that changed (reports older than claim verdicts have
 * none to compare; a claim judged in one report only is not a change of
 * Linux's behaviour but of what ran).  1 changed, 0 same. */
static int diff_claims(struct diff_ctx *x, struct json_object *root[2])
{
	struct json_object *arr[2] = {array_at(root[0], "claims"), array_at(root[1], "claims")};
	int changed = 0;

	for (size_t i = 0; arr[0] && arr[1] && i < json_object_array_length(arr[0]); i++) {
		struct json_object *a = json_object_array_get_idx(arr[0], i);
		const char *id = str_at(a, "id"), *va = str_at(a, "verdict");

		for (size_t j = 0; id && va && j < json_object_array_length(arr[1]); j++) {
			struct json_object *b = json_object_array_get_idx(arr[1], j);
			const char *idb = str_at(b, "id"), *vb = str_at(b, "verdict");

			if (!idb || strcmp(id, idb) || !vb || !strcmp(va, vb))
				continue;
			x->fn(&(struct report_change){.kind = REPORT_CHANGE_CLAIM, .key = id,
						      .from = va, .to = vb},
			      x->arg);
			changed = 1;
		}
	}
	return changed;
}

/* The item kind of a report's schema, or NULL (in x->err). */
static const struct item_kind *kind_of(struct diff_ctx *x, int side, struct json_object *o)
{
	const char *s = str_at(o, "schema");

	if (!s || !strcmp(s, "null")) {
		fail(x, -EINVAL, "%s: no \"schema\" (not a reuselab report)", x->path[side]);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(item_kinds) / sizeof(item_kinds[0]); i++)
		if (!strcmp(s, item_kinds[i].schema))
			return &item_kinds[i];
	fail(x, -EINVAL, "%s: unknown schema '%s' (known: " SCHEMA_REPORT ", " SCHEMA_MATRIX ")",
	     x->path[side], s);
	return NULL;
}

int report_diff_files(const char *path_a, const char *path_b, report_change_fn fn, void *arg,
		      char *err, size_t err_len)
{
	struct diff_ctx x = {{path_a, path_b}, fn, arg, err, err_len};
	struct json_object *root[2] = {NULL, NULL};
	const struct item_kind *k[2] = {NULL, NULL};
	int r = 0;

	for (int side = 0; side < 2 && r == 0; side++)
		r = load(&x, x.path[side], &root[side]);
	for (int side = 0; side < 2 && r == 0; side++) {
		k[side] = kind_of(&x, side, root[side]);
		if (!k[side])
			r = -EINVAL;
	}
	if (r == 0 && k[0] != k[1])
		r = fail(&x, -EINVAL, "%s is a %s but %s is a %s: nothing to compare", path_a,
			 k[0]->schema, path_b, k[1]->schema);
	if (r == 0)
		r = diff_items(&x, root, k[0]);
	if (r >= 0 && k[0] == &item_kinds[0])
		r |= diff_claims(&x, root);
	json_object_put(root[0]);
	json_object_put(root[1]);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * reuselab diff A.json B.json: what changed between two probe reports
 * (reuselab-report/1) or two bind matrices (reuselab-matrix/1), typically
 * the same lab on two kernels.  Only changed outcomes are printed:
 *   restart-tw-none: EADDRINUSE -> ok (verdict holds -> differs)
 *   tcp time-wait first reuseaddr@A second none@A uid same: EADDRINUSE -> ok
 *   c1-two-servers-none: verdict holds -> skipped (the lab has no node for role 'cli2')
 * Exit 0 no change, 1 changes, 2 bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/cli/cmd.h"

#define SCHEMA_REPORT "reuselab-report/1"
#define SCHEMA_MATRIX "reuselab-matrix/1"
#define MAX_INPUT     (512L << 20)

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab diff A.json B.json\n\n"
		     "Compare two reports of `probe --json` / `run --json`, or two of\n"
		     "`matrix --json`, and print the cases or cells whose outcome changed, and\n"
		     "cases present in only one.  Exit 0 no change, 1 changes, 2 bad input.\n");
}

static int read_all(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto out;
	}
	for (;;) {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)MAX_INPUT) {
				r = -EFBIG;
				goto out;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

/* Parse a file as JSON; prints one line naming the file and the cause on failure. */
static struct json_object *load(const char *path)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum json_tokener_error jerr;
	char *buf = NULL;
	size_t len = 0, off, line = 1;
	int r;

	r = read_all(path, &buf, &len);
	if (r < 0) {
		cmd_err("diff: %s: cannot read: %s", path, strerror(-r));
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		cmd_err("diff: %s: %s", path, strerror(ENOMEM));
		goto out;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	off = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	if (jerr == json_tokener_success)
		while (off < len && strchr(" \t\r\n", buf[off]))
			off++;
	if (jerr != json_tokener_success || off < len) {
		for (size_t i = 0; i < off && i < len; i++)
			line += buf[i] == '\n';
		cmd_err("diff: %s:%zu: not JSON: %s", path, line,
			jerr != json_tokener_success ? json_tokener_error_desc(jerr)
						     : "text after the JSON value");
		json_object_put(o);
		o = NULL;
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		cmd_err("diff: %s: not a reuselab report (not a JSON object)", path);
		json_object_put(o);
		o = NULL;
	}
out:
	if (tok)
		json_tokener_free(tok);
	free(buf);
	return o;
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

static struct json_object *array_at(const char *path, struct json_object *root, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, key, &v) || !json_object_is_type(v, json_type_array)) {
		cmd_err("diff: %s: bad input: no \"%s\" array", path, key);
		return NULL;
	}
	return v;
}

/*
 * Index an array of objects by a key string computed by keyfn into a JSON
 * object (json-c's hash table).  Returns 0 or -EINVAL (printed).
 */
typedef int (*key_fn)(struct json_object *item, char *buf, size_t len);

static int index_items(const char *path, struct json_object *arr, key_fn fn, const char *what,
		       struct json_object **ret)
{
	struct json_object *idx = json_object_new_object();
	char key[256];

	if (!idx) {
		cmd_err("diff: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *it = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(it, json_type_object) || fn(it, key, sizeof(key)) < 0) {
			cmd_err("diff: %s: bad input: %s %zu is malformed", path, what, i + 1);
			json_object_put(idx);
			return -EINVAL;
		}
		/* The first of duplicate ids wins, as in the reports' own order. */
		if (!json_object_object_get_ex(idx, key, NULL))
			json_object_object_add(idx, key, json_object_get(it));
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

static int cell_key(struct json_object *c, char *buf, size_t len)
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

static int step_result_at(struct json_object *c, size_t i, const char **res, const char **desc)
{
	struct json_object *steps, *st;

	*res = *desc = NULL;
	if (!json_object_object_get_ex(c, "steps", &steps) ||
	    !json_object_is_type(steps, json_type_array) || i >= json_object_array_length(steps))
		return 0;
	st = json_object_array_get_idx(steps, i);
	if (!json_object_is_type(st, json_type_object))
		return 0;
	*res = str_at(st, "result");
	*desc = str_at(st, "args");
	return 1;
}

static size_t n_steps(struct json_object *c)
{
	struct json_object *steps;

	if (!json_object_object_get_ex(c, "steps", &steps) ||
	    !json_object_is_type(steps, json_type_array))
		return 0;
	return json_object_array_length(steps);
}

/* Compares two matched items and prints what changed; 1 changed, 0 same. */
typedef int (*cmp_fn)(struct json_object *a, struct json_object *b, const char *key);

/* One line for a case that ran in one report and was skipped in the other:
 * the steps of a case that did not run are absent, not changed. */
static void print_skip_change(struct json_object *a, struct json_object *b, const char *id,
			      const char *va, const char *vb)
{
	const char *why = str_at(strcmp(va, "skipped") ? b : a, "skip_reason");

	cmd_out("%s: verdict %s -> %s (%s)", id, va, vb,
	       why && strcmp(why, "null") ? why : "no reason given");
}

static int diff_case(struct json_object *a, struct json_object *b, const char *id)
{
	const char *oa = str_at(a, "observed"), *ob = str_at(b, "observed");
	const char *va = str_at(a, "verdict"), *vb = str_at(b, "verdict");
	size_t na = n_steps(a), nb = n_steps(b), n = na > nb ? na : nb;
	int changed = 0, head = 0;

	oa = oa ? oa : "?";
	ob = ob ? ob : "?";
	va = va ? va : "?";
	vb = vb ? vb : "?";
	if (!strcmp(va, "skipped") != !strcmp(vb, "skipped")) {
		print_skip_change(a, b, id, va, vb);
		return 1;
	}
	if (strcmp(oa, ob)) {
		if (strcmp(va, vb))
			cmd_out("%s: %s -> %s (verdict %s -> %s)", id, oa, ob, va, vb);
		else
			cmd_out("%s: %s -> %s (verdict %s)", id, oa, ob, va);
		changed = head = 1;
	} else if (strcmp(va, vb)) {
		cmd_out("%s: verdict %s -> %s (observed %s)", id, va, vb, oa);
		changed = head = 1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *ra, *rb, *da, *db;
		int ha = step_result_at(a, i, &ra, &da), hb = step_result_at(b, i, &rb, &db);

		ra = ha && ra ? ra : "absent";
		rb = hb && rb ? rb : "absent";
		if (!strcmp(ra, rb))
			continue;
		if (!head) {
			cmd_out("%s: steps changed", id);
			head = 1;
		}
		cmd_out("  step %zu (%s): %s -> %s", i + 1,
		       ha && da	  ? da
		       : hb && db ? db
				  : "?",
		       ra, rb);
		changed = 1;
	}
	return changed;
}

static int diff_cell(struct json_object *a, struct json_object *b, const char *key)
{
	if (!strcmp(str_at(a, "result"), str_at(b, "result")))
		return 0;
	cmd_out("%s: %s -> %s", key, str_at(a, "result"), str_at(b, "result"));
	return 1;
}

/*
 * Match the items of array `arr_key` in two files by keyfn, compare the
 * matched ones with cmp, and list those in one file only.  0 or -EINVAL
 * (printed).
 */
static int diff_items(const char *pa, struct json_object *ra, const char *pb,
		      struct json_object *rb, const char *arr_key, const char *what, key_fn keyfn,
		      cmp_fn cmp, int *ret_changed)
{
	struct json_object *ca = array_at(pa, ra, arr_key), *cb = array_at(pb, rb, arr_key);
	struct json_object *ia = NULL, *ib = NULL;
	char key[256];
	int changed = 0, r = -EINVAL;

	if (!ca || !cb)
		return -EINVAL;
	if (index_items(pa, ca, keyfn, what, &ia) < 0 || index_items(pb, cb, keyfn, what, &ib) < 0)
		goto out;
	for (size_t i = 0; i < json_object_array_length(ca); i++) {
		struct json_object *a = json_object_array_get_idx(ca, i), *b;

		keyfn(a, key, sizeof(key));
		if (json_object_object_get(ia, key) != a)
			continue; /* a duplicate key */
		if (!json_object_object_get_ex(ib, key, &b)) {
			cmd_out("%s: only in %s", key, pa);
			changed = 1;
			continue;
		}
		changed |= cmp(a, b, key);
	}
	for (size_t i = 0; i < json_object_array_length(cb); i++) {
		struct json_object *b = json_object_array_get_idx(cb, i);

		keyfn(b, key, sizeof(key));
		if (json_object_object_get(ib, key) == b &&
		    !json_object_object_get_ex(ia, key, NULL)) {
			cmd_out("%s: only in %s", key, pb);
			changed = 1;
		}
	}
	*ret_changed = changed;
	r = 0;
out:
	json_object_put(ia);
	json_object_put(ib);
	return r;
}

static const char *schema_of(const char *path, struct json_object *o)
{
	const char *s = str_at(o, "schema");

	if (!s || !strcmp(s, "null")) {
		cmd_err("diff: %s: no \"schema\" (not a reuselab report)", path);
		return NULL;
	}
	if (strcmp(s, SCHEMA_REPORT) && strcmp(s, SCHEMA_MATRIX)) {
		cmd_err("diff: %s: unknown schema '%s' (known: " SCHEMA_REPORT ", " SCHEMA_MATRIX
			")",
			path, s);
		return NULL;
	}
	return s;
}

int cmd_diff(int argc, char **argv)
{
	struct json_object *a = NULL, *b = NULL;
	const char *sa, *sb;
	int ret = EXIT_USAGE, changed = 0, r;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc != 3) {
		usage(stderr);
		return EXIT_USAGE;
	}
	a = load(argv[1]);
	if (!a)
		goto out;
	b = load(argv[2]);
	if (!b)
		goto out;
	sa = schema_of(argv[1], a);
	sb = sa ? schema_of(argv[2], b) : NULL;
	if (!sa || !sb)
		goto out;
	if (strcmp(sa, sb)) {
		cmd_err("diff: %s is a %s but %s is a %s: nothing to compare", argv[1], sa, argv[2],
			sb);
		goto out;
	}
	fflush(stdout);
	if (!strcmp(sa, SCHEMA_REPORT))
		r = diff_items(argv[1], a, argv[2], b, "cases", "case", case_key, diff_case,
			       &changed);
	else
		r = diff_items(argv[1], a, argv[2], b, "cells", "cell", cell_key, diff_cell,
			       &changed);
	if (r < 0)
		goto out;
	if (fflush(stdout) == EOF) {
		cmd_err("diff: writing the output: %s", strerror(errno));
		ret = EXIT_SYSTEM;
		goto out;
	}
	ret = changed ? EXIT_DIFFERS : EXIT_OK;
out:
	json_object_put(a);
	json_object_put(b);
	return ret;
}

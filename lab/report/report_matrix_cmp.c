/* SPDX-License-Identifier: MIT */
/*
 * Bind matrices (reuselab-matrix/1) of the same lab on several kernels, side
 * by side: one row per cell whose result differs, one column per file
 * headed by its kernel, each with the result ("ok", the errno, "n/a") and
 * "-" where a file lacks the cell (another --axes or --proto).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

#define SCHEMA_MATRIX "reuselab-matrix/1"

struct mx_file {
	struct json_object *root, *cells, *index; /* index: key -> result string */
	const char *kernel;
};

static bool is_matrix(struct json_object *root)
{
	const char *schema = jsonr_str(root, "schema");

	return schema && !strcmp(schema, SCHEMA_MATRIX);
}

/* Check root is a matrix and index its cells.  0, -ENOTSUP (no matrix), -EINVAL, -ENOMEM. */
static int index_matrix(const char *name, struct mx_file *m, char *why, size_t why_len)
{
	const char *schema;
	char key[256];

	if (!m->root) {
		snprintf(why, why_len, "%s: not readable JSON", name);
		return -EINVAL;
	}
	schema = jsonr_str(m->root, "schema");
	if (!schema || strcmp(schema, SCHEMA_MATRIX)) {
		snprintf(why, why_len, "%s: not a bind matrix (" SCHEMA_MATRIX ")", name);
		return -ENOTSUP;
	}
	m->kernel = jsonr_str(m->root, "kernel") ? jsonr_str(m->root, "kernel") : "?";
	if (!json_object_object_get_ex(m->root, "cells", &m->cells) ||
	    !json_object_is_type(m->cells, json_type_array)) {
		snprintf(why, why_len, "%s: no \"cells\" array", name);
		return -EINVAL;
	}
	m->index = json_object_new_object();
	if (!m->index)
		return -ENOMEM;
	for (size_t i = 0; i < json_object_array_length(m->cells); i++) {
		struct json_object *c = json_object_array_get_idx(m->cells, i), *res;

		if (report_cell_key(c, key, sizeof(key)) < 0 ||
		    !json_object_object_get_ex(c, "result", &res)) {
			snprintf(why, why_len, "%s: cell %zu: no proto/state/first/second/uid/result",
				 name, i);
			return -EINVAL;
		}
		if (json_object_object_add(m->index, key, json_object_get(res)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static const char *result_in(const struct mx_file *m, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(m->index, key, &v) ? json_object_get_string(v) : "-";
}

static bool differs(const struct mx_file *m, size_t n, const char *key)
{
	for (size_t k = 1; k < n; k++)
		if (strcmp(result_in(&m[0], key), result_in(&m[k], key)))
			return true;
	return false;
}

/* Keys in file-then-cell order, each once: those of m[k] no earlier file has. */
static bool first_seen(const struct mx_file *m, size_t k, const char *key)
{
	for (size_t j = 0; j < k; j++)
		if (json_object_object_get_ex(m[j].index, key, NULL))
			return false;
	return true;
}

static void print_row(const struct mx_file *m, size_t n, const char *key, int kw, FILE *out)
{
	fprintf(out, "%-*s", kw, key);
	for (size_t k = 0; k < n; k++) /* the last column unpadded: no trailing blanks */
		fprintf(out, "  %-*s",
			k + 1 < n ? (int)(strlen(m[k].kernel) > 10 ? strlen(m[k].kernel) : 10) : 0,
			result_in(&m[k], key));
	fputc('\n', out);
}

/* Two passes over the cells: widths, then rows.  Returns the rows. */
static int print_table(const struct mx_file *m, size_t n, FILE *out)
{
	char key[256];
	int rows = 0, kw = 4;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && rows) {
			fprintf(out, "%-*s", kw, "cell");
			for (size_t k = 0; k < n; k++)
				fprintf(out, "  %-*s", k + 1 < n ? 10 : 0, m[k].kernel);
			fputc('\n', out);
		}
		for (size_t k = 0; k < n; k++) {
			for (size_t i = 0; i < json_object_array_length(m[k].cells); i++) {
				report_cell_key(json_object_array_get_idx(m[k].cells, i), key, sizeof(key));
				if (!first_seen(m, k, key) || !differs(m, n, key))
					continue;
				if (pass == 0) {
					rows++;
					kw = (int)strlen(key) > kw ? (int)strlen(key) : kw;
				} else {
					print_row(m, n, key, kw, out);
				}
			}
		}
	}
	return rows;
}

/* m[0..n) have their roots (NULL: unreadable); names for the messages. */
static int compare(struct mx_file *m, const char *const *names, size_t n, FILE *out, char *why,
		   size_t why_len)
{
	int r = 0;

	for (size_t k = 0; r == 0 && k < n; k++) {
		r = index_matrix(names[k], &m[k], why, why_len);
		if (r == -ENOTSUP && k > 0)
			r = -EINVAL; /* the first is a matrix: a report among them is bad input */
	}
	if (r == 0)
		r = print_table(m, n, out);
	if (r >= 0) {
		int w = report_flush(out);

		if (w < 0) {
			snprintf(why, why_len, "writing the output: %s", strerror(-w));
			r = w;
		}
	}
	for (size_t k = 0; k < n; k++) {
		json_object_put(m[k].index);
		json_object_put(m[k].root);
	}
	return r;
}

int report_matrix_compare(char *const *paths, size_t n, FILE *out, char *why, size_t why_len)
{
	struct mx_file *m = calloc(n ? n : 1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		char *text;
		size_t len;

		r = report_read_text(paths[k], &text, &len);
		if (r < 0) {
			snprintf(why, why_len, "%s: cannot read: %s", paths[k], strerror(-r));
			r = -EINVAL;
			goto out;
		}
		m[k].root = json_tokener_parse(text);
		free(text);
		/* Reports, not matrices: the caller reads them its own way, so
		 * the rest are not parsed here for nothing. */
		if (k == 0 && m[0].root && !is_matrix(m[0].root)) {
			r = -ENOTSUP;
			goto out;
		}
	}
	r = compare(m, (const char *const *)paths, n, out, why, why_len); /* puts the roots */
	free(m);
	return r;
out:
	for (size_t k = 0; k < n; k++)
		json_object_put(m[k].root);
	free(m);
	return r;
}

int report_matrix_compare_text(const char *const *texts, const char *const *names, size_t n,
			       FILE *out, char *why, size_t why_len)
{
	struct mx_file *m = calloc(n ? n : 1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++)
		m[k].root = json_tokener_parse(texts[k]);
	r = compare(m, names, n, out, why, why_len);
	free(m);
	return r;
}

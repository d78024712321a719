/* SPDX-License-Identifier: MIT */
/*
 * The same lab on several kernels, side by side: only the cases whose step
 * results differ, one column per kernel.  Values (connection counts, ports)
 * are left out: they vary from run to run on one kernel too.  The rule of
 * what differs (report_case_step_differs, report_cases_differ) is also
 * `diff`'s for two reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

static const struct case_result *find_case(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n_cases; i++)
		if (!strcmp(r->cases[i].id, id))
			return &r->cases[i];
	return NULL;
}

int report_case_step_differs(const struct case_result *const *c, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++) {
		if (!c[k] || i >= c[k]->n_steps || !c[0] || i >= c[0]->n_steps)
			return 1;
		if (strcmp(c[k]->steps[i].call, c[0]->steps[i].call) ||
		    strcmp(c[k]->steps[i].node, c[0]->steps[i].node) ||
		    c[k]->steps[i].err != c[0]->steps[i].err)
			return 1;
	}
	return 0;
}

int report_cases_differ(const struct case_result *const *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!c[k] || !c[0] || c[k]->n_steps != c[0]->n_steps ||
		    c[k]->verdict != c[0]->verdict)
			return 1;
	for (size_t i = 0; n && i < c[0]->n_steps; i++)
		if (report_case_step_differs(c, n, i))
			return 1;
	return 0;
}

/* One cell: "call node: RESULT" of the differing steps, joined by "; ". */
static char *cell(const struct case_result *const *c, size_t n, size_t k)
{
	char *buf = NULL, res[32];
	size_t len = 0, most = 0;
	FILE *f;
	int first = 1;

	if (!c[k])
		return strdup("-");
	if (c[k]->verdict == VERDICT_SKIPPED)
		return strdup("skipped");
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (c[i] && c[i]->n_steps > most)
			most = c[i]->n_steps;
	for (size_t i = 0; i < c[k]->n_steps; i++) {
		if (!report_case_step_differs(c, n, i))
			continue;
		fprintf(f, "%s%s %s: %s", first ? "" : "; ", c[k]->steps[i].call, c[k]->steps[i].node,
			report_result_text(c[k]->steps[i].err, res, sizeof(res)));
		first = 0;
	}
	if (first) /* same results, other verdict (an expectation, an error) */
		fprintf(f, "%s", report_verdict_name(c[k]->verdict));
	else if (c[k]->n_steps < most)
		fputs("; (fewer steps)", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct row {
	const char *id;
	char **cells;
};

static int print_rows(const struct report *const *r, size_t n, struct row *rows, size_t n_rows,
		      FILE *out)
{
	size_t idw = 4, *w = calloc(n, sizeof(*w));

	if (!w)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++)
		w[k] = strlen(r[k]->kernel[0] ? r[k]->kernel : "?");
	for (size_t j = 0; j < n_rows; j++) {
		if (strlen(rows[j].id) > idw)
			idw = strlen(rows[j].id);
		for (size_t k = 0; k < n; k++)
			if (strlen(rows[j].cells[k]) > w[k])
				w[k] = strlen(rows[j].cells[k]);
	}
	fprintf(out, "%-*s", (int)idw, "case");
	for (size_t k = 0; k < n; k++)
		fprintf(out, "  %-*s", (int)w[k], r[k]->kernel[0] ? r[k]->kernel : "?");
	fputc('\n', out);
	for (size_t j = 0; j < n_rows; j++) {
		fprintf(out, "%-*s", (int)idw, rows[j].id);
		for (size_t k = 0; k < n; k++)
			fprintf(out, "  %-*s", (int)w[k], rows[j].cells[k]);
		fputc('\n', out);
	}
	free(w);
	return report_flush(out);
}

/* True when a report before r[k] already has case i of r[k]. */
static int seen_before(const struct report *const *r, size_t k, size_t i)
{
	const char *id = r[k]->cases[i].id;

	for (size_t j = 0; j < k; j++)
		if (find_case(r[j], id))
			return 1;
	return 0;
}

static int add_row(struct row **rows, size_t *n_rows, const char *id,
		   const struct case_result *const *c, size_t n)
{
	struct row *nr = realloc(*rows, (*n_rows + 1) * sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	*rows = nr;
	nr[*n_rows].id = id;
	nr[*n_rows].cells = calloc(n, sizeof(char *));
	if (!nr[*n_rows].cells)
		return -ENOMEM;
	(*n_rows)++;
	for (size_t k = 0; k < n; k++)
		if (!(nr[*n_rows - 1].cells[k] = cell(c, n, k)))
			return -ENOMEM;
	return 0;
}

int report_compare(const struct report *const *r, size_t n, FILE *out)
{
	const struct case_result **c = calloc(n ? n : 1, sizeof(*c));
	struct row *rows = NULL;
	size_t n_rows = 0;
	int e = c ? 0 : -ENOMEM;

	for (size_t k = 0; e == 0 && k < n; k++) {
		for (size_t i = 0; e == 0 && i < r[k]->n_cases; i++) {
			const char *id = r[k]->cases[i].id;

			if (seen_before(r, k, i))
				continue;
			for (size_t j = 0; j < n; j++)
				c[j] = find_case(r[j], id);
			if (report_cases_differ(c, n))
				e = add_row(&rows, &n_rows, id, c, n);
		}
	}
	if (e == 0 && n_rows)
		e = print_rows(r, n, rows, n_rows, out);
	for (size_t j = 0; j < n_rows; j++) {
		for (size_t k = 0; rows[j].cells && k < n; k++)
			free(rows[j].cells[k]);
		free(rows[j].cells);
	}
	free(rows);
	free(c);
	return e < 0 ? e : (int)n_rows;
}

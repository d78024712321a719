/* SPDX-License-Identifier: MIT */
/*
 * The human report: one row per case (case, claim, predicted, observed,
 * verdict), the error or skip reason and the sockets a case asked to see
 * indented under it, one line per judged claim, and a summary line.  Colour (ANSI) only when the caller says the output is a
 * tty.  Given a width, the predicted and observed columns are cut to fit it,
 * ending in "..." (the JSON report keeps the full text).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

#define C_RESET	 "\033[0m"
#define C_GREEN	 "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED	 "\033[1;31m"
#define C_DIM	 "\033[2m"

static const char *str_or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static const char *verdict_color(enum verdict v)
{
	switch (v) {
	case VERDICT_HOLDS:
		return C_GREEN;
	case VERDICT_DIFFERS:
		return C_YELLOW;
	case VERDICT_SKIPPED:
		return C_DIM;
	case VERDICT_EXPECT_FAILED:
	case VERDICT_ERROR:
		return C_RED;
	}
	return C_RED;
}

/* Text from a topology or the kernel, escaped (report_text_put), so it
 * cannot drive the terminal; widths count the escaped form. */
static void widen(int *w, const char *s)
{
	int n = (int)report_text_put(NULL, str_or_dash(s));

	if (n > *w)
		*w = n;
}

/* s escaped, then spaces up to width, then two more (the column gap). */
static void put_cell(FILE *out, const char *s, int width)
{
	int n = (int)report_text_put(out, str_or_dash(s));

	fprintf(out, "%*s", width - n + 2, "");
}

/* s escaped, cut to end in "..." (at a UTF-8 character boundary) when it is
 * wider than width (0: no limit).  Returns the width written. */
static int put_text_cut(FILE *out, const char *s, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int n = (int)report_text_put(NULL, str_or_dash(s));

	if (n <= width || width < 4 || !(m = open_memstream(&buf, &len)))
		return (int)report_text_put(out, str_or_dash(s));
	report_text_put(m, str_or_dash(s));
	fclose(m);
	n = width - 3;
	while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
		n--;
	fprintf(out, "%.*s...", n, buf);
	free(buf);
	return n + 3;
}

/* Like put_cell, but text longer than width is cut to end in "...". */
static void put_cell_cut(FILE *out, const char *s, int width)
{
	int n = put_text_cut(out, s, width);

	fprintf(out, "%*s", width - n + 2, "");
}

/* Columns narrow enough for the row to fit in `cols` (0: no limit): the
 * predicted (w[2]) and observed (w[3]) columns give up what is too much,
 * the wider one first, down to MIN_CUT each. */
#define MIN_CUT 16
#define VERDICT_W 7 /* "skipped", "differs" */

static void fit(int w[4], int cols)
{
	int over = w[0] + w[1] + w[2] + w[3] + 8 + VERDICT_W - cols;

	while (cols > 0 && over > 0) {
		int *wide = w[2] >= w[3] ? &w[2] : &w[3];

		if (*wide <= MIN_CUT)
			break;
		(*wide)--;
		over--;
	}
}

/* "    LABEL: TEXT\n", TEXT escaped. */
static void put_note(FILE *out, const char *label, const char *text)
{
	fprintf(out, "    %s: ", label);
	report_text_put(out, text);
	fputc('\n', out);
}

static void put_seen(FILE *out, const struct step_result *st)
{
	for (size_t k = 0; k < st->n_seen; k++) {
		fputs("    ", out);
		report_text_put(out, str_or_dash(st->node));
		fprintf(out, ": %s %s %s", st->seen[k].state, st->seen[k].local,
			st->seen[k].remote);
		if (st->seen[k].owner[0]) {
			fputs(" held by ", out);
			report_text_put(out, st->seen[k].owner);
		}
		fputc('\n', out);
	}
}

static void put_case(FILE *out, const struct case_result *c, const int w[4], bool color)
{
	put_cell(out, c->id, w[0]);
	put_cell(out, c->claim, w[1]);
	put_cell_cut(out, c->predicted, w[2]);
	put_cell_cut(out, c->observed, w[3]);
	fprintf(out, "%s%s%s\n", color ? verdict_color(c->verdict) : "",
		report_verdict_name(c->verdict), color ? C_RESET : "");
	if (c->verdict == VERDICT_ERROR && c->error)
		put_note(out, "error", c->error);
	if (c->verdict == VERDICT_SKIPPED && c->skip_reason)
		put_note(out, "skipped", c->skip_reason);
	for (size_t s = 0; s < c->n_steps; s++)
		put_seen(out, &c->steps[s]);
	report_programs_table(out, c);
}

/* A claim's conditions, grouped as the table shows them. */
enum cond_group { COND_HELD, COND_DIFFERED, COND_NOT_RUN };

static const char *const cond_group_label[] = {"holds", "differs", "not run"};

static enum cond_group cond_group_of(const struct claim_condition *k)
{
	return !k->ran ? COND_NOT_RUN : k->holds ? COND_HELD : COND_DIFFERED;
}

/* "WHEN; WHEN" of claim c's conditions in group g (but for those that held,
 * with their case ids), or NULL when there are none (free it). */
static char *claim_conds_text(const struct claim_result *c, enum cond_group g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	bool first = true;

	if (!m)
		return NULL;
	for (size_t i = 0; i < c->n_conds; i++) {
		if (cond_group_of(&c->conds[i]) != g)
			continue;
		fprintf(m, "%s%s", first ? "" : "; ", c->conds[i].when);
		if (g != COND_HELD)
			fprintf(m, " (%s)", c->conds[i].case_id);
		first = false;
	}
	if (fclose(m) != 0 || first) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "LABEL: TEXT" in the last column (indent columns in), cut to cols. */
static void put_claim_conds(FILE *out, const struct claim_result *c, enum cond_group g, int indent,
			    int cols)
{
	char *text = claim_conds_text(c, g);
	int label = (int)strlen(cond_group_label[g]) + 2;

	if (!text)
		return;
	fprintf(out, "%*s%s: ", indent, "", cond_group_label[g]);
	put_text_cut(out, text, cols > 0 ? cols - indent - label : 0);
	fputc('\n', out);
	free(text);
}

/* After the cases: each judged claim and its verdict, then, indented, the
 * conditions under which it held and those under which it differed. */
static void put_claims(FILE *out, const struct report *r, bool color, int cols)
{
	int w = 5; /* "claim" */

	if (!r->n_claims)
		return;
	for (size_t i = 0; i < r->n_claims; i++)
		widen(&w, r->claims[i].id);
	fprintf(out, "%-*s  %s\n", w, "claim", "verdict");
	for (size_t i = 0; i < r->n_claims; i++) {
		const struct claim_result *c = &r->claims[i];

		put_cell(out, c->id, w);
		fprintf(out, "%s%s%s\n",
			color ? (c->verdict == CLAIM_HOLDS ? C_GREEN : C_YELLOW) : "",
			report_claim_verdict_name(c->verdict), color ? C_RESET : "");
		for (int g = COND_HELD; g <= COND_NOT_RUN; g++)
			put_claim_conds(out, c, (enum cond_group)g, w + 2, cols);
	}
}

int report_write_table(const struct report *r, FILE *out, bool color)
{
	return report_write_table_fit(r, out, color, 0);
}

int report_write_table_fit(const struct report *r, FILE *out, bool color, int cols)
{
	int w[4] = {4, 5, 9, 8}; /* case, claim, predicted, observed */
	size_t counts[REPORT_N_VERDICTS];

	for (size_t i = 0; i < r->n_cases; i++) {
		const struct case_result *c = &r->cases[i];

		widen(&w[0], c->id);
		widen(&w[1], c->claim);
		widen(&w[2], c->predicted);
		widen(&w[3], c->observed);
	}
	fit(w, cols);
	if (r->kernel[0] || r->lab[0]) {
		fputs(color ? C_DIM "lab " : "lab ", out);
		report_text_put(out, str_or_dash(r->lab));
		fputs(", kernel ", out);
		report_text_put(out, str_or_dash(r->kernel));
		fputs(color ? C_RESET "\n" : "\n", out);
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w[0], "case", w[1], "claim", w[2], "predicted",
		w[3], "observed", "verdict");
	for (size_t i = 0; i < r->n_cases; i++)
		put_case(out, &r->cases[i], w, color);
	put_claims(out, r, color, cols);
	report_count_verdicts(r, counts);
	fprintf(out, "%zu case%s: %zu hold%s, %zu differ%s, %zu FAILED, %zu error%s", r->n_cases,
		r->n_cases == 1 ? "" : "s", counts[VERDICT_HOLDS],
		counts[VERDICT_HOLDS] == 1 ? "s" : "", counts[VERDICT_DIFFERS],
		counts[VERDICT_DIFFERS] == 1 ? "s" : "", counts[VERDICT_EXPECT_FAILED],
		counts[VERDICT_ERROR], counts[VERDICT_ERROR] == 1 ? "" : "s");
	/* Only when some were: a lab that hosts every case prints what it always did. */
	if (counts[VERDICT_SKIPPED])
		fprintf(out, ", %zu skipped", counts[VERDICT_SKIPPED]);
	fputc('\n', out);
	return report_flush(out);
}

/* SPDX-License-Identifier: MIT */
/*
 * The human report: one row per case (case, claim, predicted, observed,
 * verdict), the error or skip reason and the sockets a case asked to see
 * indented under it, and a summary line.  Colour (ANSI) only when the caller says the output is a
 * tty.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/report/report.h"

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

static void widen(int *w, const char *s)
{
	int n = (int)strlen(str_or_dash(s));

	if (n > *w)
		*w = n;
}

int report_write_table(const struct report *r, FILE *out, bool color)
{
	int w_id = 4, w_claim = 5, w_pred = 9, w_obs = 8;
	size_t counts[REPORT_N_VERDICTS];

	for (size_t i = 0; i < r->n_cases; i++) {
		const struct case_result *c = &r->cases[i];

		widen(&w_id, c->id);
		widen(&w_claim, c->claim);
		widen(&w_pred, c->predicted);
		widen(&w_obs, c->observed);
	}
	if (r->kernel[0] || r->lab[0])
		fprintf(out, "%slab %s, kernel %s%s\n", color ? C_DIM : "", str_or_dash(r->lab),
			str_or_dash(r->kernel), color ? C_RESET : "");
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w_id, "case", w_claim, "claim", w_pred,
		"predicted", w_obs, "observed", "verdict");
	for (size_t i = 0; i < r->n_cases; i++) {
		const struct case_result *c = &r->cases[i];

		fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s%s%s\n", w_id, str_or_dash(c->id), w_claim,
			str_or_dash(c->claim), w_pred, str_or_dash(c->predicted), w_obs,
			str_or_dash(c->observed), color ? verdict_color(c->verdict) : "",
			report_verdict_name(c->verdict), color ? C_RESET : "");
		if (c->verdict == VERDICT_ERROR && c->error)
			fprintf(out, "    error: %s\n", c->error);
		if (c->verdict == VERDICT_SKIPPED && c->skip_reason)
			fprintf(out, "    skipped: %s\n", c->skip_reason);
		for (size_t s = 0; s < c->n_steps; s++) {
			const struct step_result *st = &c->steps[s];

			for (size_t k = 0; k < st->n_seen; k++)
				fprintf(out, "    %s: %s %s %s\n", str_or_dash(st->node),
					st->seen[k].state, st->seen[k].local, st->seen[k].remote);
		}
	}
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

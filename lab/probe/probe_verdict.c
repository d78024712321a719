/* SPDX-License-Identifier: MIT */
/*
 * What a step's outcome means for its case: held or not against the claim's
 * prediction or the user's expectation, the short "observed" text, and which
 * steps are setup (their failure is the lab's, not a finding).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

/* Append "call sock: result[ =value]" to the observed text. */
void probe_observe(char *obs, size_t len, const struct probe_step *st,
		   const struct step_result *res, bool show_value)
{
	size_t o = strlen(obs);
	char rb[32];
	const char *what = st->n_socks ? st->socks[0] : st->lhs[0] ? st->lhs : "";

	if (st->op == PROBE_RECV || (st->op == PROBE_ACCEPT_ALL && st->n_socks > 1)) {
		const char *paren = strchr(res->args, '(');

		snprintf(obs + o, len - o, "%s%s %s", o ? "; " : "", res->call, paren ? paren : "");
		o = strlen(obs);
		snprintf(obs + o, len - o, ": %s =%ld",
			 report_result_text(res->err, rb, sizeof(rb)), res->value);
		return;
	}
	if (st->op == PROBE_SOCKET || st->op == PROBE_CHILD)
		what = st->lhs;
	snprintf(obs + o, len - o, "%s%s%s%s: %s", o ? "; " : "", res->call, *what ? " " : "", what,
		 report_result_text(res->err, rb, sizeof(rb)));
	if (show_value) {
		o = strlen(obs);
		if (res->text[0])
			snprintf(obs + o, len - o, " =%s", res->text);
		else
			snprintf(obs + o, len - o, " =%ld", res->value);
	}
}

/* Steps whose value is the point (recv, accept-all, burst). */
static bool has_value(const struct probe_step *st)
{
	return probe_step_def_of(st->op)->has_value;
}

int probe_judge_predicted(const char *predict, const struct probe_step *st,
			  const struct step_result *res, char *obs, size_t len, bool *differs)
{
	struct probe_expect e;

	if (!strcmp(predict, "*"))
		return 0;
	if (!strcmp(predict, "~")) { /* shown, not deciding */
		probe_observe(obs, len, st, res, has_value(st));
		return 0;
	}
	if (probe_expect_parse(predict, &e) < 0)
		return -EINVAL;
	probe_observe(obs, len, st, res, e.cmp || has_value(st));
	if (!probe_expect_met_text(&e, res->err, res->value, res->text))
		*differs = true;
	return 0;
}

bool probe_judge_expected(const struct probe_expect *e, size_t step_no, const struct probe_step *st,
			  const struct step_result *res, char *obs, size_t len)
{
	size_t o = strlen(obs);
	char rb[32];

	if (probe_expect_met_text(e, res->err, res->value, res->text))
		return true;
	snprintf(obs + o, len - o, "%sstep %zu %s: got %s", o ? "; " : "", step_no,
		 probe_op_name(st->op), report_result_text(res->err, rb, sizeof(rb)));
	if (e->text[0]) {
		o = strlen(obs);
		snprintf(obs + o, len - o, " =%s", res->text[0] ? res->text : "\"\"");
	} else if (e->cmp) {
		o = strlen(obs);
		snprintf(obs + o, len - o, " =%ld", res->value);
	}
	return false;
}

int probe_expect_code(const struct probe_expect *e)
{
	switch (e->want) {
	case PROBE_WANT_OK:
		return 0;
	case PROBE_WANT_ERRNO:
		return e->err;
	case PROBE_WANT_TIMEOUT:
		return STEP_TIMEOUT;
	case PROBE_WANT_ANY:
	case PROBE_WANT_FAIL:
		return -2;
	}
	return -2;
}

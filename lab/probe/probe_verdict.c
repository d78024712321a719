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

	if (st->op == PROBE_RECV) {
		const char *paren = strchr(res->args, '(');

		snprintf(obs + o, len - o, "%srecv %s", o ? "; " : "", paren ? paren : "");
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
		snprintf(obs + o, len - o, " =%ld", res->value);
	}
}

bool probe_op_has_value(enum probe_op op)
{
	return op == PROBE_RECV || op == PROBE_ACCEPT_ALL || op == PROBE_BURST;
}

/* Steps whose failure means the lab or the system is broken, not a finding. */
bool probe_is_setup_op(enum probe_op op)
{
	switch (op) {
	case PROBE_SOCKET:
	case PROBE_SETSOCKOPT:
	case PROBE_JOIN:
	case PROBE_AS_USER:
	case PROBE_SHOW:
		return true;
	case PROBE_BIND:
	case PROBE_LISTEN:
	case PROBE_CONNECT:
	case PROBE_ACCEPT:
	case PROBE_ACCEPT_ALL:
	case PROBE_BURST:
	case PROBE_SEND:
	case PROBE_RECV:
	case PROBE_READ:
	case PROBE_CLOSE:
	case PROBE_CHILD:
	case PROBE_FORK_DAYTIME:
	case PROBE_WAIT_TIMEWAIT:
		return false;
	}
	return false;
}

int probe_judge_predicted(const char *predict, const struct probe_step *st,
			  const struct step_result *res, char *obs, size_t len, bool *differs)
{
	struct probe_expect e;

	if (!strcmp(predict, "*"))
		return 0;
	if (!strcmp(predict, "~")) { /* shown, not deciding */
		probe_observe(obs, len, st, res, probe_op_has_value(st->op));
		return 0;
	}
	if (probe_expect_parse(predict, &e) < 0)
		return -EINVAL;
	probe_observe(obs, len, st, res, e.cmp || probe_op_has_value(st->op));
	if (!probe_expect_met(&e, res->err, res->value))
		*differs = true;
	return 0;
}

bool probe_judge_expected(const struct probe_expect *e, size_t step_no, const struct probe_step *st,
			  const struct step_result *res, char *obs, size_t len)
{
	size_t o = strlen(obs);
	char rb[32];

	if (probe_expect_met(e, res->err, res->value))
		return true;
	snprintf(obs + o, len - o, "%sstep %zu %s: got %s", o ? "; " : "", step_no,
		 probe_op_name(st->op), report_result_text(res->err, rb, sizeof(rb)));
	if (e->cmp) {
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

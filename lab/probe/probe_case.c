/* SPDX-License-Identifier: MIT */
/*
 * Running one case, catalog or user, into a case_result: steps in order,
 * then the verdict.  A catalog case the lab cannot host is a result too,
 * VERDICT_SKIPPED with the reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/labns/labns.h"
#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

static void case_begin(struct run *R)
{
	memset(R->pvars, 0, sizeof(R->pvars));
	R->n_ports = 0;
	R->n_socks = 0;
	R->n_anon = 0;
	R->pending_uid = -1;
	R->as_user_next = false;
	R->n_vars = 0;
	R->n_sent = 0;
	R->sent_lost = false;
	R->n_procs = 0;
	R->n_nodes = 0;
	R->why[0] = '\0';
}

/* Note node among those the case ran in (R->nodes has room for every node). */
static void case_node_note(struct run *R, int node)
{
	for (size_t i = 0; i < R->n_nodes; i++)
		if (R->nodes[i] == node)
			return;
	R->nodes[R->n_nodes++] = node;
}

static void add_node(struct case_result *cr, const char *name)
{
	char **nn;

	for (size_t i = 0; i < cr->n_nodes; i++)
		if (!strcmp(cr->nodes[i], name))
			return;
	nn = realloc(cr->nodes, (cr->n_nodes + 1) * sizeof(*nn));
	if (!nn)
		return;
	cr->nodes = nn;
	nn[cr->n_nodes] = xstrdup(name);
	if (nn[cr->n_nodes])
		cr->n_nodes++;
}

static int case_steps_alloc(struct case_result *cr, size_t n)
{
	cr->steps = calloc(n ? n : 1, sizeof(*cr->steps));
	return cr->steps ? 0 : -ENOMEM;
}

static void case_error(struct case_result *cr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void case_error(struct case_result *cr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(cr->error);
	cr->error = xstrdup(buf);
	cr->verdict = VERDICT_ERROR;
}

/* The case in error at step res, which did not run or did not finish: the
 * step's result says so ("error", with the same words as the case's error),
 * not the "ok" of a result never set. */
static void step_error(struct case_result *cr, struct step_result *res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void step_error(struct case_result *cr, struct step_result *res, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	case_error(cr, "%s", buf);
	res->err = STEP_ERROR;
	free(res->error);
	res->error = xstrdup(buf);
}

/* False, the case and step res in error, when node's namespace could not be
 * opened. */
static bool node_open(struct run *R, struct case_result *cr, int node, struct step_result *res)
{
	char nsname[128];

	if (R->nsfd[node] >= 0)
		return true;
	lab_ns_name(R->lab, R->t->nodes[node].name, nsname, sizeof(nsname));
	step_error(cr, res, "cannot open namespace /run/netns/%s: %s", nsname,
		   strerror(R->nserr[node]));
	return false;
}

/* $x = step: keep its value (its text, else the number); a step that
 * failed leaves $x without one. */
static int capture(struct run *R, const struct probe_step *st, const struct step_result *res)
{
	char num[24];

	if (res->err) {
		probe_var_unset(R, st->capture);
		return 0;
	}
	snprintf(num, sizeof(num), "%ld", res->value);
	return probe_var_set(R, st->capture, res->text[0] ? res->text : num);
}

/* Run a step; false, the case in error, when the system (not the kernel's
 * answer) failed. */
static bool step_ran(struct run *R, struct case_result *cr, int node, const struct probe_step *st,
		     struct step_result *res)
{
	int r;

	case_node_note(R, node);
	r = probe_step_exec(R, node, st, res);
	if (r == 0 && st->capture[0])
		r = capture(R, st, res);
	if (r < 0) {
		step_error(cr, res, "step '%s' in %s: %s", res->args, res->node,
			   R->why[0] ? R->why : strerror(-r));
		return false;
	}
	return true;
}

/* True, the case in error, when a setup step (which must succeed) failed. */
static bool setup_failed(struct case_result *cr, const struct step_result *res)
{
	char rb[32];

	if (!res->err)
		return false;
	case_error(cr, "setup step '%s' in %s failed: %s", res->args, res->node,
		   report_result_text(res->err, rb, sizeof(rb)));
	return true;
}

/*
 * In a user namespace with only the caller mapped (a rootless run without a
 * subordinate range), a step that switches to another uid cannot run: the
 * case is skipped with why, not failed.
 */
static bool uid_unmapped(struct run *R, const struct probe_step *st, char *why, size_t len)
{
	long uid = st->op == PROBE_AS_USER || st->op == PROBE_OWNER ? st->num
		   : st->op == PROBE_CHILD			   ? st->child_uid
		   : st->op == PROBE_START			   ? st->proc_uid
								   : -1;

	if (uid < 0 || userns_uid_mapped(&R->uid_map, (unsigned long)uid))
		return false;
	snprintf(why, len,
		 "uid %ld is not mapped in this user namespace (a rootless run maps a "
		 "subordinate range only with newuidmap from 'uidmap' and an /etc/subuid entry)",
		 uid);
	return true;
}

/* Why the lab cannot host a catalog case (a role or a variable it lacks),
 * written to why; false when it can. */
static bool catalog_case_skipped(struct run *R, const struct catalog_case *cc, char *why,
				 size_t len)
{
	struct probe_step st;
	char perr[160];
	size_t off;

	for (size_t i = 0; cc->steps[i].text; i++) {
		if (probe_roles_node(R->roles, cc->steps[i].role) < 0) {
			const char *need = probe_roles_need(cc->steps[i].role);

			if (need)
				snprintf(why, len, "needs %s", need);
			else
				snprintf(why, len, "needs a node for role '%s'", cc->steps[i].role);
			return true;
		}
		if (!probe_vars_available(R, cc->steps[i].text, why, len))
			return true;
		if (probe_step_parse(cc->steps[i].text, false, &st, perr, sizeof(perr), &off) == 0 &&
		    uid_unmapped(R, &st, why, len))
			return true;
	}
	return false;
}

/* 0 with cr filled (a skipped case is a result too), or -ENOMEM. */
int probe_run_catalog_case(struct run *R, const struct catalog_case *cc, struct case_result *cr)
{
	struct probe_step st;
	char perr[160], obs[1024] = "", why[256];
	size_t n = 0, off;
	bool differs = false;

	cr->id = xstrdup(cc->id);
	cr->claim = xstrdup(cc->claim);
	cr->title = xstrdup(cc->title);
	cr->source = xstrdup(cc->source);
	cr->predicted = xstrdup(cc->predicted);
	if (catalog_case_skipped(R, cc, why, sizeof(why))) {
		cr->verdict = VERDICT_SKIPPED;
		cr->skip_reason = xstrdup(why);
		return cr->skip_reason ? 0 : -ENOMEM;
	}
	cr->verdict = VERDICT_HOLDS;
	while (cc->steps[n].text)
		n++;
	if (case_steps_alloc(cr, n) < 0)
		return -ENOMEM;

	case_begin(R);
	for (size_t i = 0; i < n; i++) {
		const struct catalog_step *cs = &cc->steps[i];
		struct step_result *res = &cr->steps[i];
		int node = probe_roles_node(R->roles, cs->role);

		cr->n_steps = i + 1;
		snprintf(res->node, sizeof(res->node), "%s", R->t->nodes[node].name);
		res->expect = -2;
		add_node(cr, R->t->nodes[node].name);
		probe_subst_text(R, cs->text, res->args, sizeof(res->args));
		if (probe_step_parse(cs->text, false, &st, perr, sizeof(perr), &off) < 0) {
			step_error(cr, res, "catalog step '%s': %s", cs->text, perr);
			break;
		}
		if (!node_open(R, cr, node, res) || !step_ran(R, cr, node, &st, res))
			break;
		if (!cs->predict) {
			if (setup_failed(cr, res))
				break;
			continue;
		}
		if (probe_judge_predicted(cs->predict, &st, res, obs, sizeof(obs), &differs) < 0) {
			case_error(cr, "catalog prediction '%s' of '%s' is bad", cs->predict,
				   cs->text);
			break;
		}
	}
	probe_procs_end(R, cr);
	probe_close_all(R); /* the thread stays in the node: the next case likely starts there */
	if (cr->verdict != VERDICT_ERROR)
		cr->verdict = differs ? VERDICT_DIFFERS : VERDICT_HOLDS;
	cr->observed = xstrdup(obs[0] ? obs : "-");
	return 0;
}

/* True, the case skipped with the reason, when a step needs an unmapped uid. */
static bool user_case_skipped(struct run *R, const struct topo_case *tc, struct case_result *cr)
{
	char msg[384], why[256];
	struct probe_step st;
	struct probe_expect e;
	struct topo_mark at;

	for (size_t i = 0; i < tc->n_steps; i++) {
		if (probe_user_step_compile(R->t, &tc->steps[i], &st, &e, msg, sizeof(msg), &at) < 0 ||
		    !uid_unmapped(R, &st, why, sizeof(why)))
			continue;
		cr->verdict = VERDICT_SKIPPED;
		cr->skip_reason = xstrdup(why);
		cr->predicted = xstrdup("-");
		cr->observed = xstrdup("-");
		return true;
	}
	return false;
}

int probe_stop_signal(struct run *R)
{
	long now = monotonic_ms();

	if (now == R->signal_looked_ms)
		return 0;
	R->signal_looked_ms = now;
	return sigstop_pending();
}

/* A user step's expectation, its "$x" resolved (in the step's record too):
 * false with the reason in obs when it did not hold (also when $x has no
 * value, its capture failed). */
static bool expectation_held(struct run *R, const struct probe_expect *e, size_t step_no,
			     const struct probe_step *st, struct step_result *res, char *obs,
			     size_t len)
{
	struct probe_expect resolved;
	size_t o = strlen(obs);

	if (probe_expect_resolve(R, e, &resolved) == 0) {
		probe_expect_format(&resolved, res->expectation, sizeof(res->expectation));
		return probe_judge_expected(&resolved, step_no, st, res, obs, len);
	}
	snprintf(obs + o, len - o, "%sstep %zu %s: %s", o ? "; " : "", step_no,
		 probe_op_name(st->op), R->why);
	R->why[0] = '\0';
	return false;
}

void probe_run_user_case(struct run *R, const struct topo_case *tc, struct case_result *cr)
{
	char obs[1024] = "", pred[1024] = "";
	size_t n_expect = 0, n_failed = 0;
	int sig;

	cr->id = xstrdup(tc->id);
	cr->claim = xstrdup(tc->claim ? tc->claim : "user");
	cr->title = xstrdup(tc->description ? tc->description : tc->id);
	cr->source = xstrdup(R->source);
	cr->verdict = VERDICT_HOLDS;
	if (user_case_skipped(R, tc, cr))
		return;
	if (case_steps_alloc(cr, tc->n_steps) < 0) {
		cr->predicted = xstrdup("-");
		cr->observed = xstrdup("-");
		case_error(cr, "out of memory");
		return;
	}
	case_begin(R);
	for (size_t i = 0; i < tc->n_steps; i++) {
		const struct topo_step *ts = &tc->steps[i];
		struct step_result *res = &cr->steps[i];
		struct probe_step st;
		struct probe_expect e;
		struct topo_mark at;
		char msg[384];
		int node;

		cr->n_steps = i + 1;
		res->expect = -2;
		snprintf(res->node, sizeof(res->node), "%s", ts->node);
		snprintf(res->args, sizeof(res->args), "%s", ts->text ? ts->text : "");
		if (probe_user_step_compile(R->t, ts, &st, &e, msg, sizeof(msg), &at) < 0) {
			step_error(cr, res, "%s", msg);
			break;
		}
		node = topo_node_find(R->t, ts->node);
		add_node(cr, ts->node);
		probe_subst_text(R, ts->text, res->args, sizeof(res->args));
		if (ts->expect) {
			size_t o = strlen(pred);

			n_expect++;
			res->expect = probe_expect_code(&e);
			probe_expect_format(&e, res->expectation, sizeof(res->expectation));
			snprintf(pred + o, sizeof(pred) - o, "%s%s %s", o ? "; " : "",
				 probe_op_name(st.op), ts->expect);
		}
		if (!node_open(R, cr, node, res))
			break;
		if ((sig = probe_stop_signal(R))) {
			step_error(cr, res, "interrupted by signal %d", sig);
			break;
		}
		if (!step_ran(R, cr, node, &st, res))
			break;
		if (!ts->expect) {
			if (probe_step_def_of(st.op)->setup && setup_failed(cr, res))
				break;
			continue;
		}
		if (!expectation_held(R, &e, i + 1, &st, res, obs, sizeof(obs)))
			n_failed++;
	}
	probe_procs_end(R, cr);
	probe_close_all(R); /* the thread stays in the node: the next case likely starts there */
	cr->predicted = xstrdup(n_expect ? pred : "no expectations");
	if (cr->verdict == VERDICT_ERROR) {
		cr->observed = xstrdup(obs[0] ? obs : "-");
		return;
	}
	if (n_failed) {
		cr->verdict = VERDICT_EXPECT_FAILED;
		cr->observed = xstrdup(obs);
	} else {
		snprintf(obs, sizeof(obs), "%zu of %zu expectations held", n_expect, n_expect);
		cr->observed = xstrdup(obs);
	}
}

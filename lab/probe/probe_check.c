/* SPDX-License-Identifier: MIT */
/*
 * Compiling the topology's own cases: every step parses, names a known node,
 * has a sensible expectation, uses only sockets made before it, and binds
 * only addresses (and names only interfaces) its node has (probe_local.c).  `check`
 * and `probe` report errors in GCC form before anything runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

/* Compile one user step: 0 or -EINVAL with msg and the column offset. */
int probe_user_step_compile(const struct topology *t, const struct topo_step *ts,
			    struct probe_step *st, struct probe_expect *e, char *msg, size_t len,
			    struct topo_mark *at)
{
	size_t off;

	*at = ts->text_mark;
	if (topo_node_find(t, ts->node) < 0) {
		*at = ts->node_mark.line ? ts->node_mark : ts->mark;
		snprintf(msg, len, "unknown node '%s'", ts->node);
		return -EINVAL;
	}
	if (probe_step_parse(ts->text ? ts->text : "", true, st, msg, len, &off) < 0) {
		size_t l = strlen(msg);

		snprintf(msg + l, len - l, " (in step \"%s\", at byte %zu)", ts->text, off + 1);
		return -EINVAL;
	}
	memset(e, 0, sizeof(*e));
	e->want = PROBE_WANT_ANY;
	if (ts->expect && probe_expect_parse(ts->expect, e) < 0) {
		*at = ts->expect_mark;
		snprintf(msg, len,
			 "bad expect '%s' (ok, timeout, or an errno name such as EADDRINUSE)",
			 ts->expect);
		return -EINVAL;
	}
	if (ts->expect && e->want == PROBE_WANT_ANY) {
		*at = ts->expect_mark;
		snprintf(msg, len, "expect '*' means nothing; leave expect out instead");
		return -EINVAL;
	}
	return 0;
}

/* Socket names flow: a name must be made before use.  Tracks the node too. */
struct name_flow {
	char names[64][PROBE_NAME_MAX + 1];
	int nodes[64];
	size_t n;
	char vars[MAX_VARS][PROBE_NAME_MAX + 1]; /* captured so far */
	size_t n_vars;
	char nonlocal[64][PROBE_NAME_MAX + 1]; /* sockets with IP_FREEBIND/IP_TRANSPARENT */
	size_t n_nonlocal;
	bool as_user; /* the step before was as-user */
};

/* as-user runs the next step in a child: one that can run there. */
static int flow_as_user(struct name_flow *f, const struct probe_step *st, bool last, char *msg,
			size_t len)
{
	bool was = f->as_user;

	f->as_user = st->op == PROBE_AS_USER;
	if (was && !probe_as_user_op(st->op)) {
		size_t o = (size_t)snprintf(msg, len, "'%s' cannot run as-user (",
					    probe_op_name(st->op));

		for (size_t i = 0; i < probe_n_step_defs && o < len; i++)
			if (probe_as_user_op(probe_step_defs[i].op))
				o += (size_t)snprintf(msg + o, len - o, "%s, ",
						      probe_step_defs[i].name);
		if (o >= 2 && o < len)
			snprintf(msg + o - 2, len - o + 2, " can)");
		return -EINVAL;
	}
	if (f->as_user && last) {
		snprintf(msg, len, "as-user runs the next step as that user; there is none");
		return -EINVAL;
	}
	return 0;
}

/* A socket with IP_FREEBIND or IP_TRANSPARENT may bind any address: the
 * check for its node's own addresses does not apply to it. */
static bool flow_nonlocal(struct name_flow *f, const struct probe_step *st)
{
	if (st->op == PROBE_SETSOCKOPT && st->num &&
	    (st->opt == PROBE_OPT_FREEBIND || st->opt == PROBE_OPT_TRANSPARENT) &&
	    f->n_nonlocal < 64)
		snprintf(f->nonlocal[f->n_nonlocal++], sizeof(f->nonlocal[0]), "%s", st->socks[0]);
	if (st->op != PROBE_BIND)
		return false;
	for (size_t i = 0; i < f->n_nonlocal; i++)
		if (!strcmp(f->nonlocal[i], st->socks[0]))
			return true;
	return false;
}

static bool flow_has_var(const struct name_flow *f, const char *name, size_t n)
{
	for (size_t i = 0; i < f->n_vars; i++)
		if (strlen(f->vars[i]) == n && !strncmp(f->vars[i], name, n))
			return true;
	return false;
}

/* Every captured variable text uses ($x, $x.port) is captured by an earlier
 * step; skip is the step's own "$x =". */
static int flow_vars_used(const struct name_flow *f, const char *text, const char *skip,
			  char *msg, size_t len)
{
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		size_t n = 0;

		while ((p[1 + n] >= 'a' && p[1 + n] <= 'z') || (p[1 + n] >= '0' && p[1 + n] <= '9') ||
		       p[1 + n] == '_' || (n && p[1 + n] >= 'A' && p[1 + n] <= 'Z'))
			n++;
		if (!n || !(p[1] >= 'a' && p[1] <= 'z') || p == skip || flow_has_var(f, p + 1, n))
			continue;
		snprintf(msg, len, "variable '$%.*s' is used before a step captures it ($%.*s = ...)",
			 (int)n, p + 1, (int)n, p + 1);
		return -EINVAL;
	}
	return 0;
}

static int flow_capture(struct name_flow *f, const char *name, char *msg, size_t len)
{
	if (flow_has_var(f, name, strlen(name)))
		return 0;
	if (f->n_vars == MAX_VARS) {
		snprintf(msg, len, "too many variables in one case (max %d)", MAX_VARS);
		return -EINVAL;
	}
	snprintf(f->vars[f->n_vars++], sizeof(f->vars[0]), "%s", name);
	return 0;
}

/* The variables of one step: used ones known, its own capture added. */
static int flow_vars(struct name_flow *f, const struct topo_step *ts, const struct probe_step *st,
		     char *msg, size_t len, struct topo_mark *at)
{
	const char *text = ts->text ? ts->text : "";
	const char *skip = st->capture[0] ? strchr(text, '$') : NULL;

	if (flow_vars_used(f, text, skip, msg, len) < 0)
		return -EINVAL;
	if (ts->expect && flow_vars_used(f, ts->expect, NULL, msg, len) < 0) {
		*at = ts->expect_mark;
		return -EINVAL;
	}
	return st->capture[0] ? flow_capture(f, st->capture, msg, len) : 0;
}

static int flow_find(const struct name_flow *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return (int)i;
	return -1;
}

static void flow_forget(struct name_flow *f, const char *name)
{
	int k = flow_find(f, name);

	if (k < 0)
		return;
	f->n--;
	memcpy(f->names[k], f->names[f->n], sizeof(f->names[0]));
	f->nodes[k] = f->nodes[f->n];
}

static int flow_check(struct name_flow *f, const struct probe_step *st, int node, char *msg,
		      size_t len)
{
	for (size_t i = 0; i < st->n_socks; i++)
		if (flow_find(f, st->socks[i]) < 0) {
			snprintf(msg, len, "socket '%s' is used before it is made", st->socks[i]);
			return -EINVAL;
		}
	if (probe_proc_operand(st) && flow_find(f, st->arg) < 0) {
		snprintf(msg, len, "program '%s' is used before it is started", st->arg);
		return -EINVAL;
	}
	if (probe_step_def_of(st->op)->closes_operands)
		for (size_t i = 0; i < st->n_socks; i++)
			flow_forget(f, st->socks[i]);
	if (st->lhs[0] && flow_find(f, st->lhs) < 0) {
		if (f->n == 64) {
			snprintf(msg, len, "too many sockets in one case (max 64)");
			return -EINVAL;
		}
		snprintf(f->names[f->n], sizeof(f->names[0]), "%s", st->lhs);
		f->nodes[f->n++] = node;
	}
	return 0;
}

/* A program `start` must start (no expect, or ok) exists where it would be
 * run from, so a typo is an input error here rather than a case in error
 * after a lab was built.  One expected to fail (ENOENT, EACCES) is the point. */
static int program_check(const struct probe_step *st, const struct probe_expect *e, char *msg,
			 size_t len)
{
	char path[PATH_MAX];
	struct stat sb;

	if (st->op != PROBE_START || strchr(st->argv[0], '$') ||
	    (e->want != PROBE_WANT_ANY && e->want != PROBE_WANT_OK))
		return 0;
	if (probe_program_path(st->argv[0], path, sizeof(path)) == 0 && stat(path, &sb) == 0 &&
	    S_ISREG(sb.st_mode) && access(path, X_OK) == 0)
		return 0;
	snprintf(msg, len,
		 "program '%s' not found or not executable (give a path, or a name in "
		 "reuselab's libexec directory or $PATH)",
		 st->argv[0]);
	return -EINVAL;
}

int probe_check_user_cases(const struct topology *t, struct topo_diag *d)
{
	int ret = 0;

	for (size_t c = 0; c < t->n_cases; c++) {
		const struct topo_case *tc = &t->cases[c];
		struct name_flow flow = {.n = 0, .n_vars = 0, .n_nonlocal = 0, .as_user = false};

		for (size_t i = 0; i < tc->n_steps; i++) {
			struct probe_step st;
			struct probe_expect e;
			struct topo_mark at;
			char msg[PROBE_STEP_ERR_MAX];
			int r;

			r = probe_user_step_compile(t, &tc->steps[i], &st, &e, msg, sizeof(msg),
						    &at);
			if (r == 0)
				r = flow_check(&flow, &st, topo_node_find(t, tc->steps[i].node),
					       msg, sizeof(msg));
			if (r == 0)
				r = flow_vars(&flow, &tc->steps[i], &st, msg, sizeof(msg), &at);
			if (r == 0)
				r = flow_as_user(&flow, &st, i + 1 == tc->n_steps, msg, sizeof(msg));
			if (r == 0)
				r = program_check(&st, &e, msg, sizeof(msg));
			if (r == 0 && !flow_nonlocal(&flow, &st))
				r = probe_step_local_check(
				    &t->nodes[topo_node_find(t, tc->steps[i].node)], &st, &e, msg,
				    sizeof(msg));
			if (r < 0) {
				if (topo_diag_add(d, t->file, at, "case '%s': %s", tc->id, msg) ==
				    -ENOMEM)
					return -ENOMEM;
				ret = -EINVAL;
				break; /* later steps of this case would only echo this error */
			}
		}
	}
	return ret;
}

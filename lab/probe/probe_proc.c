/* SPDX-License-Identifier: MIT */
/*
 * Steps that run real programs in a node: `start` (argv, no shell; an
 * optional user and environment), `wait-listen` / `wait-bound` (until the
 * program holds such a socket, seen through sock_diag in the node's
 * namespace), `holds` (which of the node's sockets the program holds),
 * `signal`, `wait-exit` and `stop`.  Whatever a case started ends with the
 * case (probe_procs_end), however the case ends; the processes themselves
 * are probe_spawn.c's, the socket owners probe_owner.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

#define WAIT_MS	 5000 /* wait-listen, wait-bound, wait-exit */
#define STOP_MS	 2000 /* stop: SIGTERM, then SIGKILL after this */
#define MAX_OWNED 256

/* ---------------------------------------------------------------- parsing */

/* An absolute path, or a bare name (no '/'): never relative to a directory. */
static int parse_program(struct step_words *w, size_t i)
{
	const char *s = w->tok[i];

	if (s[0] == '/')
		return 0;
	if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return probe_words_fail(w, i,
					"program '%s' must be an absolute path or a bare name "
					"(looked up in reuselab's programs, then PATH)",
					s);
	return 0;
}

static int parse_env_word(struct step_words *w, size_t i, struct probe_step *st)
{
	const char *s = w->tok[i], *eq = strchr(s, '=');

	if (!eq || eq == s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return probe_words_fail(w, i, "env needs NAME=VALUE, not '%s'", s);
	for (const char *c = s; c < eq; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return probe_words_fail(w, i, "bad environment name in '%s'", s);
	if (st->n_env == PROBE_MAX_ENV)
		return probe_words_fail(w, i, "at most %d env words", PROBE_MAX_ENV);
	snprintf(st->env[st->n_env++], sizeof(st->env[0]), "%s", s);
	return 0;
}

/* user UID[:GID] */
static int parse_user_word(struct step_words *w, size_t i, struct probe_step *st)
{
	char *end, *colon = strchr(w->tok[i], ':');
	long uid, gid = -1;

	errno = 0;
	uid = strtol(w->tok[i], &end, 10);
	if (end == w->tok[i] || errno || uid < 0 || uid > 0x7fffffff || (*end && end != colon))
		return probe_words_fail(w, i, "user needs UID or UID:GID, not '%s'", w->tok[i]);
	if (colon) {
		gid = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end || errno || gid < 0 || gid > 0x7fffffff)
			return probe_words_fail(w, i, "bad gid in '%s'", w->tok[i]);
	}
	st->proc_uid = uid;
	st->proc_gid = gid;
	return 0;
}

int probe_parse_start(struct step_words *w, struct probe_step *st)
{
	size_t i = w->b;
	int r = 0;

	st->proc_uid = st->proc_gid = -1;
	for (; i + 1 < w->n && r == 0; i += 2) {
		if (!strcmp(w->tok[i], "user"))
			r = parse_user_word(w, i + 1, st);
		else if (!strcmp(w->tok[i], "env"))
			r = parse_env_word(w, i + 1, st);
		else
			break;
	}
	if (r < 0)
		return r;
	if (i >= w->n)
		return probe_words_fail(w, w->n, "start needs a PROGRAM");
	if (parse_program(w, i) < 0)
		return -EINVAL;
	if (w->n - i > PROBE_MAX_ARGV)
		return probe_words_fail(w, i + PROBE_MAX_ARGV, "at most %d program words",
					PROBE_MAX_ARGV);
	for (st->argc = 0; i < w->n; i++)
		snprintf(st->argv[st->argc++], sizeof(st->argv[0]), "%s", w->tok[i]);
	return 0;
}

int probe_parse_prog(struct step_words *w, struct probe_step *st)
{
	return probe_word_sock(w, w->b, st->arg, sizeof(st->arg));
}

int probe_parse_prog_port(struct step_words *w, struct probe_step *st)
{
	if (probe_parse_prog(w, st) < 0)
		return -EINVAL;
	return probe_word_port(w, w->b + 1, st->arg2, sizeof(st->arg2));
}

int probe_parse_signal(struct step_words *w, struct probe_step *st)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {{"HUP", SIGHUP},   {"INT", SIGINT},	  {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
		    {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CONT", SIGCONT},
		    {"STOP", SIGSTOP}};
	const char *s = w->tok[w->b + 1];

	if (probe_parse_prog(w, st) < 0)
		return -EINVAL;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, sigs[i].name)) {
			st->num = sigs[i].sig;
			return 0;
		}
	if (probe_word_num(w, w->b + 1, 1, SIGRTMAX, &st->num) < 0)
		return probe_words_fail(w, w->b + 1,
					"unknown signal '%s' (HUP, INT, QUIT, KILL, USR1, USR2, "
					"TERM, CONT, STOP or a number)",
					w->tok[w->b + 1]);
	return 0;
}

bool probe_proc_operand(const struct probe_step *st)
{
	switch (st->op) {
	case PROBE_WAIT_LISTEN:
	case PROBE_WAIT_BOUND:
	case PROBE_HOLDS:
	case PROBE_SIGNAL:
	case PROBE_WAIT_EXIT:
	case PROBE_STOP:
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- running */

static void proc_close(struct pproc *p)
{
	int *fds[] = {&p->pidfd, &p->out_fd, &p->err_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static struct pproc *proc_find(struct run *R, const char *name)
{
	for (size_t i = 0; i < R->n_procs; i++)
		if (!strcmp(R->procs[i].name, name))
			return &R->procs[i];
	snprintf(R->why, sizeof(R->why), "no program named '%s' (start one first)", name);
	return NULL;
}

/* argv (variables resolved) and env of st into the caller's arrays. */
static int start_words(struct run *R, const struct probe_step *st,
		       char words[PROBE_MAX_ARGV][PROBE_TOKEN_MAX], char *argv[], char *env[])
{
	static char default_path[] = "PATH=" PROBE_DEFAULT_PATH;
	size_t ne = 0;
	bool has_path = false;
	int r;

	for (size_t i = 0; i < st->argc; i++) {
		r = probe_subst_word(R, st->argv[i], words[i], PROBE_TOKEN_MAX);
		if (r < 0)
			return r;
		argv[i] = words[i];
	}
	argv[st->argc] = NULL;
	for (size_t i = 0; i < st->n_env; i++) {
		env[ne++] = (char *)st->env[i];
		has_path |= !strncmp(st->env[i], "PATH=", 5);
	}
	if (!has_path)
		env[ne++] = default_path;
	env[ne] = NULL;
	return 0;
}

static void command_text(char *buf, size_t len, const char *path, char *const argv[])
{
	size_t o = (size_t)snprintf(buf, len, "%s", path);

	for (size_t i = 1; argv[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " %s", argv[i]);
}

int probe_run_start(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		    struct step_result *res)
{
	char words[PROBE_MAX_ARGV][PROBE_TOKEN_MAX], path[PATH_MAX];
	char *argv[PROBE_MAX_ARGV + 1], *env[PROBE_MAX_ENV + 2];
	struct pproc *p = &R->procs[R->n_procs];
	int r, err = 0;

	for (size_t i = 0; i < R->n_procs; i++)
		if (!strcmp(R->procs[i].name, st->lhs)) {
			snprintf(R->why, sizeof(R->why), "program name '%s' already used", st->lhs);
			return -EEXIST;
		}
	if (R->n_procs == MAX_PROCS) {
		snprintf(R->why, sizeof(R->why), "at most %d programs in one case", MAX_PROCS);
		return -EMFILE;
	}
	if (R->nsfd[node] < 0)
		return -R->nserr[node];
	r = start_words(R, st, words, argv, env);
	if (r < 0)
		return r;
	if (probe_program_path(st->argv[0], path, sizeof(path)) < 0) {
		res->err = ENOENT; /* an outcome, as execve's own ENOENT would be */
		return 0;
	}
	memset(p, 0, sizeof(*p));
	r = probe_spawn(R, R->nsfd[node], path, argv, env, st->proc_uid, st->proc_gid, p, &err);
	if (r < 0 || err) {
		proc_close(p);
		res->err = err;
		return r < 0 ? r : 0;
	}
	snprintf(p->name, sizeof(p->name), "%s", st->lhs);
	p->node = node;
	command_text(p->command, sizeof(p->command), path, argv);
	R->n_procs++;
	res->value = p->pid;
	return 0;
}

/* How many sockets of seen (on port, of proto "tcp"/"udp" and state, NULL:
 * any) p holds: probe_snapshot has named each socket's owner already
 * (probe_procs_annotate), so this is a filter, not another /proc scan. */
static long count_held(const struct pproc *p, const struct sock_seen *seen, size_t n,
		       unsigned port, const char *proto, const char *state)
{
	size_t nl = strlen(p->name);
	long count = 0;

	for (size_t i = 0; i < n; i++) {
		if (seen[i].lport != port || (proto && strcmp(seen[i].proto, proto)) ||
		    (state && strcmp(seen[i].state, state)))
			continue;
		count += !strncmp(seen[i].owner, p->name, nl) && seen[i].owner[nl] == '[';
	}
	return count;
}

/* The program (operand NAME) and the port (operand PORT) of st. */
static int prog_and_port(struct run *R, const struct probe_step *st, struct pproc **ret_p,
			 uint16_t *ret_port)
{
	char buf[16];
	int r;

	*ret_p = proc_find(R, st->arg);
	if (!*ret_p)
		return -ENOENT;
	r = probe_resolve_token(R, st->arg2, buf, sizeof(buf));
	if (r < 0)
		return r;
	*ret_port = (uint16_t)strtoul(buf, NULL, 10);
	probe_note_port(R, *ret_port);
	return 0;
}

/* Until p holds a socket of proto/state on the port: sock_diag is asked
 * again after 1, 2, 4 .. 32 ms, or at once when p exits (ESRCH then). */
static int wait_held(struct run *R, int node, const struct probe_step *st,
		     struct step_result *res, const char *proto, const char *state)
{
	long end = monotonic_ms() + WAIT_MS, left;
	struct pproc *p;
	uint16_t port;
	int r, nap = 1;

	r = prog_and_port(R, st, &p, &port);
	for (; r == 0; nap = nap < 32 ? nap * 2 : nap) {
		r = probe_snapshot(R, node, &port, 1, res);
		if (r < 0)
			break;
		res->value = count_held(p, res->seen, res->n_seen, port, proto, state);
		if (res->value > 0) { /* reached: `show` and `holds` carry the evidence */
			free(res->seen);
			res->seen = NULL;
			res->n_seen = 0;
			break;
		}
		if (p->reaped) {
			res->err = ESRCH; /* it ended without ever holding one */
			break;
		}
		left = end - monotonic_ms();
		if (left <= 0) {
			res->err = STEP_TIMEOUT;
			break;
		}
		r = probe_spawn_wait(p, nap < left ? nap : (int)left);
		if (r == -EINTR)
			snprintf(R->why, sizeof(R->why), "interrupted by signal %d", sigstop_pending());
		r = r < 0 ? r : 0;
	}
	return r;
}

int probe_run_wait_listen(struct run *R, int node, const struct probe_step *st,
			  struct psock *unused, struct step_result *res)
{
	return wait_held(R, node, st, res, "tcp", "LISTEN");
}

int probe_run_wait_bound(struct run *R, int node, const struct probe_step *st,
			 struct psock *unused, struct step_result *res)
{
	return wait_held(R, node, st, res, "udp", NULL);
}

int probe_run_holds(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		    struct step_result *res)
{
	struct pproc *p;
	uint16_t port;
	int r = prog_and_port(R, st, &p, &port);

	if (r == 0)
		r = probe_snapshot(R, node, &port, 1, res);
	if (r == 0)
		res->value = count_held(p, res->seen, res->n_seen, port, NULL, NULL);
	return r;
}

int probe_run_signal(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		     struct step_result *res)
{
	struct pproc *p = proc_find(R, st->arg);

	if (!p)
		return -ENOENT;
	/* Through the pidfd: never a process that took over a reaped pid. */
	if (p->reaped || pidfd_send_signal(p->pidfd, (int)st->num, NULL, 0) < 0)
		res->err = p->reaped ? ESRCH : errno;
	return 0;
}

int probe_run_wait_exit(struct run *R, int node, const struct probe_step *st,
			struct psock *unused, struct step_result *res)
{
	struct pproc *p = proc_find(R, st->arg);
	int r;

	if (!p)
		return -ENOENT;
	r = probe_spawn_wait(p, WAIT_MS);
	if (r == -EINTR)
		snprintf(R->why, sizeof(R->why), "interrupted by signal %d", sigstop_pending());
	if (r < 0)
		return r;
	if (r == 0)
		res->err = STEP_TIMEOUT;
	else
		res->value = probe_spawn_status_value(p->status);
	return 0;
}

int probe_run_stop(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		   struct step_result *res)
{
	struct pproc *p = proc_find(R, st->arg);
	int r;

	if (!p)
		return -ENOENT;
	r = probe_spawn_end(p, SIGTERM, STOP_MS);
	if (r < 0) {
		snprintf(R->why, sizeof(R->why), "stop %s: %s", p->name, strerror(-r));
		return r;
	}
	res->value = probe_spawn_status_value(p->status);
	return 0;
}

void probe_procs_annotate(struct run *R, struct sock_seen *seen, size_t n)
{
	struct owned o[MAX_OWNED];

	for (size_t i = 0; i < R->n_procs; i++) {
		size_t no = probe_owner_scan(&R->procs[i], o, MAX_OWNED);

		for (size_t s = 0; s < n; s++)
			for (size_t k = 0; seen[s].inode && k < no; k++)
				if (o[k].inode == seen[s].inode)
					snprintf(seen[s].owner, sizeof(seen[s].owner), "%s[%d]",
						 R->procs[i].name, (int)o[k].pid);
	}
}

static void proc_record(struct run *R, const struct pproc *p, struct program_result *pr)
{
	snprintf(pr->name, sizeof(pr->name), "%s", p->name);
	snprintf(pr->node, sizeof(pr->node), "%s", R->t->nodes[p->node].name);
	pr->command = strdup(p->command);
	pr->pid = p->pid;
	pr->exit_code = -1;
	if (p->reaped && WIFEXITED(p->status))
		pr->exit_code = WEXITSTATUS(p->status);
	else if (p->reaped && WIFSIGNALED(p->status))
		pr->signal = WTERMSIG(p->status);
	pr->out = probe_spawn_output(p->out_fd, &pr->out_cut);
	pr->err = probe_spawn_output(p->err_fd, &pr->err_cut);
}

void probe_procs_end(struct run *R, struct case_result *cr)
{
	if (!R->n_procs)
		return;
	cr->programs = calloc(R->n_procs, sizeof(*cr->programs));
	for (size_t i = 0; i < R->n_procs; i++) {
		struct pproc *p = &R->procs[i];

		(void)probe_spawn_end(p, SIGKILL, 0);
		if (cr->programs)
			proc_record(R, p, &cr->programs[cr->n_programs++]);
		proc_close(p);
	}
	probe_orphans_end(R->reaper.pid);
	R->n_procs = 0;
}

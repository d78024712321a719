/* SPDX-License-Identifier: MIT */
/*
 * Two ways a case speaks of another user, named for what they do:
 *
 * `owner UID`: the next socket is made with fsuid UID, so the kernel records
 * UID as its owner (sk_uid, what SO_REUSEPORT compares), but the process
 * stays root: that socket may still bind port 80.
 *
 * `as-user UID`: the next step runs in a child process that has become UID
 * (no supplementary groups, gid and uid UID, so none of root's
 * capabilities): bind to a port below 1024 is EACCES, IP_TRANSPARENT EPERM.
 * The child works on the case's sockets (inherited), sends back the outcome,
 * a socket it made (SCM_RIGHTS), and what the step noted for the rest of the
 * case (a port `show` looks at, a datagram a later `recv` waits for), and is
 * reaped within a bound.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

/* Longer than any bounded step (connect: 3 s). */
#define AS_USER_MS 5000

/* One step notes at most one port and one destination. */
#define AS_USER_NOTES 2

/* What the child reports: the runner's return, the step's outcome, its notes. */
struct as_user_msg {
	int r;
	int err;
	long value;
	char text[64];
	char call[24];
	char why[256]; /* R->why */
	uint16_t ports[AS_USER_NOTES];
	size_t n_ports;
	struct sent_to sent[AS_USER_NOTES]; /* fds inherited: the same numbers in the parent */
	size_t n_sent;
	bool sent_lost;
};

/* What R noted since n_ports and n_sent, into m (in the child). */
static void as_user_notes(const struct run *R, size_t n_ports, size_t n_sent,
			  struct as_user_msg *m)
{
	for (size_t i = n_ports; i < R->n_ports && m->n_ports < AS_USER_NOTES; i++)
		m->ports[m->n_ports++] = R->ports[i];
	for (size_t i = n_sent; i < R->n_sent && m->n_sent < AS_USER_NOTES; i++)
		m->sent[m->n_sent++] = R->sent[i];
	m->sent_lost = R->sent_lost || R->n_sent - n_sent > AS_USER_NOTES;
}

static const enum probe_op as_user_ops[] = {
    PROBE_SOCKET,      PROBE_SETSOCKOPT,  PROBE_GETSOCKOPT, PROBE_BIND,	    PROBE_LISTEN,
    PROBE_CONNECT,     PROBE_SEND,	      PROBE_SHUTDOWN,	PROBE_GETSOCKNAME, PROBE_GETPEERNAME,
    PROBE_JOIN,
};

bool probe_as_user_op(enum probe_op op)
{
	for (size_t i = 0; i < sizeof(as_user_ops) / sizeof(as_user_ops[0]); i++)
		if (as_user_ops[i] == op)
			return true;
	return false;
}

int probe_become_user(long uid, long gid)
{
	gid_t g = (gid_t)(gid >= 0 ? gid : uid);

	if (setgroups(0, NULL) < 0 || setresgid(g, g, g) < 0 ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		return -errno;
	return 0;
}

int probe_run_owner(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		    struct step_result *res)
{
	R->pending_uid = st->num;
	return 0;
}

int probe_run_as_user(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		      struct step_result *res)
{
	R->as_uid = st->num;
	R->as_user_next = true;
	return 0;
}

/* In the child: become uid, run the step, report it and the socket it made. */
static void __attribute__((noreturn)) as_user_child(struct run *R, int sk, long uid,
						    const struct probe_step_def *def, int node,
						    const struct probe_step *st, struct psock *s,
						    struct step_result *res)
{
	struct as_user_msg m = {0};
	struct psock *made = NULL;
	size_t n_ports = R->n_ports, n_sent = R->n_sent;

	m.r = probe_become_user(uid, -1);
	if (m.r < 0) {
		snprintf(m.why, sizeof(m.why), "as-user %ld: %s", uid, strerror(-m.r));
	} else {
		m.r = def->run(R, node, st, s, res);
		snprintf(m.why, sizeof(m.why), "%s", R->why);
		made = st->lhs[0] && m.r == 0 && !res->err ? probe_sock_find(R, st->lhs) : NULL;
		as_user_notes(R, n_ports, n_sent, &m);
	}
	m.err = res->err;
	m.value = res->value;
	snprintf(m.text, sizeof(m.text), "%s", res->text);
	snprintf(m.call, sizeof(m.call), "%s", res->call);
	probe_msg_send(sk, &m, sizeof(m), made ? made->fd : -1);
	_exit(0);
}

/* Take the child's report m (with the socket fd it passed, or -1) into res
 * (and that socket under st->lhs). */
static int as_user_collect(struct run *R, const struct as_user_msg *m, int fd, int node,
			   const struct probe_step *st, struct step_result *res)
{
	if (m->r < 0) {
		snprintf(R->why, sizeof(R->why), "%s", m->why);
		if (fd >= 0)
			close(fd);
		return m->r;
	}
	res->err = m->err;
	res->value = m->value;
	snprintf(res->text, sizeof(res->text), "%s", m->text);
	snprintf(res->call, sizeof(res->call), "%s", m->call);
	for (size_t i = 0; i < m->n_ports && i < AS_USER_NOTES; i++)
		probe_note_port(R, m->ports[i]);
	for (size_t i = 0; i < m->n_sent && i < AS_USER_NOTES; i++)
		probe_sent_add(R, &m->sent[i]);
	R->sent_lost |= m->sent_lost;
	if (fd < 0)
		return 0;
	return probe_sock_add(R, st->lhs, fd, node, st->family, st->type);
}

int probe_exec_as_user(struct run *R, long uid, int node, const struct probe_step *st0,
		       struct psock *s, struct step_result *res)
{
	const struct probe_step_def *def = probe_step_def_of(st0->op);
	struct probe_step st = *st0;
	struct as_user_msg m;
	int sk, r, status, fd;
	pid_t pid;

	/* Variables resolved here, so a port the child draws is the case's. */
	probe_subst_text(R, st0->endpoint, st.endpoint, sizeof(st.endpoint));
	probe_subst_text(R, st0->arg, st.arg, sizeof(st.arg));
	r = probe_enter_node(R, s ? s->node : node);
	if (r < 0)
		return r;
	r = probe_fork_pair(R, &pid, &sk);
	if (r < 0)
		return r;
	if (pid == 0)
		as_user_child(R, sk, uid, def, node, &st, s, res);
	/* A child that sent nothing has had its bound: it is killed now, and
	 * the step costs that bound once, not twice. */
	if (probe_msg_recv(sk, &m, sizeof(m), AS_USER_MS, &fd) < 0) {
		snprintf(R->why, sizeof(R->why), "as-user: the child sent nothing within %d ms",
			 AS_USER_MS);
		(void)probe_reap_killed(pid, sk, &status);
		r = -ETIMEDOUT;
	} else {
		r = as_user_collect(R, &m, fd, node, &st, res);
		(void)probe_reap_bounded(pid, sk, AS_USER_MS, &status);
	}
	close(sk);
	return r;
}

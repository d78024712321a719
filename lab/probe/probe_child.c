/* SPDX-License-Identifier: MIT */
/*
 * Steps that fork: `child` (a process opens, binds and passes the socket back
 * over SCM_RIGHTS, so a second process -- or another uid -- holds it) and
 * `fork-daytime` (the article's server hands the connection to a child).
 * Children are reaped when they exit (a descriptor only the child holds
 * closes), within a bound; one that overstays is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

#define CHILD_MS 2000
/* How long a SIGKILLed child may take to go: a fixed ceiling, not a step's
 * bound (it only exceeds moments when the child is stuck in the kernel). */
#define KILLED_MS 200

struct child_msg {
	int err;
	char call[16];
};

void probe_msg_send(int sk, const void *msg, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	(void)sendmsg(sk, &mh, MSG_NOSIGNAL);
}

static void child_send(int sk, int fd, const char *call, int err)
{
	struct child_msg m = {.err = err};

	snprintf(m.call, sizeof(m.call), "%s", call);
	probe_msg_send(sk, &m, sizeof(m), fd);
}

/* In the child: open, set options, bind, listen; report the first failure. */
static void __attribute__((noreturn)) child_main(int sk, int nsfd, const struct probe_step *st,
						 const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1;

	if (setns(nsfd, CLONE_NEWNET) < 0) {
		child_send(sk, -1, "setns", errno);
		_exit(1);
	}
	if (st->child_uid >= 0 && (errno = -probe_become_user(st->child_uid, -1)) != 0) {
		child_send(sk, -1, "setuid", errno);
		_exit(1);
	}
	fd = socket(st->family, st->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		child_send(sk, -1, "socket", errno);
		_exit(1);
	}
	if (st->child_reuseaddr && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		child_send(sk, fd, "setsockopt", errno);
		_exit(1);
	}
	if (st->child_reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) {
		child_send(sk, fd, "setsockopt", errno);
		_exit(1);
	}
	if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
		child_send(sk, fd, "bind", errno);
		_exit(0);
	}
	if (st->child_listen && listen(fd, 128) < 0) {
		child_send(sk, fd, "listen", errno);
		_exit(0);
	}
	child_send(sk, fd, st->child_listen ? "listen" : "bind", 0);
	_exit(0);
}

int probe_fork_pair(struct run *R, pid_t *ret_pid, int *ret_sk)
{
	int sv[2], r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL); /* no buffered output written twice */
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	close(sv[pid == 0 ? 0 : 1]);
	*ret_sk = sv[pid == 0 ? 1 : 0];
	*ret_pid = pid;
	R->forks++;
	return 0;
}

/*
 * Reap pid within ms, killing it when it overstays: 0 with its wait status
 * in *ret_status, -ETIMEDOUT (killed and reaped), or -errno from waitpid.
 * The wait ends when the child exits: `gone` is our end of a pipe or socket
 * whose other end only the child holds, so it reads end-of-file (or hangs up)
 * once the child's files are closed, which is how a process exits.  (A
 * pidfd would say the same, but not under valgrind.)
 */
/* Past closing its files, a child is a zombie within moments. */
static pid_t reap(pid_t pid, int *ret_status, int flags)
{
	pid_t r;

	do
		r = waitpid(pid, ret_status, flags);
	while (r < 0 && errno == EINTR);
	return r;
}

int probe_reap_killed(pid_t pid, int gone, int *ret_status)
{
	*ret_status = -1;
	kill(pid, SIGKILL);
	/* Its files close as it dies (`gone` ends), unless another process
	 * holds them too; either way the ceiling is KILLED_MS, then one look. */
	if (probe_wait_fd(gone, POLLIN, KILLED_MS) > 0)
		(void)reap(pid, ret_status, 0);
	else
		(void)reap(pid, ret_status, WNOHANG);
	return -ETIMEDOUT;
}

int probe_reap_bounded(pid_t pid, int gone, int ms, int *ret_status)
{
	pid_t r;

	if (probe_wait_fd(gone, POLLIN, ms) <= 0)
		return probe_reap_killed(pid, gone, ret_status);
	r = reap(pid, ret_status, 0);
	return r == pid ? 0 : -errno;
}

int probe_msg_recv(int sk, void *msg, size_t len, int ms, int *ret_fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = msg, .iov_len = len};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};

	*ret_fd = -1;
	if (probe_wait_fd(sk, POLLIN, ms) <= 0 || recvmsg(sk, &mh, MSG_CMSG_CLOEXEC) < (ssize_t)len)
		return -ETIMEDOUT;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* Take what the child sent, m with fd: its outcome into res, its socket
 * under st->lhs.  0, or -errno (R->why set) when the child could not even
 * start its work. */
static int child_collect(struct run *R, int node, const struct probe_step *st,
			 const struct child_msg *m, int fd, struct step_result *res)
{
	if (!strcmp(m->call, "setns") || !strcmp(m->call, "setuid")) {
		snprintf(R->why, sizeof(R->why), "child %s: %s", m->call, strerror(m->err));
		if (fd >= 0)
			close(fd);
		return -m->err;
	}
	res->err = m->err;
	snprintf(res->call, sizeof(res->call), "child %s", m->call);
	return fd >= 0 ? probe_sock_add(R, st->lhs, fd, node, st->family, st->type) : 0;
}

int probe_run_child(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		    struct step_result *res)
{
	struct sockaddr_storage ss;
	struct child_msg m = {0};
	socklen_t len;
	int sk, r, status, fd;
	pid_t pid;

	r = probe_endpoint_resolve(R, st->endpoint, st->family, &ss, &len);
	if (r < 0)
		return r;
	if (R->nsfd[node] < 0)
		return -R->nserr[node];
	r = probe_fork_pair(R, &pid, &sk);
	if (r < 0)
		return r;
	if (pid == 0)
		child_main(sk, R->nsfd[node], st, &ss, len);
	/* Reaped on every path, failed or not: no zombie outlives the step.  A
	 * child that sent nothing has had its bound: it is killed now, and the
	 * step costs that bound once, not twice. */
	if (probe_msg_recv(sk, &m, sizeof(m), CHILD_MS, &fd) < 0) {
		res->err = STEP_TIMEOUT;
		(void)probe_reap_killed(pid, sk, &status);
		status = -1;
	} else {
		r = child_collect(R, node, st, &m, fd, res);
		if (probe_reap_bounded(pid, sk, CHILD_MS, &status) < 0 || !WIFEXITED(status))
			status = -1;
	}
	close(sk);
	if (r == 0)
		res->value = status >= 0 ? WEXITSTATUS(status) : -1;
	return r;
}

int probe_run_fork_daytime(struct run *R, int node, const struct probe_step *st, struct psock *unused,
			   struct step_result *res)
{
	struct psock *l = probe_operand(R, st, 0), *c = probe_operand(R, st, 1);
	int status, gone, r;
	pid_t pid;

	if (!l || !c)
		return -ENOENT;
	/* The pair only tells us when the child has exited (its end closes). */
	r = probe_fork_pair(R, &pid, &gone);
	if (r < 0)
		return r;
	if (pid == 0) {
		char buf[64];
		time_t ticks = time(NULL);
		size_t n;
		int fl;

		close(l->fd); /* "this line cannot be left out" */
		fl = fcntl(c->fd, F_GETFL);
		(void)fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
		snprintf(buf, sizeof(buf), "%.24s\r\n", ctime(&ticks));
		n = strlen(buf);
		_exit(write(c->fd, buf, n) == (ssize_t)n && close(c->fd) == 0 ? 0 : 1);
	}
	/* The parent closes the connection and stops, closing the listener. */
	close(c->fd);
	probe_sock_drop(R, c);
	l = probe_sock_find(R, st->socks[0]); /* the drop moved it */
	if (l) {
		close(l->fd);
		probe_sock_drop(R, l);
	}
	if (probe_reap_bounded(pid, gone, CHILD_MS, &status) < 0)
		res->err = STEP_TIMEOUT;
	else
		res->err = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EIO;
	close(gone);
	return 0;
}

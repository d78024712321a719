/* SPDX-License-Identifier: MIT */
/*
 * The probe runner: executes compiled steps inside the lab's namespaces.
 *
 * Sockets are opened by this process: setns() into the node's namespace,
 * socket(), and back (a socket stays in the namespace it was made in), so no
 * shell or external program is involved.  Every blocking call is made
 * non-blocking with a bounded poll, so a case that would hang ends as a
 * "timeout" result instead.  Each case gets fresh ports, checked free in
 * every node, so no case sees another's TIME-WAIT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab/build.h"
#include "lab/probe.h"
#include "lab/sockdiag.h"

#define CONNECT_MS  1000
#define ACCEPT_MS   1000
#define ACCEPT_IDLE 300
#define RECV_MS	    500
#define READ_MS	    1000
#define WAIT_MS	    2000
#define CHILD_MS    2000
#define MAX_SOCKS   64
#define MAX_ANON    512
#define N_PORT_VARS 9
#define MAX_PORTS   16

struct psock {
	char name[PROBE_NAME_MAX + 1];
	int fd;
	int node;
	int family;
	int type;
};

struct run {
	const struct topology *t;
	const char *lab;
	const struct probe_roles *roles;
	int *nsfd;  /* per node; -1 when it could not be opened */
	int *nserr; /* errno of that failure */
	int orig_ns;
	int cur_node; /* -1: the original namespace */
	unsigned port_lo, port_hi, port_next;

	/* per case */
	uint16_t pvars[N_PORT_VARS]; /* $P, $P2..$P9; 0 until first use */
	uint16_t ports[MAX_PORTS];   /* every port the case touched, for show */
	size_t n_ports;
	struct psock socks[MAX_SOCKS];
	size_t n_socks;
	int anon[MAX_ANON];
	size_t n_anon;
	long pending_uid;
	char why[256]; /* system error text for the case */
};

/* ---- namespaces ---------------------------------------------------------- */

static int enter_node(struct run *R, int node)
{
	int fd = node < 0 ? R->orig_ns : R->nsfd[node];

	if (R->cur_node == node)
		return 0;
	if (fd < 0)
		return -(node >= 0 && R->nserr[node] ? R->nserr[node] : EBADF);
	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	R->cur_node = node;
	return 0;
}

static void leave_node(struct run *R)
{
	if (enter_node(R, -1) < 0)
		R->cur_node = -2; /* unknown; the next enter_node retries */
}

/* ---- ports --------------------------------------------------------------- */

static bool port_in_use_here(unsigned port)
{
	static const struct {
		int family, type;
	} probes[] = {
	    {AF_INET, SOCK_STREAM},
	    {AF_INET, SOCK_DGRAM},
	    {AF_INET6, SOCK_STREAM},
	    {AF_INET6, SOCK_DGRAM},
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct sockaddr_storage ss = {0};
		socklen_t len;
		int fd, r;

		fd = socket(probes[i].family, probes[i].type | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue; /* no IPv6 in this node: nothing can hold the port there */
		if (probes[i].family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
			int off = 1;

			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)port);
			len = sizeof(*sin6);
		}
		/* A bind without SO_REUSEADDR conflicts with any socket on the
		 * port, TIME-WAIT included; an unconnected close leaves nothing. */
		r = bind(fd, (struct sockaddr *)&ss, len);
		close(fd);
		if (r < 0 && errno == EADDRINUSE)
			return true;
	}
	return false;
}

static int port_alloc(struct run *R, uint16_t *ret)
{
	unsigned span = R->port_hi - R->port_lo + 1;

	for (unsigned tries = 0; tries < span; tries++) {
		unsigned p = R->port_next;
		bool busy = false;

		R->port_next = p >= R->port_hi ? R->port_lo : p + 1;
		for (size_t n = 0; n < R->t->n_nodes && !busy; n++) {
			if (R->nsfd[n] < 0 || enter_node(R, (int)n) < 0)
				continue;
			busy = port_in_use_here(p);
		}
		if (!busy) {
			*ret = (uint16_t)p;
			return 0;
		}
	}
	return -EADDRINUSE;
}

static void note_port(struct run *R, uint16_t p)
{
	for (size_t i = 0; i < R->n_ports; i++)
		if (R->ports[i] == p)
			return;
	if (R->n_ports < MAX_PORTS)
		R->ports[R->n_ports++] = p;
}

/* Read a sysctl of the current namespace into buf ("" when unreadable). */
static void read_sysctl(const char *key, char *buf, size_t len)
{
	char path[160];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
}

/* Ports for cases: 20000-39999 minus the node's ephemeral range. */
static void port_range_pick(struct run *R, const char *local_range)
{
	unsigned lo = 0, hi = 0;

	R->port_lo = 20000;
	R->port_hi = 39999;
	if (sscanf(local_range, "%u %u", &lo, &hi) == 2 && lo <= hi) {
		if (lo <= R->port_lo && hi >= R->port_hi) {
			/* ephemeral range covers ours: take what lies below it */
			R->port_lo = 10100;
			R->port_hi = lo > 10200 ? lo - 1 : 19999;
		} else if (lo > R->port_lo && lo <= R->port_hi) {
			if (lo - R->port_lo >= 2000 || hi >= R->port_hi)
				R->port_hi = lo - 1;
			else
				R->port_lo = hi + 1;
		} else if (hi >= R->port_lo && hi < R->port_hi) {
			R->port_lo = hi + 1;
		}
	}
	/* Start somewhere that depends on time, so runs back to back on one lab
	 * rarely meet each other's TIME-WAIT (they are skipped anyway). */
	R->port_next = R->port_lo + (unsigned)(time(NULL) % (R->port_hi - R->port_lo + 1));
}

/* ---- variables and endpoints --------------------------------------------- */

static int port_var_index(const char *v)
{
	if (!strcmp(v, "P"))
		return 0;
	if (v[0] == 'P' && v[1] >= '2' && v[1] <= '9' && !v[2])
		return v[1] - '1';
	return -1;
}

/* Value of a token: "$X" resolved, literal otherwise.  -ENOENT with R->why
 * set when the lab lacks the variable. */
static int resolve_token(struct run *R, const char *tok, char *buf, size_t len)
{
	int pi;

	if (tok[0] != '$') {
		snprintf(buf, len, "%s", tok);
		return 0;
	}
	pi = port_var_index(tok + 1);
	if (pi >= 0) {
		if (!R->pvars[pi]) {
			int r = port_alloc(R, &R->pvars[pi]);

			if (r < 0) {
				snprintf(R->why, sizeof(R->why), "no free port left for %s", tok);
				return r;
			}
		}
		snprintf(buf, len, "%u", R->pvars[pi]);
		return 0;
	}
	{
		const char *v = R->roles ? probe_roles_var(R->roles, tok + 1) : NULL;

		if (!v) {
			snprintf(R->why, sizeof(R->why), "the lab has nothing for %s", tok);
			return -ENOENT;
		}
		snprintf(buf, len, "%s", v);
	}
	return 0;
}

/* Split an endpoint token into address and port tokens. */
static void endpoint_split(const char *ep, char *addr, size_t alen, char *port, size_t plen)
{
	const char *colon;

	if (ep[0] == '[') {
		const char *close = strchr(ep, ']');
		size_t n = close ? (size_t)(close - ep - 1) : 0;

		snprintf(addr, alen, "%.*s", (int)n, ep + 1);
		snprintf(port, plen, "%s", close ? close + 2 : "0");
		return;
	}
	colon = strrchr(ep, ':');
	snprintf(addr, alen, "%.*s", (int)(colon - ep), ep);
	snprintf(port, plen, "%s", colon + 1);
}

/* Resolve an endpoint for a socket of `family` (0: the address decides). */
static int endpoint_resolve(struct run *R, const char *ep, int family, struct sockaddr_storage *ss,
			    socklen_t *len, char *text, size_t tlen)
{
	char atok[PROBE_TOKEN_MAX], ptok[PROBE_TOKEN_MAX], a[64], p[16];
	struct in_addr v4;
	struct in6_addr v6;
	unsigned long port;
	int r;

	endpoint_split(ep, atok, sizeof(atok), ptok, sizeof(ptok));
	r = resolve_token(R, ptok, p, sizeof(p));
	if (r < 0)
		return r;
	port = strtoul(p, NULL, 10);
	note_port(R, (uint16_t)port);
	memset(ss, 0, sizeof(*ss));
	if (!strcmp(atok, "*")) {
		snprintf(a, sizeof(a), "*");
		if (!family)
			family = AF_INET;
		if (family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			*len = sizeof(*s6);
			snprintf(text, tlen, "[::]:%lu", port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			*len = sizeof(*s4);
			snprintf(text, tlen, "0.0.0.0:%lu", port);
		}
		return 0;
	}
	r = resolve_token(R, atok, a, sizeof(a));
	if (r < 0)
		return r;
	if (inet_pton(AF_INET, a, &v4) == 1) {
		if (family == AF_INET6) { /* v4-mapped for an IPv6 socket */
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			s6->sin6_addr.s6_addr[10] = 0xff;
			s6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&s6->sin6_addr.s6_addr[12], &v4, 4);
			*len = sizeof(*s6);
			snprintf(text, tlen, "[::ffff:%s]:%lu", a, port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			s4->sin_addr = v4;
			*len = sizeof(*s4);
			snprintf(text, tlen, "%s:%lu", a, port);
		}
		return 0;
	}
	if (inet_pton(AF_INET6, a, &v6) == 1) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = v6;
		*len = sizeof(*s6);
		snprintf(text, tlen, "[%s]:%lu", a, port);
		return 0;
	}
	snprintf(R->why, sizeof(R->why), "bad address '%s'", a);
	return -EINVAL;
}

/* The step text with every $VAR replaced by its value (for reports). */
static void subst_text(struct run *R, const char *in, char *out, size_t len)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		if (*in == '$') {
			char name[16], val[64];
			size_t n = 0;

			name[n++] = *in++;
			while (n < sizeof(name) - 1 &&
			       ((*in >= 'A' && *in <= 'Z') || (*in >= '0' && *in <= '9')))
				name[n++] = *in++;
			name[n] = '\0';
			if (resolve_token(R, name, val, sizeof(val)) < 0)
				snprintf(val, sizeof(val), "%s", name);
			for (const char *v = val; *v && o + 1 < len; v++)
				out[o++] = *v;
			continue;
		}
		out[o++] = *in++;
	}
	out[o] = '\0';
}

/* ---- sockets ------------------------------------------------------------- */

static struct psock *sock_find(struct run *R, const char *name)
{
	for (size_t i = 0; i < R->n_socks; i++)
		if (!strcmp(R->socks[i].name, name))
			return &R->socks[i];
	return NULL;
}

static void anon_add(struct run *R, int fd)
{
	if (R->n_anon < MAX_ANON)
		R->anon[R->n_anon++] = fd;
	else
		close(fd);
}

static int sock_add(struct run *R, const char *name, int fd, int node, int family, int type)
{
	struct psock *old = sock_find(R, name);

	if (old) { /* a name reused: the old socket lives on until the case ends */
		anon_add(R, old->fd);
		*old = (struct psock){.fd = fd, .node = node, .family = family, .type = type};
		snprintf(old->name, sizeof(old->name), "%s", name);
		return 0;
	}
	if (R->n_socks == MAX_SOCKS) {
		close(fd);
		snprintf(R->why, sizeof(R->why), "too many sockets in one case");
		return -EMFILE;
	}
	R->socks[R->n_socks] =
	    (struct psock){.fd = fd, .node = node, .family = family, .type = type};
	snprintf(R->socks[R->n_socks].name, sizeof(R->socks[0].name), "%s", name);
	R->n_socks++;
	return 0;
}

static void sock_drop(struct run *R, struct psock *s)
{
	size_t i = (size_t)(s - R->socks);

	R->socks[i] = R->socks[--R->n_socks];
}

static void case_close_all(struct run *R)
{
	for (size_t i = 0; i < R->n_socks; i++)
		close(R->socks[i].fd);
	for (size_t i = 0; i < R->n_anon; i++)
		close(R->anon[i]);
	R->n_socks = 0;
	R->n_anon = 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* 1 readable/writable, 0 timeout, -errno. */
static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	long end = now_ms() + ms;
	int r;

	for (;;) {
		long left = end - now_ms();

		r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r >= 0 || errno != EINTR)
			break;
	}
	return r < 0 ? -errno : r;
}

static unsigned sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return (int)sa_port(&ss);
}

/* Non-blocking connect bounded by ms: 0, errno, or STEP_TIMEOUT. */
static int connect_bounded(int fd, const struct sockaddr_storage *ss, socklen_t len, int ms)
{
	int soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	if (connect(fd, (const struct sockaddr *)ss, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	r = wait_fd(fd, POLLOUT, ms);
	if (r < 0)
		return -r;
	if (r == 0)
		return STEP_TIMEOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return errno;
	return soerr;
}

/* Open a socket in node `node`, optionally with fsuid `uid`. 0 or errno. */
static int open_socket(struct run *R, int node, int family, int type, long uid, int *ret_fd)
{
	int fd, e = 0, prev = -1, r;

	r = enter_node(R, node);
	if (r < 0)
		return r; /* negative: system failure */
	/* sk_uid is taken from the fsuid when the socket is made
	 * (sock_alloc_inode/sock_init_data); reuseport compares it. */
	if (uid >= 0)
		prev = setfsuid((uid_t)uid);
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		e = errno;
	if (uid >= 0)
		setfsuid((uid_t)prev);
	*ret_fd = fd;
	return e;
}

/* ---- child processes ----------------------------------------------------- */

struct child_msg {
	int err;
	char call[16];
};

static void child_send(int sk, int fd, const char *call, int err)
{
	struct child_msg m = {.err = err};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	snprintf(m.call, sizeof(m.call), "%s", call);
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

/* In the child: open, set options, bind, listen; report the first failure. */
static void __attribute__((noreturn)) child_main(int sk, int nsfd, const struct probe_step *st,
						 const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1;

	if (setns(nsfd, CLONE_NEWNET) < 0) {
		child_send(sk, -1, "setns", errno);
		_exit(1);
	}
	if (st->child_uid >= 0 &&
	    (setresgid((gid_t)st->child_uid, (gid_t)st->child_uid, (gid_t)st->child_uid) < 0 ||
	     setresuid((uid_t)st->child_uid, (uid_t)st->child_uid, (uid_t)st->child_uid) < 0)) {
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

/* Reap pid within ms, killing it when it overstays.  Returns the wait status or -1. */
static int reap_bounded(pid_t pid, int ms)
{
	long end = now_ms() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			return -1;
		}
		(void)poll(NULL, 0, 5);
	}
}

static int run_child(struct run *R, int node, const struct probe_step *st, struct step_result *res)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char text[96];
	int sv[2], r, status;
	pid_t pid;

	r = endpoint_resolve(R, st->endpoint, st->family, &ss, &len, text, sizeof(text));
	if (r < 0)
		return r;
	if (R->nsfd[node] < 0)
		return -R->nserr[node];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(sv[1], R->nsfd[node], st, &ss, len);
	}
	close(sv[1]);
	r = wait_fd(sv[0], POLLIN, CHILD_MS);
	if (r <= 0) {
		res->err = STEP_TIMEOUT;
	} else {
		struct child_msg m = {0};
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c;
		int fd = -1;

		if (recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC) < (ssize_t)sizeof(m)) {
			res->err = STEP_TIMEOUT;
		} else {
			for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
					memcpy(&fd, CMSG_DATA(c), sizeof(int));
			if (!strcmp(m.call, "setns") || !strcmp(m.call, "setuid")) {
				snprintf(R->why, sizeof(R->why), "child %s: %s", m.call,
					 strerror(m.err));
				if (fd >= 0)
					close(fd);
				close(sv[0]);
				(void)reap_bounded(pid, CHILD_MS);
				return -m.err;
			}
			res->err = m.err;
			snprintf(res->call, sizeof(res->call), "child %s", m.call);
			if (fd >= 0) {
				r = sock_add(R, st->lhs, fd, node, st->family, st->type);
				if (r < 0) {
					close(sv[0]);
					return r;
				}
			}
		}
	}
	close(sv[0]);
	status = reap_bounded(pid, CHILD_MS);
	res->value = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return 0;
}

/* ---- steps --------------------------------------------------------------- */

static struct psock *operand(struct run *R, const struct probe_step *st, size_t i)
{
	struct psock *s = sock_find(R, st->socks[i]);

	if (!s)
		snprintf(R->why, sizeof(R->why), "no socket named '%s'", st->socks[i]);
	return s;
}

static int snapshot(struct run *R, int node, const uint16_t *ports, size_t n,
		    struct step_result *res)
{
	struct sock_seen *seen = NULL;
	size_t n_seen = 0;
	int r;

	r = sockdiag_snapshot(R->nsfd[node], ports, n, &seen, &n_seen);
	if (r < 0) {
		snprintf(R->why, sizeof(R->why), "sock_diag in node %s: %s", R->t->nodes[node].name,
			 strerror(-r));
		return r;
	}
	free(res->seen);
	res->seen = seen;
	res->n_seen = n_seen;
	return 0;
}

static bool has_timewait(const struct step_result *res, unsigned port)
{
	for (size_t i = 0; i < res->n_seen; i++) {
		const char *c = strrchr(res->seen[i].local, ':');

		if (!strcmp(res->seen[i].state, "TIME-WAIT") && c &&
		    strtoul(c + 1, NULL, 10) == port)
			return true;
	}
	return false;
}

static int step_recv(struct run *R, const struct probe_step *st, struct step_result *res)
{
	struct pollfd p[PROBE_MAX_SOCKS];
	long counts[PROBE_MAX_SOCKS] = {0};
	char buf[2048];
	size_t o;
	int r;

	for (size_t i = 0; i < st->n_socks; i++) {
		struct psock *s = operand(R, st, i);

		if (!s)
			return -ENOENT;
		p[i] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	}
	r = poll(p, st->n_socks, RECV_MS);
	if (r < 0)
		return -errno;
	/* Copies of one datagram are queued in the same softirq pass; a short
	 * grace lets every receiver's queue settle before we count. */
	if (r > 0)
		(void)poll(NULL, 0, 50);
	res->value = 0;
	for (size_t i = 0; i < st->n_socks; i++) {
		while (recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			counts[i]++;
		res->value += counts[i];
	}
	o = strlen(res->args);
	o += (size_t)snprintf(res->args + o, sizeof(res->args) - o, " (");
	for (size_t i = 0; i < st->n_socks && o < sizeof(res->args); i++)
		o += (size_t)snprintf(res->args + o, sizeof(res->args) - o, "%s%s=%ld",
				      i ? " " : "", st->socks[i], counts[i]);
	if (o < sizeof(res->args))
		snprintf(res->args + o, sizeof(res->args) - o, ")");
	return 0;
}

static int step_burst(struct run *R, int node, const struct probe_step *st, struct step_result *res)
{
	struct sockaddr_storage ss;
	struct pollfd p[256];
	char text[96];
	socklen_t len;
	size_t n = 0, pending = 0;
	long end;
	int r, first_err = 0;

	r = endpoint_resolve(R, st->endpoint, 0, &ss, &len, text, sizeof(text));
	if (r < 0)
		return r;
	for (long i = 0; i < st->num; i++) {
		int fd, e;

		e = open_socket(R, node, ss.ss_family, SOCK_STREAM, -1, &fd);
		if (e < 0)
			return e;
		if (e) {
			snprintf(R->why, sizeof(R->why), "socket: %s", strerror(e));
			return -e;
		}
		anon_add(R, fd);
		if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
			res->value++;
			continue;
		}
		if (errno != EINPROGRESS) {
			if (!first_err)
				first_err = errno;
			continue;
		}
		p[n++] = (struct pollfd){.fd = fd, .events = POLLOUT};
		pending++;
	}
	end = now_ms() + CONNECT_MS * 2;
	while (pending && now_ms() < end) {
		r = poll(p, n, (int)(end - now_ms()));
		if (r <= 0)
			break;
		for (size_t i = 0; i < n; i++) {
			int soerr = 0;
			socklen_t sl = sizeof(soerr);

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			(void)getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			if (soerr == 0)
				res->value++;
			else if (!first_err)
				first_err = soerr;
			p[i].fd = -1;
			pending--;
		}
	}
	res->err = first_err ? first_err : pending ? STEP_TIMEOUT : 0;
	return 0;
}

static int step_daytime(struct run *R, const struct probe_step *st, struct step_result *res)
{
	struct psock *l = operand(R, st, 0), *c = operand(R, st, 1);
	int status;
	pid_t pid;

	if (!l || !c)
		return -ENOENT;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
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
	sock_drop(R, c);
	l = sock_find(R, st->socks[0]);
	close(l->fd);
	sock_drop(R, l);
	status = reap_bounded(pid, CHILD_MS);
	if (status < 0)
		res->err = STEP_TIMEOUT;
	else
		res->err = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EIO;
	return 0;
}

/* Run one step in node `node`.  Returns 0 with res filled, or -errno (R->why
 * set) for a failure of the system rather than an outcome of the kernel. */
static int step_exec(struct run *R, int node, const struct probe_step *st, struct step_result *res)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct psock *s = NULL;
	char text[96], buf[64];
	int r, fd, one;

	snprintf(res->call, sizeof(res->call), "%s", probe_op_name(st->op));
	if (st->n_socks && st->op != PROBE_RECV && st->op != PROBE_FORK_DAYTIME) {
		s = operand(R, st, 0);
		if (!s)
			return -ENOENT;
	}
	switch (st->op) {
	case PROBE_SOCKET:
		r = open_socket(R, node, st->family, st->type, R->pending_uid, &fd);
		R->pending_uid = -1;
		if (r < 0)
			return r;
		res->err = r;
		if (r == 0)
			return sock_add(R, st->lhs, fd, node, st->family, st->type);
		return 0;
	case PROBE_AS_USER:
		R->pending_uid = st->num;
		return 0;
	case PROBE_SETSOCKOPT:
		switch (st->opt) {
		case PROBE_OPT_REUSEADDR:
		case PROBE_OPT_REUSEPORT:
			one = (int)st->num;
			r = setsockopt(s->fd, SOL_SOCKET,
				       st->opt == PROBE_OPT_REUSEADDR ? SO_REUSEADDR : SO_REUSEPORT,
				       &one, sizeof(one));
			break;
		case PROBE_OPT_V6ONLY:
			one = (int)st->num;
			r = setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			break;
		case PROBE_OPT_LINGER: {
			struct linger lg = {.l_onoff = 1, .l_linger = (int)st->num};

			r = setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			break;
		}
		case PROBE_OPT_BINDTODEVICE:
			r = resolve_token(R, st->arg, buf, sizeof(buf));
			if (r < 0)
				return r;
			r = setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, buf,
				       (socklen_t)strlen(buf) + 1);
			break;
		case PROBE_OPT_MULTICAST_IF: {
			struct in_addr a;

			r = resolve_token(R, st->arg, buf, sizeof(buf));
			if (r < 0)
				return r;
			if (inet_pton(AF_INET, buf, &a) != 1) {
				res->err = EAFNOSUPPORT;
				return 0;
			}
			r = setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof(a));
			break;
		}
		default:
			r = -1;
			errno = EINVAL;
		}
		res->err = r < 0 ? errno : 0;
		return 0;
	case PROBE_JOIN: {
		char group[64], ifname[IF_NAMESIZE];
		unsigned ifindex;
		struct in_addr g4;
		struct in6_addr g6;

		r = resolve_token(R, st->arg, group, sizeof(group));
		if (r == 0)
			r = resolve_token(R, st->arg2, ifname, sizeof(ifname));
		if (r < 0)
			return r;
		r = enter_node(R, s->node); /* interface names are per namespace */
		if (r < 0)
			return r;
		ifindex = if_nametoindex(ifname);
		if (!ifindex) {
			res->err = ENODEV;
			return 0;
		}
		if (inet_pton(AF_INET, group, &g4) == 1) {
			struct ip_mreqn m = {.imr_multiaddr = g4, .imr_ifindex = (int)ifindex};

			r = setsockopt(s->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m));
		} else if (inet_pton(AF_INET6, group, &g6) == 1) {
			struct ipv6_mreq m = {.ipv6mr_multiaddr = g6, .ipv6mr_interface = ifindex};

			r = setsockopt(s->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m));
		} else {
			r = -1;
			errno = EINVAL;
		}
		res->err = r < 0 ? errno : 0;
		return 0;
	}
	case PROBE_BIND:
		r = endpoint_resolve(R, st->endpoint, s->family, &ss, &len, text, sizeof(text));
		if (r < 0)
			return r;
		res->err = bind(s->fd, (struct sockaddr *)&ss, len) < 0 ? errno : 0;
		return 0;
	case PROBE_LISTEN:
		res->err = listen(s->fd, (int)st->num) < 0 ? errno : 0;
		if (!res->err)
			note_port(R, (uint16_t)local_port(s->fd));
		return 0;
	case PROBE_CONNECT:
		r = endpoint_resolve(R, st->endpoint, s->family, &ss, &len, text, sizeof(text));
		if (r < 0)
			return r;
		res->err = connect_bounded(s->fd, &ss, len, CONNECT_MS);
		if (!res->err)
			res->value = local_port(s->fd);
		return 0;
	case PROBE_ACCEPT: {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);

		r = wait_fd(s->fd, POLLIN, ACCEPT_MS);
		if (r < 0)
			return r;
		if (r == 0) {
			res->err = STEP_TIMEOUT;
			return 0;
		}
		fd = accept4(s->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			res->err = errno;
			return 0;
		}
		res->value = sa_port(&peer);
		return sock_add(R, st->lhs, fd, s->node, s->family, s->type);
	}
	case PROBE_ACCEPT_ALL:
		for (;;) {
			r = wait_fd(s->fd, POLLIN, ACCEPT_IDLE);
			if (r <= 0)
				break;
			fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0) {
				if (errno == EAGAIN)
					continue;
				res->err = errno;
				break;
			}
			anon_add(R, fd);
			res->value++;
		}
		return 0;
	case PROBE_BURST:
		return step_burst(R, node, st, res);
	case PROBE_SEND:
		r = endpoint_resolve(R, st->endpoint, s->family, &ss, &len, text, sizeof(text));
		if (r < 0)
			return r;
		for (long i = 0; i < st->num; i++) {
			if (sendto(s->fd, "reuselab\n", 9, MSG_NOSIGNAL, (struct sockaddr *)&ss,
				   len) < 0) {
				res->err = errno;
				break;
			}
			res->value++;
		}
		return 0;
	case PROBE_RECV:
		return step_recv(R, st, res);
	case PROBE_READ: {
		long end = now_ms() + READ_MS;
		bool eof = false;

		while (!eof && now_ms() < end) {
			ssize_t n;

			r = wait_fd(s->fd, POLLIN, (int)(end - now_ms()));
			if (r <= 0)
				break;
			n = read(s->fd, buf, sizeof(buf));
			if (n == 0)
				eof = true;
			else if (n > 0)
				res->value += n;
			else if (errno != EAGAIN) {
				res->err = errno;
				break;
			}
		}
		if (!res->err && !eof && res->value == 0)
			res->err = STEP_TIMEOUT;
		return 0;
	}
	case PROBE_CLOSE:
		res->err = close(s->fd) < 0 ? errno : 0;
		sock_drop(R, s);
		return 0;
	case PROBE_CHILD:
		return run_child(R, node, st, res);
	case PROBE_FORK_DAYTIME:
		return step_daytime(R, st, res);
	case PROBE_WAIT_TIMEWAIT: {
		long end = now_ms() + WAIT_MS;
		uint16_t port;

		r = resolve_token(R, st->arg, buf, sizeof(buf));
		if (r < 0)
			return r;
		port = (uint16_t)strtoul(buf, NULL, 10);
		note_port(R, port);
		for (;;) {
			r = snapshot(R, node, &port, 1, res);
			if (r < 0)
				return r;
			if (has_timewait(res, port)) {
				/* reached: `show` steps carry the evidence */
				free(res->seen);
				res->seen = NULL;
				res->n_seen = 0;
				break;
			}
			if (now_ms() >= end) { /* keep what was seen instead */
				res->err = STEP_TIMEOUT;
				break;
			}
			(void)poll(NULL, 0, 10);
		}
		return 0;
	}
	case PROBE_SHOW:
		return snapshot(R, node, R->ports, R->n_ports, res);
	}
	snprintf(R->why, sizeof(R->why), "unknown step");
	return -EINVAL;
}

/* Steps whose failure means the lab or the system is broken, not a finding. */
static bool is_setup_op(enum probe_op op)
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

/* ---- cases --------------------------------------------------------------- */

bool probe_case_selected(const struct probe_opts *o, const char *id, const char *claim)
{
	bool ok;

	if (!o)
		return true;
	if (o->n_case_ids) {
		ok = false;
		for (size_t i = 0; i < o->n_case_ids && !ok; i++)
			ok = fnmatch(o->case_ids[i], id, 0) == 0;
		if (!ok)
			return false;
	}
	if (o->n_claims) {
		ok = false;
		for (size_t i = 0; i < o->n_claims && !ok; i++)
			ok = claim && !strcasecmp(o->claims[i], claim);
		if (!ok)
			return false;
	}
	return true;
}

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
	R->why[0] = '\0';
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

/* Append "call sock: result[ =value]" to the observed text. */
static void observe(char *obs, size_t len, const struct probe_step *st,
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

static bool op_has_value(enum probe_op op)
{
	return op == PROBE_RECV || op == PROBE_ACCEPT_ALL || op == PROBE_BURST;
}

/* Is every $VAR of a catalog step available in this lab?  Sets why. */
static bool vars_available(struct run *R, const char *text, char *why, size_t len)
{
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		char name[16];
		size_t n = 0;

		p++;
		while (n < sizeof(name) - 1 &&
		       ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
			name[n] = p[n], n++;
		name[n] = '\0';
		if (port_var_index(name) >= 0)
			continue;
		if (!probe_roles_var(R->roles, name)) {
			snprintf(why, len, "the lab has no value for $%s", name);
			return false;
		}
	}
	return true;
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

/* 1 when skipped (why set), 0 when run, -ENOMEM. */
static int run_catalog_case(struct run *R, const struct catalog_case *cc, struct case_result *cr,
			    char *why, size_t whylen)
{
	struct probe_step st;
	char perr[160], obs[1024] = "";
	size_t n = 0, off;
	bool differs = false;

	cr->id = xstrdup(cc->id);
	cr->claim = xstrdup(cc->claim);
	cr->title = xstrdup(cc->title);
	cr->source = xstrdup(cc->source);
	cr->predicted = xstrdup(cc->predicted);
	cr->verdict = VERDICT_HOLDS;
	while (cc->steps[n].text)
		n++;
	if (case_steps_alloc(cr, n) < 0)
		return -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		int node = probe_roles_node(R->roles, cc->steps[i].role);

		if (node < 0) {
			snprintf(why, whylen, "the lab has no node for role '%s'",
				 cc->steps[i].role);
			return 1;
		}
		if (!vars_available(R, cc->steps[i].text, why, whylen))
			return 1;
	}

	case_begin(R);
	for (size_t i = 0; i < n; i++) {
		const struct catalog_step *cs = &cc->steps[i];
		struct step_result *res = &cr->steps[i];
		int node = probe_roles_node(R->roles, cs->role);
		struct probe_expect e;
		int r;

		cr->n_steps = i + 1;
		snprintf(res->node, sizeof(res->node), "%s", R->t->nodes[node].name);
		res->expect = -2;
		add_node(cr, R->t->nodes[node].name);
		subst_text(R, cs->text, res->args, sizeof(res->args));
		if (probe_step_parse(cs->text, false, &st, perr, sizeof(perr), &off) < 0) {
			case_error(cr, "catalog step '%s': %s", cs->text, perr);
			break;
		}
		if (R->nsfd[node] < 0) {
			char nsname[128];

			lab_ns_name(R->lab, R->t->nodes[node].name, nsname, sizeof(nsname));
			case_error(cr, "cannot open namespace /run/netns/%s: %s", nsname,
				   strerror(R->nserr[node]));
			break;
		}
		r = step_exec(R, node, &st, res);
		if (r < 0) {
			case_error(cr, "step '%s' in %s: %s", res->args, res->node,
				   R->why[0] ? R->why : strerror(-r));
			break;
		}
		if (!cs->predict) {
			if (res->err) {
				char rb[32];

				case_error(cr, "setup step '%s' in %s failed: %s", res->args,
					   res->node, report_result_text(res->err, rb, sizeof(rb)));
				break;
			}
			continue;
		}
		if (!strcmp(cs->predict, "*"))
			continue;
		if (!strcmp(cs->predict, "~")) { /* shown, not deciding */
			observe(obs, sizeof(obs), &st, res, op_has_value(st.op));
			continue;
		}
		if (probe_expect_parse(cs->predict, &e) < 0) {
			case_error(cr, "catalog prediction '%s' of '%s' is bad", cs->predict,
				   cs->text);
			break;
		}
		observe(obs, sizeof(obs), &st, res, e.cmp || op_has_value(st.op));
		if (!probe_expect_met(&e, res->err, res->value))
			differs = true;
	}
	case_close_all(R);
	leave_node(R);
	if (cr->verdict != VERDICT_ERROR)
		cr->verdict = differs ? VERDICT_DIFFERS : VERDICT_HOLDS;
	cr->observed = xstrdup(obs[0] ? obs : "-");
	return 0;
}

/* Compile one user step: 0 or -EINVAL with msg and the column offset. */
static int user_step_compile(const struct topology *t, const struct topo_step *ts,
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
};

static int flow_find(const struct name_flow *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return (int)i;
	return -1;
}

static int flow_check(struct name_flow *f, const struct probe_step *st, int node, char *msg,
		      size_t len)
{
	for (size_t i = 0; i < st->n_socks; i++) {
		int k = flow_find(f, st->socks[i]);

		if (k < 0) {
			snprintf(msg, len, "socket '%s' is used before it is made", st->socks[i]);
			return -EINVAL;
		}
		(void)node;
	}
	if (st->op == PROBE_CLOSE) {
		int k = flow_find(f, st->socks[0]);

		f->n--;
		memcpy(f->names[k], f->names[f->n], sizeof(f->names[0]));
		f->nodes[k] = f->nodes[f->n];
	}
	if (st->op == PROBE_FORK_DAYTIME) {
		for (int j = 1; j >= 0; j--) {
			int k = flow_find(f, st->socks[j]);

			if (k >= 0) {
				f->n--;
				memcpy(f->names[k], f->names[f->n], sizeof(f->names[0]));
				f->nodes[k] = f->nodes[f->n];
			}
		}
	}
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

int probe_check_user_cases(const struct topology *t, struct topo_diag *d)
{
	int ret = 0;

	for (size_t c = 0; c < t->n_cases; c++) {
		const struct topo_case *tc = &t->cases[c];
		struct name_flow flow = {.n = 0};

		for (size_t i = 0; i < tc->n_steps; i++) {
			struct probe_step st;
			struct probe_expect e;
			struct topo_mark at;
			char msg[384];
			int r;

			r = user_step_compile(t, &tc->steps[i], &st, &e, msg, sizeof(msg), &at);
			if (r == 0)
				r = flow_check(&flow, &st, topo_node_find(t, tc->steps[i].node),
					       msg, sizeof(msg));
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

static void run_user_case(struct run *R, const struct topo_case *tc, struct case_result *cr)
{
	char obs[1024] = "", pred[1024] = "";
	size_t n_expect = 0, n_failed = 0;

	cr->id = xstrdup(tc->id);
	cr->claim = xstrdup(tc->claim ? tc->claim : "user");
	cr->title = xstrdup(tc->description ? tc->description : tc->id);
	cr->source = xstrdup(R->t->file);
	cr->verdict = VERDICT_HOLDS;
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
		int node, r;

		cr->n_steps = i + 1;
		res->expect = -2;
		snprintf(res->node, sizeof(res->node), "%s", ts->node);
		snprintf(res->args, sizeof(res->args), "%s", ts->text ? ts->text : "");
		if (user_step_compile(R->t, ts, &st, &e, msg, sizeof(msg), &at) < 0) {
			case_error(cr, "%s", msg);
			break;
		}
		node = topo_node_find(R->t, ts->node);
		add_node(cr, ts->node);
		subst_text(R, ts->text, res->args, sizeof(res->args));
		if (R->nsfd[node] < 0) {
			char nsname[128];

			lab_ns_name(R->lab, ts->node, nsname, sizeof(nsname));
			case_error(cr, "cannot open namespace /run/netns/%s: %s", nsname,
				   strerror(R->nserr[node]));
			break;
		}
		if (ts->expect) {
			n_expect++;
			res->expect = e.want == PROBE_WANT_OK	     ? 0
				      : e.want == PROBE_WANT_ERRNO   ? e.err
				      : e.want == PROBE_WANT_TIMEOUT ? STEP_TIMEOUT
								     : -2;
			{
				size_t o = strlen(pred);

				snprintf(pred + o, sizeof(pred) - o, "%s%s %s", o ? "; " : "",
					 probe_op_name(st.op), ts->expect);
			}
		}
		r = step_exec(R, node, &st, res);
		if (r < 0) {
			case_error(cr, "step '%s' in %s: %s", res->args, res->node,
				   R->why[0] ? R->why : strerror(-r));
			break;
		}
		if (!ts->expect) {
			if (res->err && is_setup_op(st.op)) {
				char rb[32];

				case_error(cr, "setup step '%s' in %s failed: %s", res->args,
					   res->node, report_result_text(res->err, rb, sizeof(rb)));
				break;
			}
			continue;
		}
		if (!probe_expect_met(&e, res->err, res->value)) {
			char rb[32];
			size_t o = strlen(obs);

			n_failed++;
			snprintf(obs + o, sizeof(obs) - o, "%sstep %zu %s: got %s", o ? "; " : "",
				 i + 1, probe_op_name(st.op),
				 report_result_text(res->err, rb, sizeof(rb)));
			if (e.cmp) {
				o = strlen(obs);
				snprintf(obs + o, sizeof(obs) - o, " =%ld", res->value);
			}
		}
	}
	case_close_all(R);
	leave_node(R);
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

/* ---- the whole run ------------------------------------------------------- */

static void case_result_clear(struct case_result *c)
{
	free(c->id);
	free(c->claim);
	free(c->title);
	free(c->source);
	free(c->predicted);
	free(c->observed);
	free(c->error);
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i]);
	free(c->nodes);
	for (size_t i = 0; i < c->n_steps; i++)
		free(c->steps[i].seen);
	free(c->steps);
	memset(c, 0, sizeof(*c));
}

static int report_add(struct report *r, struct case_result **ret)
{
	struct case_result *nc = realloc(r->cases, (r->n_cases + 1) * sizeof(*nc));

	if (!nc)
		return -ENOMEM;
	r->cases = nc;
	*ret = &nc[r->n_cases++];
	memset(*ret, 0, sizeof(**ret));
	return 0;
}

static void skip_add(struct probe_skip **skips, size_t *n, const char *id, const char *why)
{
	struct probe_skip *ns;

	if (!skips)
		return;
	ns = realloc(*skips, (*n + 1) * sizeof(*ns));
	if (!ns)
		return;
	*skips = ns;
	snprintf(ns[*n].id, sizeof(ns[*n].id), "%.63s", id);
	snprintf(ns[*n].why, sizeof(ns[*n].why), "%.159s", why);
	(*n)++;
}

int probe_lab_ex(const struct topology *t, const char *lab, const struct probe_opts *o,
		 struct report *rep, struct probe_skip **ret_skips, size_t *ret_n_skips, char *err,
		 size_t errlen)
{
	static const char *const sysctls[] = {"net.ipv6.bindv6only", "net.ipv4.ip_local_port_range",
					      "net.ipv4.ip_autobind_reuse",
					      "net.ipv4.tcp_migrate_req"};
	struct probe_roles roles;
	struct run R = {.t = t, .lab = lab, .roles = &roles, .orig_ns = -1, .cur_node = -1};
	struct utsname u;
	char range[64] = "";
	size_t n_open = 0;
	int ret = 0, first_err = 0, sys_node;

	if (ret_skips) {
		*ret_skips = NULL;
		*ret_n_skips = 0;
	}
	if (uname(&u) == 0)
		snprintf(rep->kernel, sizeof(rep->kernel), "%s", u.release);
	snprintf(rep->lab, sizeof(rep->lab), "%s", lab);
	probe_roles_resolve(t, &roles);

	R.nsfd = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(int));
	R.nserr = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(int));
	if (!R.nsfd || !R.nserr) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	R.orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (R.orig_ns < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open /proc/self/ns/net: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		char name[128], path[160];

		R.nsfd[i] = -1;
		if (lab_ns_name(lab, t->nodes[i].name, name, sizeof(name)) < 0) {
			R.nserr[i] = ENAMETOOLONG;
			continue;
		}
		snprintf(path, sizeof(path), "/run/netns/%s", name);
		R.nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (R.nsfd[i] < 0) {
			R.nserr[i] = errno;
			if (!first_err) {
				first_err = errno;
				snprintf(err, errlen, "lab '%s' is not running: %s: %s", lab, path,
					 strerror(errno));
			}
		} else {
			n_open++;
		}
	}
	if (n_open == 0) {
		ret = -(first_err ? first_err : ENOENT);
		if (!first_err)
			snprintf(err, errlen, "lab '%s' has no nodes", lab);
		goto out;
	}

	/* The outcome-changing sysctls, as the server node sees them. */
	sys_node = roles.srv >= 0 && R.nsfd[roles.srv] >= 0 ? roles.srv : -1;
	for (size_t i = 0; sys_node < 0 && i < t->n_nodes; i++)
		if (R.nsfd[i] >= 0)
			sys_node = (int)i;
	if (enter_node(&R, sys_node) == 0) {
		for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
			char v[64];

			read_sysctl(sysctls[i], v, sizeof(v));
			snprintf(rep->sysctls[rep->n_sysctls].key, sizeof(rep->sysctls[0].key),
				 "%s", sysctls[i]);
			snprintf(rep->sysctls[rep->n_sysctls].value, sizeof(rep->sysctls[0].value),
				 "%s", v);
			rep->n_sysctls++;
			if (!strcmp(sysctls[i], "net.ipv4.ip_local_port_range"))
				snprintf(range, sizeof(range), "%s", v);
		}
	}
	port_range_pick(&R, range);
	leave_node(&R);

	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];
		struct case_result *cr;
		char why[256];
		int r;

		if (!probe_case_selected(o, cc->id, cc->claim))
			continue;
		ret = report_add(rep, &cr);
		if (ret < 0)
			goto nomem;
		r = run_catalog_case(&R, cc, cr, why, sizeof(why));
		if (r < 0) {
			ret = r;
			goto nomem;
		}
		if (r == 1) { /* skipped: not a result; listed apart */
			case_result_clear(cr);
			rep->n_cases--;
			skip_add(ret_skips, ret_n_skips, cc->id, why);
		}
	}
	for (size_t i = 0; i < t->n_cases; i++) {
		const struct topo_case *tc = &t->cases[i];
		struct case_result *cr;

		if (!probe_case_selected(o, tc->id, tc->claim ? tc->claim : "user"))
			continue;
		ret = report_add(rep, &cr);
		if (ret < 0)
			goto nomem;
		run_user_case(&R, tc, cr);
	}
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	if (R.cur_node != -1 && R.orig_ns >= 0)
		(void)setns(R.orig_ns, CLONE_NEWNET);
	for (size_t i = 0; R.nsfd && i < t->n_nodes; i++)
		if (R.nsfd[i] >= 0)
			close(R.nsfd[i]);
	if (R.orig_ns >= 0)
		close(R.orig_ns);
	free(R.nsfd);
	free(R.nserr);
	return ret;
}

int probe_lab(const struct topology *t, const char *lab, const struct probe_opts *o,
	      struct report *r, char *err, size_t errlen)
{
	return probe_lab_ex(t, lab, o, r, NULL, NULL, err, errlen);
}

/* SPDX-License-Identifier: MIT */
/*
 * The steps that act on sockets in this process, each run in a node:
 * socket, setsockopt, join, bind, listen, connect, accept, send, recv, read,
 * close, burst, show and wait-timewait (the table is in probe_steps.c).
 * Every blocking call is non-blocking with a bounded poll, so a step that
 * would hang ends as a "timeout" result instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns/netns.h"
#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

/*
 * Bounds on waits.  Connect and accept cover one retransmission (TCP resends
 * a lost SYN, and ARP a lost request, after 1 s), so a loaded host is not
 * mistaken for a timeout; nothing in the catalog expects one.
 */
#define CONNECT_MS  3000
#define ACCEPT_MS   3000
#define ACCEPT_IDLE 300
#define RECV_MS	    500
#define READ_MS	    1000
#define WAIT_MS	    2000

unsigned probe_sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

unsigned probe_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return probe_sa_port(&ss);
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
	r = probe_wait_fd(fd, POLLOUT, ms);
	if (r < 0)
		return -r;
	if (r == 0)
		return STEP_TIMEOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return errno;
	return soerr;
}

int probe_sockdiag(struct run *R, int node, const uint16_t *ports, size_t n,
		   struct sock_seen **ret, size_t *ret_n)
{
	int r = sockdiag_snapshot(R->nsfd[node], ports, n, ret, ret_n);

	if (r < 0)
		snprintf(R->why, sizeof(R->why), "sock_diag in node %s: %s", R->t->nodes[node].name,
			 strerror(-r));
	return r;
}

int probe_snapshot(struct run *R, int node, const uint16_t *ports, size_t n,
		   struct step_result *res)
{
	struct sock_seen *seen = NULL;
	size_t n_seen = 0;
	int r;

	r = probe_sockdiag(R, node, ports, n, &seen, &n_seen);
	if (r < 0)
		return r;
	free(res->seen);
	res->seen = seen;
	res->n_seen = n_seen;
	probe_procs_annotate(R, seen, n_seen);
	return 0;
}

static bool has_timewait(const struct step_result *res, unsigned port)
{
	for (size_t i = 0; i < res->n_seen; i++)
		if (!strcmp(res->seen[i].state, "TIME-WAIT") && res->seen[i].lport == port)
			return true;
	return false;
}

/* " (a=1 b=0)" after the step's text: what each operand counted. */
static void counts_note(struct step_result *res, const struct probe_step *st, const long *counts)
{
	size_t o = strlen(res->args);

	o += (size_t)snprintf(res->args + o, sizeof(res->args) - o, " (");
	for (size_t i = 0; i < st->n_socks && o < sizeof(res->args); i++)
		o += (size_t)snprintf(res->args + o, sizeof(res->args) - o, "%s%s=%ld",
				      i ? " " : "", st->socks[i], counts[i]);
	if (o < sizeof(res->args))
		snprintf(res->args + o, sizeof(res->args) - o, ")");
}

/* A pollfd for POLLIN on each operand socket: 0, or -ENOENT (R->why). */
static int operands_poll(struct run *R, const struct probe_step *st, struct pollfd *p)
{
	for (size_t i = 0; i < st->n_socks; i++) {
		struct psock *s = probe_operand(R, st, i);

		if (!s)
			return -ENOENT;
		p[i] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	}
	return 0;
}

int probe_run_recv(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		   struct step_result *res)
{
	struct pollfd p[PROBE_MAX_SOCKS];
	long counts[PROBE_MAX_SOCKS] = {0};
	char buf[2048];
	int r;

	r = operands_poll(R, st, p);
	if (r < 0)
		return r;
	r = probe_sent_settle(R, node, RECV_MS);
	if (r < 0)
		return r;
	if (r == 0) {
		/* No sentinel could follow what was sent (its socket is gone): the
		 * first arrival, then a short grace for the other copies. */
		r = poll(p, st->n_socks, RECV_MS);
		if (r < 0)
			return -errno;
		if (r > 0)
			(void)poll(NULL, 0, 50);
	}
	res->value = 0;
	for (size_t i = 0; i < st->n_socks; i++) {
		while (recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			counts[i]++;
		res->value += counts[i];
	}
	counts_note(res, st, counts);
	return 0;
}

int probe_run_burst(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		    struct step_result *res)
{
	struct sockaddr_storage ss;
	struct pollfd p[256];
	socklen_t len;
	size_t n = 0, pending = 0;
	long end;
	int r, first_err = 0;

	r = probe_endpoint_resolve(R, st->endpoint, 0, &ss, &len);
	if (r < 0)
		return r;
	for (long i = 0; i < st->num; i++) {
		int fd, e;

		r = probe_open_socket(R, node, ss.ss_family, SOCK_STREAM, -1, &fd, &e);
		if (r < 0)
			return r;
		if (e) { /* the burst's own sockets are setup, not the finding */
			snprintf(R->why, sizeof(R->why), "socket: %s", strerror(e));
			return -e;
		}
		probe_anon_add(R, fd);
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
	end = monotonic_ms() + CONNECT_MS * 2;
	while (pending && monotonic_ms() < end) {
		r = poll(p, n, probe_ms_left(end));
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

int probe_run_socket(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		     struct step_result *res)
{
	int r, fd;

	r = probe_open_socket(R, node, st->family, st->type, R->pending_uid, &fd, &res->err);
	R->pending_uid = -1;
	if (r < 0)
		return r;
	return res->err ? 0 : probe_sock_add(R, st->lhs, fd, node, st->family, st->type);
}

/* Join group on ifname (both resolved) with the socket's family's option. */
static int join_group(int fd, const char *group, unsigned ifindex)
{
	struct in_addr g4;
	struct in6_addr g6;

	if (inet_pton(AF_INET, group, &g4) == 1) {
		struct ip_mreqn m = {.imr_multiaddr = g4, .imr_ifindex = (int)ifindex};

		return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) < 0 ? errno : 0;
	}
	if (inet_pton(AF_INET6, group, &g6) == 1) {
		struct ipv6_mreq m = {.ipv6mr_multiaddr = g6, .ipv6mr_interface = ifindex};

		return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) < 0 ? errno : 0;
	}
	return EINVAL;
}

int probe_run_join(struct run *R, int node, const struct probe_step *st, struct psock *s,
		   struct step_result *res)
{
	char group[64], ifname[IF_NAMESIZE];
	unsigned ifindex;
	int r;

	r = probe_resolve_token(R, st->arg, group, sizeof(group));
	if (r == 0)
		r = probe_resolve_token(R, st->arg2, ifname, sizeof(ifname));
	if (r < 0)
		return r;
	r = probe_enter_node(R, s->node); /* interface names are per namespace */
	if (r < 0)
		return r;
	ifindex = if_nametoindex(ifname);
	res->err = ifindex ? join_group(s->fd, group, ifindex) : ENODEV;
	return 0;
}

int probe_run_bind(struct run *R, int node, const struct probe_step *st, struct psock *s,
		   struct step_result *res)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

	r = probe_endpoint_resolve(R, st->endpoint, s->family, &ss, &len);
	if (r < 0)
		return r;
	res->err = bind(s->fd, (struct sockaddr *)&ss, len) < 0 ? errno : 0;
	return 0;
}

int probe_run_listen(struct run *R, int node, const struct probe_step *st, struct psock *s,
		     struct step_result *res)
{
	res->err = listen(s->fd, (int)st->num) < 0 ? errno : 0;
	if (!res->err)
		probe_note_port(R, (uint16_t)probe_local_port(s->fd));
	return 0;
}

int probe_run_connect(struct run *R, int node, const struct probe_step *st, struct psock *s,
		      struct step_result *res)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

	r = probe_endpoint_resolve(R, st->endpoint, s->family, &ss, &len);
	if (r < 0)
		return r;
	res->err = connect_bounded(s->fd, &ss, len, CONNECT_MS);
	if (!res->err)
		res->value = probe_local_port(s->fd);
	return 0;
}

int probe_run_accept(struct run *R, int node, const struct probe_step *st, struct psock *s,
		     struct step_result *res)
{
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);
	int r, fd;

	r = probe_wait_fd(s->fd, POLLIN, ACCEPT_MS);
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
	res->value = probe_sa_port(&peer);
	return probe_sock_add(R, st->lhs, fd, s->node, s->family, s->type);
}

/* Accept what s has queued, counted in *count and res: 0, or the errno
 * that stopped it. */
static int accept_queued(struct run *R, struct psock *s, long *count, struct step_result *res)
{
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : errno;
		probe_anon_add(R, fd);
		++*count;
		res->value++;
	}
}

/* Accept on every operand until no handshake to their ports is in flight
 * (probe_wait.c); one that completes wakes a listener of its port.
 * ACCEPT_IDLE without a new connection is the ceiling. */
int probe_run_accept_all(struct run *R, int node, const struct probe_step *st, struct psock *unused,
			 struct step_result *res)
{
	struct psock *ls[PROBE_MAX_SOCKS];
	long counts[PROBE_MAX_SOCKS] = {0}, idle_end = monotonic_ms() + ACCEPT_IDLE;
	struct epoll_event ev[8];
	int ep, r;

	for (size_t i = 0; i < st->n_socks; i++)
		if (!(ls[i] = probe_operand(R, st, i)))
			return -ENOENT;
	ep = probe_listeners_watch(R, ls, st->n_socks);
	if (ep < 0)
		return ep;
	for (;;) {
		long before = res->value;
		int pending = probe_handshakes_pending(R, ls, st->n_socks);

		r = pending < 0 ? pending : 0;
		for (size_t i = 0; r == 0 && i < st->n_socks && !res->err; i++)
			res->err = accept_queued(R, ls[i], &counts[i], res);
		if (res->value > before)
			idle_end = monotonic_ms() + ACCEPT_IDLE;
		if (r < 0 || res->err || !pending || monotonic_ms() >= idle_end ||
		    epoll_wait(ep, ev, 8, probe_ms_left(idle_end)) <= 0)
			break;
	}
	close(ep);
	if (r == 0 && st->n_socks > 1)
		counts_note(res, st, counts);
	return r;
}

int probe_run_send(struct run *R, int node, const struct probe_step *st, struct psock *s,
		   struct step_result *res)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int flags = MSG_NOSIGNAL | (st->arg[0] ? MSG_FASTOPEN : 0); /* "fastopen" */
	int r;

	r = probe_endpoint_resolve(R, st->endpoint, s->family, &ss, &len);
	if (r < 0)
		return r;

	for (long i = 0; i < st->num; i++) {
		if (sendto(s->fd, "reuselab\n", 9, flags, (struct sockaddr *)&ss, len) < 0) {
			res->err = errno;
			break;
		}
		res->value++;
	}
	if (res->value)
		probe_sent_note(R, s, &ss, len); /* recv waits for these */
	return 0;
}

int probe_run_read(struct run *R, int node, const struct probe_step *st, struct psock *s,
		   struct step_result *res)
{
	long end = monotonic_ms() + READ_MS;
	bool eof = false;
	char buf[64];

	while (!eof && monotonic_ms() < end) {
		ssize_t n;

		if (probe_wait_fd(s->fd, POLLIN, (int)(end - monotonic_ms())) <= 0)
			break;
		n = read(s->fd, buf, sizeof(buf));
		if (n == 0) {
			eof = true;
		} else if (n > 0) {
			res->value += n;
		} else if (errno != EAGAIN) {
			res->err = errno;
			break;
		}
	}
	if (!res->err && !eof && res->value == 0)
		res->err = STEP_TIMEOUT;
	return 0;
}

int probe_run_close(struct run *R, int node, const struct probe_step *st, struct psock *s,
		    struct step_result *res)
{
	res->err = close(s->fd) < 0 ? errno : 0;
	probe_sock_drop(R, s);
	return 0;
}

/*
 * A connection enters TIME-WAIT when its full socket gives way to a
 * TIME-WAIT one, which frees the full socket: a destroy notification in the
 * node.  But an orphan (closed by us) that reached FIN-WAIT-2 is already such
 * a timewait socket (ss shows ino:0 and a timewait timer), and the peer's FIN
 * turns it to TIME-WAIT with no notification.  It then ACKs that FIN, which
 * frees the peer's LAST-ACK socket: a destroy notification in the peer's node,
 * one of the case's.  So each check after the first waits for a destroy in any
 * node of the case, the bound a ceiling.  The other nodes are watched only
 * once the first look failed (usually it does not), then looked at again:
 * nothing that happened before they were watched is missed.
 */
int probe_run_wait_timewait(struct run *R, int node, const struct probe_step *st,
			    struct psock *unused, struct step_result *res)
{
	long end = monotonic_ms() + WAIT_MS;
	struct destroy_watch w;
	bool widened = false;
	uint16_t port;
	char buf[64];
	int r;

	r = probe_resolve_token(R, st->arg, buf, sizeof(buf));
	if (r < 0)
		return r;
	port = (uint16_t)strtoul(buf, NULL, 10);
	probe_note_port(R, port);
	/* Subscribed before the first look, so no change falls between. */
	r = probe_destroy_watch_open(R, node, &w);
	if (r < 0)
		return r;
	for (;;) {
		probe_destroy_watch_drain(&w);
		r = probe_snapshot(R, node, &port, 1, res);
		if (r < 0)
			break;
		if (has_timewait(res, port)) {
			/* reached: `show` steps carry the evidence */
			free(res->seen);
			res->seen = NULL;
			res->n_seen = 0;
			break;
		}
		if (!widened) {
			widened = true;
			r = probe_destroy_watch_widen(R, node, &w);
			if (r < 0)
				break;
			continue;
		}
		if (monotonic_ms() >= end ||
		    probe_wait_fd(w.ep, POLLIN, (int)(end - monotonic_ms())) <= 0) {
			res->err = STEP_TIMEOUT; /* keep what was seen instead */
			break;
		}
	}
	probe_destroy_watch_close(&w);
	return r;
}

int probe_run_show(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		   struct step_result *res)
{
	return probe_snapshot(R, node, R->ports, R->n_ports, res);
}

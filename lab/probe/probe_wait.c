/* SPDX-License-Identifier: MIT */
/*
 * Waits that end on the event they wait for, each bound kept as a ceiling:
 *
 * - accept-all: the connections still to come are the handshakes in flight
 *   to the listeners' ports (SYN-RECV in their node, SYN-SENT to them there),
 *   as sock_diag shows them; each one that completes wakes a listener of its
 *   port (edge-triggered epoll), and when none is in flight the step is done.
 * - recv: every datagram the case sent is settled (queued or dropped) once a
 *   sentinel, sent after it from the same socket to the same address, reaches
 *   a socket of ours in the receiving node: both take one path, and the
 *   receiving side handles them in order.  A sentinel goes to a port of its
 *   own, so no receiver of the case counts it.
 * - wait-timewait (probe_sock.c): a TCP socket destroyed in a node of the
 *   case, the destroy watch below.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

/* 1 when a handshake to one of ports is in flight in node, 0 when none. */
static int node_pending(struct run *R, int node, const uint16_t *ports, size_t n_ports)
{
	struct sock_seen *seen = NULL;
	size_t n = 0;
	int r, pending = 0;

	r = probe_sockdiag(R, node, ports, n_ports, &seen, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && !pending; i++)
		for (size_t k = 0; k < n_ports && !pending; k++)
			pending = (!strcmp(seen[i].state, "SYN-RECV") && seen[i].lport == ports[k]) ||
				  (!strcmp(seen[i].state, "SYN-SENT") && seen[i].rport == ports[k]);
	free(seen);
	return pending;
}

int probe_handshakes_pending(struct run *R, struct psock *const *ls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t ports[PROBE_MAX_SOCKS];
		size_t k = 0;
		bool done = false;
		int r;

		for (size_t j = 0; j < i && !done; j++) /* one snapshot per node */
			done = ls[j]->node == ls[i]->node;
		for (size_t j = i; j < n && !done; j++)
			if (ls[j]->node == ls[i]->node)
				ports[k++] = (uint16_t)probe_local_port(ls[j]->fd);
		r = done ? 0 : node_pending(R, ls[i]->node, ports, k);
		if (r != 0)
			return r;
	}
	return 0;
}

static bool is_listener_on(int fd, uint16_t port)
{
	int on = 0;
	socklen_t ol = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &ol) == 0 && on &&
	       (uint16_t)probe_local_port(fd) == port;
}

static int watch_add(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = fd};

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

/* Every listener of the case on port in node into ep: 0 or -errno. */
static int watch_port(struct run *R, int ep, int node, uint16_t port)
{
	int r = 0;

	for (size_t i = 0; i < R->n_socks && r == 0; i++)
		if (R->socks[i].node == node && R->socks[i].type == SOCK_STREAM &&
		    is_listener_on(R->socks[i].fd, port))
			r = watch_add(ep, R->socks[i].fd);
	for (size_t i = 0; i < R->n_anon && r == 0; i++)
		if (is_listener_on(R->anon[i], port))
			r = watch_add(ep, R->anon[i]);
	return r;
}

static int destroy_watch_add(struct run *R, int node, struct destroy_watch *w)
{
	int r = sockdiag_tcp_watch_open(R->nsfd[node], &w->fd[w->n]);

	if (r == 0)
		r = watch_add(w->ep, w->fd[w->n++]);
	if (r < 0)
		snprintf(R->why, sizeof(R->why), "sock_diag notifications in node %s: %s",
			 R->t->nodes[node].name, strerror(-r));
	return r;
}

int probe_destroy_watch_open(struct run *R, int node, struct destroy_watch *w)
{
	int r;

	w->n = 0;
	w->fd = malloc((R->t->n_nodes ? R->t->n_nodes : 1) * sizeof(*w->fd));
	w->ep = w->fd ? epoll_create1(EPOLL_CLOEXEC) : -1;
	if (w->ep < 0) {
		r = w->fd ? -errno : -ENOMEM;
		snprintf(R->why, sizeof(R->why), "epoll: %s", strerror(-r));
		free(w->fd);
		return r;
	}
	r = destroy_watch_add(R, node, w);
	if (r < 0)
		probe_destroy_watch_close(w);
	return r;
}

int probe_destroy_watch_widen(struct run *R, int node, struct destroy_watch *w)
{
	int r = 0;

	for (size_t i = 0; i < R->n_nodes && r == 0; i++)
		if (R->nodes[i] != node)
			r = destroy_watch_add(R, R->nodes[i], w);
	return r;
}

void probe_destroy_watch_drain(const struct destroy_watch *w)
{
	for (size_t i = 0; i < w->n; i++)
		sockdiag_watch_drain(w->fd[i]);
}

void probe_destroy_watch_close(struct destroy_watch *w)
{
	for (size_t i = 0; i < w->n; i++)
		close(w->fd[i]);
	close(w->ep);
	free(w->fd);
	w->fd = NULL;
	w->n = 0;
	w->ep = -1;
}

int probe_listeners_watch(struct run *R, struct psock *const *ls, size_t n)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), r = 0;

	if (ep < 0)
		r = -errno;
	for (size_t i = 0; i < n && r == 0; i++)
		r = watch_port(R, ep, ls[i]->node, (uint16_t)probe_local_port(ls[i]->fd));
	if (r == 0)
		return ep;
	if (ep >= 0)
		close(ep);
	snprintf(R->why, sizeof(R->why), "epoll: %s", strerror(-r));
	return r;
}

static bool sent_known(const struct run *R, int fd, const struct sockaddr_storage *to,
		       socklen_t len)
{
	for (size_t i = 0; i < R->n_sent; i++)
		if (R->sent[i].fd == fd && R->sent[i].len == len &&
		    !memcmp(&R->sent[i].to, to, len))
			return true;
	return false;
}

static void sent_append(struct run *R, const struct sent_to *rec)
{
	if (R->n_sent == MAX_SENT)
		R->sent_lost = true;
	else
		R->sent[R->n_sent++] = *rec;
}

void probe_sent_add(struct run *R, const struct sent_to *rec)
{
	if (!sent_known(R, rec->fd, &rec->to, rec->len))
		sent_append(R, rec);
}

void probe_sent_note(struct run *R, const struct psock *s, const struct sockaddr_storage *to,
		     socklen_t len)
{
	struct sent_to rec;
	struct stat sb;

	/* Not for a stream (a sentinel would be data in it), nor twice (no fstat). */
	if (s->type != SOCK_DGRAM || sent_known(R, s->fd, to, len))
		return;
	if (fstat(s->fd, &sb) < 0) {
		R->sent_lost = true;
		return;
	}
	rec = (struct sent_to){
	    .fd = s->fd, .ino = sb.st_ino, .family = s->family, .to = *to, .len = len};
	sent_append(R, &rec);
}

/* The sender of rec, if the case still holds that very socket. */
static bool sender_held(const struct run *R, const struct sent_to *rec)
{
	struct stat sb;

	for (size_t i = 0; i < R->n_socks; i++)
		if (R->socks[i].fd == rec->fd)
			return fstat(rec->fd, &sb) == 0 && sb.st_ino == rec->ino;
	for (size_t i = 0; i < R->n_anon; i++)
		if (R->anon[i] == rec->fd)
			return fstat(rec->fd, &sb) == 0 && sb.st_ino == rec->ino;
	return false;
}

/* A UDP socket of family on the wildcard address and a port of the
 * kernel's choosing in node: 0 with *ret_fd and *ret_port, or -errno. */
static int sentinel_open(struct run *R, int node, int family, int *ret_fd, uint16_t *ret_port)
{
	struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
	socklen_t len =
	    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd, err, off = 0, r;

	r = probe_open_socket(R, node, family, SOCK_DGRAM, -1, &fd, &err);
	if (r < 0 || err)
		return r < 0 ? r : -err;
	/* An IPv6 sender may send to IPv4-mapped addresses. */
	if ((family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*ret_port = (uint16_t)probe_sa_port(&ss);
	*ret_fd = fd;
	return 0;
}

/* Send rec's sentinel to its address, port replaced: 0 or -errno. */
static int sentinel_send(const struct sent_to *rec, uint16_t port)
{
	struct sockaddr_storage to = rec->to;

	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(port);
	return sendto(rec->fd, "reuselab sentinel\n", 18, MSG_NOSIGNAL, (struct sockaddr *)&to,
		      rec->len) < 0
		   ? -errno
		   : 0;
}

/* Count sentinels on p[0..2) until want arrived or the bound. */
static void sentinels_await(struct pollfd *p, int want, int ms)
{
	long end = monotonic_ms() + ms;
	char buf[64];
	int got = 0;

	while (got < want && monotonic_ms() < end) {
		if (poll(p, 2, probe_ms_left(end)) <= 0)
			break;
		for (size_t i = 0; i < 2; i++)
			while (p[i].fd >= 0 && recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
				got++;
	}
}

/* Send every noted sentinel, each to a sentinel socket in node: how many
 * were sent, or 0 (none sent) when a sender is gone. */
static int sentinels_send(struct run *R, int node, struct pollfd *p)
{
	uint16_t port[2] = {0, 0};
	int want = 0;

	for (size_t i = 0; i < R->n_sent; i++)
		if (!sender_held(R, &R->sent[i]))
			return 0;
	for (size_t i = 0; i < R->n_sent; i++) {
		const struct sent_to *rec = &R->sent[i];
		size_t k = rec->family == AF_INET6;

		if ((p[k].fd < 0 && sentinel_open(R, node, rec->family, &p[k].fd, &port[k]) < 0) ||
		    sentinel_send(rec, port[k]) < 0)
			return 0;
		want++;
	}
	return want;
}

int probe_sent_settle(struct run *R, int node, int ms)
{
	struct pollfd p[2] = {{.fd = -1, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
	int want = 0, ret = 1;

	if (R->sent_lost)
		ret = 0;
	else if (R->n_sent)
		want = sentinels_send(R, node, p);
	if (R->n_sent && !want)
		ret = 0; /* the caller waits as if there were no sentinel */
	if (want)
		sentinels_await(p, want, ms);
	for (size_t k = 0; k < 2; k++)
		if (p[k].fd >= 0)
			close(p[k].fd);
	R->n_sent = 0;
	R->sent_lost = false;
	return ret;
}

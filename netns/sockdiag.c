/* SPDX-License-Identifier: MIT */
/*
 * Socket snapshots through NETLINK_SOCK_DIAG (what ss(8) reads).  A netlink
 * socket belongs to the namespace it was created in, so we step into the
 * target namespace only to open it (ns_sock_open_in), and dump from the
 * original namespace through the shared transport (netns/sock.c).  Four
 * dumps: {IPv4, IPv6} x {TCP, UDP}, all states (TCP includes TIME-WAIT and
 * SYN-RECV mini sockets).  The port filter is applied here rather than with
 * an inet_diag bytecode filter: it is simpler and the namespaces of a lab
 * hold few sockets.  sockdiag_tcp_watch_open subscribes to the destroy
 * notifications, so a wait for a socket's change of state ends on an event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns/netns_int.h"

struct collect {
	const uint16_t *ports;
	size_t n_ports;
	int protocol;
	struct sock_seen *v;
	size_t n, cap;
};

/* ss(8)'s names, indexed by the kernel's TCP_* state numbers. */
static const char *state_name(unsigned st)
{
	static const char *const names[] = {
	    [1] = "ESTAB",	     [2] = "SYN-SENT",	[3] = "SYN-RECV", [4] = "FIN-WAIT-1",
	    [5] = "FIN-WAIT-2",	     [6] = "TIME-WAIT", [7] = "UNCONN",	  [8] = "CLOSE-WAIT",
	    [9] = "LAST-ACK",	     [10] = "LISTEN",	[11] = "CLOSING", [12] = "SYN-RECV",
	    [13] = "BOUND-INACTIVE",
	};

	if (st < sizeof(names) / sizeof(names[0]) && names[st])
		return names[st];
	return "UNKNOWN";
}

static void format_endpoint(char *buf, size_t len, int family, const __be32 *addr, __be16 port,
			    int is_remote)
{
	char a[INET6_ADDRSTRLEN] = "?";
	static const __be32 zero[4];
	uint16_t p = ntohs(port);

	if (is_remote && !p && !memcmp(addr, zero, family == AF_INET ? 4 : 16)) {
		snprintf(buf, len, "*:*");
		return;
	}
	inet_ntop(family, addr, a, sizeof(a));
	/* Port 0 (none yet) as ss(8) shows it: "*". */
	if (p)
		snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, p);
	else
		snprintf(buf, len, family == AF_INET6 ? "[%s]:*" : "%s:*", a);
}

static int port_wanted(const struct collect *c, uint16_t sport, uint16_t dport)
{
	if (!c->n_ports)
		return 1;
	for (size_t i = 0; i < c->n_ports; i++)
		if (c->ports[i] == sport || c->ports[i] == dport)
			return 1;
	return 0;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct sock_seen *s, *nv;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	if (!port_wanted(c, ntohs(m->id.idiag_sport), ntohs(m->id.idiag_dport)))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;

		nv = realloc(c->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		c->v = nv;
		c->cap = cap;
	}
	s = &c->v[c->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->proto, sizeof(s->proto), "%s", c->protocol == IPPROTO_TCP ? "tcp" : "udp");
	snprintf(s->state, sizeof(s->state), "%s", state_name(m->idiag_state));
	format_endpoint(s->local, sizeof(s->local), m->idiag_family, m->id.idiag_src,
			m->id.idiag_sport, 0);
	format_endpoint(s->remote, sizeof(s->remote), m->idiag_family, m->id.idiag_dst,
			m->id.idiag_dport, 1);
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	return 0;
}

static int dump_one(struct ns_sock *nl, uint8_t family, uint8_t protocol, struct collect *c)
{
	char buf[NS_SOCK_TXBUF] = {0};
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = protocol;
	req->idiag_states = ~0u; /* every state, TIME-WAIT and NEW_SYN_RECV included */
	c->protocol = protocol;
	return ns_sock_dump(nl, nlh, on_msg, c);
}

int sockdiag_snapshot(int netns_fd, const uint16_t *ports, size_t n_ports, struct sock_seen **ret,
		      size_t *ret_n)
{
	static const uint8_t families[] = {AF_INET, AF_INET6};
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP};
	struct collect c = {.ports = ports, .n_ports = n_ports};
	struct ns_sock *nl = NULL;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = ns_sock_open_in(netns_fd, NETLINK_SOCK_DIAG, &nl);
	if (r < 0)
		goto out;
	for (size_t f = 0; f < 2; f++) {
		for (size_t p = 0; p < 2; p++) {
			r = dump_one(nl, families[f], protos[p], &c);
			/* A kernel without inet6 or udp_diag answers ENOENT: nothing to see. */
			if (r == -ENOENT)
				r = 0;
			if (r < 0)
				goto out;
		}
	}
	*ret = c.v;
	*ret_n = c.n;
	c.v = NULL;
out:
	free(c.v);
	ns_sock_close(nl);
	return r;
}

static int watch_open_here(void *arg)
{
	struct sockaddr_nl sa = {
	    .nl_family = AF_NETLINK,
	    .nl_groups = 1u << (SKNLGRP_INET_TCP_DESTROY - 1) | 1u << (SKNLGRP_INET6_TCP_DESTROY - 1),
	};
	int *ret_fd = arg, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int sockdiag_tcp_watch_open(int netns_fd, int *ret_fd)
{
	/* Like every netlink socket, it hears the namespace it was opened in. */
	return ns_run_in(netns_fd, watch_open_here, ret_fd);
}

void sockdiag_watch_drain(int fd)
{
	char buf[8192];
	ssize_t n;

	/* ENOBUFS (notifications overran the queue) says only "something
	 * happened", which is all a watcher needs. */
	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
	       (n < 0 && (errno == ENOBUFS || errno == EINTR)))
		;
}

/* SPDX-License-Identifier: MIT */
/*
 * What a user step names as its node's own -- the address it binds, the
 * multicast interface address, the interface it joins on or binds to -- must
 * be on that node, or `run` reports the typo as a kernel finding
 * (EADDRNOTAVAIL, ENODEV).  A case that means the address or interface to be
 * foreign says so by expecting that error (or `fail`).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

/* Addresses every namespace has or any socket may bind: the wildcard,
 * loopback, multicast groups, IPv6 link-local (the kernel assigns it). */
static bool always_bindable(int family, const uint8_t *a)
{
	static const uint8_t zero[16], v6_loop[16] = {[15] = 1};

	if (family == AF_INET)
		return !memcmp(a, zero, 4) || a[0] == 127 || (a[0] & 0xf0) == 0xe0;
	return !memcmp(a, zero, 16) || !memcmp(a, v6_loop, 16) || a[0] == 0xff ||
	       (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

static bool node_has_addr(const struct topo_node *n, int family, const uint8_t *a)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i <= n->n_ifaces; i++) { /* the last: lo */
		const struct topo_iface *f = topo_node_iface(n, i);

		for (size_t k = 0; k < f->n_addrs; k++)
			if (f->addrs[k].family == family && !memcmp(f->addrs[k].addr, a, len))
				return true;
	}
	return false;
}

/* The address part of ENDPOINT ("10.0.1.1:80", "[fd00::1]:80") into buf;
 * false for the wildcard, a $VARIABLE or a shape the parser refused. */
static bool endpoint_addr(const char *ep, char *buf, size_t len)
{
	const char *end;

	if (ep[0] == '[') {
		ep++;
		end = strchr(ep, ']');
	} else {
		end = strrchr(ep, ':');
	}
	if (!end || ep[0] == '*' || ep[0] == '$' || (size_t)(end - ep) >= len)
		return false;
	snprintf(buf, len, "%.*s", (int)(end - ep), ep);
	return true;
}

static int check_addr(const struct topo_node *n, const char *text, char *msg, size_t len)
{
	static const uint8_t v4_mapped[12] = {[10] = 0xff, [11] = 0xff};
	uint8_t buf[16], *a = buf;
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, text, buf) != 1)
		return 0;
	/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d to the kernel */
	if (family == AF_INET6 && !memcmp(buf, v4_mapped, sizeof(v4_mapped))) {
		family = AF_INET;
		a = buf + 12;
	}
	if (always_bindable(family, a) || node_has_addr(n, family, a))
		return 0;
	snprintf(msg, len,
		 "%s is not an address of node '%s'; if it is meant to be foreign, say "
		 "expect: EADDRNOTAVAIL",
		 text, n->name);
	return -EINVAL;
}

static int check_ifname(const struct topo_node *n, const char *name, char *msg, size_t len)
{
	if (!strcmp(name, "lo") || name[0] == '$' || topo_iface_find(n, name) >= 0)
		return 0;
	snprintf(msg, len,
		 "node '%s' has no interface '%s'; if it is meant to be missing, say "
		 "expect: ENODEV",
		 n->name, name);
	return -EINVAL;
}

int probe_step_local_check(const struct topo_node *n, const struct probe_step *st,
			   const struct probe_expect *e, char *msg, size_t len)
{
	char addr[PROBE_TOKEN_MAX];

	if (e->want == PROBE_WANT_FAIL ||
	    (e->want == PROBE_WANT_ERRNO && (e->err == EADDRNOTAVAIL || e->err == ENODEV)))
		return 0;
	/* connect, send and burst name the peer's address: anything goes */
	if ((st->op == PROBE_BIND || st->op == PROBE_CHILD) &&
	    endpoint_addr(st->endpoint, addr, sizeof(addr)))
		return check_addr(n, addr, msg, len);
	if (st->op == PROBE_JOIN)
		return check_ifname(n, st->arg2, msg, len);
	if (st->op == PROBE_SETSOCKOPT && st->opt == PROBE_OPT_BINDTODEVICE)
		return check_ifname(n, st->arg, msg, len);
	if (st->op == PROBE_SETSOCKOPT && st->opt == PROBE_OPT_MULTICAST_IF && st->arg[0] != '$')
		return check_addr(n, st->arg, msg, len);
	return 0;
}

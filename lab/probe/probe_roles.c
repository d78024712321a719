/* SPDX-License-Identifier: MIT */
/*
 * Node roles for the catalog, found in a topology:
 *   srv   a node with an interface IFA carrying >= 2 IPv4 addresses ($A, $A2)
 *         and another interface IFB with an IPv4 address ($B);
 *   cli   a node linked to srv:IFA ($C on its interface IFC);
 *   cli2  a node linked to srv:IFB, not cli ($D on IFD).
 * Anything the lab lacks stays unresolved; cases needing it are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/probe/probe.h"

static int addr_nth(const struct topo_iface *ifc, int family, size_t nth, char *buf, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < ifc->n_addrs; i++) {
		if (ifc->addrs[i].family != family)
			continue;
		if (k++ == nth)
			return inet_ntop(family, ifc->addrs[i].addr, buf, (socklen_t)len) ? 0 : -errno;
	}
	return -ENOENT;
}

static size_t count_v4(const struct topo_iface *ifc)
{
	size_t k = 0;

	for (size_t i = 0; i < ifc->n_addrs; i++)
		k += ifc->addrs[i].family == AF_INET;
	return k;
}

/* The endpoint at the other end of (node, iface), excluding `not_node`: first by link, then
 * by lan membership.  Returns 0 and *ret or -ENOENT. */
static int peer_of(const struct topology *t, size_t node, size_t iface, int not_node,
		   struct topo_endpoint *ret)
{
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.node == node && l->a.iface == iface && (int)l->b.node != not_node &&
		    l->b.node != node) {
			*ret = l->b;
			return 0;
		}
		if (l->b.node == node && l->b.iface == iface && (int)l->a.node != not_node &&
		    l->a.node != node) {
			*ret = l->a;
			return 0;
		}
	}
	for (size_t i = 0; i < t->n_lans; i++) {
		const struct topo_lan *lan = &t->lans[i];
		bool member = false;

		for (size_t m = 0; m < lan->n_members; m++)
			if (lan->members[m].node == node && lan->members[m].iface == iface)
				member = true;
		if (!member)
			continue;
		for (size_t m = 0; m < lan->n_members; m++) {
			const struct topo_endpoint *e = &lan->members[m];

			if (e->node != node && (int)e->node != not_node) {
				*ret = *e;
				return 0;
			}
		}
	}
	return -ENOENT;
}

static void set_var(struct probe_roles *r, const char *name, const char *value)
{
	for (size_t i = 0; i < r->n_vars; i++)
		if (!strcmp(r->vars[i][0], name)) {
			snprintf(r->vars[i][1], sizeof(r->vars[i][1]), "%s", value);
			return;
		}
	if (r->n_vars < sizeof(r->vars) / sizeof(r->vars[0])) {
		snprintf(r->vars[r->n_vars][0], sizeof(r->vars[0][0]), "%s", name);
		snprintf(r->vars[r->n_vars][1], sizeof(r->vars[0][1]), "%s", value);
		r->n_vars++;
	}
}

/* How many roles/variables a choice of (srv, ifa, ifb) satisfies. */
static int score(const struct topology *t, size_t n, size_t ifa, int ifb)
{
	const struct topo_node *node = &t->nodes[n];
	struct topo_endpoint e, e2;
	int s = 0, cli = -1;

	s += count_v4(&node->ifaces[ifa]) >= 1;
	s += count_v4(&node->ifaces[ifa]) >= 2;
	if (ifb >= 0)
		s += count_v4(&node->ifaces[ifb]) >= 1;
	if (peer_of(t, n, ifa, -1, &e) == 0) {
		s++;
		cli = (int)e.node;
	}
	if (ifb >= 0 && peer_of(t, n, (size_t)ifb, cli, &e2) == 0)
		s++;
	return s;
}

/* The server choice: node, interface A and interface B (-1: none). */
struct srv_pick {
	int node, ifa, ifb;
};

/* The (node, ifa, ifb) that satisfies the most roles; node -1 when no node
 * has an IPv4 address. */
static struct srv_pick srv_pick(const struct topology *t)
{
	struct srv_pick best = {-1, -1, -1};
	int best_score = -1;

	for (size_t n = 0; n < t->n_nodes; n++) {
		const struct topo_node *node = &t->nodes[n];

		for (size_t a = 0; a < node->n_ifaces; a++) {
			if (count_v4(&node->ifaces[a]) == 0)
				continue;
			for (int b = -1; b < (int)node->n_ifaces; b++) {
				int s;

				if (b == (int)a || (b >= 0 && count_v4(&node->ifaces[b]) == 0))
					continue;
				s = score(t, n, a, b);
				if (s > best_score) {
					best_score = s;
					best = (struct srv_pick){(int)n, (int)a, b};
				}
			}
		}
	}
	return best;
}

/* The server's variables: IF<x> and its IPv4 (the second as A2 for IFA) and IPv6. */
static void srv_vars(struct probe_roles *r, const struct topo_iface *ifc, const char *ifvar,
		     const char *v4, const char *v4b, const char *v6)
{
	char buf[INET6_ADDRSTRLEN];

	set_var(r, ifvar, ifc->name);
	if (addr_nth(ifc, AF_INET, 0, buf, sizeof(buf)) == 0)
		set_var(r, v4, buf);
	if (v4b && addr_nth(ifc, AF_INET, 1, buf, sizeof(buf)) == 0)
		set_var(r, v4b, buf);
	if (addr_nth(ifc, AF_INET6, 0, buf, sizeof(buf)) == 0)
		set_var(r, v6, buf);
}

/* A client at the other end of srv's interface iface (not node not_node):
 * its node index, with its variables set, or -1 when it has no IPv4 there. */
static int client_vars(struct probe_roles *r, const struct topology *t, const struct srv_pick *p,
		       int iface, int not_node, const char *v4, const char *ifvar, const char *v6)
{
	char buf[INET6_ADDRSTRLEN];
	const struct topo_iface *ifc;
	struct topo_endpoint e;

	if (iface < 0 || peer_of(t, (size_t)p->node, (size_t)iface, not_node, &e) < 0)
		return -1;
	ifc = &t->nodes[e.node].ifaces[e.iface];
	if (addr_nth(ifc, AF_INET, 0, buf, sizeof(buf)) < 0)
		return -1;
	set_var(r, v4, buf);
	set_var(r, ifvar, ifc->name);
	if (addr_nth(ifc, AF_INET6, 0, buf, sizeof(buf)) == 0)
		set_var(r, v6, buf);
	return (int)e.node;
}

void probe_roles_resolve(const struct topology *t, struct probe_roles *r)
{
	static const char *const names[] = {"A",  "A2", "B", "C",   "D",   "A6",  "B6",
					    "C6", "D6", "G", "IFA", "IFB", "IFC", "IFD"};
	struct srv_pick p = srv_pick(t);
	const struct topo_node *node;

	memset(r, 0, sizeof(*r));
	r->srv = r->cli = r->cli2 = -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		set_var(r, names[i], "");
	set_var(r, "G", "239.1.1.1");
	if (p.node < 0)
		return;
	node = &t->nodes[p.node];
	r->srv = p.node;
	srv_vars(r, &node->ifaces[p.ifa], "IFA", "A", "A2", "A6");
	if (p.ifb >= 0)
		srv_vars(r, &node->ifaces[p.ifb], "IFB", "B", NULL, "B6");
	r->cli = client_vars(r, t, &p, p.ifa, -1, "C", "IFC", "C6");
	r->cli2 = client_vars(r, t, &p, p.ifb, r->cli, "D", "IFD", "D6");
}

const char *probe_roles_var(const struct probe_roles *r, const char *name)
{
	for (size_t i = 0; i < r->n_vars; i++)
		if (!strcmp(r->vars[i][0], name))
			return r->vars[i][1][0] ? r->vars[i][1] : NULL;
	return NULL;
}

int probe_roles_node(const struct probe_roles *r, const char *role)
{
	if (!strcmp(role, "srv"))
		return r->srv;
	if (!strcmp(role, "cli"))
		return r->cli;
	if (!strcmp(role, "cli2"))
		return r->cli2;
	return -1;
}

/* What a role or variable asks of the lab, in words, for skip reasons. */
static const struct {
	const char *name, *need;
} needs[] = {
	{"srv", "a server: a node with an IPv4 address on an interface"},
	{"cli", "a client linked to the server's first interface"},
	{"cli2", "a second client, linked to the server's second interface"},
	{"A", "an IPv4 address on the server's first interface"},
	{"A2", "a second IPv4 address on the server's first interface"},
	{"A6", "an IPv6 address on the server's first interface"},
	{"B", "a second interface on the server, with an IPv4 address"},
	{"B6", "an IPv6 address on the server's second interface"},
	{"C", "an IPv4 address on the client linked to the server's first interface"},
	{"C6", "an IPv6 address on the client linked to the server's first interface"},
	{"D", "an IPv4 address on a second client, linked to the server's second interface"},
	{"D6", "an IPv6 address on the client linked to the server's second interface"},
	{"IFA", "a server: a node with an IPv4 address on an interface"},
	{"IFB", "a second interface on the server, with an IPv4 address"},
	{"IFC", "a client linked to the server's first interface"},
	{"IFD", "a second client, linked to the server's second interface"},
};

const char *probe_roles_need(const char *name)
{
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (!strcmp(needs[i].name, name))
			return needs[i].need;
	return NULL;
}

// SPDX-License-Identifier: MIT
/* Topology -> ordered list of kernel operations.  Pure: no syscalls. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/build/build.h"
#include "lab/build/build_int.h"
#include "lab/labns/labns.h"
#include "netns/netns.h"

void plan_bridge_name(size_t lan, char *buf, size_t len)
{
	snprintf(buf, len, "br%zu", lan);
}

void plan_port_name(size_t port, char *buf, size_t len)
{
	snprintf(buf, len, "p%zu", port);
}

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

struct planner {
	struct build_plan *p;
	size_t cap;
};

static int push(struct planner *pl, enum plan_op op, size_t ns, size_t node)
{
	struct build_plan *p = pl->p;

	if (p->n_acts == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 64;
		struct plan_action *a = reallocarray(p->acts, cap, sizeof(*a));

		if (!a)
			return -ENOMEM;
		p->acts = a;
		pl->cap = cap;
	}
	p->acts[p->n_acts++] = (struct plan_action){
	    .op = op,
	    .ns = ns,
	    .peer_ns = ns,
	    .node = node,
	    .iface = 0,
	    .item = 0,
	    .port = 0,
	};
	return 0;
}

static struct plan_action *last(struct planner *pl)
{
	return &pl->p->acts[pl->p->n_acts - 1];
}

/*
 * The model comes from topo_load (validated: names, interfaces on exactly
 * one link or lan, links between two nodes, net.* sysctls, addresses,
 * route devices); the planner relies on that and asserts it, so a
 * validator gap shows as a crash in tests, never as half a lab.
 */

/* Mark node:iface as attached. */
static void attach(const struct build_plan *p, const struct topology *t, unsigned char *used,
		   const struct topo_endpoint *e)
{
	size_t k;

	assert(e->node < t->n_nodes && e->iface < t->nodes[e->node].n_ifaces);
	k = p->iface_base[e->node] + e->iface;
	assert(!used[k]);
	used[k] = 1;
}

/* Namespace names and the flat interface table; nothing pushed yet. */
static int plan_names(struct build_plan *p, const struct topology *t, const char *lab)
{
	p->lans_ns = PLAN_NO_NODE;
	p->n_ns = t->n_nodes + (t->n_lans ? 1 : 0);
	p->ns = calloc(p->n_ns ? p->n_ns : 1, sizeof(*p->ns));
	p->iface_base = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*p->iface_base));
	if (!p->ns || !p->iface_base)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];
		int r;

		assert(topo_name_valid(n->name, TOPO_NODE_NAME_MAX));
		/* "rl-" + lab + "." + node always fits (TOPO_*_NAME_MAX). */
		r = lab_ns_name(lab, n->name, p->ns[i].name, sizeof(p->ns[i].name));
		assert(r == 0);
		p->ns[i].node = i;
		p->iface_base[i] = p->n_ifaces;
		p->n_ifaces += n->n_ifaces;
		for (size_t j = 0; j < n->n_ifaces; j++)
			assert(topo_ifname_valid(n->ifaces[j].name));
	}
	if (t->n_lans) {
		p->lans_ns = t->n_nodes;
		p->ns[p->lans_ns].node = PLAN_NO_NODE;
		return lab_ns_name(lab, LAB_LANS_SUFFIX, p->ns[p->lans_ns].name, PLAN_NS_NAME_MAX);
	}
	return 0;
}

/*
 * Namespaces first, each tagged before it is mounted, so any namespace
 * reachable by name is already marked as ours; then the lans' bridges.
 * Bridges and ports switch frames and need no IPv6 of their own, yet each new
 * device would get a link-local address with DAD and MLD, and its ff00::/8
 * route, added to one list shared by every port of the namespace, which made
 * the k-th port cost O(k) more (docs/performance.md).  So the lans namespace
 * turns IPv6 off for the devices it will receive; hosts' frames still pass.
 */
static int plan_namespaces(struct planner *pl, const struct topology *t)
{
	struct build_plan *p = pl->p;
	int r = 0;

	for (size_t i = 0; i < p->n_ns && r == 0; i++) {
		r = push(pl, PLAN_NS_CREATE, i, p->ns[i].node);
		if (r == 0)
			r = push(pl, PLAN_NS_TAG, i, p->ns[i].node);
		if (r == 0)
			r = push(pl, PLAN_NS_PUBLISH, i, p->ns[i].node);
	}
	if (t->n_lans && r == 0)
		r = push(pl, PLAN_LANS_NO_IPV6, p->lans_ns, PLAN_NO_NODE);
	for (size_t i = 0; i < t->n_lans && r == 0; i++) {
		r = push(pl, PLAN_BRIDGE_ADD, p->lans_ns, PLAN_NO_NODE);
		if (r == 0)
			last(pl)->item = i;
	}
	return r;
}

static int plan_links(struct planner *pl, const struct topology *t, unsigned char *used)
{
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		struct plan_action *a;

		attach(pl->p, t, used, &l->a);
		attach(pl->p, t, used, &l->b);
		assert(l->a.node != l->b.node);
		if (push(pl, PLAN_VETH_ADD, l->a.node, l->a.node) < 0)
			return -ENOMEM;
		a = last(pl);
		a->iface = l->a.iface;
		a->peer_ns = l->b.node;
		a->item = i;
		/* The kernel cannot open a veth peer at creation (ENOTCONN). */
		if (push(pl, PLAN_PEER_UP, l->b.node, l->b.node) < 0)
			return -ENOMEM;
		last(pl)->iface = l->b.iface;
		last(pl)->item = i;
	}
	return 0;
}

/*
 * Two requests per member whichever side creates: a veth peer can be
 * neither opened nor enslaved at creation.  The node side creates, so the
 * node's interface is up at once.
 */
static int plan_lans(struct planner *pl, const struct topology *t, unsigned char *used)
{
	struct build_plan *p = pl->p;
	size_t port = 0;

	for (size_t i = 0; i < t->n_lans; i++)
		for (size_t m = 0; m < t->lans[i].n_members; m++) {
			const struct topo_endpoint *e = &t->lans[i].members[m];
			struct plan_action *a;

			attach(p, t, used, e);
			if (push(pl, PLAN_LAN_PORT_ADD, e->node, e->node) < 0)
				return -ENOMEM;
			a = last(pl);
			a->iface = e->iface;
			a->peer_ns = p->lans_ns;
			a->item = i;
			a->port = port;
			if (push(pl, PLAN_PORT_ATTACH, p->lans_ns, e->node) < 0)
				return -ENOMEM;
			a = last(pl);
			a->iface = e->iface;
			a->item = i;
			a->port = port++;
		}
	p->n_ports = port;
	return 0;
}

/*
 * Sysctls before addresses: per-device keys need the links, and keys such
 * as promote_secondaries or keep_addr_on_down must hold before the
 * addresses they govern are added.  The lans' bridges come up after the
 * addresses: until then the multicast every new interface and address sends
 * (IPv6 DAD and MLD reports) stops at its bridge port rather than being
 * flooded to every member of the lan, which made a lan of n members cost
 * O(n^2) (see docs/performance.md).  Routes last: a gateway must already be
 * on a connected subnet.
 */
static int plan_settings(struct planner *pl, const struct topology *t)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_sysctls; k++) {
			assert(strncmp(t->nodes[i].sysctls[k].key, "net.", 4) == 0);
			if (push(pl, PLAN_SYSCTL_SET, i, i) < 0)
				return -ENOMEM;
			last(pl)->item = k;
		}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j <= t->nodes[i].n_ifaces; j++)
			for (size_t k = 0; k < topo_node_iface(&t->nodes[i], j)->n_addrs; k++) {
				const struct topo_addr *ad =
				    &topo_node_iface(&t->nodes[i], j)->addrs[k];

				assert(ad->family == AF_INET || ad->family == AF_INET6);
				assert(ad->prefixlen <= (ad->family == AF_INET ? 32u : 128u));
				if (push(pl, PLAN_ADDR_ADD, i, i) < 0)
					return -ENOMEM;
				last(pl)->iface = j;
				last(pl)->item = k;
			}
	for (size_t i = 0; i < t->n_lans; i++) {
		if (push(pl, PLAN_BRIDGE_UP, pl->p->lans_ns, PLAN_NO_NODE) < 0)
			return -ENOMEM;
		last(pl)->item = i;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_routes; k++) {
			const struct topo_route *rt = &t->nodes[i].routes[k];

			assert(rt->has_via || rt->dev[0]);
			assert(!rt->dev[0] || topo_iface_find(&t->nodes[i], rt->dev) >= 0);
			if (push(pl, PLAN_ROUTE_ADD, i, i) < 0)
				return -ENOMEM;
			last(pl)->item = k;
		}
	return 0;
}

int plan_make(const struct topology *t, const char *lab, struct build_plan **ret, char *err,
	      size_t errlen)
{
	struct planner pl = {0};
	unsigned char *used = NULL;
	int r;

	*ret = NULL;
	if (errlen)
		err[0] = '\0';
	/* The lab name comes from --name as well as the file: it becomes file names and the tag. */
	if (!topo_name_valid(lab, TOPO_LAB_NAME_MAX))
		return fail(err, errlen, -EINVAL, "invalid lab name '%s'", lab);
	pl.p = calloc(1, sizeof(*pl.p));
	if (!pl.p)
		return -ENOMEM;
	r = plan_names(pl.p, t, lab);
	if (r == 0 && !(used = calloc(pl.p->n_ifaces ? pl.p->n_ifaces : 1, 1)))
		r = -ENOMEM;
	if (r == 0)
		r = plan_namespaces(&pl, t);
	if (r == 0)
		r = plan_links(&pl, t, used);
	if (r == 0)
		r = plan_lans(&pl, t, used);
	for (size_t k = 0; r == 0 && k < pl.p->n_ifaces; k++)
		assert(used[k]); /* every interface on a link or lan */
	if (r == 0)
		r = plan_settings(&pl, t);
	if (r == 0) {
		*ret = pl.p;
		pl.p = NULL;
	}
	free(used);
	plan_free(pl.p);
	return r;
}

void plan_free(struct build_plan *p)
{
	if (!p)
		return;
	free(p->ns);
	free(p->acts);
	free(p->iface_base);
	free(p);
}

static const char *ep_node(const struct topology *t, const struct topo_endpoint *e)
{
	return t->nodes[e->node].name;
}

static const char *ep_iface(const struct topology *t, const struct topo_endpoint *e)
{
	return t->nodes[e->node].ifaces[e->iface].name;
}

static void prefix_text(int family, const uint8_t *addr, unsigned len, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, n, "%s/%u", a, len);
}

void plan_describe(const struct build_plan *p, const struct topology *t, size_t i, char *buf,
		   size_t len)
{
	const struct plan_action *a = &p->acts[i];
	const struct topo_node *n = a->node == PLAN_NO_NODE ? NULL : &t->nodes[a->node];
	char x[INET6_ADDRSTRLEN + 8], y[INET6_ADDRSTRLEN + 8], nm[IFNAMSIZ];

	switch (a->op) {
	case PLAN_NS_CREATE:
		snprintf(buf, len, "namespace %s", p->ns[a->ns].name);
		break;
	case PLAN_NS_TAG:
		snprintf(buf, len, "loopback of namespace %s", p->ns[a->ns].name);
		break;
	case PLAN_NS_PUBLISH:
		/* The whole action: a failed mount must read as one. */
		snprintf(buf, len, "mount namespace %s on " NS_RUN_DIR "/%s", p->ns[a->ns].name,
			 p->ns[a->ns].name);
		break;
	case PLAN_LANS_NO_IPV6:
		snprintf(buf, len, "sysctl net.ipv6.conf.default.disable_ipv6 on namespace %s",
			 p->ns[a->ns].name);
		break;
	case PLAN_BRIDGE_ADD:
	case PLAN_BRIDGE_UP:
		plan_bridge_name(a->item, nm, sizeof(nm));
		snprintf(buf, len, "bridge %s of lan %s", nm, t->lans[a->item].name);
		break;
	case PLAN_VETH_ADD:
	case PLAN_PEER_UP: {
		const struct topo_link *l = &t->links[a->item];

		snprintf(buf, len, "link %s:%s <-> %s:%s", ep_node(t, &l->a), ep_iface(t, &l->a),
			 ep_node(t, &l->b), ep_iface(t, &l->b));
		break;
	}
	case PLAN_LAN_PORT_ADD:
	case PLAN_PORT_ATTACH:
		snprintf(buf, len, "lan %s member %s:%s", t->lans[a->item].name, n->name,
			 n->ifaces[a->iface].name);
		break;
	case PLAN_SYSCTL_SET:
		snprintf(buf, len, "sysctl %s on %s", n->sysctls[a->item].key, n->name);
		break;
	case PLAN_ADDR_ADD: {
		const struct topo_iface *f = topo_node_iface(n, a->iface);
		const struct topo_addr *ad = &f->addrs[a->item];

		prefix_text(ad->family, ad->addr, ad->prefixlen, x, sizeof(x));
		snprintf(buf, len, "address %s on %s:%s", x, n->name, f->name);
		break;
	}
	case PLAN_ROUTE_ADD: {
		const struct topo_route *rt = &n->routes[a->item];

		if (rt->dst_len == 0)
			snprintf(x, sizeof(x), "default");
		else
			prefix_text(rt->family, rt->dst, rt->dst_len, x, sizeof(x));
		y[0] = '\0';
		if (rt->has_via)
			inet_ntop(rt->family, rt->via, y, sizeof(y));
		snprintf(buf, len, "route %s%s%s%s%s on %s", x, rt->has_via ? " via " : "", y,
			 rt->dev[0] ? " dev " : "", rt->dev, n->name);
		break;
	}
	}
}

void plan_format(const struct build_plan *p, const struct topology *t, size_t i, char *buf,
		 size_t len)
{
	static const char *const verb[] = {
	    [PLAN_NS_CREATE] = "create",
	    [PLAN_NS_TAG] = "tag and bring up",
	    [PLAN_NS_PUBLISH] = NULL,	/* its description says it all */
	    [PLAN_LANS_NO_IPV6] = NULL, /* "sysctl ... = 1" below */
	    [PLAN_BRIDGE_ADD] = "add",
	    [PLAN_VETH_ADD] = "add veth",
	    [PLAN_PEER_UP] = "bring up far end of",
	    [PLAN_LAN_PORT_ADD] = "add veth for",
	    [PLAN_PORT_ATTACH] = "enslave and bring up",
	    [PLAN_SYSCTL_SET] = "set",
	    [PLAN_ADDR_ADD] = "add",
	    [PLAN_BRIDGE_UP] = "bring up",
	    [PLAN_ROUTE_ADD] = "add",
	};
	const struct plan_action *a = &p->acts[i];
	char obj[256], nm[IFNAMSIZ];

	plan_describe(p, t, i, obj, sizeof(obj));
	if (a->op == PLAN_LANS_NO_IPV6) {
		snprintf(buf, len, "set %s = 1 (bridge ports need no IPv6)", obj);
	} else if (!verb[a->op]) {
		snprintf(buf, len, "%s", obj);
	} else if (a->op == PLAN_SYSCTL_SET) {
		snprintf(buf, len, "%s %s = %s", verb[a->op], obj,
			 t->nodes[a->node].sysctls[a->item].value);
	} else if (a->op == PLAN_LAN_PORT_ADD || a->op == PLAN_PORT_ATTACH) {
		plan_port_name(a->port, nm, sizeof(nm));
		snprintf(buf, len, "%s %s (bridge port %s)", verb[a->op], obj, nm);
	} else {
		snprintf(buf, len, "%s %s", verb[a->op], obj);
	}
}

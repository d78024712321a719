// SPDX-License-Identifier: MIT
/* Topology -> ordered list of kernel operations.  Pure: no syscalls. */
#include <arpa/inet.h>
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

static int endpoint_ok(const struct topology *t, const struct topo_endpoint *e)
{
	return e->node < t->n_nodes && e->iface < t->nodes[e->node].n_ifaces;
}

/* Mark node:iface as attached; fails when something already attached it. */
static int attach(const struct build_plan *p, const struct topology *t, unsigned char *used,
		  const struct topo_endpoint *e, char *err, size_t errlen)
{
	size_t k;

	if (!endpoint_ok(t, e))
		return fail(err, errlen, -EINVAL, "interface reference %zu:%zu out of range",
			    e->node, e->iface);
	k = p->iface_base[e->node] + e->iface;
	if (used[k])
		return fail(err, errlen, -EINVAL, "interface %s:%s is on two links or lans",
			    t->nodes[e->node].name, t->nodes[e->node].ifaces[e->iface].name);
	used[k] = 1;
	return 0;
}

static int iface_index(const struct topo_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (strcmp(n->ifaces[i].name, name) == 0)
			return (int)i;
	return -1;
}

int plan_make(const struct topology *t, const char *lab, struct build_plan **ret, char *err,
	      size_t errlen)
{
	struct planner pl = {0};
	struct build_plan *p;
	unsigned char *used = NULL;
	size_t port = 0;
	int r;

	if (errlen)
		err[0] = '\0';
	/* Lab names become file names and the tag. */
	if (!topo_name_valid(lab, TOPO_LAB_NAME_MAX))
		return fail(err, errlen, -EINVAL, "invalid lab name '%s'", lab);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pl.p = p;
	p->lans_ns = PLAN_NO_NODE;
	p->n_ns = t->n_nodes + (t->n_lans ? 1 : 0);
	p->ns = calloc(p->n_ns ? p->n_ns : 1, sizeof(*p->ns));
	p->iface_base = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*p->iface_base));
	if (!p->ns || !p->iface_base) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		if (!n->name[0] || strchr(n->name, '/') || strchr(n->name, '.')) {
			r = fail(err, errlen, -EINVAL, "invalid node name '%s'", n->name);
			goto out;
		}
		r = lab_ns_name(lab, n->name, p->ns[i].name, sizeof(p->ns[i].name));
		if (r < 0) {
			fail(err, errlen, r, "namespace name for node %s is too long", n->name);
			goto out;
		}
		p->ns[i].node = i;
		p->iface_base[i] = p->n_ifaces;
		p->n_ifaces += n->n_ifaces;
		for (size_t j = 0; j < n->n_ifaces; j++) {
			size_t l = strnlen(n->ifaces[j].name, IFNAMSIZ);

			if (l == 0 || l >= IFNAMSIZ || strchr(n->ifaces[j].name, '/')) {
				r = fail(err, errlen, -EINVAL, "invalid interface name on node %s",
					 n->name);
				goto out;
			}
		}
	}
	if (t->n_lans) {
		p->lans_ns = t->n_nodes;
		p->ns[p->lans_ns].node = PLAN_NO_NODE;
		r = lab_ns_name(lab, LAB_LANS_SUFFIX, p->ns[p->lans_ns].name, PLAN_NS_NAME_MAX);
		if (r < 0)
			goto out;
	}
	used = calloc(p->n_ifaces ? p->n_ifaces : 1, 1);
	if (!used) {
		r = -ENOMEM;
		goto out;
	}

	/*
	 * Namespaces first, each tagged before it is mounted, so any namespace
	 * reachable by name is already marked as ours.
	 */
	for (size_t i = 0; i < p->n_ns; i++) {
		if ((r = push(&pl, PLAN_NS_CREATE, i, p->ns[i].node)) < 0 ||
		    (r = push(&pl, PLAN_NS_TAG, i, p->ns[i].node)) < 0 ||
		    (r = push(&pl, PLAN_NS_PUBLISH, i, p->ns[i].node)) < 0)
			goto out;
	}
	for (size_t i = 0; i < t->n_lans; i++) {
		if ((r = push(&pl, PLAN_BRIDGE_ADD, p->lans_ns, PLAN_NO_NODE)) < 0)
			goto out;
		last(&pl)->item = i;
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if ((r = attach(p, t, used, &l->a, err, errlen)) < 0 ||
		    (r = attach(p, t, used, &l->b, err, errlen)) < 0)
			goto out;
		if (l->a.node == l->b.node) {
			/* Same namespace at both ends is possible but never meant. */
			r = fail(
			    err, errlen, -EINVAL, "link %s:%s <-> %s:%s joins a node to itself",
			    t->nodes[l->a.node].name, t->nodes[l->a.node].ifaces[l->a.iface].name,
			    t->nodes[l->b.node].name, t->nodes[l->b.node].ifaces[l->b.iface].name);
			goto out;
		}
		if ((r = push(&pl, PLAN_VETH_ADD, l->a.node, l->a.node)) < 0)
			goto out;
		last(&pl)->iface = l->a.iface;
		last(&pl)->peer_ns = l->b.node;
		last(&pl)->item = i;
		/* The kernel cannot open a veth peer at creation (ENOTCONN). */
		if ((r = push(&pl, PLAN_PEER_UP, l->b.node, l->b.node)) < 0)
			goto out;
		last(&pl)->iface = l->b.iface;
		last(&pl)->item = i;
	}
	for (size_t i = 0; i < t->n_lans; i++) {
		for (size_t m = 0; m < t->lans[i].n_members; m++) {
			const struct topo_endpoint *e = &t->lans[i].members[m];

			if ((r = attach(p, t, used, e, err, errlen)) < 0)
				goto out;
			/*
			 * Two requests whichever side creates: a veth peer can be
			 * neither opened nor enslaved at creation.  The node side
			 * creates, so the node's interface is up at once.
			 */
			if ((r = push(&pl, PLAN_LAN_PORT_ADD, e->node, e->node)) < 0)
				goto out;
			last(&pl)->iface = e->iface;
			last(&pl)->peer_ns = p->lans_ns;
			last(&pl)->item = i;
			last(&pl)->port = port;
			if ((r = push(&pl, PLAN_PORT_ATTACH, p->lans_ns, e->node)) < 0)
				goto out;
			last(&pl)->iface = e->iface;
			last(&pl)->item = i;
			last(&pl)->port = port++;
		}
	}
	p->n_ports = port;
	/* The validator rejects these too; nothing here would create one. */
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			if (!used[p->iface_base[i] + j]) {
				r = fail(err, errlen, -EINVAL,
					 "interface %s:%s is not connected to any link or lan",
					 t->nodes[i].name, t->nodes[i].ifaces[j].name);
				goto out;
			}
	/*
	 * Sysctls before addresses: per-device keys need the links, and keys
	 * such as promote_secondaries or keep_addr_on_down must hold before
	 * the addresses they govern are added.
	 */
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_sysctls; k++) {
			const char *key = t->nodes[i].sysctls[k].key;

			if (strncmp(key, "net.", 4) != 0 || strchr(key, '/')) {
				r = fail(err, errlen, -EINVAL,
					 "sysctl %s on %s: only net.* keys are "
					 "per namespace",
					 key, t->nodes[i].name);
				goto out;
			}
			if ((r = push(&pl, PLAN_SYSCTL_SET, i, i)) < 0)
				goto out;
			last(&pl)->item = k;
		}
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			for (size_t k = 0; k < t->nodes[i].ifaces[j].n_addrs; k++) {
				const struct topo_addr *a = &t->nodes[i].ifaces[j].addrs[k];

				if ((a->family != AF_INET && a->family != AF_INET6) ||
				    a->prefixlen > (a->family == AF_INET ? 32u : 128u)) {
					r = fail(err, errlen, -EINVAL, "bad address on %s:%s",
						 t->nodes[i].name, t->nodes[i].ifaces[j].name);
					goto out;
				}
				if ((r = push(&pl, PLAN_ADDR_ADD, i, i)) < 0)
					goto out;
				last(&pl)->iface = j;
				last(&pl)->item = k;
			}
	/* Routes last: a gateway must already be on a connected subnet. */
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_routes; k++) {
			const struct topo_route *rt = &t->nodes[i].routes[k];

			if (rt->family != AF_INET && rt->family != AF_INET6) {
				r = fail(err, errlen, -EINVAL, "bad route on %s", t->nodes[i].name);
				goto out;
			}
			if (rt->dev[0] && iface_index(&t->nodes[i], rt->dev) < 0) {
				r = fail(err, errlen, -EINVAL, "route on %s: no interface %s",
					 t->nodes[i].name, rt->dev);
				goto out;
			}
			if (!rt->dev[0] && !rt->has_via) {
				r = fail(err, errlen, -EINVAL, "route on %s: needs via or dev",
					 t->nodes[i].name);
				goto out;
			}
			if ((r = push(&pl, PLAN_ROUTE_ADD, i, i)) < 0)
				goto out;
			last(&pl)->item = k;
		}
	*ret = p;
	p = NULL;
	r = 0;
out:
	free(used);
	plan_free(p);
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
	case PLAN_BRIDGE_ADD:
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
		const struct topo_addr *ad = &n->ifaces[a->iface].addrs[a->item];

		prefix_text(ad->family, ad->addr, ad->prefixlen, x, sizeof(x));
		snprintf(buf, len, "address %s on %s:%s", x, n->name, n->ifaces[a->iface].name);
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
	    [PLAN_NS_PUBLISH] = NULL, /* its description says it all */
	    [PLAN_BRIDGE_ADD] = "add",
	    [PLAN_VETH_ADD] = "add veth",
	    [PLAN_PEER_UP] = "bring up far end of",
	    [PLAN_LAN_PORT_ADD] = "add veth for",
	    [PLAN_PORT_ATTACH] = "enslave and bring up",
	    [PLAN_SYSCTL_SET] = "set",
	    [PLAN_ADDR_ADD] = "add",
	    [PLAN_ROUTE_ADD] = "add",
	};
	const struct plan_action *a = &p->acts[i];
	char obj[256], nm[IFNAMSIZ];

	plan_describe(p, t, i, obj, sizeof(obj));
	if (!verb[a->op]) {
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

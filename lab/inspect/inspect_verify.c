// SPDX-License-Identifier: MIT
/*
 * inspect_verify: declared topology against live state, one line per
 * difference.  Pure: no I/O beyond the caller's out callback.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "lab/inspect/inspect.h"

struct verify {
	const struct topology *t;
	const struct inspect_lab *l;
	inspect_diff_cb out;
	void *data;
	int count;
	int err;
};

static void diff(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void diff(struct verify *v, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int r;

	if (v->err)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r = v->out(line, v->data);
	if (r < 0)
		v->err = r;
	else
		v->count++;
}

static const struct live_link *link_named(const struct inspect_node *n, const char *name,
					  size_t *ret_j)
{
	for (size_t j = 0; j < n->live->n_links; j++)
		if (!strcmp(n->live->links[j].name, name)) {
			if (ret_j)
				*ret_j = j;
			return &n->live->links[j];
		}
	return NULL;
}

static bool same_addr(const struct topo_addr *d, const struct live_addr *a)
{
	size_t len = d->family == AF_INET ? 4 : 16;

	return d->family == a->family && d->prefixlen == a->prefixlen &&
	       !memcmp(d->addr, a->addr, len);
}

/* Made by the kernel, never declared: IPv6 link-locals, loopback's host scope. */
static bool kernel_addr(const struct live_link *k, const struct live_addr *a)
{
	if (a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
		return true;
	return !strcmp(k->kind, "loopback") && a->scope == RT_SCOPE_HOST;
}

static void check_addrs(struct verify *v, const char *node, const struct topo_iface *f,
			const struct live_link *k)
{
	for (size_t i = 0; i < f->n_addrs; i++) {
		const struct topo_addr *d = &f->addrs[i];
		bool found = false;
		char text[INET6_ADDRSTRLEN];

		for (size_t j = 0; j < k->n_addrs && !found; j++)
			found = same_addr(d, &k->addrs[j]);
		if (!found) {
			inet_ntop(d->family, d->addr, text, sizeof(text));
			diff(v, "%s:%s: address %s/%u missing", node, k->name, text, d->prefixlen);
		}
	}
	for (size_t j = 0; j < k->n_addrs; j++) {
		bool declared = false;

		for (size_t i = 0; f && i < f->n_addrs && !declared; i++)
			declared = same_addr(&f->addrs[i], &k->addrs[j]);
		if (!declared && !kernel_addr(k, &k->addrs[j]))
			diff(v, "%s:%s: address %s extra", node, k->name, k->addrs[j].text);
	}
}

/* The declared other end of node:iface: a link's end, or a lan (*ret_lan). */
static bool declared_peer(const struct topology *t, size_t node, size_t iface, char *buf,
			  size_t len, const struct topo_lan **ret_lan)
{
	*ret_lan = NULL;
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_endpoint *a = &t->links[i].a, *b = &t->links[i].b, *o = NULL;

		if (a->node == node && a->iface == iface)
			o = b;
		else if (b->node == node && b->iface == iface)
			o = a;
		if (o) {
			snprintf(buf, len, "%s:%s", t->nodes[o->node].name,
				 t->nodes[o->node].ifaces[o->iface].name);
			return true;
		}
	}
	for (size_t i = 0; i < t->n_lans; i++)
		for (size_t m = 0; m < t->lans[i].n_members; m++)
			if (t->lans[i].members[m].node == node &&
			    t->lans[i].members[m].iface == iface) {
				*ret_lan = &t->lans[i];
				return true;
			}
	return false;
}

/* The live port (in the lans namespace) that node:iface's veth ends in, or NULL. */
static const struct live_link *lan_port(const struct verify *v, size_t node, size_t iface)
{
	const struct inspect_node *n = inspect_node_find(v->l, v->t->nodes[node].name);
	const struct live_link *k;
	const struct inspect_peer *p;
	size_t j;

	if (!n || !n->present)
		return NULL;
	k = link_named(n, v->t->nodes[node].ifaces[iface].name, &j);
	p = k ? &n->peers[j] : NULL;
	if (!p || p->node == INSPECT_NO_PEER ||
	    strcmp(v->l->nodes[p->node].name, INSPECT_LANS_NODE))
		return NULL;
	return &v->l->nodes[p->node].live->links[p->link];
}

/*
 * The lan's bridge is the one most of its members' ports hang on (the
 * builder's names are its own business): a member is on the lan when its
 * port is a port of that bridge.
 */
static int lan_bridge(const struct verify *v, const struct topo_lan *lan)
{
	int best = 0;
	size_t best_n = 0;

	for (size_t i = 0; i < lan->n_members; i++) {
		const struct live_link *a =
		    lan_port(v, lan->members[i].node, lan->members[i].iface);
		size_t n = 0;

		for (size_t m = 0; a && a->master && m < lan->n_members; m++) {
			const struct live_link *b =
			    lan_port(v, lan->members[m].node, lan->members[m].iface);

			n += b && b->master == a->master;
		}
		if (n > best_n) {
			best_n = n;
			best = a->master;
		}
	}
	return best;
}

static bool on_lan(const struct verify *v, size_t node, size_t iface, const struct topo_lan *lan)
{
	const struct live_link *port = lan_port(v, node, iface);

	return port && port->master && port->master == lan_bridge(v, lan);
}

static void check_peer(struct verify *v, size_t ni, size_t fi, const struct inspect_node *n,
		       size_t j)
{
	const char *node = v->t->nodes[ni].name, *iface = n->live->links[j].name;
	const struct inspect_peer *p = &n->peers[j];
	const struct topo_lan *lan;
	char want[96], have[96];

	if (!declared_peer(v->t, ni, fi, want, sizeof(want), &lan))
		return;
	inspect_peer_name(v->l, p, have, sizeof(have));
	if (lan && !have[0])
		diff(v, "%s:%s: port on lan %s gone", node, iface, lan->name);
	else if (lan && !on_lan(v, ni, fi, lan))
		diff(v, "%s:%s: not on lan %s", node, iface, lan->name);
	else if (!lan && !have[0])
		diff(v, "%s:%s: peer %s gone", node, iface, want);
	else if (!lan && strcmp(have, want))
		diff(v, "%s:%s: peer is %s, declared %s", node, iface, have, want);
}

static void check_ifaces(struct verify *v, size_t ni, const struct inspect_node *n)
{
	const struct topo_node *tn = &v->t->nodes[ni];

	for (size_t f = 0; f < tn->n_ifaces; f++) {
		const struct live_link *k;
		size_t j;

		k = link_named(n, tn->ifaces[f].name, &j);
		if (!k) {
			diff(v, "%s:%s: interface missing", tn->name, tn->ifaces[f].name);
			continue;
		}
		if (!k->up)
			diff(v, "%s:%s: down", tn->name, k->name);
		check_peer(v, ni, f, n, j);
		check_addrs(v, tn->name, &tn->ifaces[f], k);
	}
	for (size_t j = 0; j < n->live->n_links; j++) {
		const struct live_link *k = &n->live->links[j];

		if (!strcmp(k->kind, "loopback"))
			check_addrs(v, tn->name, &tn->loopback, k);
		else if (topo_iface_find(tn, k->name) < 0)
			diff(v, "%s:%s: interface extra", tn->name, k->name);
	}
}

static bool same_route(const struct topo_route *d, const struct live_route *r,
		       const struct inspect_node *n)
{
	size_t len = d->family == AF_INET ? 4 : 16;
	const struct live_link *dev = live_link_by_index(n->live, r->oif);

	if (d->family != r->family || d->dst_len != r->dst_len || memcmp(d->dst, r->dst, len))
		return false;
	if (d->has_via != r->has_gw || (d->has_via && memcmp(d->via, r->gw, len)))
		return false;
	return !d->dev[0] || (dev && !strcmp(dev->name, d->dev));
}

static void format_declared(const struct topo_route *d, char *buf, size_t len)
{
	char dst[INET6_ADDRSTRLEN] = "default", via[INET6_ADDRSTRLEN] = "";
	size_t n;

	if (d->dst_len) {
		inet_ntop(d->family, d->dst, dst, sizeof(dst));
		n = strlen(dst);
		snprintf(dst + n, sizeof(dst) - n, "/%u", d->dst_len);
	}
	if (d->has_via)
		inet_ntop(d->family, d->via, via, sizeof(via));
	snprintf(buf, len, "%s%s%s%s%s", dst, via[0] ? " via " : "", via, d->dev[0] ? " dev " : "",
		 d->dev);
}

static void check_routes(struct verify *v, const struct topo_node *tn, const struct inspect_node *n)
{
	char text[160];

	for (size_t i = 0; i < tn->n_routes; i++) {
		bool found = false;

		for (size_t j = 0; j < n->live->n_routes && !found; j++)
			found = same_route(&tn->routes[i], &n->live->routes[j], n);
		if (!found) {
			format_declared(&tn->routes[i], text, sizeof(text));
			diff(v, "%s: route %s missing", tn->name, text);
		}
	}
	for (size_t j = 0; j < n->live->n_routes; j++) {
		bool declared = n->live->routes[j].protocol == RTPROT_KERNEL;

		for (size_t i = 0; i < tn->n_routes && !declared; i++)
			declared = same_route(&tn->routes[i], &n->live->routes[j], n);
		if (!declared)
			diff(v, "%s: route %s extra", tn->name, n->live->routes[j].text);
	}
}

int inspect_verify(const struct topology *t, const struct inspect_lab *l, inspect_diff_cb out,
		   void *data)
{
	struct verify v = {.t = t, .l = l, .out = out, .data = data};

	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct inspect_node *n = inspect_node_find(l, t->nodes[i].name);

		if (n && n->foreign) {
			diff(&v, "%s: namespace %s is there but not this lab's (untagged?)",
			     t->nodes[i].name, n->ns);
			continue;
		}
		if (!n || !n->present) {
			diff(&v, "%s: namespace gone", t->nodes[i].name);
			continue;
		}
		check_ifaces(&v, i, n);
		check_routes(&v, &t->nodes[i], n);
	}
	for (size_t i = 0; i < l->n_nodes; i++) {
		const char *name = l->nodes[i].name;

		if (l->nodes[i].present && strcmp(name, INSPECT_LANS_NODE) &&
		    topo_node_find(t, name) < 0)
			diff(&v, "%s: namespace extra", name);
	}
	return v.err ? v.err : v.count;
}

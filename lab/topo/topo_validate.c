/* SPDX-License-Identifier: MIT */
/*
 * Semantic checks over a loaded topology: pure, no I/O.  Unlike the loader
 * it reports every error it finds (sorted by position), so one `check` run
 * shows all that is wrong with a file whose shape is right.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/topo/topo.h"
#include "lab/topo/topo_int.h"

struct vctx {
	const struct topology *t;
	struct topo_diag *d;
	size_t *base;           /* first global interface index of each node */
	size_t n_ifaces;
	size_t *by_name;        /* node indexes sorted by name */
	int r;
};

/* Record an error and go on; only -ENOMEM is worth remembering over -EINVAL. */
#define bad(v, m, ...)                                                        \
	do {                                                                  \
		if (topo_diag_add((v)->d, (v)->t->file, (m), __VA_ARGS__) == -ENOMEM) \
			(v)->r = -ENOMEM;                                     \
		else if ((v)->r == 0)                                         \
			(v)->r = -EINVAL;                                     \
	} while (0)

static const char *addr_text(char *buf, size_t len, int family, const uint8_t *a)
{
	if (!inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static const char *name_rule = "use [a-z0-9-], starting with a letter or digit";

static void check_names(struct vctx *v)
{
	const struct topology *t = v->t;

	if (!topo_name_valid(t->name, TOPO_LAB_NAME_MAX))
		bad(v, t->name_mark, "invalid lab name '%s': %s", t->name, name_rule);
	if (!t->n_nodes)
		bad(v, t->nodes_mark, "the topology has no nodes");
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!topo_name_valid(t->nodes[i].name, TOPO_NODE_NAME_MAX))
			bad(v, t->nodes[i].mark, "invalid node name '%s': %s", t->nodes[i].name,
			    name_rule);
	for (size_t i = 0; i < t->n_lans; i++)
		if (!topo_name_valid(t->lans[i].name, TOPO_LAN_NAME_MAX))
			bad(v, t->lans[i].mark, "invalid lan name '%s': %s", t->lans[i].name,
			    name_rule);
}

/* Why an address cannot sit on an interface, or NULL when it can. */
static const char *addr_unusable(const struct topo_addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[16];

	if (a->family == AF_INET) {
		if (a->addr[0] == 0)
			return "an unspecified (0.0.0.0/8)";
		if (a->addr[0] == 127)
			return "a loopback";
		if (a->addr[0] >= 224)
			return "a multicast or reserved";
		return NULL;
	}
	if (!memcmp(a->addr, zero, 16))
		return "the unspecified";
	if (!memcmp(a->addr, zero, 15) && a->addr[15] == 1)
		return "the loopback";
	if (a->addr[0] == 0xff)
		return "a multicast";
	if (!memcmp(a->addr, mapped, 12))
		return "an IPv4-mapped";
	return NULL;
}

/* Why an address cannot be added to a node's loopback, or NULL.  Other
 * 127/8 addresses may go there, as the kernel's selftests put them. */
static const char *lo_addr_unusable(const struct topo_addr *a)
{
	static const uint8_t v4_loop[4] = {127, 0, 0, 1}, v6_loop[16] = {[15] = 1};

	if ((a->family == AF_INET && !memcmp(a->addr, v4_loop, 4)) ||
	    (a->family == AF_INET6 && !memcmp(a->addr, v6_loop, 16)))
		return "already on every node's loopback";
	if (a->family == AF_INET && a->addr[0] == 127)
		return NULL;
	return addr_unusable(a) ? "not a unicast address" : NULL;
}

static void check_loopback(struct vctx *v, const struct topo_node *n)
{
	char buf[INET6_ADDRSTRLEN];

	for (size_t j = 0; j < n->loopback.n_addrs; j++) {
		const struct topo_addr *a = &n->loopback.addrs[j];
		const char *why = lo_addr_unusable(a);

		if (why)
			bad(v, a->mark, "address %s on lo: %s",
			    addr_text(buf, sizeof(buf), a->family, a->addr), why);
	}
}

static void check_ifaces(struct vctx *v, const struct topo_node *n)
{
	char buf[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct topo_iface *f = &n->ifaces[i];

		if (!topo_ifname_valid(f->name))
			bad(v, f->mark,
			    "invalid interface name '%s': 1-15 bytes, no '/', ':', '%%' or whitespace, "
			    "not '.' or '..'",
			    f->name);
		for (size_t j = 0; j < f->n_addrs; j++) {
			const char *why = addr_unusable(&f->addrs[j]);

			if (why)
				bad(v, f->addrs[j].mark,
				    "address %s is %s address; interfaces need unicast addresses",
				    addr_text(buf, sizeof(buf), f->addrs[j].family, f->addrs[j].addr),
				    why);
		}
	}
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* net: addr (16 bytes, IPv4 in the first 4, the rest zero) with every bit
 * past len cleared, as the kernel keys a route or a subnet. */
static void net_of(uint8_t net[16], const uint8_t *addr, unsigned len)
{
	memcpy(net, addr, 16);
	for (unsigned b = len; b < 128; b++)
		net[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
}

static void check_routes(struct vctx *v, const struct topo_node *n)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n->n_routes; i++) {
		const struct topo_route *rt = &n->routes[i];
		uint8_t net[16];

		if (!rt->has_via && !rt->dev[0])
			bad(v, rt->mark, "a route needs 'via' or 'dev'");
		if (rt->has_via && rt->via_family != rt->family)
			bad(v, rt->via_mark, "gateway %s is %s but the destination is %s",
			    addr_text(b1, sizeof(b1), rt->via_family, rt->via),
			    family_name(rt->via_family), family_name(rt->family));
		if (rt->dev[0] && topo_iface_find(n, rt->dev) < 0)
			bad(v, rt->dev_mark, "route device '%s' is not an interface of node '%s'",
			    rt->dev, n->name);
		/* The kernel refuses a destination with host bits: say which network was meant. */
		net_of(net, rt->dst, rt->dst_len);
		if (memcmp(net, rt->dst, 16))
			bad(v, rt->dst_mark, "route destination %s/%u has host bits set (the network is %s/%u)",
			    addr_text(b1, sizeof(b1), rt->family, rt->dst), rt->dst_len,
			    addr_text(b2, sizeof(b2), rt->family, net), rt->dst_len);
	}
}

/* Whether IPv4 address a's subnet is net/len (what the kernel's own route
 * for it covers; a /32 has none). */
static bool addr_subnet_is(const struct topo_addr *a, const uint8_t *net, unsigned len)
{
	uint8_t mine[16];

	if (a->family != AF_INET || a->prefixlen != len || len >= 32)
		return false;
	net_of(mine, a->addr, len);
	return !memcmp(mine, net, 16);
}

/*
 * For each IPv4 address the kernel adds a route to its subnet in the main
 * table with metric 0, which is every route of ours too: a route to that
 * subnet is refused (EEXIST).  IPv6 prefix routes have metric 256, ours
 * 1024, so they coexist.
 */
static const struct topo_addr *connected_to(const struct topo_node *n,
					    const struct topo_route *rt, const char **ret_iface)
{
	for (size_t j = 0; rt->family == AF_INET && j <= n->n_ifaces; j++) {
		const struct topo_iface *f = j < n->n_ifaces ? &n->ifaces[j] : &n->loopback;

		*ret_iface = f->name;
		for (size_t k = 0; k < f->n_addrs; k++)
			if (addr_subnet_is(&f->addrs[k], rt->dst, rt->dst_len))
				return &f->addrs[k];
	}
	return NULL;
}

static void check_routes_connected(struct vctx *v, const struct topo_node *n)
{
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	const char *iface;

	for (size_t i = 0; i < n->n_routes; i++) {
		const struct topo_route *rt = &n->routes[i];
		const struct topo_addr *a = connected_to(n, rt, &iface);

		if (a)
			bad(v, rt->dst_mark,
			    "route to %s/%u on node '%s' repeats the one the kernel adds for "
			    "%s/%u on %s (line %u): leave it out",
			    addr_text(b1, sizeof(b1), rt->family, rt->dst), rt->dst_len, n->name,
			    addr_text(b2, sizeof(b2), AF_INET, a->addr), a->prefixlen, iface,
			    a->mark.line);
	}
}

/* A route's destination as the kernel keys it: host bits cleared ("default"
 * and 0.0.0.0/0 are one), then file order. */
struct route_key {
	int family;
	unsigned len;
	uint8_t net[16];
	size_t i;
};

static int route_dst_cmp(const struct route_key *x, const struct route_key *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->net, y->net, sizeof(x->net));
}

static int route_key_cmp(const void *a, const void *b)
{
	const struct route_key *x = a, *y = b;
	int r = route_dst_cmp(x, y);

	return r ? r : (x->i < y->i ? -1 : x->i > y->i);
}

/*
 * The model has no table or metric: every route goes to the main table with
 * the same metric, where the kernel refuses a second one to a destination
 * (EEXIST, whatever its gateway) and up would fail on it.
 */
static int check_route_dups(struct vctx *v, const struct topo_node *n)
{
	struct route_key *k = calloc(n->n_routes + 1, sizeof(*k));
	char buf[INET6_ADDRSTRLEN];

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n->n_routes; i++) {
		k[i] = (struct route_key){
		    .family = n->routes[i].family, .len = n->routes[i].dst_len, .i = i};
		net_of(k[i].net, n->routes[i].dst, k[i].len);
	}
	qsort(k, n->n_routes, sizeof(*k), route_key_cmp);
	for (size_t i = 1, g = 0; i < n->n_routes; i++) {
		if (route_dst_cmp(&k[i], &k[g])) {
			g = i;
			continue;
		}
		bad(v, n->routes[k[i].i].dst_mark,
		    "duplicate route to %s/%u on node '%s' (first at line %u): a node has one "
		    "route per destination",
		    addr_text(buf, sizeof(buf), k[i].family, k[i].net), k[i].len, n->name,
		    n->routes[k[g].i].dst_mark.line);
	}
	free(k);
	return 0;
}

/* Keys become /proc/sys paths: keep them to plain dotted words under net. */
static void check_sysctls(struct vctx *v, const struct topo_node *n)
{
	for (size_t i = 0; i < n->n_sysctls; i++) {
		const struct topo_sysctl *s = &n->sysctls[i];
		size_t kl = strlen(s->key);

		if (strncmp(s->key, "net.", 4))
			bad(v, s->mark, "sysctl '%s' is not under 'net.': only net.* sysctls belong to "
					"a namespace",
			    s->key);
		else if (kl == 4 || strstr(s->key, "..") || s->key[kl - 1] == '.' ||
			 strspn(s->key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789_-.") != kl)
			bad(v, s->mark,
			    "invalid sysctl name '%s': use dot-separated words of [A-Za-z0-9_-]",
			    s->key);
		for (const char *p = s->value; *p; p++) {
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				bad(v, s->value_mark, "sysctl value for '%s' must be one line of text",
				    s->key);
				break;
			}
		}
	}
}

struct use {
	size_t iface;           /* global index */
	struct topo_mark mark;
};

static int use_cmp(const void *a, const void *b)
{
	const struct use *x = a, *y = b;

	if (x->iface != y->iface)
		return x->iface < y->iface ? -1 : 1;
	if (x->mark.line != y->mark.line)
		return x->mark.line < y->mark.line ? -1 : 1;
	return x->mark.col < y->mark.col ? -1 : x->mark.col > y->mark.col;
}

static void check_segments_shape(struct vctx *v)
{
	const struct topology *t = v->t;

	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.node == l->b.node && l->a.iface == l->b.iface)
			bad(v, l->b.mark, "link connects %s:%s to itself", t->nodes[l->a.node].name,
			    t->nodes[l->a.node].ifaces[l->a.iface].name);
		else if (l->a.node == l->b.node)
			/* One namespace at both ends: possible, never meant (and not planned). */
			bad(v, l->b.mark, "link connects node %s to itself (%s and %s): a link joins two nodes",
			    t->nodes[l->a.node].name, t->nodes[l->a.node].ifaces[l->a.iface].name,
			    t->nodes[l->b.node].ifaces[l->b.iface].name);
	}
	for (size_t i = 0; i < t->n_lans; i++)
		if (t->lans[i].n_members < 2)
			bad(v, t->lans[i].mark, "lan '%s' needs at least 2 members, has %zu",
			    t->lans[i].name, t->lans[i].n_members);
}

/* Each interface is one end of exactly one link or lan membership. */
static int check_usage(struct vctx *v)
{
	const struct topology *t = v->t;
	size_t n = 0, cap = 2 * t->n_links;
	struct use *u;
	bool *used;

	for (size_t i = 0; i < t->n_lans; i++)
		cap += t->lans[i].n_members;
	u = calloc(cap + 1, sizeof(*u));
	used = calloc(v->n_ifaces + 1, sizeof(*used));
	if (!u || !used) {
		free(u);
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		u[n++] = (struct use){ v->base[l->a.node] + l->a.iface, l->a.mark };
		if (l->a.node != l->b.node || l->a.iface != l->b.iface)
			u[n++] = (struct use){ v->base[l->b.node] + l->b.iface, l->b.mark };
	}
	for (size_t i = 0; i < t->n_lans; i++)
		for (size_t j = 0; j < t->lans[i].n_members; j++) {
			const struct topo_endpoint *e = &t->lans[i].members[j];

			u[n++] = (struct use){ v->base[e->node] + e->iface, e->mark };
		}
	qsort(u, n, sizeof(*u), use_cmp);
	for (size_t i = 0; i < n; i++) {
		used[u[i].iface] = true;
		if (i && u[i].iface == u[i - 1].iface) {
			size_t first = i - 1;

			while (first && u[first - 1].iface == u[i].iface)
				first--;
			/* Find the node of this global index for the message. */
			for (size_t k = 0; k < t->n_nodes; k++) {
				const struct topo_node *nd = &t->nodes[k];

				if (u[i].iface >= v->base[k] && u[i].iface < v->base[k] + nd->n_ifaces) {
					bad(v, u[i].mark,
					    "interface %s:%s is already connected (line %u)", nd->name,
					    nd->ifaces[u[i].iface - v->base[k]].name, u[first].mark.line);
					break;
				}
			}
		}
	}
	for (size_t k = 0; k < t->n_nodes; k++)
		for (size_t j = 0; j < t->nodes[k].n_ifaces; j++)
			if (!used[v->base[k] + j])
				bad(v, t->nodes[k].ifaces[j].mark,
				    "interface %s:%s is not connected to any link or lan",
				    t->nodes[k].name, t->nodes[k].ifaces[j].name);
	free(u);
	free(used);
	return 0;
}

struct seg_addr {
	size_t seg;
	const struct topo_addr *a;
	size_t node, iface;
};

static int seg_addr_cmp(const void *x, const void *y)
{
	const struct seg_addr *p = x, *q = y;
	int r;

	if (p->seg != q->seg)
		return p->seg < q->seg ? -1 : 1;
	if (p->a->family != q->a->family)
		return p->a->family < q->a->family ? -1 : 1;
	r = memcmp(p->a->addr, q->a->addr, 16);
	if (r)
		return r;
	if (p->a->mark.line != q->a->mark.line)
		return p->a->mark.line < q->a->mark.line ? -1 : 1;
	return p->a->mark.col < q->a->mark.col ? -1 : p->a->mark.col > q->a->mark.col;
}

struct seg_list {
	struct seg_addr *e;
	size_t n, cap;
	size_t *stamp;          /* per global interface: segment + 1 it was added to */
};

static int seg_add(struct vctx *v, struct seg_list *s, size_t seg, size_t node, size_t iface)
{
	const struct topo_iface *f = &v->t->nodes[node].ifaces[iface];
	size_t g = v->base[node] + iface;

	if (s->stamp[g] == seg + 1)
		return 0; /* listed twice in one segment: reported by check_usage */
	s->stamp[g] = seg + 1;
	if (s->n + f->n_addrs > s->cap) {
		size_t cap = (s->n + f->n_addrs) * 2;
		struct seg_addr *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	for (size_t i = 0; i < f->n_addrs; i++)
		s->e[s->n++] = (struct seg_addr){ seg, &f->addrs[i], node, iface };
	return 0;
}

/*
 * One address twice on a link or lan (or twice on one unconnected
 * interface) would make the lab's answers depend on which host wins.
 */
static int check_segment_addrs(struct vctx *v)
{
	const struct topology *t = v->t;
	struct seg_list s = { 0 };
	size_t seg = 0;
	char buf[INET6_ADDRSTRLEN];
	int r = -ENOMEM;

	s.stamp = calloc(v->n_ifaces + 1, sizeof(*s.stamp));
	if (!s.stamp)
		goto out;
	for (size_t i = 0; i < t->n_links; i++, seg++)
		if (seg_add(v, &s, seg, t->links[i].a.node, t->links[i].a.iface) < 0 ||
		    seg_add(v, &s, seg, t->links[i].b.node, t->links[i].b.iface) < 0)
			goto out;
	for (size_t i = 0; i < t->n_lans; i++, seg++)
		for (size_t j = 0; j < t->lans[i].n_members; j++)
			if (seg_add(v, &s, seg, t->lans[i].members[j].node,
				    t->lans[i].members[j].iface) < 0)
				goto out;
	for (size_t k = 0; k < t->n_nodes; k++)
		for (size_t j = 0; j < t->nodes[k].n_ifaces; j++)
			if (!s.stamp[v->base[k] + j] && seg_add(v, &s, seg++, k, j) < 0)
				goto out;
	if (s.n)
		qsort(s.e, s.n, sizeof(*s.e), seg_addr_cmp);
	for (size_t i = 1, g = 0; i < s.n; i++) {
		const struct seg_addr *a = &s.e[i], *f = &s.e[g];

		if (a->seg != f->seg || a->a->family != f->a->family ||
		    memcmp(a->a->addr, f->a->addr, 16)) {
			g = i;
			continue;
		}
		bad(v, a->a->mark, "address %s is already on %s:%s (line %u) in the same segment",
		    addr_text(buf, sizeof(buf), a->a->family, a->a->addr), t->nodes[f->node].name,
		    t->nodes[f->node].ifaces[f->iface].name, f->a->mark.line);
	}
	r = 0;
out:
	free(s.e);
	free(s.stamp);
	return r;
}

static bool node_exists(const struct vctx *v, const char *name)
{
	return topo_by_name_find(v->t, v->by_name, name) >= 0;
}

static int case_cmp(const void *a, const void *b, void *arg)
{
	const struct topology *t = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(t->cases[x].id, t->cases[y].id);

	return r ? r : (x < y ? -1 : x > y);
}

static int check_cases(struct vctx *v)
{
	const struct topology *t = v->t;
	size_t *idx = calloc(t->n_cases + 1, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_cases; i++) {
		const struct topo_case *k = &t->cases[i];

		idx[i] = i;
		if (!topo_name_valid(k->id, TOPO_CASE_ID_MAX))
			bad(v, k->id_mark, "invalid case id '%s': %s", k->id, name_rule);
		if (!k->n_steps)
			bad(v, k->mark, "case '%s' has no steps", k->id);
		for (size_t j = 0; j < k->n_steps; j++)
			if (!node_exists(v, k->steps[j].node))
				bad(v, k->steps[j].node_mark, "step runs on unknown node '%.64s'",
				    k->steps[j].node);
	}
	qsort_r(idx, t->n_cases, sizeof(*idx), case_cmp, (void *)t);
	for (size_t i = 1, g = 0; i < t->n_cases; i++) {
		if (strcmp(t->cases[idx[i]].id, t->cases[idx[g]].id)) {
			g = i;
			continue;
		}
		bad(v, t->cases[idx[i]].id_mark, "duplicate case id '%s' (first at line %u)",
		    t->cases[idx[i]].id, t->cases[idx[g]].id_mark.line);
	}
	free(idx);
	return 0;
}

int topo_validate(const struct topology *t, struct topo_diag *d)
{
	struct vctx v = { .t = t, .d = d };
	size_t start = d->n;
	struct topo_diag added;
	int r;

	v.base = calloc(t->n_nodes + 1, sizeof(*v.base));
	v.by_name = calloc(t->n_nodes + 1, sizeof(*v.by_name));
	if (!v.base || !v.by_name) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		v.base[i] = v.n_ifaces;
		v.n_ifaces += t->nodes[i].n_ifaces;
	}
	topo_by_name_sort(t, v.by_name);
	check_names(&v);
	for (size_t i = 0; i < t->n_nodes; i++) {
		check_ifaces(&v, &t->nodes[i]);
		check_loopback(&v, &t->nodes[i]);
		check_routes(&v, &t->nodes[i]);
		check_sysctls(&v, &t->nodes[i]);
		check_routes_connected(&v, &t->nodes[i]);
	}
	check_segments_shape(&v);
	r = 0;
	for (size_t i = 0; i < t->n_nodes && r >= 0; i++)
		r = check_route_dups(&v, &t->nodes[i]);
	if (r >= 0)
		r = check_usage(&v);
	if (r >= 0)
		r = check_segment_addrs(&v);
	if (r >= 0)
		r = check_cases(&v);
	if (r >= 0)
		r = v.r;
	if (d->n > start) {
		added = (struct topo_diag){ d->lines + start, d->n - start };
		topo_diag_sort(&added, t->file);
	}
out:
	free(v.base);
	free(v.by_name);
	return r;
}

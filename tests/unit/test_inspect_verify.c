// SPDX-License-Identifier: MIT
/*
 * inspect_verify is pure: a topology (loaded from text) against a live state
 * built here by hand, mirroring the topology and then changed one way per
 * test, as a person with `ip` would change a lab.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include "lab/inspect/inspect.h"

static const char topo_text[] = "name: t\n"
				"nodes:\n"
				"  server:\n"
				"    interfaces:\n"
				"      eth0: [10.0.1.1/24, 10.0.1.2/24, fd00:1::1/64]\n"
				"      eth1: [10.0.2.1/24]\n"
				"    routes:\n"
				"      - {dst: 10.0.3.0/24, via: 10.0.2.9}\n"
				"      - {dst: default, via: 10.0.1.3, dev: eth0}\n"
				"  client:\n"
				"    interfaces:\n"
				"      eth0: [10.0.1.3/24]\n"
				"  far:\n"
				"    interfaces:\n"
				"      eth0: [10.0.2.9/24]\n"
				"  m1:\n"
				"    interfaces:\n"
				"      eth0: [10.0.5.1/24]\n"
				"  m2:\n"
				"    interfaces:\n"
				"      eth0: [10.0.5.2/24]\n"
				"links:\n"
				"  - endpoints: [server:eth0, client:eth0]\n"
				"  - endpoints: [server:eth1, far:eth0]\n"
				"lans:\n"
				"  seg:\n"
				"    members: [m1:eth0, m2:eth0]\n";

struct fixture {
	struct topology *t;
	struct inspect_lab *l;
	char lines[4096];
};

static void *grow(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);

	assert_non_null(p);
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static size_t node_add(struct inspect_lab *l, const char *name)
{
	struct inspect_node *n;

	l->nodes = grow(l->nodes, &l->n_nodes, sizeof(*l->nodes));
	n = &l->nodes[l->n_nodes - 1];
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->present = true;
	n->live = calloc(1, sizeof(*n->live));
	assert_non_null(n->live);
	return l->n_nodes - 1;
}

static size_t link_add(struct inspect_lab *l, size_t node, const char *name, const char *kind)
{
	struct inspect_node *n = &l->nodes[node];
	size_t n_peers = n->live->n_links;
	struct live_link *k;

	n->live->links = grow(n->live->links, &n->live->n_links, sizeof(*n->live->links));
	n->peers = grow(n->peers, &n_peers, sizeof(*n->peers));
	n->peers[n_peers - 1].node = INSPECT_NO_PEER;
	k = &n->live->links[n->live->n_links - 1];
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->kind, sizeof(k->kind), "%s", kind);
	k->ifindex = (int)n->live->n_links;
	k->up = k->lower_up = true;
	return n->live->n_links - 1;
}

static void fake_addr_add(struct live_link *k, int family, const uint8_t *bytes, unsigned plen,
			  unsigned scope)
{
	struct live_addr *a;
	char text[INET6_ADDRSTRLEN];

	k->addrs = grow(k->addrs, &k->n_addrs, sizeof(*k->addrs));
	a = &k->addrs[k->n_addrs - 1];
	a->family = family;
	memcpy(a->addr, bytes, family == AF_INET ? 4 : 16);
	a->prefixlen = plen;
	a->scope = scope;
	inet_ntop(family, bytes, text, sizeof(text));
	snprintf(a->text, sizeof(a->text), "%s/%u", text, plen);
}

static void addr_text(struct live_link *k, const char *text, unsigned scope)
{
	uint8_t b[16] = {0};
	char ip[64];
	unsigned plen;
	int family;

	assert_int_equal(sscanf(text, "%63[^/]/%u", ip, &plen), 2);
	family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(family, ip, b), 1);
	fake_addr_add(k, family, b, plen, scope);
}

static struct live_route *fake_route_add(struct inspect_node *n, int family, const uint8_t *dst,
					 unsigned dst_len, const uint8_t *gw, int oif,
					 unsigned proto)
{
	struct live_route *r;

	n->live->routes = grow(n->live->routes, &n->live->n_routes, sizeof(*n->live->routes));
	r = &n->live->routes[n->live->n_routes - 1];
	r->family = family;
	memcpy(r->dst, dst, 16);
	r->dst_len = dst_len;
	r->has_gw = gw != NULL;
	if (gw)
		memcpy(r->gw, gw, 16);
	r->oif = oif;
	r->protocol = proto;
	snprintf(r->text, sizeof(r->text), "route-%zu", n->live->n_routes);
	return r;
}

static void pair(struct inspect_lab *l, size_t a, size_t ja, size_t b, size_t jb)
{
	l->nodes[a].peers[ja] = (struct inspect_peer){b, jb};
	l->nodes[b].peers[jb] = (struct inspect_peer){a, ja};
}

/* Every node with lo (kernel addresses), its interfaces, their addresses, a link-local. */
static void mirror_nodes(const struct topology *t, struct inspect_lab *l)
{
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 7};

	for (size_t i = 0; i < t->n_nodes; i++) {
		size_t n = node_add(l, t->nodes[i].name), j_lo = link_add(l, n, "lo", "loopback");
		struct live_link *lo = &l->nodes[n].live->links[j_lo];

		addr_text(lo, "127.0.0.1/8", RT_SCOPE_HOST);
		addr_text(lo, "::1/128", RT_SCOPE_HOST);
		for (size_t f = 0; f < t->nodes[i].n_ifaces; f++) {
			const struct topo_iface *tf = &t->nodes[i].ifaces[f];
			size_t j = link_add(l, n, tf->name, "veth");
			struct live_link *k = &l->nodes[n].live->links[j];

			for (size_t a = 0; a < tf->n_addrs; a++)
				fake_addr_add(k, tf->addrs[a].family, tf->addrs[a].addr,
					      tf->addrs[a].prefixlen, RT_SCOPE_UNIVERSE);
			fake_addr_add(k, AF_INET6, ll, 64, RT_SCOPE_LINK);
			fake_route_add(&l->nodes[n], AF_INET, tf->addrs[0].addr, 24, NULL,
				       k->ifindex, RTPROT_KERNEL);
		}
		for (size_t r = 0; r < t->nodes[i].n_routes; r++) {
			const struct topo_route *d = &t->nodes[i].routes[r];
			int dev = d->dev[0] ? topo_iface_find(&t->nodes[i], d->dev) + 2 : 2;

			fake_route_add(&l->nodes[n], d->family, d->dst, d->dst_len,
				       d->has_via ? d->via : NULL, dev, RTPROT_STATIC);
		}
	}
}

/* The lab as built: veth peers, and the lans namespace with br0 and its ports. */
static struct inspect_lab *mirror(const struct topology *t)
{
	struct inspect_lab *l = calloc(1, sizeof(*l));
	size_t lans;

	assert_non_null(l);
	snprintf(l->lab, sizeof(l->lab), "t");
	mirror_nodes(t, l);
	/* interface f of node n is links[f + 1] (lo first), as mirror_nodes adds them */
	for (size_t i = 0; i < t->n_links; i++)
		pair(l, t->links[i].a.node, t->links[i].a.iface + 1, t->links[i].b.node,
		     t->links[i].b.iface + 1);
	lans = node_add(l, INSPECT_LANS_NODE);
	link_add(l, lans, "lo", "loopback");
	for (size_t i = 0; i < t->n_lans; i++) {
		char name[32];
		size_t br;

		snprintf(name, sizeof(name), "br%zu", i);
		br = link_add(l, lans, name, "bridge");
		for (size_t m = 0; m < t->lans[i].n_members; m++) {
			const struct topo_endpoint *e = &t->lans[i].members[m];
			size_t p;

			snprintf(name, sizeof(name), "p%zu", m);
			p = link_add(l, lans, name, "veth");
			l->nodes[lans].live->links[p].master =
			    l->nodes[lans].live->links[br].ifindex;
			pair(l, e->node, e->iface + 1, lans, p);
		}
	}
	return l;
}

static int collect(const char *line, void *data)
{
	struct fixture *f = data;
	size_t used = strlen(f->lines);

	snprintf(f->lines + used, sizeof(f->lines) - used, "%s\n", line);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct topo_diag d = {0};

	assert_non_null(f);
	assert_int_equal(topo_load_buffer("t.yml", topo_text, strlen(topo_text), &f->t, &d), 0);
	topo_diag_free(&d);
	f->l = mirror(f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	inspect_free(f->l);
	topo_free(f->t);
	free(f);
	return 0;
}

/* Run the comparison; the lines it printed, and their count checked. */
static const char *verify(struct fixture *f, int want_count)
{
	f->lines[0] = '\0';
	assert_int_equal(inspect_verify(f->t, f->l, collect, f), want_count);
	return f->lines;
}

static struct inspect_node *node(struct fixture *f, const char *name)
{
	return (struct inspect_node *)inspect_node_find(f->l, name);
}

static void test_equal(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(verify(f, 0), "");
	assert_false(inspect_degraded(f->l));
}

static void test_address_missing_and_extra(void **state)
{
	struct fixture *f = *state;
	struct live_link *k = &node(f, "server")->live->links[1];

	k->addrs[1] = k->addrs[--k->n_addrs]; /* 10.0.1.2/24 gone, link-local moved up */
	addr_text(k, "10.9.9.9/32", RT_SCOPE_UNIVERSE);
	addr_text(&node(f, "client")->live->links[0], "10.8.8.8/32", RT_SCOPE_UNIVERSE);
	assert_string_equal(verify(f, 3), "server:eth0: address 10.0.1.2/24 missing\n"
					  "server:eth0: address 10.9.9.9/32 extra\n"
					  "client:lo: address 10.8.8.8/32 extra\n");
}

static void test_link_down(void **state)
{
	struct fixture *f = *state;

	node(f, "far")->live->links[1].up = false;
	assert_string_equal(verify(f, 1), "far:eth0: down\n");
}

static void test_routes(void **state)
{
	struct fixture *f = *state;
	struct inspect_node *s = node(f, "server");
	static const uint8_t net[16] = {10, 7}, gw[16] = {10, 0, 1, 3};

	s->live->n_routes--;
	s->live->routes[s->live->n_routes - 1] = s->live->routes[s->live->n_routes];
	snprintf(fake_route_add(s, AF_INET, net, 16, gw, 2, RTPROT_BOOT)->text, 128,
		 "10.7.0.0/16 via 10.0.1.3 dev eth0");
	fake_route_add(s, AF_INET, net, 24, NULL, 2,
		       RTPROT_KERNEL); /* kernel's: never a difference */
	assert_string_equal(verify(f, 2),
			    "server: route 10.0.3.0/24 via 10.0.2.9 missing\n"
			    "server: route 10.7.0.0/16 via 10.0.1.3 dev eth0 extra\n");
}

static void test_route_on_other_dev(void **state)
{
	struct fixture *f = *state;
	struct inspect_node *s = node(f, "server");

	s->live->routes[s->live->n_routes - 1].oif = 3; /* default via ... dev eth1, not eth0 */
	assert_string_equal(verify(f, 2), "server: route default via 10.0.1.3 dev eth0 missing\n"
					  "server: route route-4 extra\n");
}

static void test_namespace_gone_and_extra(void **state)
{
	struct fixture *f = *state;
	struct inspect_node *c = node(f, "client");

	live_ns_free(c->live);
	c->live = NULL;
	c->present = false;
	node(f, "server")->peers[1].node = INSPECT_NO_PEER;
	node_add(f->l, "stray");
	assert_string_equal(verify(f, 3), "server:eth0: peer client:eth0 gone\n"
					  "client: namespace gone\n"
					  "stray: namespace extra\n");
	assert_true(inspect_degraded(f->l));
}

static void test_interface_missing_and_extra(void **state)
{
	struct fixture *f = *state;
	struct inspect_node *s = node(f, "server");

	snprintf(s->live->links[2].name, IFNAMSIZ, "eth9");
	assert_string_equal(verify(f, 3), "server:eth1: interface missing\n"
					  "server:eth9: interface extra\n"
					  "far:eth0: peer is server:eth9, declared server:eth1\n");
}

static void test_peer_swapped(void **state)
{
	struct fixture *f = *state;

	/* server:eth0 paired with far:eth0, server:eth1 with client:eth0 */
	pair(f->l, 0, 1, 2, 1);
	pair(f->l, 0, 2, 1, 1);
	assert_string_equal(verify(f, 4), "server:eth0: peer is far:eth0, declared client:eth0\n"
					  "server:eth1: peer is client:eth0, declared far:eth0\n"
					  "client:eth0: peer is server:eth1, declared server:eth0\n"
					  "far:eth0: peer is server:eth0, declared server:eth1\n");
}

static void test_lan(void **state)
{
	struct fixture *f = *state;
	struct inspect_node *lans = node(f, INSPECT_LANS_NODE), *m1 = node(f, "m1");

	lans->live->links[3].master = 0; /* p1 (m2's port) taken off the bridge */
	m1->peers[1].node = INSPECT_NO_PEER;
	assert_string_equal(verify(f, 2), "m1:eth0: port on lan seg gone\n"
					  "m2:eth0: not on lan seg\n");
}

static int refuse(const char *line, void *data)
{
	return -EPIPE;
}

static void test_output_error(void **state)
{
	struct fixture *f = *state;

	f->l->nodes[0].live->links[1].up = false;
	assert_int_equal(inspect_verify(f->t, f->l, refuse, NULL), -EPIPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_equal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_address_missing_and_extra, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_down, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_route_on_other_dev, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_namespace_gone_and_extra, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interface_missing_and_extra, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_peer_swapped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lan, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_output_error, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

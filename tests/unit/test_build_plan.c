// SPDX-License-Identifier: MIT
/* The build plan is pure: checked here without root or a kernel. */
#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "lab/build/build.h"
#include "lab/build/build_int.h"

/* A small topology builder: arrays grown one element at a time, zeroed. */
static void *grow(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);

	assert_non_null(p);
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static size_t add_node(struct topology *t, const char *name)
{
	t->nodes = grow(t->nodes, &t->n_nodes, sizeof(*t->nodes));
	snprintf(t->nodes[t->n_nodes - 1].name, sizeof(t->nodes->name), "%s", name);
	return t->n_nodes - 1;
}

static size_t add_iface(struct topology *t, size_t node, const char *name)
{
	struct topo_node *n = &t->nodes[node];

	n->ifaces = grow(n->ifaces, &n->n_ifaces, sizeof(*n->ifaces));
	snprintf(n->ifaces[n->n_ifaces - 1].name, IFNAMSIZ, "%s", name);
	return n->n_ifaces - 1;
}

static void add_addr(struct topology *t, size_t node, size_t iface, const char *text)
{
	struct topo_iface *i = &t->nodes[node].ifaces[iface];
	struct topo_addr *a;
	char buf[64], *slash;

	i->addrs = grow(i->addrs, &i->n_addrs, sizeof(*i->addrs));
	a = &i->addrs[i->n_addrs - 1];
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	*slash = '\0';
	a->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	a->prefixlen = (unsigned)atoi(slash + 1);
	assert_int_equal(inet_pton(a->family, buf, a->addr), 1);
}

static void add_link(struct topology *t, size_t na, size_t ia, size_t nb, size_t ib)
{
	struct topo_link *l;

	t->links = grow(t->links, &t->n_links, sizeof(*t->links));
	l = &t->links[t->n_links - 1];
	l->a = (struct topo_endpoint){.node = na, .iface = ia};
	l->b = (struct topo_endpoint){.node = nb, .iface = ib};
}

static void add_route(struct topology *t, size_t node, const char *via, const char *dev)
{
	struct topo_node *n = &t->nodes[node];
	struct topo_route *r;

	n->routes = grow(n->routes, &n->n_routes, sizeof(*n->routes));
	r = &n->routes[n->n_routes - 1];
	r->family = AF_INET;
	r->via_family = AF_INET;
	r->has_via = true;
	assert_int_equal(inet_pton(AF_INET, via, r->via), 1);
	snprintf(r->dev, sizeof(r->dev), "%s", dev);
}

static void add_sysctl(struct topology *t, size_t node, const char *key, const char *value)
{
	struct topo_node *n = &t->nodes[node];

	n->sysctls = grow(n->sysctls, &n->n_sysctls, sizeof(*n->sysctls));
	snprintf(n->sysctls[n->n_sysctls - 1].key, 128, "%s", key);
	snprintf(n->sysctls[n->n_sysctls - 1].value, 128, "%s", value);
}

static void free_topo(struct topology *t)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++)
			free(t->nodes[i].ifaces[j].addrs);
		free(t->nodes[i].ifaces);
		free(t->nodes[i].routes);
		free(t->nodes[i].sysctls);
	}
	for (size_t i = 0; i < t->n_lans; i++)
		free(t->lans[i].members);
	free(t->nodes);
	free(t->links);
	free(t->lans);
	free(t);
}

/* examples/two-nics: server with two NICs, a client on each. */
static struct topology *two_nics(void)
{
	struct topology *t = calloc(1, sizeof(*t));
	size_t s, b, c, s0, s1, b0, c0;

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "two-nics");
	s = add_node(t, "server");
	b = add_node(t, "client-b");
	c = add_node(t, "client-c");
	s0 = add_iface(t, s, "eth0");
	s1 = add_iface(t, s, "eth1");
	b0 = add_iface(t, b, "eth0");
	c0 = add_iface(t, c, "eth0");
	add_addr(t, s, s0, "10.0.1.1/24");
	add_addr(t, s, s0, "10.0.1.2/24");
	add_addr(t, s, s0, "fd00:1::1/64");
	add_addr(t, s, s1, "10.0.2.1/24");
	add_addr(t, b, b0, "10.0.1.3/24");
	add_addr(t, b, b0, "fd00:1::3/64");
	add_addr(t, c, c0, "10.0.2.3/24");
	add_link(t, s, s0, b, b0);
	add_link(t, s, s1, c, c0);
	add_sysctl(t, s, "net.ipv4.ip_forward", "1");
	add_route(t, c, "10.0.2.1", "eth0");
	return t;
}

static struct topology *lan3(void)
{
	struct topology *t = calloc(1, sizeof(*t));
	struct topo_lan *l;

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "office");
	t->lans = grow(t->lans, &t->n_lans, sizeof(*t->lans));
	snprintf(t->lans[0].name, sizeof(t->lans[0].name), "floor");
	for (int i = 0; i < 3; i++) {
		char name[8];
		size_t n, f;

		snprintf(name, sizeof(name), "h%d", i);
		n = add_node(t, name);
		f = add_iface(t, n, "eth0");
		add_addr(t, n, f, i == 0 ? "10.9.0.1/24" : i == 1 ? "10.9.0.2/24" : "10.9.0.3/24");
		l = &t->lans[0];
		l->members = grow(l->members, &l->n_members, sizeof(*l->members));
		l->members[l->n_members - 1] = (struct topo_endpoint){.node = n, .iface = f};
	}
	return t;
}

static void expect_ops(const struct build_plan *p, const enum plan_op *ops, size_t n)
{
	assert_int_equal(p->n_acts, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p->acts[i].op, ops[i]);
}

static void test_two_nics(void **state)
{
	static const enum plan_op ops[] = {
	    PLAN_NS_CREATE,  PLAN_NS_TAG,     PLAN_NS_PUBLISH, PLAN_NS_CREATE, PLAN_NS_TAG,
	    PLAN_NS_PUBLISH, PLAN_NS_CREATE,  PLAN_NS_TAG,     PLAN_NS_PUBLISH, PLAN_VETH_ADD,
	    PLAN_PEER_UP,    PLAN_VETH_ADD,   PLAN_PEER_UP,    PLAN_SYSCTL_SET, PLAN_ADDR_ADD,
	    PLAN_ADDR_ADD,   PLAN_ADDR_ADD,   PLAN_ADDR_ADD,   PLAN_ADDR_ADD,   PLAN_ADDR_ADD,
	    PLAN_ADDR_ADD,   PLAN_ROUTE_ADD,
	};
	struct topology *t = two_nics();
	struct build_plan *p = NULL;
	char err[256], buf[256];

	assert_int_equal(plan_make(t, "two-nics", &p, err, sizeof(err)), 0);
	expect_ops(p, ops, sizeof(ops) / sizeof(ops[0]));
	assert_int_equal(lab_build_count_ops(t), (int)p->n_acts);
	assert_int_equal(p->n_ns, 3);
	assert_int_equal(p->lans_ns, PLAN_NO_NODE);
	assert_string_equal(p->ns[0].name, "rl-two-nics.server");
	assert_string_equal(p->ns[1].name, "rl-two-nics.client-b");
	/* The veth is sent in server's namespace, its peer goes to client-b's. */
	assert_int_equal(p->acts[9].ns, 0);
	assert_int_equal(p->acts[9].peer_ns, 1);
	assert_int_equal(p->acts[10].ns, 1);
	plan_describe(p, t, 9, buf, sizeof(buf));
	assert_string_equal(buf, "link server:eth0 <-> client-b:eth0");
	plan_describe(p, t, 0, buf, sizeof(buf));
	assert_string_equal(buf, "namespace rl-two-nics.server");
	plan_describe(p, t, 1, buf, sizeof(buf));
	assert_string_equal(buf, "loopback of namespace rl-two-nics.server");
	/* The mount is its own action, reported (and faultable) as such. */
	plan_describe(p, t, 2, buf, sizeof(buf));
	assert_string_equal(buf,
			    "mount namespace rl-two-nics.server on /run/netns/rl-two-nics.server");
	plan_format(p, t, 2, buf, sizeof(buf));
	assert_string_equal(buf,
			    "mount namespace rl-two-nics.server on /run/netns/rl-two-nics.server");
	plan_format(p, t, 1, buf, sizeof(buf));
	assert_string_equal(buf, "tag and bring up loopback of namespace rl-two-nics.server");
	plan_describe(p, t, 15, buf, sizeof(buf));
	assert_string_equal(buf, "address 10.0.1.2/24 on server:eth0");
	plan_describe(p, t, 16, buf, sizeof(buf));
	assert_string_equal(buf, "address fd00:1::1/64 on server:eth0");
	plan_describe(p, t, 21, buf, sizeof(buf));
	assert_string_equal(buf, "route default via 10.0.2.1 dev eth0 on client-c");
	plan_format(p, t, 13, buf, sizeof(buf));
	assert_string_equal(buf, "set sysctl net.ipv4.ip_forward on server = 1");
	plan_free(p);
	free_topo(t);
}

static void test_lan(void **state)
{
	struct topology *t = lan3();
	struct build_plan *p = NULL;
	char err[256], buf[256];
	size_t ports = 0;

	assert_int_equal(plan_make(t, "office", &p, err, sizeof(err)), 0);
	assert_int_equal(p->n_ns, 4);
	assert_int_equal(p->lans_ns, 3);
	assert_string_equal(p->ns[3].name, "rl-office..lans");
	assert_int_equal(p->ns[3].node, PLAN_NO_NODE);
	/* IPv6 off in the lans namespace before any device arrives there. */
	assert_int_equal(p->acts[12].op, PLAN_LANS_NO_IPV6);
	assert_int_equal(p->acts[12].ns, 3);
	plan_format(p, t, 12, buf, sizeof(buf));
	assert_string_equal(buf, "set sysctl net.ipv6.conf.default.disable_ipv6 on namespace "
				 "rl-office..lans = 1 (bridge ports need no IPv6)");
	assert_int_equal(p->acts[13].op, PLAN_BRIDGE_ADD);
	assert_int_equal(p->acts[13].ns, 3);
	for (size_t i = 0; i < p->n_acts; i++) {
		const struct plan_action *a = &p->acts[i];

		if (a->op != PLAN_LAN_PORT_ADD)
			continue;
		/* Created from the node's side; the attach follows at once. */
		assert_int_equal(a->ns, a->node);
		assert_int_equal(a->peer_ns, 3);
		assert_int_equal(a->port, ports);
		assert_int_equal(p->acts[i + 1].op, PLAN_PORT_ATTACH);
		assert_int_equal(p->acts[i + 1].ns, 3);
		assert_int_equal(p->acts[i + 1].port, ports);
		ports++;
	}
	assert_int_equal(ports, 3);
	assert_int_equal(p->n_ports, 3);
	plan_format(p, t, 15, buf, sizeof(buf));
	assert_string_equal(buf, "enslave and bring up lan floor member h0:eth0 (bridge port p0)");
	/* The bridge forwards only once every address is in place, just before the routes. */
	assert_int_equal(p->n_acts, 24);
	assert_int_equal(p->acts[22].op, PLAN_ADDR_ADD);
	assert_int_equal(p->acts[23].op, PLAN_BRIDGE_UP);
	assert_int_equal(p->acts[23].ns, 3);
	plan_format(p, t, 13, buf, sizeof(buf));
	assert_string_equal(buf, "add bridge br0 of lan floor");
	plan_format(p, t, 23, buf, sizeof(buf));
	assert_string_equal(buf, "bring up bridge br0 of lan floor");
	plan_bridge_name(1, buf, sizeof(buf));
	assert_string_equal(buf, "br1");
	assert_int_equal(lab_build_count_ops(t), (int)p->n_acts);
	plan_free(p);
	free_topo(t);
}

/*
 * Validate once: what the planner used to re-check (and now asserts) is the
 * validator's, one line each; plan_make itself checks only the lab name.
 */
static void expect_invalid(struct topology *t, const char *line)
{
	struct topo_diag d = {0};
	size_t i;

	t->file = (char *)"unit.yml";
	assert_int_equal(topo_validate(t, &d), -EINVAL);
	for (i = 0; i < d.n && !strstr(d.lines[i], line); i++)
		;
	if (i == d.n)
		fail_msg("expected '%s', got %zu other lines ('%s')", line, d.n,
			 d.n ? d.lines[0] : "");
	topo_diag_free(&d);
	t->file = NULL;
}

static void test_lone_iface_refused(void **state)
{
	struct topology *t = two_nics();

	add_iface(t, 0, "eth9");
	expect_invalid(t, "interface server:eth9 is not connected to any link or lan");
	free_topo(t);
}

static void test_errors(void **state)
{
	struct topology *t = two_nics();
	struct build_plan *p = NULL;
	struct topo_diag d = {0};
	char err[256];

	t->file = (char *)"unit.yml";
	assert_int_equal(topo_validate(t, &d), 0);
	t->file = NULL;
	assert_int_equal(plan_make(t, "Bad/Name", &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid lab name 'Bad/Name'");
	assert_int_equal(plan_make(t, "", &p, err, sizeof(err)), -EINVAL);
	assert_null(p);

	add_link(t, 0, 0, 2, 0);
	expect_invalid(t, "interface server:eth0 is already connected");
	t->n_links--;

	add_sysctl(t, 1, "kernel.panic", "1");
	expect_invalid(t, "sysctl 'kernel.panic' is not under 'net.'");
	t->nodes[1].n_sysctls--;

	add_route(t, 1, "10.0.1.1", "eth7");
	expect_invalid(t, "route device 'eth7' is not an interface of node 'client-b'");
	t->nodes[1].n_routes--;

	/* Both ends on one node: the validator's now, so the plan never sees it. */
	add_iface(t, 0, "eth2");
	add_iface(t, 0, "eth3");
	add_link(t, 0, 2, 0, 3);
	expect_invalid(t, "link connects node server to itself (eth2 and eth3)");
	free_topo(t);
}

/*
 * Defect 2: when an allocation of lab_build failed, close_all closed every
 * ns_fd[i] >= 0, and ns_fd (malloc'd) held whatever the heap had: another
 * descriptor's number, say.  Bait the heap with blocks of ns_fd's size full
 * of an open fd's number, make the second allocation fail, and check the fd
 * survives.  REUSELAB_FAULT_AT=1 as well: had the allocation not failed,
 * the first kernel operation does, before anything is made.
 */
static void test_build_enomem_closes_nothing(void **state)
{
	struct topology *t = calloc(1, sizeof(*t));
	enum { NODES = 10 };
	int keep, *bait[8];
	char name[16], err[256];

	assert_non_null(t);
	for (size_t i = 0; i < NODES; i++) {
		snprintf(name, sizeof(name), "n%zu", i);
		add_iface(t, add_node(t, name), "eth0");
	}
	for (size_t i = 0; i < NODES; i += 2)
		add_link(t, i, 0, i + 1, 0);
	keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(keep >= 0);
	for (size_t b = 0; b < 8; b++) {
		bait[b] = malloc((NODES + 1) * sizeof(int)); /* what ctx_alloc asks for ns_fd */
		assert_non_null(bait[b]);
		for (size_t i = 0; i <= NODES; i++)
			bait[b][i] = keep;
	}
	for (size_t b = 0; b < 8; b++)
		free(bait[b]);
	setenv("REUSELAB_FAULT_ALLOC", "2", 1);
	setenv("REUSELAB_FAULT_AT", "1", 1);
	assert_int_equal(lab_build(t, "unit", NULL, NULL, err, sizeof(err)), -ENOMEM);
	unsetenv("REUSELAB_FAULT_ALLOC");
	unsetenv("REUSELAB_FAULT_AT");
	assert_string_equal(err, strerror(ENOMEM));
	assert_int_not_equal(fcntl(keep, F_GETFD), -1);
	close(keep);
	free_topo(t);
}

static void test_ns_name(void **state)
{
	char buf[16];

	assert_int_equal(lab_ns_name("a", "b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "rl-a.b");
	assert_int_equal(lab_ns_name("lab", "a-long-node-name", buf, sizeof(buf)), -ENAMETOOLONG);
}

/*
 * Defect 12: lab "a" node "b-c" and lab "a-b" node "c" were both "rl-a-b-c".
 * Names are [a-z0-9-] and the separator is '.', so no two (lab, node) pairs
 * share a namespace: walk every split of a few hyphenated strings.
 */
static void test_ns_name_injective(void **state)
{
	static const char *const words[] = {"a-b-c", "x-y", "lab-1-node-2", "a--b"};
	char x[64], y[64], lab[32], node[32];

	assert_int_equal(lab_ns_name("a", "b-c", x, sizeof(x)), 0);
	assert_int_equal(lab_ns_name("a-b", "c", y, sizeof(y)), 0);
	assert_string_not_equal(x, y);
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		const char *s = words[w];

		for (size_t i = 1; i + 1 < strlen(s); i++)
			for (size_t j = i + 1; j + 1 < strlen(s); j++) {
				if (s[i] != '-' || s[j] != '-')
					continue;
				/* split at hyphen i versus at hyphen j */
				snprintf(lab, sizeof(lab), "%.*s", (int)i, s);
				snprintf(node, sizeof(node), "%s", s + i + 1);
				assert_int_equal(lab_ns_name(lab, node, x, sizeof(x)), 0);
				snprintf(lab, sizeof(lab), "%.*s", (int)j, s);
				snprintf(node, sizeof(node), "%s", s + j + 1);
				assert_int_equal(lab_ns_name(lab, node, y, sizeof(y)), 0);
				assert_string_not_equal(x, y);
			}
	}
	/* The lans namespace cannot be a node's: '.' is in no node name. */
	assert_int_equal(lab_ns_name("a", LAB_LANS_SUFFIX, x, sizeof(x)), 0);
	assert_string_equal(x, "rl-a..lans");
	assert_false(topo_name_valid(".lans", TOPO_NODE_NAME_MAX));
	assert_false(topo_name_valid("a.b", TOPO_LAB_NAME_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_nics),
	    cmocka_unit_test(test_lan),
	    cmocka_unit_test(test_lone_iface_refused),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_ns_name),
	    cmocka_unit_test(test_build_enomem_closes_nothing),
	    cmocka_unit_test(test_ns_name_injective),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Topology loader, validator and DOT writer.  Run from the repository root
 * (tests/run-all does): the shipped topologies, the bad-input corpus and the
 * fuzz regressions are read from their directories.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/cli/cmd.h"
#include "lab/topo/topo.h"
#include "lab/topo/topo_int.h"

static struct topology *load_ok(const char *path)
{
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	int r = topo_load(path, &t, &d);

	for (size_t i = 0; i < d.n; i++)
		print_error("%s\n", d.lines[i]);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	assert_non_null(t);
	topo_diag_free(&d);
	return t;
}

static void assert_addr(const struct topo_addr *a, int family, const char *text, unsigned plen)
{
	uint8_t want[16] = { 0 };

	assert_int_equal(inet_pton(family, text, want), 1);
	assert_int_equal(a->family, family);
	assert_memory_equal(a->addr, want, 16);
	assert_int_equal(a->prefixlen, plen);
}

static void test_two_nics(void **state)
{
	struct topology *t = load_ok("topologies/two-nics.yml");
	const struct topo_node *s, *b, *c;

	(void)state;
	assert_string_equal(t->name, "two-nics");
	assert_string_equal(t->file, "topologies/two-nics.yml");
	assert_int_equal(t->n_nodes, 3);
	s = &t->nodes[0];
	b = &t->nodes[1];
	c = &t->nodes[2];
	assert_string_equal(s->name, "server");
	assert_string_equal(b->name, "client-b");
	assert_string_equal(c->name, "client-c");
	assert_int_equal(topo_node_find(t, "client-c"), 2);
	assert_int_equal(topo_node_find(t, "nope"), -ENOENT);

	assert_int_equal(s->n_ifaces, 2);
	assert_string_equal(s->ifaces[0].name, "eth0");
	assert_string_equal(s->ifaces[1].name, "eth1");
	assert_int_equal(topo_iface_find(s, "eth1"), 1);
	assert_int_equal(s->ifaces[0].n_addrs, 3);
	assert_addr(&s->ifaces[0].addrs[0], AF_INET, "10.0.1.1", 24);
	assert_addr(&s->ifaces[0].addrs[1], AF_INET, "10.0.1.2", 24);
	assert_addr(&s->ifaces[0].addrs[2], AF_INET6, "fd00:1::1", 64);
	assert_int_equal(s->ifaces[1].n_addrs, 2);
	assert_addr(&s->ifaces[1].addrs[0], AF_INET, "10.0.2.1", 24);
	assert_addr(&s->ifaces[1].addrs[1], AF_INET6, "fd00:2::1", 64);
	assert_int_equal(s->n_routes, 0);
	assert_int_equal(s->n_sysctls, 0);

	assert_int_equal(b->n_ifaces, 1);
	assert_int_equal(b->ifaces[0].n_addrs, 2);
	assert_addr(&b->ifaces[0].addrs[0], AF_INET, "10.0.1.3", 24);
	assert_addr(&b->ifaces[0].addrs[1], AF_INET6, "fd00:1::3", 64);
	assert_int_equal(c->n_ifaces, 1);
	assert_addr(&c->ifaces[0].addrs[0], AF_INET, "10.0.2.3", 24);
	assert_addr(&c->ifaces[0].addrs[1], AF_INET6, "fd00:2::3", 64);

	assert_int_equal(t->n_links, 2);
	assert_int_equal(t->links[0].a.node, 0);
	assert_int_equal(t->links[0].a.iface, 0);
	assert_int_equal(t->links[0].b.node, 1);
	assert_int_equal(t->links[0].b.iface, 0);
	assert_int_equal(t->links[1].a.node, 0);
	assert_int_equal(t->links[1].a.iface, 1);
	assert_int_equal(t->links[1].b.node, 2);
	assert_int_equal(t->links[1].b.iface, 0);
	assert_int_equal(t->n_lans, 0);
	assert_int_equal(t->n_cases, 0);

	/* Marks are 1-based positions of the scalars in the file. */
	assert_int_equal(t->name_mark.line, 6);
	assert_int_equal(t->name_mark.col, 7);
	assert_int_equal(s->mark.line, 8);
	assert_int_equal(s->mark.col, 3);
	assert_int_equal(s->ifaces[0].mark.line, 10);
	assert_int_equal(s->ifaces[0].mark.col, 7);
	assert_int_equal(s->ifaces[0].addrs[1].mark.line, 10);
	assert_int_equal(s->ifaces[0].addrs[1].mark.col, 27);
	topo_free(t);
}

static void test_all_topologies(void **state)
{
	glob_t g;
	size_t n = 0;

	(void)state;
	assert_int_equal(glob("topologies/*.yml", 0, NULL, &g), 0);
	assert_int_equal(glob("tests/topologies/*.yml", GLOB_APPEND, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++, n++)
		topo_free(load_ok(g.gl_pathv[i]));
	assert_true(n >= 7);
	globfree(&g);
}

static void test_model_details(void **state)
{
	struct topology *t = load_ok("tests/topologies/lan-routes-cases.yml");
	const struct topo_node *a;
	uint8_t want[16] = { 0 };

	(void)state;
	assert_int_equal(t->n_nodes, 4);
	a = &t->nodes[0];
	assert_int_equal(t->nodes[3].n_ifaces, 0); /* "d:" with no value */
	assert_int_equal(t->nodes[2].ifaces[0].n_addrs, 0);

	assert_int_equal(a->n_routes, 3);
	assert_int_equal(a->routes[0].family, AF_INET);
	assert_int_equal(a->routes[0].dst_len, 16);
	assert_true(a->routes[0].has_via);
	assert_int_equal(a->routes[0].via_family, AF_INET);
	inet_pton(AF_INET, "10.9.0.2", want);
	assert_memory_equal(a->routes[0].via, want, 4);
	assert_string_equal(a->routes[0].dev, "");
	assert_int_equal(a->routes[1].family, AF_INET); /* "default" with only a dev */
	assert_int_equal(a->routes[1].dst_len, 0);
	assert_false(a->routes[1].has_via);
	assert_string_equal(a->routes[1].dev, "eth0");
	assert_int_equal(a->routes[2].family, AF_INET6);
	assert_int_equal(a->routes[2].dst_len, 0);

	assert_int_equal(a->n_sysctls, 1);
	assert_string_equal(a->sysctls[0].key, "net.ipv4.conf.all.rp_filter");
	assert_string_equal(a->sysctls[0].value, "0");

	assert_int_equal(t->n_lans, 1);
	assert_string_equal(t->lans[0].name, "lan0");
	assert_int_equal(t->lans[0].n_members, 3);
	assert_int_equal(t->lans[0].members[2].node, 2);
	assert_int_equal(t->lans[0].members[2].iface, 0);

	assert_int_equal(t->n_cases, 2);
	assert_string_equal(t->cases[0].id, "listen-twice");
	assert_string_equal(t->cases[0].claim, "C3");
	assert_string_equal(t->cases[0].description, "two listeners on one port");
	assert_int_equal(t->cases[0].n_steps, 2);
	assert_string_equal(t->cases[0].steps[0].node, "a");
	assert_string_equal(t->cases[0].steps[0].text, "s = socket tcp4");
	assert_string_equal(t->cases[0].steps[0].expect, "ok");
	assert_null(t->cases[0].steps[1].expect);
	assert_null(t->cases[1].claim);
	assert_null(t->cases[1].description);
	topo_free(t);
}

static char *read_first_line(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");
	ssize_t n;

	assert_non_null(f);
	n = getline(&line, &cap, f);
	fclose(f);
	assert_true(n > 0);
	if (line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

static void test_bad_corpus(void **state)
{
	static const char prefix[] = "# expect: ";
	glob_t g;

	(void)state;
	assert_int_equal(glob("tests/bad/*.yml", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 45);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct topo_diag d = { 0 };
		struct topology *t = NULL;
		char *want = read_first_line(g.gl_pathv[i]);
		int r = topo_load(g.gl_pathv[i], &t, &d);

		if (strncmp(want, prefix, strlen(prefix)))
			fail_msg("%s: first line must be '# expect: ...'", g.gl_pathv[i]);
		if (r != -EINVAL || !d.n || strcmp(d.lines[0], want + strlen(prefix)))
			fail_msg("%s: r=%d\n  want: %s\n  got:  %s", g.gl_pathv[i], r,
				 want + strlen(prefix), d.n ? d.lines[0] : "(nothing)");
		assert_null(t);
		free(want);
		topo_diag_free(&d);
	}
	globfree(&g);
}

/* Loads `buf` and returns the first diagnostic (caller frees). */
static char *first_diag(const char *buf, size_t len, int want_r)
{
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	char *line;
	int r = topo_load_buffer("mem.yml", buf, len, &t, &d);

	assert_int_equal(r, want_r);
	assert_null(t);
	assert_true(d.n >= 1);
	line = strdup(d.lines[0]);
	topo_diag_free(&d);
	return line;
}

static void test_file_errors(void **state)
{
	struct topo_diag d = { 0 };
	struct topology *t = NULL;

	(void)state;
	assert_int_equal(topo_load("tests/bad/does-not-exist.yml", &t, &d), -ENOENT);
	assert_null(t);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.lines[0], "tests/bad/does-not-exist.yml: error: cannot read: "
					"No such file or directory");
	topo_diag_free(&d);
	assert_int_equal(topo_load("tests/bad", &t, &d), -EISDIR);
	topo_diag_free(&d);
	topo_diag_free(NULL);
	topo_free(NULL);
}

/* A UTF-8 byte order mark before the text is skipped, and the columns of line
 * 1 are counted after it (libyaml refused it: "did not find expected
 * <document start>" at 2:1). */
static void test_bom(void **state)
{
	static const char ok[] = "\xef\xbb\xbfname: x\nnodes:\n  a:\n";
	static const char bad[] = "\xef\xbb\xbfname: Bad_Name\nnodes:\n  a:\n";
	static const char nul[] = "\xef\xbb\xbfname: x\0\n";
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	char *line;

	(void)state;
	assert_int_equal(topo_load_buffer("mem.yml", ok, sizeof(ok) - 1, &t, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(t->name, "x");
	assert_int_equal(t->name_mark.line, 1);
	assert_int_equal(t->name_mark.col, 7);
	assert_int_equal(t->nodes[0].mark.line, 3);
	assert_int_equal(t->nodes[0].mark.col, 3);
	topo_free(t);
	line = first_diag(bad, sizeof(bad) - 1, -EINVAL);
	assert_string_equal(line, "mem.yml:1:7: error: invalid lab name 'Bad_Name': use [a-z0-9-], "
				  "starting with a letter or digit");
	free(line);
	line = first_diag(nul, sizeof(nul) - 1, -EINVAL);
	assert_string_equal(line,
			    "mem.yml:1:8: error: NUL bytes are not allowed in a topology file");
	free(line);
}

/* Limits that need more than a small committed file to reach. */
static void test_limits(void **state)
{
	size_t len = TOPO_FILE_MAX + 1, n;
	char *buf = malloc(len + 64), *line, path[] = "/tmp/test_topo_XXXXXX";
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(buf);
	memset(buf, '#', len);
	line = first_diag(buf, len, -EINVAL);
	assert_string_equal(line, "mem.yml: error: file is larger than the limit of 4194304 bytes");
	free(line);

	/* The same through a real file: the reader must stop, not slurp. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	assert_int_equal(topo_load(path, &t, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_true(strstr(d.lines[0], ": error: file is larger than the limit") != NULL);
	topo_diag_free(&d);
	unlink(path);
	free(buf);

	/* 4097 nodes: the error names the first one over. */
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	fprintf(f, "name: many\nnodes:\n");
	for (int i = 0; i < 10000; i++)
		fprintf(f, "  n%d: {}\n", i);
	fclose(f);
	line = first_diag(buf, n, -EINVAL);
	assert_string_equal(line, "mem.yml:4099:3: error: too many nodes (the limit is 4096)");
	free(line);
	free(buf);

	/* 4096 nodes are fine (no interfaces, so nothing to connect). */
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	fprintf(f, "name: many\nnodes:\n");
	for (int i = 0; i < TOPO_NODES_MAX; i++)
		fprintf(f, "  n%d:\n", i);
	fclose(f);
	assert_int_equal(topo_load_buffer("mem.yml", buf, n, &t, &d), 0);
	assert_int_equal(t->n_nodes, TOPO_NODES_MAX);
	topo_free(t);
	free(buf);

	/* A billion-laughs document dies at its first alias, before any expansion. */
	line = first_diag("a: &a [x, x]\nb: [*a, *a]\n", 25, -EINVAL);
	assert_string_equal(line, "mem.yml:2:5: error: aliases are not supported");
	free(line);
}

/* The validator reports every error, in file order, not just the first. */
static void test_all_errors_sorted(void **state)
{
	static const char y[] = "name: x\n"
				"nodes:\n"
				"  b: {interfaces: {eth1: []}}\n"
				"  a:\n"
				"    interfaces: {eth0: []}\n"
				"    sysctls: {kernel.x: 1}\n"
				"lans:\n"
				"  l: {members: [a:eth0]}\n";
	struct topo_diag d = { 0 };
	struct topology *t = NULL;

	(void)state;
	assert_int_equal(topo_load_buffer("m.yml", y, sizeof(y) - 1, &t, &d), -EINVAL);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.lines[0], "m.yml:3:20: error: interface b:eth1 is not connected to "
					"any link or lan");
	assert_string_equal(d.lines[1], "m.yml:6:15: error: sysctl 'kernel.x' is not under "
					"'net.': only net.* sysctls belong to a namespace");
	assert_string_equal(d.lines[2], "m.yml:8:3: error: lan 'l' needs at least 2 members, has 1");
	topo_diag_free(&d);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(topo_name_valid("a", 24));
	assert_true(topo_name_valid("0-a-", 24));
	assert_false(topo_name_valid("", 24));
	assert_false(topo_name_valid("-a", 24));
	assert_false(topo_name_valid("a.b", 24));
	assert_false(topo_name_valid("../x", 24));
	assert_false(topo_name_valid("A", 24));
	assert_true(topo_name_valid("abcd", 4));
	assert_false(topo_name_valid("abcde", 4));
	assert_true(topo_ifname_valid("eth0"));
	assert_true(topo_ifname_valid("e123456789abcde"));
	assert_false(topo_ifname_valid("e123456789abcdef"));
	assert_false(topo_ifname_valid("lo"));
	assert_false(topo_ifname_valid(".."));
	assert_false(topo_ifname_valid("a/b"));
	assert_false(topo_ifname_valid("a b"));
	assert_false(topo_ifname_valid(""));
}

/* Control bytes from the input never reach a diagnostic raw. */
static void test_diag_escapes(void **state)
{
	static const char y[] = "name: \"a\\e[31m\"\nnodes: {a: }\n";
	char *line;

	(void)state;
	line = first_diag(y, sizeof(y) - 1, -EINVAL);
	assert_string_equal(line, "mem.yml:1:7: error: invalid lab name 'a\\x1b[31m': use "
				  "[a-z0-9-], starting with a letter or digit");
	free(line);
}

/* The loader and the validator find nodes by name through one sorted index. */
static void test_by_name(void **state)
{
	struct topo_node nodes[4] = {{.name = "server"}, {.name = "client-c"}, {.name = "b"},
				     {.name = "client-b"}};
	struct topology t = {.nodes = nodes, .n_nodes = 4}, none = {0};
	size_t by_name[4];

	(void)state;
	topo_by_name_sort(&t, by_name);
	assert_int_equal(by_name[0], 2);
	assert_int_equal(by_name[1], 3);
	assert_int_equal(by_name[2], 1);
	assert_int_equal(by_name[3], 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(topo_by_name_find(&t, by_name, nodes[i].name), (int)i);
	assert_int_equal(topo_by_name_find(&t, by_name, "client"), -ENOENT);
	assert_int_equal(topo_by_name_find(&t, by_name, "a"), -ENOENT);
	assert_int_equal(topo_by_name_find(&t, by_name, "zz"), -ENOENT);
	topo_by_name_sort(&none, by_name);
	assert_int_equal(topo_by_name_find(&none, by_name, "b"), -ENOENT);
}

/* What write (topo_write_dot, topo_write_mermaid) makes of t, malloc'ed. */
static char *drawn(int (*write)(const struct topology *, FILE *), const struct topology *t)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	assert_int_equal(write(t, f), 0);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_dot(void **state)
{
	struct topology *t = load_ok("topologies/two-nics.yml");
	char *out = drawn(topo_write_dot, t);

	(void)state;
	assert_non_null(strstr(out, "graph \"two-nics\" {\n"));
	assert_non_null(strstr(out, "\"server\" -- \"client-b\" [taillabel=\"eth0\", "
				    "headlabel=\"eth0\"];\n"));
	assert_non_null(strstr(out, "\"server\" -- \"client-c\" [taillabel=\"eth1\", "
				    "headlabel=\"eth0\"];\n"));
	assert_non_null(strstr(out, "eth0: 10.0.1.1/24\\l      10.0.1.2/24\\l      fd00:1::1/64\\l"));
	assert_non_null(strstr(out, "rankdir=LR"));
	free(out);
	topo_free(t);

	t = load_ok("topologies/multicast-lan.yml");
	out = drawn(topo_write_dot, t);
	assert_non_null(strstr(out, "\"lan:lan0\" [shape=ellipse, label=\"lan0\"];\n"));
	/* drawn outward from the hub (sender, first of equals), rx3 inside the lan's box */
	assert_non_null(strstr(out, "\"sender\" -- \"lan:lan0\" [taillabel=\"eth0\"];\n"));
	assert_non_null(strstr(out, "\"lan:lan0\" -- \"rx3\" [headlabel=\"eth0\"];\n"));
	assert_non_null(strstr(out, "subgraph \"cluster_lan0\" {\n"));
	free(out);
	topo_free(t);
}

/* Links and lan members are drawn outward from the hub (the node with the
 * most interfaces) whichever end the file names first: leaf first here. */
static void test_draw_outward(void **state)
{
	static const char y[] = "name: o\n"
				"nodes:\n"
				"  leaf: {interfaces: {eth0: [10.0.0.2/24]}}\n"
				"  hub: {interfaces: {eth0: [10.0.0.1/24], eth1: [10.0.1.1/24]}}\n"
				"  m: {interfaces: {eth0: [10.0.1.2/24]}}\n"
				"links:\n"
				"  - endpoints: [leaf:eth0, hub:eth0]\n"
				"lans:\n"
				"  l: {members: [m:eth0, hub:eth1]}\n";
	struct topo_diag d = {0};
	struct topology *t = NULL;
	char *out;

	(void)state;
	assert_int_equal(topo_load_buffer("o.yml", y, sizeof(y) - 1, &t, &d), 0);
	out = drawn(topo_write_dot, t);
	assert_non_null(strstr(out, "  \"hub\" -- \"leaf\" [taillabel=\"eth0\", headlabel=\"eth0\"];\n"));
	assert_non_null(strstr(out, "  \"hub\" -- \"lan:l\" [taillabel=\"eth1\"];\n"));
	assert_non_null(strstr(out, "  \"lan:l\" -- \"m\" [headlabel=\"eth0\"];\n"));
	free(out);
	out = drawn(topo_write_mermaid, t);
	assert_non_null(strstr(out, "  n1 ---|\"eth0 - eth0\"| n0\n"));
	assert_non_null(strstr(out, "  n1 ---|\"eth1\"| l0\n"));
	assert_non_null(strstr(out, "  l0 ---|\"eth0\"| n2\n"));
	free(out);
	topo_free(t);
}

/* Write the model back as YAML (flow style), for the round trip. */
static void emit(FILE *f, const struct topology *t)
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(f, "name: %s\nnodes:\n", t->name);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *n = &t->nodes[i];

		fprintf(f, "  %s:\n    interfaces:\n", n->name);
		for (size_t j = 0; j < n->n_ifaces; j++) {
			fprintf(f, "      %s: [", n->ifaces[j].name);
			for (size_t k = 0; k < n->ifaces[j].n_addrs; k++) {
				const struct topo_addr *a = &n->ifaces[j].addrs[k];

				inet_ntop(a->family, a->addr, buf, sizeof(buf));
				fprintf(f, "%s\"%s/%u\"", k ? ", " : "", buf, a->prefixlen);
			}
			fprintf(f, "]\n");
		}
		fprintf(f, "    routes:\n");
		for (size_t j = 0; j < n->n_routes; j++) {
			const struct topo_route *r = &n->routes[j];

			inet_ntop(r->family, r->dst, buf, sizeof(buf));
			fprintf(f, "      - {dst: \"%s/%u\"", buf, r->dst_len);
			if (r->has_via) {
				inet_ntop(r->via_family, r->via, buf, sizeof(buf));
				fprintf(f, ", via: \"%s\"", buf);
			}
			if (r->dev[0])
				fprintf(f, ", dev: %s", r->dev);
			fprintf(f, "}\n");
		}
		fprintf(f, "    sysctls:\n");
		for (size_t j = 0; j < n->n_sysctls; j++)
			fprintf(f, "      %s: \"%s\"\n", n->sysctls[j].key, n->sysctls[j].value);
	}
	fprintf(f, "links:\n");
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		fprintf(f, "  - endpoints: [%s:%s, %s:%s]\n", t->nodes[l->a.node].name,
			t->nodes[l->a.node].ifaces[l->a.iface].name, t->nodes[l->b.node].name,
			t->nodes[l->b.node].ifaces[l->b.iface].name);
	}
	fprintf(f, "lans:\n");
	for (size_t i = 0; i < t->n_lans; i++) {
		fprintf(f, "  %s:\n    members:\n", t->lans[i].name);
		for (size_t j = 0; j < t->lans[i].n_members; j++) {
			const struct topo_endpoint *e = &t->lans[i].members[j];

			fprintf(f, "      - %s:%s\n", t->nodes[e->node].name,
				t->nodes[e->node].ifaces[e->iface].name);
		}
	}
}

static void assert_same_model(const struct topology *x, const struct topology *y)
{
	assert_string_equal(x->name, y->name);
	assert_int_equal(x->n_nodes, y->n_nodes);
	for (size_t i = 0; i < x->n_nodes; i++) {
		const struct topo_node *a = &x->nodes[i], *b = &y->nodes[i];

		assert_string_equal(a->name, b->name);
		assert_int_equal(a->n_ifaces, b->n_ifaces);
		for (size_t j = 0; j < a->n_ifaces; j++) {
			assert_string_equal(a->ifaces[j].name, b->ifaces[j].name);
			assert_int_equal(a->ifaces[j].n_addrs, b->ifaces[j].n_addrs);
			for (size_t k = 0; k < a->ifaces[j].n_addrs; k++) {
				assert_int_equal(a->ifaces[j].addrs[k].family,
						 b->ifaces[j].addrs[k].family);
				assert_memory_equal(a->ifaces[j].addrs[k].addr,
						    b->ifaces[j].addrs[k].addr, 16);
				assert_int_equal(a->ifaces[j].addrs[k].prefixlen,
						 b->ifaces[j].addrs[k].prefixlen);
			}
		}
		assert_int_equal(a->n_routes, b->n_routes);
		for (size_t j = 0; j < a->n_routes; j++) {
			assert_int_equal(a->routes[j].family, b->routes[j].family);
			assert_memory_equal(a->routes[j].dst, b->routes[j].dst, 16);
			assert_int_equal(a->routes[j].dst_len, b->routes[j].dst_len);
			assert_int_equal(a->routes[j].has_via, b->routes[j].has_via);
			assert_memory_equal(a->routes[j].via, b->routes[j].via, 16);
			assert_string_equal(a->routes[j].dev, b->routes[j].dev);
		}
		assert_int_equal(a->n_sysctls, b->n_sysctls);
		for (size_t j = 0; j < a->n_sysctls; j++) {
			assert_string_equal(a->sysctls[j].key, b->sysctls[j].key);
			assert_string_equal(a->sysctls[j].value, b->sysctls[j].value);
		}
	}
	assert_int_equal(x->n_links, y->n_links);
	for (size_t i = 0; i < x->n_links; i++) {
		assert_int_equal(x->links[i].a.node, y->links[i].a.node);
		assert_int_equal(x->links[i].a.iface, y->links[i].a.iface);
		assert_int_equal(x->links[i].b.node, y->links[i].b.node);
		assert_int_equal(x->links[i].b.iface, y->links[i].b.iface);
	}
	assert_int_equal(x->n_lans, y->n_lans);
	for (size_t i = 0; i < x->n_lans; i++) {
		assert_string_equal(x->lans[i].name, y->lans[i].name);
		assert_int_equal(x->lans[i].n_members, y->lans[i].n_members);
		for (size_t j = 0; j < x->lans[i].n_members; j++) {
			assert_int_equal(x->lans[i].members[j].node, y->lans[i].members[j].node);
			assert_int_equal(x->lans[i].members[j].iface, y->lans[i].members[j].iface);
		}
	}
}

/* model -> YAML -> model gives the same model, for every shipped topology. */
static void test_round_trip(void **state)
{
	glob_t g;

	(void)state;
	assert_int_equal(glob("topologies/*.yml", 0, NULL, &g), 0);
	assert_int_equal(glob("tests/topologies/*.yml", GLOB_APPEND, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct topology *t = load_ok(g.gl_pathv[i]), *u = NULL;
		struct topo_diag d = { 0 };
		char *buf = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&buf, &n);
		int r;

		emit(f, t);
		fclose(f);
		r = topo_load_buffer("rt.yml", buf, n, &u, &d);
		if (r < 0)
			fail_msg("%s: reload failed: %s\n%s", g.gl_pathv[i], d.n ? d.lines[0] : "",
				 buf);
		assert_same_model(t, u);
		topo_free(t);
		topo_free(u);
		topo_diag_free(&d);
		free(buf);
	}
	globfree(&g);
}

/* Inputs the fuzzer once tripped on: loading them must simply not crash. */
static void test_fuzz_regressions(void **state)
{
	glob_t g;

	(void)state;
	if (glob("tests/fuzz/regressions/*", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct topo_diag d = { 0 };
		struct topology *t = NULL;

		(void)topo_load(g.gl_pathv[i], &t, &d);
		topo_free(t);
		topo_diag_free(&d);
	}
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_nics),
		cmocka_unit_test(test_all_topologies),
		cmocka_unit_test(test_model_details),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_all_errors_sorted),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_diag_escapes),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_draw_outward),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Topology -> Graphviz DOT: nodes as boxes listing interfaces and addresses,
 * links as edges labelled with the interface at each end, lans as ellipses
 * boxed with the nodes that hang off them alone.  Left to right from the hub
 * (see topo_draw.c), so a lab with many NICs grows down, not into a strip.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/topo/topo_int.h"

/*
 * A DOT double-quoted string.  Backslash starts DOT's own label escapes
 * (\n, \l), so it is doubled; control bytes have no business in a label.
 */
static void put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc('?', out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* Node ids never hold ':' (names are [a-z0-9-]), so "lan:" cannot clash. */
static void put_lan_id(FILE *out, const char *name)
{
	char id[TOPO_LAN_NAME_MAX + 8];

	snprintf(id, sizeof(id), "lan:%s", name);
	put_quoted(out, id);
}

/* The box label: node name, then each interface with its addresses, left-aligned. */
static void put_node(FILE *out, const struct topo_node *n)
{
	char buf[INET6_ADDRSTRLEN];

	fputs("  ", out);
	put_quoted(out, n->name);
	fputs(" [label=\"", out);
	fprintf(out, "%s\\n", n->name);
	for (size_t i = 0; i <= n->n_ifaces; i++) {
		const struct topo_iface *f = topo_node_iface(n, i);

		if (i == n->n_ifaces && !f->n_addrs) /* lo: shown when it has some */
			break;
		/* Interface names may hold '"' or '\\': escape them by hand here. */
		for (const char *p = f->name; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', out);
			fputc(*p, out);
		}
		fputc(':', out);
		/* One address per line, under the first: boxes grow down, not wide. */
		for (size_t j = 0; j < f->n_addrs; j++) {
			if (!inet_ntop(f->addrs[j].family, f->addrs[j].addr, buf, sizeof(buf)))
				continue;
			if (j)
				fprintf(out, "%*s", (int)strlen(f->name) + 1, "");
			fprintf(out, " %s/%u\\l", buf, f->addrs[j].prefixlen);
		}
		if (!f->n_addrs)
			fputs("\\l", out);
	}
	fputs("\"];\n", out);
}

/* One edge, x (the end nearer the hub) first. */
static void put_link(FILE *out, const struct topology *t, const struct topo_endpoint *x,
		     const struct topo_endpoint *y)
{
	fputs("  ", out);
	put_quoted(out, t->nodes[x->node].name);
	fputs(" -- ", out);
	put_quoted(out, t->nodes[y->node].name);
	fputs(" [taillabel=", out);
	put_quoted(out, t->nodes[x->node].ifaces[x->iface].name);
	fputs(", headlabel=", out);
	put_quoted(out, t->nodes[y->node].ifaces[y->iface].name);
	fputs("];\n", out);
}

static void put_lan_member(FILE *out, const struct topology *t, size_t lan,
			   const struct topo_endpoint *m, bool node_first)
{
	const struct topo_node *n = &t->nodes[m->node];

	fputs("  ", out);
	if (node_first) {
		put_quoted(out, n->name);
		fputs(" -- ", out);
		put_lan_id(out, t->lans[lan].name);
		fputs(" [taillabel=", out);
	} else {
		put_lan_id(out, t->lans[lan].name);
		fputs(" -- ", out);
		put_quoted(out, n->name);
		fputs(" [headlabel=", out);
	}
	put_quoted(out, n->ifaces[m->iface].name);
	fputs("];\n", out);
}

/* A lan's box: its ellipse and the nodes that hang off it alone. */
static void put_lan_cluster(FILE *out, const struct topology *t, const unsigned *depth,
			    size_t lan)
{
	char id[TOPO_LAN_NAME_MAX + 16];

	snprintf(id, sizeof(id), "cluster_%s", t->lans[lan].name);
	fputs("  subgraph ", out);
	put_quoted(out, id);
	fputs(" {\n    graph [style=\"rounded,dashed\", color=gray50, label=\"\"];\n    ", out);
	put_lan_id(out, t->lans[lan].name);
	fputs(" [shape=ellipse, label=", out);
	put_quoted(out, t->lans[lan].name);
	fputs("];\n", out);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (topo_draw_home_lan(t, depth, i) == lan) {
			fputs("  ", out);
			put_node(out, &t->nodes[i]);
		}
	fputs("  }\n", out);
}

static void put_free_node(FILE *out, const struct topology *t, size_t node)
{
	put_node(out, &t->nodes[node]);
}

int topo_write_dot(const struct topology *t, FILE *out)
{
	static const struct topo_draw_ops ops = {
		.node = put_free_node,
		.lan = put_lan_cluster,
		.link = put_link,
		.member = put_lan_member,
	};
	int r;

	fputs("graph ", out);
	put_quoted(out, t->name);
	fputs(" {\n  graph [rankdir=LR, nodesep=0.2, ranksep=0.7];\n"
	      "  node [shape=box, fontname=\"monospace\"];\n"
	      "  edge [fontname=\"monospace\", fontsize=10];\n",
	      out);
	r = topo_draw_walk(t, &ops, out);
	if (r < 0)
		return r;
	fputs("}\n", out);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

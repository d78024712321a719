/* SPDX-License-Identifier: MIT */
/*
 * Topology -> Graphviz DOT: nodes as boxes listing interfaces and addresses,
 * links as edges labelled with the interface at each end, lans as ellipses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "lab/topo/topo.h"

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

/* The box label: node name, then one left-aligned line per interface. */
static void put_node(FILE *out, const struct topo_node *n)
{
	char buf[INET6_ADDRSTRLEN];

	fputs("  ", out);
	put_quoted(out, n->name);
	fputs(" [label=\"", out);
	fprintf(out, "%s\\n", n->name);
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct topo_iface *f = &n->ifaces[i];

		/* Interface names may hold '"' or '\\': escape them by hand here. */
		for (const char *p = f->name; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', out);
			fputc(*p, out);
		}
		fputc(':', out);
		for (size_t j = 0; j < f->n_addrs; j++) {
			if (!inet_ntop(f->addrs[j].family, f->addrs[j].addr, buf, sizeof(buf)))
				continue;
			fprintf(out, " %s/%u", buf, f->addrs[j].prefixlen);
		}
		fputs("\\l", out);
	}
	fputs("\"];\n", out);
}

int topo_write_dot(const struct topology *t, FILE *out)
{
	fputs("graph ", out);
	put_quoted(out, t->name);
	fputs(" {\n  graph [overlap=false, splines=true];\n"
	      "  node [shape=box, fontname=\"monospace\"];\n"
	      "  edge [fontname=\"monospace\", fontsize=10];\n",
	      out);
	for (size_t i = 0; i < t->n_nodes; i++)
		put_node(out, &t->nodes[i]);
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_node *a = &t->nodes[l->a.node], *b = &t->nodes[l->b.node];

		fputs("  ", out);
		put_quoted(out, a->name);
		fputs(" -- ", out);
		put_quoted(out, b->name);
		fputs(" [taillabel=", out);
		put_quoted(out, a->ifaces[l->a.iface].name);
		fputs(", headlabel=", out);
		put_quoted(out, b->ifaces[l->b.iface].name);
		fputs("];\n", out);
	}
	for (size_t i = 0; i < t->n_lans; i++) {
		const struct topo_lan *lan = &t->lans[i];

		fputs("  ", out);
		put_lan_id(out, lan->name);
		fputs(" [shape=ellipse, label=", out);
		put_quoted(out, lan->name);
		fputs("];\n", out);
		for (size_t j = 0; j < lan->n_members; j++) {
			const struct topo_node *n = &t->nodes[lan->members[j].node];

			fputs("  ", out);
			put_quoted(out, n->name);
			fputs(" -- ", out);
			put_lan_id(out, lan->name);
			fputs(" [taillabel=", out);
			put_quoted(out, n->ifaces[lan->members[j].iface].name);
			fputs("];\n", out);
		}
	}
	fputs("}\n", out);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

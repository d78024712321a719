/* SPDX-License-Identifier: MIT */
/*
 * Topology -> Mermaid flowchart, for READMEs that render Markdown: the same
 * picture as the DOT output (see topo_draw.c for the order).  Mermaid ids are
 * n<index> for nodes and l<index> for lans, so no name needs escaping there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lab/topo/topo_int.h"

/* Text inside Mermaid's "...": its own entity codes, no raw markup. */
static void put_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			fputs("#quot;", out);
		else if (*s == '<')
			fputs("#lt;", out);
		else if (*s == '>')
			fputs("#gt;", out);
		else if (*s == '#')
			fputs("#35;", out);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc('?', out);
		else
			fputc(*s, out);
	}
}

static void put_node(FILE *out, const struct topology *t, size_t i, const char *indent)
{
	const struct topo_node *n = &t->nodes[i];
	char buf[INET6_ADDRSTRLEN];

	fprintf(out, "%sn%zu[\"", indent, i);
	put_text(out, n->name);
	for (size_t k = 0; k <= n->n_ifaces; k++) {
		const struct topo_iface *f = topo_node_iface(n, k);

		if (k == n->n_ifaces && !f->n_addrs) /* lo: shown when it has some */
			break;
		fputs("<br/>", out);
		put_text(out, f->name);
		fputc(':', out);
		for (size_t j = 0; j < f->n_addrs; j++)
			if (inet_ntop(f->addrs[j].family, f->addrs[j].addr, buf, sizeof(buf)))
				fprintf(out, " %s/%u", buf, f->addrs[j].prefixlen);
	}
	fputs("\"]\n", out);
}

static void put_lan(FILE *out, const struct topology *t, const unsigned *depth, size_t lan)
{
	fprintf(out, "  subgraph lan%zu [\" \"]\n    l%zu((\"", lan, lan);
	put_text(out, t->lans[lan].name);
	fputs("\"))\n", out);
	for (size_t i = 0; i < t->n_nodes; i++)
		if (topo_draw_home_lan(t, depth, i) == lan)
			put_node(out, t, i, "    ");
	fputs("  end\n", out);
}

static void put_link(FILE *out, const struct topology *t, const struct topo_endpoint *x,
		     const struct topo_endpoint *y)
{
	fprintf(out, "  n%zu ---|\"", x->node);
	put_text(out, t->nodes[x->node].ifaces[x->iface].name);
	fputs(" - ", out);
	put_text(out, t->nodes[y->node].ifaces[y->iface].name);
	fprintf(out, "\"| n%zu\n", y->node);
}

static void put_member(FILE *out, const struct topology *t, size_t lan,
		       const struct topo_endpoint *m, bool node_first)
{
	if (node_first)
		fprintf(out, "  n%zu ---|\"", m->node);
	else
		fprintf(out, "  l%zu ---|\"", lan);
	put_text(out, t->nodes[m->node].ifaces[m->iface].name);
	if (node_first)
		fprintf(out, "\"| l%zu\n", lan);
	else
		fprintf(out, "\"| n%zu\n", m->node);
}

static void put_free_node(FILE *out, const struct topology *t, size_t node)
{
	put_node(out, t, node, "  ");
}

int topo_write_mermaid(const struct topology *t, FILE *out)
{
	static const struct topo_draw_ops ops = {
		.node = put_free_node,
		.lan = put_lan,
		.link = put_link,
		.member = put_member,
	};
	int r;

	fputs("flowchart LR\n", out);
	r = topo_draw_walk(t, &ops, out);
	if (r < 0)
		return r;
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

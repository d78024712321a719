/* SPDX-License-Identifier: MIT */
/*
 * The lab as inline SVG for the matrix page.  Drawn from the topology when
 * we have it, from what the kernel shows otherwise (links then inferred from
 * shared subnets), and from the node's own addresses as the last resort.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/matrix/matrix.h"
#include "lab/matrix/matrix_int.h"
#include "lab/report/report.h"

#define BOX_W	  190.0
#define LINE_H	  15.0
#define MAX_LINES 12

struct dnode {
	char name[80];
	char lines[MAX_LINES][80];
	size_t n_lines;
	bool lan;
	bool highlight;
	double x, y, h;
};

struct dedge {
	size_t a, b;
	char la[IF_NAMESIZE], lb[IF_NAMESIZE];
};

struct drawing {
	struct dnode *nodes;
	size_t n_nodes;
	struct dedge *edges;
	size_t n_edges, cap_edges;
};

/* One text line of a node box: interface name (blank for an alias) and address. */
static void node_line(struct dnode *n, const char *ifname, const char *addr)
{
	if (n->n_lines >= MAX_LINES)
		return;
	snprintf(n->lines[n->n_lines++], sizeof(n->lines[0]), "%-6s %s", ifname, addr);
}

static int edge_add(struct drawing *d, size_t a, size_t b, const char *la, const char *lb)
{
	struct dedge *e;

	if (d->n_edges == d->cap_edges) {
		size_t cap = d->cap_edges ? d->cap_edges * 2 : 8;

		e = realloc(d->edges, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		d->edges = e;
		d->cap_edges = cap;
	}
	e = &d->edges[d->n_edges++];
	e->a = a;
	e->b = b;
	snprintf(e->la, sizeof(e->la), "%s", la ? la : "");
	snprintf(e->lb, sizeof(e->lb), "%s", lb ? lb : "");
	return 0;
}

static int from_topology(struct drawing *d, const struct topology *t, const char *node)
{
	char a[INET6_ADDRSTRLEN], pl[8];
	int r;

	d->nodes = calloc(t->n_nodes + t->n_lans + 1, sizeof(*d->nodes));
	if (!d->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct topo_node *tn = &t->nodes[i];
		struct dnode *n = &d->nodes[d->n_nodes++];

		snprintf(n->name, sizeof(n->name), "%s", tn->name);
		n->highlight = !strcmp(tn->name, node);
		for (size_t k = 0; k < tn->n_ifaces; k++) {
			const struct topo_iface *f = &tn->ifaces[k];

			if (!f->n_addrs)
				node_line(n, f->name, "");
			for (size_t m = 0; m < f->n_addrs; m++) {
				inet_ntop(f->addrs[m].family, f->addrs[m].addr, a, sizeof(a));
				snprintf(pl, sizeof(pl), "/%u", f->addrs[m].prefixlen);
				strncat(a, pl, sizeof(a) - strlen(a) - 1);
				node_line(n, m ? "" : f->name, a);
			}
		}
	}
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		r = edge_add(d, l->a.node, l->b.node, t->nodes[l->a.node].ifaces[l->a.iface].name,
			     t->nodes[l->b.node].ifaces[l->b.iface].name);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < t->n_lans; i++) {
		const struct topo_lan *lan = &t->lans[i];
		size_t idx = d->n_nodes++;

		snprintf(d->nodes[idx].name, sizeof(d->nodes[idx].name), "%s", lan->name);
		d->nodes[idx].lan = true;
		for (size_t m = 0; m < lan->n_members; m++) {
			const struct topo_endpoint *ep = &lan->members[m];

			r = edge_add(d, ep->node, idx, t->nodes[ep->node].ifaces[ep->iface].name,
				     "");
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* "10.0.1.1/24" -> family, bytes, prefix length. */
static int parse_prefix(const char *text, uint8_t *buf, unsigned *plen)
{
	char tmp[80], *slash;
	int fam;

	snprintf(tmp, sizeof(tmp), "%s", text);
	slash = strchr(tmp, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	*plen = (unsigned)atoi(slash + 1);
	fam = strchr(tmp, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fam, tmp, buf) != 1)
		return 0;
	return fam;
}

static bool same_subnet(const char *x, const char *y)
{
	uint8_t a[16] = {0}, b[16] = {0};
	unsigned pa, pb;
	int fa = parse_prefix(x, a, &pa), fb = parse_prefix(y, b, &pb);

	if (!fa || fa != fb || pa != pb || pa == 0 || (fa == AF_INET6 && a[0] == 0xfe))
		return false;
	for (unsigned bit = 0; bit < pa; bit++)
		if ((a[bit / 8] ^ b[bit / 8]) & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static int from_view(struct drawing *d, const struct inspect_lab *v, const char *node)
{
	size_t *map;
	int r = 0;

	d->nodes = calloc(v->n_nodes + 1, sizeof(*d->nodes));
	map = calloc(v->n_nodes + 1, sizeof(*map));
	if (!d->nodes || !map) {
		free(map);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->n_nodes; i++) {
		const struct inspect_node *vn = &v->nodes[i];
		struct dnode *n;

		map[i] = (size_t)-1;
		if (!vn->present || vn->name[0] == '.')
			continue;
		map[i] = d->n_nodes;
		n = &d->nodes[d->n_nodes++];
		snprintf(n->name, sizeof(n->name), "%s", vn->name);
		n->highlight = !strcmp(vn->name, node);
		for (size_t k = 0; k < vn->live->n_links; k++) {
			const struct live_link *f = &vn->live->links[k];
			size_t shown = 0;

			if (!strcmp(f->kind, "loopback") || !strcmp(f->name, "lo"))
				continue;
			for (size_t m = 0; m < f->n_addrs; m++) {
				if (strncmp(f->addrs[m].text, "fe80:", 5) == 0)
					continue;
				node_line(n, shown++ ? "" : f->name, f->addrs[m].text);
			}
			if (!shown)
				node_line(n, f->name, "");
		}
	}
	/* Links: two interfaces of different nodes with an address in one subnet. */
	for (size_t i = 0; i < v->n_nodes && r == 0; i++)
		for (size_t j = i + 1; j < v->n_nodes && r == 0; j++) {
			if (map[i] == (size_t)-1 || map[j] == (size_t)-1)
				continue;
			for (size_t fi = 0; fi < v->nodes[i].live->n_links && r == 0; fi++)
				for (size_t fj = 0; fj < v->nodes[j].live->n_links && r == 0;
				     fj++) {
					const struct live_link *x = &v->nodes[i].live->links[fi];
					const struct live_link *y = &v->nodes[j].live->links[fj];
					bool hit = false;

					for (size_t m = 0; m < x->n_addrs && !hit; m++)
						for (size_t n = 0; n < y->n_addrs && !hit; n++)
							hit = same_subnet(x->addrs[m].text,
									  y->addrs[n].text);
					if (hit)
						r = edge_add(d, map[i], map[j], x->name, y->name);
				}
		}
	free(map);
	return r;
}

static int from_result(struct drawing *d, const struct matrix_result *res)
{
	struct dnode *n;
	char last[IF_NAMESIZE] = "";

	d->nodes = calloc(1, sizeof(*d->nodes));
	if (!d->nodes)
		return -ENOMEM;
	n = &d->nodes[d->n_nodes++];
	snprintf(n->name, sizeof(n->name), "%s", res->node);
	n->highlight = true;
	for (size_t i = 0; i < res->n_if_addrs; i++) {
		const struct matrix_if_addr *a = &res->if_addrs[i];

		if (a->loopback || !strncmp(a->text, "fe80:", 5))
			continue;
		node_line(n, strcmp(last, a->ifname) ? a->ifname : "", a->text);
		snprintf(last, sizeof(last), "%s", a->ifname);
	}
	return 0;
}

/*
 * Layout arithmetic without libm (the build links no -lm): a circle's
 * points by rotating a unit vector, sin/cos of one small angle by series.
 */
#define PI 3.14159265358979323846

static double absd(double x)
{
	return x < 0 ? -x : x;
}

static double sq_root(double x)
{
	double g = x > 1 ? x : 1;

	if (x <= 0)
		return 0;
	for (int i = 0; i < 60; i++)
		g = (g + x / g) / 2;
	return g;
}

static void sin_cos(double a, double *s, double *c)
{
	double term = a, sum = 0, cterm = 1, csum = 0;

	for (int k = 1; k < 30; k += 2) {
		sum += term;
		term *= -a * a / ((k + 1) * (k + 2));
	}
	for (int k = 0; k < 30; k += 2) {
		csum += cterm;
		cterm *= -a * a / ((k + 1) * (k + 2));
	}
	*s = sum;
	*c = csum;
}

/* Distance from a box's centre to its border along the unit vector (ux, uy). */
static double box_exit(const struct dnode *n, double ux, double uy)
{
	double hw = n->lan ? 60 : BOX_W / 2, hh = n->h / 2, tx = 1e9, ty = 1e9;

	if (absd(ux) > 1e-9)
		tx = hw / absd(ux);
	if (absd(uy) > 1e-9)
		ty = hh / absd(uy);
	return tx < ty ? tx : ty;
}

/*
 * Nodes on a circle, clockwise from the top (from the left for two); lans
 * inside it: one lan in the centre (a star), several on a smaller circle.
 */
static void layout_ring(struct drawing *d, bool lans)
{
	size_t cnt = 0, n = d->n_nodes;
	double radius, ux, uy, sn, cs;

	for (size_t i = 0; i < n; i++)
		cnt += d->nodes[i].lan == lans;
	radius = cnt <= 1 ? 0 : cnt == 2 ? 170 : (double)cnt * 62 > 170 ? (double)cnt * 62 : 170;
	if (lans && cnt > 1)
		radius /= 2;
	if (!lans && cnt == 1 && n > 1)
		radius = 170; /* a single node around a lan */
	ux = cnt == 2 ? -1 : 0;
	uy = cnt == 2 ? 0 : -1;
	sin_cos(cnt ? 2 * PI / (double)cnt : 0, &sn, &cs);
	for (size_t i = 0; i < n; i++) {
		double t;

		if (d->nodes[i].lan != lans)
			continue;
		d->nodes[i].x = radius * ux;
		d->nodes[i].y = radius * uy;
		t = ux * cs - uy * sn;
		uy = ux * sn + uy * cs;
		ux = t;
	}
}

/* Move the boxes into the canvas with a 30 px margin; the canvas size in *w, *h. */
static void fit_canvas(struct drawing *d, double *w, double *h)
{
	double minx = 1e9, miny = 1e9, maxx = -1e9, maxy = -1e9;
	size_t n = d->n_nodes;

	for (size_t i = 0; i < n; i++) {
		const struct dnode *nd = &d->nodes[i];
		double hw = nd->lan ? 60 : BOX_W / 2;

		minx = nd->x - hw < minx ? nd->x - hw : minx;
		maxx = nd->x + hw > maxx ? nd->x + hw : maxx;
		miny = nd->y - nd->h / 2 < miny ? nd->y - nd->h / 2 : miny;
		maxy = nd->y + nd->h / 2 > maxy ? nd->y + nd->h / 2 : maxy;
	}
	if (!n)
		minx = miny = maxx = maxy = 0;
	for (size_t i = 0; i < n; i++) {
		d->nodes[i].x += 30 - minx;
		d->nodes[i].y += 30 - miny;
	}
	*w = maxx - minx + 60;
	*h = maxy - miny + 60;
}

static void svg_text(FILE *out, const char *cls, double x, double y, bool centre, const char *s)
{
	fprintf(out, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\"%s>", cls, x, y,
		centre ? " text-anchor=\"middle\"" : "");
	report_xml_escape(out, s);
	fputs("</text>\n", out);
}

static void svg_node(FILE *out, const struct dnode *nd)
{
	if (nd->lan) {
		fprintf(out,
			"<ellipse class=\"lan\" cx=\"%.1f\" cy=\"%.1f\" rx=\"60\" ry=\"18\"/>\n",
			nd->x, nd->y);
		svg_text(out, "name", nd->x, nd->y + 5, true, nd->name);
		return;
	}
	fprintf(out,
		"<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" "
		"height=\"%.0f\" rx=\"6\"/>\n",
		nd->highlight ? "node hl" : "node", nd->x - BOX_W / 2, nd->y - nd->h / 2, BOX_W,
		nd->h);
	svg_text(out, "name", nd->x, nd->y - nd->h / 2 + 18, true, nd->name);
	for (size_t k = 0; k < nd->n_lines; k++)
		svg_text(out, "addr", nd->x - BOX_W / 2 + 8,
			 nd->y - nd->h / 2 + 34 + LINE_H * (double)k, false, nd->lines[k]);
}

/* Where an interface label is drawn (its text's extent, about). */
struct label_box {
	double x0, y0, x1, y1;
};

static bool label_hits(const struct label_box *b, const struct label_box *placed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b->x0 < placed[i].x1 && placed[i].x0 < b->x1 && b->y0 < placed[i].y1 &&
		    placed[i].y0 < b->y1)
			return true;
	return false;
}

/* The interface name at `from`'s end of a link: just outside the box edge
 * along the line, at most 45 % of the way; moved further along its line
 * while it would cover a label already placed (placed[], *n_placed), as
 * where several links leave one box close together. */
static void svg_iface_label(FILE *out, const struct dnode *from, const struct dnode *to,
			    const char *label, struct label_box *placed, size_t *n_placed)
{
	double dx = to->x - from->x, dy = to->y - from->y;
	double len = sq_root(dx * dx + dy * dy), off, x, y, half = 3.4 * (double)strlen(label);
	struct label_box b;

	if (!label[0] || len < 1)
		return;
	off = box_exit(from, dx / len, dy / len) + 18;
	if (off > len * 0.45)
		off = len * 0.45;
	for (;;) {
		x = from->x + dx * off / len;
		y = from->y + dy * off / len + 4;
		b = (struct label_box){x - half - 2, y - 11, x + half + 2, y + 3};
		if (!placed || !label_hits(&b, placed, *n_placed) || off + 12 > len * 0.8)
			break;
		off += 12;
	}
	if (placed)
		placed[(*n_placed)++] = b;
	svg_text(out, "ifl", x, y, true, label);
}

static void write_svg(FILE *out, struct drawing *d)
{
	struct label_box *placed;
	size_t n_placed = 0;
	double w, h;

	for (size_t i = 0; i < d->n_nodes; i++)
		d->nodes[i].h = d->nodes[i].lan ? 36 : 30 + LINE_H * (double)d->nodes[i].n_lines;
	layout_ring(d, false);
	layout_ring(d, true);
	fit_canvas(d, &w, &h);
	fprintf(out,
		"<svg width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"lab topology\">\n",
		w, h, w, h);
	for (size_t i = 0; i < d->n_edges; i++) {
		const struct dnode *a = &d->nodes[d->edges[i].a], *b = &d->nodes[d->edges[i].b];

		fprintf(out,
			"<line class=\"link\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			a->x, a->y, b->x, b->y);
	}
	for (size_t i = 0; i < d->n_nodes; i++)
		svg_node(out, &d->nodes[i]);
	/* Interface names drawn last so they stay readable over lines and boxes;
	 * without memory for the placed ones, they are drawn where they fall. */
	placed = calloc(2 * d->n_edges + 1, sizeof(*placed));
	for (size_t i = 0; i < d->n_edges; i++) {
		const struct dedge *e = &d->edges[i];

		svg_iface_label(out, &d->nodes[e->a], &d->nodes[e->b], e->la, placed, &n_placed);
		svg_iface_label(out, &d->nodes[e->b], &d->nodes[e->a], e->lb, placed, &n_placed);
	}
	free(placed);
	fputs("</svg>\n", out);
}

int matrix_draw_lab(FILE *out, const struct matrix_result *r, const struct topology *t,
		    const struct inspect_lab *v)
{
	struct drawing d = {0};
	int ret;

	if (t)
		ret = from_topology(&d, t, r->node);
	else if (v && v->n_nodes)
		ret = from_view(&d, v, r->node);
	else
		ret = from_result(&d, r);
	if (ret == 0)
		write_svg(out, &d);
	free(d.nodes);
	free(d.edges);
	return ret;
}

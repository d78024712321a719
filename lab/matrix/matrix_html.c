/* SPDX-License-Identifier: MIT */
/*
 * The bind matrix as one self-contained HTML page: inline CSS, inline SVG,
 * no script, no external resource, so it can be mailed or attached to a CI
 * run.  The lab is drawn from the topology when we have it, from what the
 * kernel shows otherwise (links then inferred from shared subnets), and
 * from the node's own addresses as the last resort.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/matrix/matrix.h"
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

static int from_view(struct drawing *d, const struct lab_view *v, const char *node)
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
		const struct lab_view_node *vn = &v->nodes[i];
		struct dnode *n;

		map[i] = (size_t)-1;
		if (!vn->present || vn->name[0] == '.')
			continue;
		map[i] = d->n_nodes;
		n = &d->nodes[d->n_nodes++];
		snprintf(n->name, sizeof(n->name), "%s", vn->name);
		n->highlight = !strcmp(vn->name, node);
		for (size_t k = 0; k < vn->n_ifaces; k++) {
			const struct lab_view_iface *f = &vn->ifaces[k];
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
			for (size_t fi = 0; fi < v->nodes[i].n_ifaces && r == 0; fi++)
				for (size_t fj = 0; fj < v->nodes[j].n_ifaces && r == 0; fj++) {
					const struct lab_view_iface *x = &v->nodes[i].ifaces[fi];
					const struct lab_view_iface *y = &v->nodes[j].ifaces[fj];
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

static void write_svg(FILE *out, struct drawing *d)
{
	double radius, w, h, ux, uy, sn, cs, minx, miny, maxx, maxy;
	size_t n = d->n_nodes;

	for (size_t i = 0; i < n; i++) {
		d->nodes[i].h = d->nodes[i].lan ? 36 : 30 + LINE_H * (double)d->nodes[i].n_lines;
	}
	/*
	 * Nodes on a circle, clockwise from the top (from the left for two);
	 * lans inside it: one lan in the centre (a star), several on a smaller circle.
	 */
	for (int pass = 0; pass < 2; pass++) {
		size_t cnt = 0;

		for (size_t i = 0; i < n; i++)
			cnt += d->nodes[i].lan == (pass == 1);
		radius = cnt <= 1		  ? 0
			 : cnt == 2		  ? 170
			 : (double)cnt * 62 > 170 ? (double)cnt * 62
						  : 170;
		if (pass == 1 && cnt > 1)
			radius /= 2;
		if (pass == 0 && cnt == 1 && n > 1)
			radius = 170; /* a single node around a lan */
		ux = cnt == 2 ? -1 : 0;
		uy = cnt == 2 ? 0 : -1;
		sin_cos(cnt ? 2 * PI / (double)cnt : 0, &sn, &cs);
		for (size_t i = 0; i < n; i++) {
			double t;

			if (d->nodes[i].lan != (pass == 1))
				continue;
			d->nodes[i].x = radius * ux;
			d->nodes[i].y = radius * uy;
			t = ux * cs - uy * sn;
			uy = ux * sn + uy * cs;
			ux = t;
		}
	}
	/* Fit the canvas to the boxes, 30 px margin. */
	minx = miny = 1e9;
	maxx = maxy = -1e9;
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
	w = maxx - minx + 60;
	h = maxy - miny + 60;
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
	for (size_t i = 0; i < n; i++) {
		const struct dnode *nd = &d->nodes[i];

		if (nd->lan) {
			fprintf(out,
				"<ellipse class=\"lan\" cx=\"%.1f\" cy=\"%.1f\" rx=\"60\" "
				"ry=\"18\"/>\n<text class=\"name\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">",
				nd->x, nd->y, nd->x, nd->y + 5);
			report_xml_escape(out, nd->name);
			fputs("</text>\n", out);
			continue;
		}
		fprintf(out,
			"<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" "
			"height=\"%.0f\" rx=\"6\"/>\n",
			nd->highlight ? "node hl" : "node", nd->x - BOX_W / 2, nd->y - nd->h / 2,
			BOX_W, nd->h);
		fprintf(out, "<text class=\"name\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			nd->x, nd->y - nd->h / 2 + 18);
		report_xml_escape(out, nd->name);
		fputs("</text>\n", out);
		for (size_t k = 0; k < nd->n_lines; k++) {
			fprintf(out, "<text class=\"addr\" x=\"%.1f\" y=\"%.1f\">",
				nd->x - BOX_W / 2 + 8, nd->y - nd->h / 2 + 34 + LINE_H * (double)k);
			report_xml_escape(out, nd->lines[k]);
			fputs("</text>\n", out);
		}
	}
	/* Interface names at the ends of each link, drawn last so they stay readable. */
	for (size_t i = 0; i < d->n_edges; i++) {
		const struct dedge *e = &d->edges[i];
		const struct dnode *a = &d->nodes[e->a], *b = &d->nodes[e->b];
		const char *lbl[2] = {e->la, e->lb};
		const struct dnode *from[2] = {a, b}, *to[2] = {b, a};

		for (int s = 0; s < 2; s++) {
			double dx = to[s]->x - from[s]->x, dy = to[s]->y - from[s]->y;
			double len = sq_root(dx * dx + dy * dy), off;

			if (!lbl[s][0] || len < 1)
				continue;
			/* Just outside the box edge along the line, at most 45 % of the way. */
			off = box_exit(from[s], dx / len, dy / len) + 18;
			if (off > len * 0.45)
				off = len * 0.45;
			fprintf(out,
				"<text class=\"ifl\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">",
				from[s]->x + dx * off / len, from[s]->y + dy * off / len + 4);
			report_xml_escape(out, lbl[s]);
			fputs("</text>\n", out);
		}
	}
	fputs("</svg>\n", out);
}

/* Colours: ok green, n/a grey, setup error black; each errno its own hue. */
static void result_css(int res, char *cls, size_t clen, char *color, size_t colen)
{
	static const char *const palette[] = {"#8e24aa", "#3949ab", "#00897b", "#6d4c41",
					      "#d81b60", "#5e35b1", "#00acc1", "#7cb342"};

	if (res == 0) {
		snprintf(cls, clen, "ok");
		snprintf(color, colen, "#43a047");
	} else if (res == MATRIX_NA) {
		snprintf(cls, clen, "na");
		snprintf(color, colen, "#e0e0e0");
	} else if (res == MATRIX_SETUP) {
		snprintf(cls, clen, "err");
		snprintf(color, colen, "#212121");
	} else {
		snprintf(cls, clen, "e%d", res);
		if (res == EADDRINUSE)
			snprintf(color, colen, "#e53935");
		else if (res == EADDRNOTAVAIL)
			snprintf(color, colen, "#fb8c00");
		else
			snprintf(color, colen, "%s",
				 palette[(unsigned)res % (sizeof(palette) / sizeof(palette[0]))]);
	}
}

/* Distinct results in order of first appearance (ok first). */
static size_t distinct_results(const struct matrix_result *r, int *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_cells; i++) {
		size_t k;

		for (k = 0; k < n && out[k] != r->cells[i].result; k++)
			;
		if (k == n && n < max)
			out[n++] = r->cells[i].result;
	}
	for (size_t k = 1; k < n; k++) {
		int v = out[k];
		size_t j = k;

		/* ok, errnos ascending, then n/a and error last. */
		while (j > 0 && (v >= 0 ? (out[j - 1] < 0 || out[j - 1] > v) : out[j - 1] < v)) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = v;
	}
	return n;
}

static const struct matrix_cell *find_cell(const struct matrix_result *r, size_t from, unsigned so,
					   unsigned sa, unsigned uid)
{
	/* Cells of one row are contiguous: second opts > second addr > uid. */
	size_t idx = from + ((size_t)so * MX_N_ADDR + sa) * MX_N_UID + uid;

	return idx < r->n_cells ? &r->cells[idx] : NULL;
}

static const char *const addr_key[MX_N_ADDR] = {"*", "A", "a", "o"};

static void write_cell(FILE *out, const struct matrix_cell *c, unsigned so, unsigned sa)
{
	int res = c ? c->result : MATRIX_NA;
	char b[32], cls[16], color[16];

	result_css(res, cls, sizeof(cls), color, sizeof(color));
	fprintf(out, "<td class=\"%s%s\" title=\"", cls, sa == 0 ? " grp" : "");
	if (c)
		fprintf(out, "%s %s, first %s/%s, ", matrix_proto_name(c->proto),
			matrix_state_name(c->proto, c->state), matrix_opts_name(c->first_opts),
			matrix_addr_name(c->first_addr));
	fprintf(out, "second %s/%s: %s", matrix_opts_name(so), matrix_addr_name(sa),
		matrix_result_name(res, b, sizeof(b)));
	if (c && res == MATRIX_SETUP)
		fprintf(out, " (%s: %s)", c->setup_call,
			report_result_text(c->setup_err, b, sizeof(b)));
	fprintf(out, "\">%c</td>", matrix_result_char(res));
}

/* One row: the first socket (p, st, fo, fa), every second socket for one uid. */
static void write_row(FILE *out, const struct matrix_result *r, size_t row, unsigned p, unsigned st,
		      unsigned fo, unsigned fa, unsigned uid)
{
	size_t per_row = (size_t)MX_N_OPTS * MX_N_ADDR * MX_N_UID;

	fprintf(out, "<tr%s>", fa == 0 ? " class=\"blk\"" : "");
	if (fo == 0 && fa == 0)
		fprintf(out, "<th rowspan=\"16\">%s</th><th rowspan=\"16\">%s</th>",
			matrix_proto_name(p), matrix_state_name(p, st));
	if (fa == 0)
		fprintf(out, "<th rowspan=\"4\">%s</th>", matrix_opts_name(fo));
	fprintf(out, "<th>%s</th>", addr_key[fa]);
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		for (unsigned sa = 0; sa < MX_N_ADDR; sa++)
			write_cell(out, find_cell(r, row * per_row, so, sa, uid), so, sa);
	fputs("</tr>\n", out);
}

static void write_grid(FILE *out, const struct matrix_result *r, unsigned uid)
{
	size_t row = 0;

	fprintf(out,
		"<h2>Second socket as %s</h2>\n<table class=\"grid\">\n<thead><tr>"
		"<th colspan=\"4\">first socket</th>",
		uid == MX_UID_SAME ? "the same uid (0)" : "another uid (65534)");
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		fprintf(out, "<th colspan=\"4\" class=\"grp\">%s</th>", matrix_opts_name(so));
	fputs("</tr>\n<tr><th>proto</th><th>state</th><th>opts</th><th>addr</th>", out);
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		for (unsigned sa = 0; sa < MX_N_ADDR; sa++)
			fprintf(out, "<th%s>%s</th>", sa == 0 ? " class=\"grp\"" : "",
				addr_key[sa]);
	fputs("</tr></thead>\n<tbody>\n", out);
	for (unsigned p = 0; p < MX_N_PROTO; p++) {
		if (!(r->proto_mask & (1u << p)))
			continue;
		for (unsigned st = 0; st < MX_N_STATE; st++) {
			if (p == MX_UDP && (st == MX_LISTENING || st == MX_TIME_WAIT)) {
				fprintf(
				    out,
				    "<tr class=\"blk\"><th>%s</th><th>%s</th><td colspan=\"18\" "
				    "class=\"na wide\">not applicable to UDP</td></tr>\n",
				    matrix_proto_name(p), matrix_state_name(p, st));
				row += MX_N_OPTS * MX_N_ADDR;
				continue;
			}
			for (unsigned fo = 0; fo < MX_N_OPTS; fo++)
				for (unsigned fa = 0; fa < MX_N_ADDR; fa++)
					write_row(out, r, row++, p, st, fo, fa, uid);
		}
	}
	fputs("</tbody></table>\n", out);
}

int matrix_write_html(const struct matrix_result *r, const struct topology *t,
		      const struct lab_view *v, FILE *out)
{
	struct drawing d = {0};
	int results[64];
	size_t nres;
	char b[32], cls[16], color[16];
	int ret;

	if (t)
		ret = from_topology(&d, t, r->node);
	else if (v && v->n_nodes)
		ret = from_view(&d, v, r->node);
	else
		ret = from_result(&d, r);
	if (ret < 0)
		goto out;
	nres = distinct_results(r, results, sizeof(results) / sizeof(results[0]));

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
	      "reuselab bind matrix: ",
	      out);
	report_xml_escape(out, r->lab);
	fputc('/', out);
	report_xml_escape(out, r->node);
	fputs("</title>\n<style>\n"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}\n"
	      "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}\n"
	      ".meta{color:#555;margin:0 0 12px}.note{color:#8d6e00}\n"
	      "table.grid{border-collapse:collapse;font:12px/1 ui-monospace,monospace}\n"
	      ".grid th{background:#f5f5f5;padding:3px 6px;border:1px solid #ddd;"
	      "font-weight:600;text-align:left}\n"
	      ".grid td{width:18px;height:18px;text-align:center;border:1px solid #fff;"
	      "color:#fff;font-weight:700}\n"
	      ".grid td.grp,.grid th.grp{border-left:3px solid #fff}\n"
	      ".grid tr.blk td,.grid tr.blk th{border-top:3px solid #fff}\n"
	      ".grid td.wide{text-align:left;padding-left:8px;color:#666;font-weight:400}\n"
	      ".legend span.sw{display:inline-block;width:14px;height:14px;vertical-align:-2px;"
	      "margin:0 4px 0 14px;border-radius:2px}\n"
	      "svg .node{fill:#fff;stroke:#607d8b;stroke-width:1.5}"
	      "svg .hl{fill:#e3f2fd;stroke:#1565c0;stroke-width:3}\n"
	      "svg .lan{fill:#fff8e1;stroke:#f9a825;stroke-width:1.5}"
	      "svg .link{stroke:#78909c;stroke-width:2}\n"
	      "svg text{font:12px ui-monospace,monospace;fill:#222;white-space:pre}"
	      "svg .name{font:bold 13px system-ui,sans-serif}svg .ifl{fill:#1565c0;"
	      "font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}\n",
	      out);
	for (size_t i = 0; i < nres; i++) {
		result_css(results[i], cls, sizeof(cls), color, sizeof(color));
		fprintf(out, ".grid td.%s,.legend .%s{background:%s%s}\n", cls, cls, color,
			results[i] == MATRIX_NA ? ";color:#999" : "");
	}
	fputs("</style>\n</head>\n<body>\n<h1>Bind matrix: lab ", out);
	report_xml_escape(out, r->lab);
	fputs(", node ", out);
	report_xml_escape(out, r->node);
	fputs("</h1>\n<p class=\"meta\">kernel ", out);
	report_xml_escape(out, r->kernel);
	fprintf(out, " &middot; %zu cells in %.0f ms &middot; first socket uid 0</p>\n", r->n_cells,
		r->elapsed_ms);
	fputs("<p>Each cell is the result of the <em>second</em> <code>bind()</code> to the same "
	      "port as a first socket that is already in the row's state. Rows: the first "
	      "socket's protocol, state, options and address; columns: the second socket's "
	      "options and address. Hover a cell for its full description.</p>\n",
	      out);
	fputs("<p class=\"legend\">addresses: <b>*</b> 0.0.0.0", out);
	for (unsigned a = MX_ADDR_A; a < MX_N_ADDR; a++) {
		fprintf(out, " &middot; <b>%s</b> ", addr_key[a]);
		if (r->have[a]) {
			fprintf(out, "%s (", inet_ntoa(r->addr[a]));
			report_xml_escape(out, a == MX_ADDR_ALIAS ? "alias on " : "");
			report_xml_escape(out, r->addr_if[a]);
			fputc(')', out);
		} else {
			fputs("none", out);
		}
	}
	fputs("</p>\n<p class=\"legend\">", out);
	for (size_t i = 0; i < nres; i++) {
		size_t count = 0;

		for (size_t k = 0; k < r->n_cells; k++)
			count += r->cells[k].result == results[i];
		result_css(results[i], cls, sizeof(cls), color, sizeof(color));
		fprintf(out, "<span class=\"sw %s\"></span><b>%c</b> %s (%zu)", cls,
			matrix_result_char(results[i]),
			results[i] == MATRIX_SETUP ? "setup failed"
						   : matrix_result_name(results[i], b, sizeof(b)),
			count);
	}
	fputs("</p>\n", out);
	for (size_t i = 0; i < sizeof(r->notes) / sizeof(r->notes[0]); i++) {
		if (!r->notes[i][0])
			continue;
		fputs("<p class=\"note\">note: ", out);
		report_xml_escape(out, r->notes[i]);
		fputs("</p>\n", out);
	}
	fprintf(out, "<h2>Lab%s</h2>\n",
		t		  ? ""
		: v && v->n_nodes ? " (from the kernel; links inferred from subnets)"
				  : " (this node only)");
	write_svg(out, &d);
	for (unsigned uid = 0; uid < MX_N_UID; uid++)
		write_grid(out, r, uid);
	fputs("</body>\n</html>\n", out);
	ret = fflush(out) == EOF || ferror(out) ? -EIO : 0;
out:
	free(d.nodes);
	free(d.edges);
	return ret;
}

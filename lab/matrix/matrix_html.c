/* SPDX-License-Identifier: MIT */
/*
 * The bind matrix as one self-contained HTML page: inline CSS, inline SVG,
 * no script, no external resource, so it can be mailed or attached to a CI
 * run.  The lab's picture comes from matrix_draw.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/matrix/matrix.h"
#include "lab/matrix/matrix_int.h"
#include "lab/report/report.h"

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
	size_t idx = from + ((size_t)so * r->n_axes + sa) * MX_N_UID + uid;

	return idx < r->n_cells ? &r->cells[idx] : NULL;
}

/* sa: the second socket's place in r->axis[] (0 starts a column group). */
static void write_cell(FILE *out, const struct matrix_result *r, const struct matrix_cell *c,
		       unsigned so, unsigned sa)
{
	int res = c ? c->result : MATRIX_NA;
	char b[32], cls[16], color[16];

	result_css(res, cls, sizeof(cls), color, sizeof(color));
	fprintf(out, "<td class=\"%s%s\" title=\"", cls, sa == 0 ? " grp" : "");
	if (c)
		fprintf(out, "%s %s, first %s/%s, ", matrix_proto_name(c->proto),
			matrix_state_name(c->proto, c->state), matrix_opts_name(c->first_opts),
			matrix_addr_name(c->first_addr));
	fprintf(out, "second %s/%s: %s", matrix_opts_name(so), matrix_addr_name(r->axis[sa]),
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
	size_t per_row = (size_t)MX_N_OPTS * r->n_axes * MX_N_UID;
	unsigned n = r->n_axes;

	fprintf(out, "<tr class=\"p%u s%u%s\">", p, st, fa == 0 ? " blk" : "");
	if (fo == 0 && fa == 0)
		fprintf(out, "<th rowspan=\"%u\">%s</th><th rowspan=\"%u\">%s</th>",
			MX_N_OPTS * n, matrix_proto_name(p), MX_N_OPTS * n,
			matrix_state_name(p, st));
	if (fa == 0)
		fprintf(out, "<th rowspan=\"%u\">%s</th>", n, matrix_opts_name(fo));
	fprintf(out, "<th>%c</th>", matrix_addr_key(r->axis[fa]));
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		for (unsigned sa = 0; sa < n; sa++)
			write_cell(out, r, find_cell(r, row * per_row, so, sa, uid), so, sa);
	fputs("</tr>\n", out);
}

static void write_grid(FILE *out, const struct matrix_result *r, unsigned uid)
{
	size_t row = 0;

	fprintf(out,
		"<div class=\"uid%u\">\n<h2>Second socket as %s</h2>\n<table class=\"grid\">\n"
		"<thead><tr><th colspan=\"4\">first socket</th>",
		uid, uid == MX_UID_SAME ? "the same uid (0)" : "another uid (65534)");
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		fprintf(out, "<th colspan=\"%u\" class=\"grp\">%s</th>", r->n_axes,
			matrix_opts_name(so));
	fputs("</tr>\n<tr><th>proto</th><th>state</th><th>opts</th><th>addr</th>", out);
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		for (unsigned sa = 0; sa < r->n_axes; sa++)
			fprintf(out, "<th%s>%c</th>", sa == 0 ? " class=\"grp\"" : "",
				matrix_addr_key(r->axis[sa]));
	fputs("</tr></thead>\n<tbody>\n", out);
	for (unsigned p = 0; p < MX_N_PROTO; p++) {
		if (!(r->proto_mask & (1u << p)))
			continue;
		for (unsigned st = 0; st < MX_N_STATE; st++) {
			if (!matrix_state_applies(p, st)) {
				fprintf(out,
					"<tr class=\"p%u s%u blk\"><th>%s</th><th>%s</th><td "
					"colspan=\"%u\" "
					"class=\"na wide\">not applicable to UDP</td></tr>\n",
					p, st, matrix_proto_name(p), matrix_state_name(p, st),
					2 + MX_N_OPTS * r->n_axes);
				row += MX_N_OPTS * r->n_axes;
				continue;
			}
			for (unsigned fo = 0; fo < MX_N_OPTS; fo++)
				for (unsigned fa = 0; fa < r->n_axes; fa++)
					write_row(out, r, row++, p, st, fo, fa, uid);
		}
	}
	fputs("</tbody></table>\n</div>\n", out);
}

/*
 * The view switch, without script: radio buttons before the grids (their
 * siblings), and CSS that hides the other uid's grid and the rows of the
 * protocols and states not chosen.
 */
static void write_views(FILE *out)
{
	static const char *const state_label[MX_N_STATE] = {"bound", "listening",
							    "established / connected", "time-wait"};

	fputs("<p class=\"views\">second socket: "
	      "<input type=\"radio\" name=\"uid\" id=\"u0\" checked><label for=\"u0\">same "
	      "uid</label> <input type=\"radio\" name=\"uid\" id=\"u1\"><label for=\"u1\">"
	      "other uid</label> &middot; protocol: <input type=\"radio\" name=\"p\" id=\"pa\" "
	      "checked><label for=\"pa\">both</label>",
	      out);
	for (unsigned p = 0; p < MX_N_PROTO; p++)
		fprintf(
		    out,
		    " <input type=\"radio\" name=\"p\" id=\"p%u\"><label for=\"p%u\">%s</label>", p,
		    p, matrix_proto_name(p));
	fputs(" &middot; first socket: <input type=\"radio\" name=\"s\" id=\"sa\" checked><label "
	      "for=\"sa\">every state</label>",
	      out);
	for (unsigned st = 0; st < MX_N_STATE; st++)
		fprintf(
		    out,
		    " <input type=\"radio\" name=\"s\" id=\"s%u\"><label for=\"s%u\">%s</label>",
		    st, st, state_label[st]);
	fputs("</p>\n", out);
}

/* The rules write_views needs: one per choice. */
static void write_view_css(FILE *out)
{
	fputs("#u0:checked~.uid1,#u1:checked~.uid0{display:none}\n"
	      ".views{position:sticky;top:0;background:#fff;padding:6px 0;margin:0;z-index:1}\n",
	      out);
	for (unsigned p = 0; p < MX_N_PROTO; p++)
		fprintf(out, "#p%u:checked~div tbody tr:not(.p%u){display:none}\n", p, p);
	for (unsigned st = 0; st < MX_N_STATE; st++)
		fprintf(out, "#s%u:checked~div tbody tr:not(.s%u){display:none}\n", st, st);
}

static const char page_css[] =
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
    "font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}\n";

/* <head>: title and style, with one colour rule per result present. */
static void write_head(FILE *out, const struct matrix_result *r, const int *results, size_t nres)
{
	char cls[16], color[16];

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
	      "reuselab bind matrix: ",
	      out);
	report_xml_escape(out, r->lab);
	fputc('/', out);
	report_xml_escape(out, r->node);
	fputs("</title>\n<style>\n", out);
	fputs(page_css, out);
	for (size_t i = 0; i < nres; i++) {
		result_css(results[i], cls, sizeof(cls), color, sizeof(color));
		fprintf(out, ".grid td.%s,.legend .%s{background:%s%s}\n", cls, cls, color,
			results[i] == MATRIX_NA ? ";color:#999" : "");
	}
	write_view_css(out);
	fputs("</style>\n</head>\n", out);
}

static void write_intro(FILE *out, const struct matrix_result *r)
{
	fputs("<body>\n<h1>Bind matrix: lab ", out);
	report_xml_escape(out, r->lab);
	fputs(", node ", out);
	report_xml_escape(out, r->node);
	fputs("</h1>\n<p class=\"meta\">kernel ", out);
	report_xml_escape(out, r->kernel);
	fprintf(out, " &middot; %zu cells in %.0f ms &middot; first socket uid 0</p>\n", r->n_cells,
		r->elapsed_ms);
}

/* What a cell means, under the grids. */
static void write_explanation(FILE *out)
{
	fputs("<p>Each cell is the result of the <em>second</em> <code>bind()</code> to the same "
	      "port as a first socket that is already in the row's state. Rows: the first "
	      "socket's protocol, state, options and address; columns: the second socket's "
	      "options and address. Hover a cell for its full description.</p>\n",
	      out);
}

/* The address axes, one swatch and count per result, then the notes. */
static void write_legend(FILE *out, const struct matrix_result *r, const int *results, size_t nres)
{
	char b[32], cls[16], color[16], t[INET6_ADDRSTRLEN];

	fputs("<p class=\"legend\">addresses:", out);
	for (unsigned i = 0; i < r->n_axes; i++) {
		unsigned a = r->axis[i];

		fprintf(out, "%s<b>%c</b> ", i ? " &middot; " : " ", matrix_addr_key(a));
		if (a == MX_ADDR_WILDCARD) {
			fputs("0.0.0.0", out);
		} else if (r->have[a]) {
			fprintf(out, "%s (", matrix_addr_text(r, a, t, sizeof(t)));
			report_xml_escape(out, a == MX_ADDR_ALIAS ? "alias on " : "");
			report_xml_escape(out, matrix_addr_is_v6(a) && a != MX_ADDR_V6 &&
						       a != MX_ADDR_MAPPED_A
						   ? matrix_addr_name(a)
						   : r->addr_if[a]);
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
}

int matrix_write_html(const struct matrix_result *r, const struct topology *t,
		      const struct inspect_lab *v, FILE *out)
{
	int results[64];
	size_t nres;
	int ret;

	nres = distinct_results(r, results, sizeof(results) / sizeof(results[0]));
	write_head(out, r, results, nres);
	/* The grid is on the first screen; what explains it and the lab follow. */
	write_intro(out, r);
	write_legend(out, r, results, nres);
	write_views(out);
	for (unsigned uid = 0; uid < MX_N_UID; uid++)
		write_grid(out, r, uid);
	write_explanation(out);
	fprintf(out, "<h2>Lab%s</h2>\n",
		t		  ? ""
		: v && v->n_nodes ? " (from the kernel; links inferred from subnets)"
				  : " (this node only)");
	ret = matrix_draw_lab(out, r, t, v);
	if (ret < 0)
		return ret;
	fputs("</body>\n</html>\n", out);
	return report_flush(out);
}

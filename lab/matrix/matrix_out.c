/* SPDX-License-Identifier: MIT */
/*
 * Bind matrix output: names, the text grid and JSON ("reuselab-matrix/1",
 * documented in docs/report.md).
 *
 * Grid: one per uid.  Rows: proto, state of the first socket, its options,
 * its address.  Columns: the second socket's options (groups of four) x its
 * address.  Row labels repeat only when they change, so the eye follows the
 * blocks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lab/matrix/matrix.h"
#include "lab/report/report.h"

const char *matrix_proto_name(unsigned p)
{
	return p == MX_TCP ? "tcp" : "udp";
}

const char *matrix_state_name(unsigned proto, unsigned st)
{
	static const char *const names[MX_N_STATE] = {"bound", "listening", "established",
						      "time-wait"};

	if (proto == MX_UDP && st == MX_ESTABLISHED)
		return "connected";
	return st < MX_N_STATE ? names[st] : "?";
}

bool matrix_state_applies(unsigned proto, unsigned st)
{
	return !(proto == MX_UDP && (st == MX_LISTENING || st == MX_TIME_WAIT));
}

const char *matrix_opts_name(unsigned o)
{
	static const char *const names[MX_N_OPTS] = {"none", "reuseaddr", "reuseport", "both"};

	return o < MX_N_OPTS ? names[o] : "?";
}

static const char *const addr_names[MX_N_ADDR] = {
    "wildcard",	       "A", "alias", "other", "v6-wildcard", "v6only-wildcard",
    "v6", "mapped-wildcard", "mapped-A"};

const char *matrix_addr_name(unsigned a)
{
	return a < MX_N_ADDR ? addr_names[a] : "?";
}

unsigned matrix_addr_parse(const char *name)
{
	unsigned a = 0;

	while (a < MX_N_ADDR && strcmp(addr_names[a], name))
		a++;
	return a;
}

char matrix_addr_key(unsigned a)
{
	static const char keys[MX_N_ADDR] = {'*', 'A', 'a', 'o', 'D', 'V', '6', 'm', 'M'};

	return a < MX_N_ADDR ? keys[a] : '?';
}

bool matrix_addr_is_v6(unsigned a)
{
	return a >= MX_ADDR_V6_WILDCARD && a < MX_N_ADDR;
}

const char *matrix_addr_text(const struct matrix_result *r, unsigned a, char *buf, size_t len)
{
	bool v6 = matrix_addr_is_v6(a);

	if (a >= MX_N_ADDR || !inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)&r->addr6[a]
								 : (const void *)&r->addr[a],
					 buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *matrix_uid_name(unsigned u)
{
	return u == MX_UID_SAME ? "same" : "other";
}

const char *matrix_result_name(int result, char *buf, size_t len)
{
	if (result == MATRIX_NA)
		return "n/a";
	if (result == MATRIX_SETUP)
		return "error";
	return report_result_text(result, buf, len);
}

char matrix_result_char(int result)
{
	switch (result) {
	case 0:
		return '.';
	case EADDRINUSE:
		return 'U';
	case EADDRNOTAVAIL:
		return 'N';
	case EINVAL:
		return 'I';
	case EACCES:
	case EPERM:
		return 'P';
	case MATRIX_NA:
		return '-';
	case MATRIX_SETUP:
		return '!';
	default:
		return '?';
	}
}

static const char *result_color(int result)
{
	switch (result) {
	case 0:
		return "\033[32m";
	case EADDRINUSE:
		return "\033[31m";
	case EADDRNOTAVAIL:
		return "\033[33m";
	case MATRIX_NA:
		return "\033[2m";
	default:
		return "\033[35m";
	}
}

/*
 * Cells are stored proto > state > first opts > first addr > second opts >
 * second addr > uid; fa and sa are places in r->axis[], not axis ids.
 */
static const struct matrix_cell *cell_at(const struct matrix_result *r, unsigned proto, unsigned st,
					 unsigned fo, unsigned fa, unsigned so, unsigned sa,
					 unsigned uid)
{
	size_t per = matrix_cell_count(1u << MX_TCP, r->axes_mask), idx, n = r->n_axes;
	unsigned blk = 0;

	for (unsigned p = 0; p < proto; p++)
		blk += !!(r->proto_mask & (1u << p));
	idx = blk * per + (((((st * MX_N_OPTS + fo) * n + fa) * MX_N_OPTS + so) * n + sa) *
			       MX_N_UID +
			   uid);
	return idx < r->n_cells ? &r->cells[idx] : NULL;
}

/* How the legend explains an axis beyond its address. */
static const char *axis_gloss(const struct matrix_result *r, unsigned a)
{
	switch ((enum matrix_addr)a) {
	case MX_ADDR_WILDCARD:
		return "wildcard";
	case MX_ADDR_V6_WILDCARD:
		return "IPv6 wildcard, dual-stack";
	case MX_ADDR_V6ONLY_WILDCARD:
		return "IPv6 wildcard, IPV6_V6ONLY";
	case MX_ADDR_MAPPED_WILDCARD:
		return "v4-mapped wildcard";
	case MX_ADDR_ALIAS:
	case MX_ADDR_A:
	case MX_ADDR_OTHER:
	case MX_ADDR_V6:
	case MX_ADDR_MAPPED_A:
	case MX_N_ADDR:
		break;
	}
	return r->addr_if[a];
}

static void write_legend(const struct matrix_result *r, FILE *out)
{
	char t[INET6_ADDRSTRLEN];

	fprintf(out, "addresses:");
	for (unsigned i = 0; i < r->n_axes; i++) {
		unsigned a = r->axis[i];

		if (r->have[a])
			fprintf(out, "%s %c = %s (%s%s)", i ? "," : "", matrix_addr_key(a),
				matrix_addr_text(r, a, t, sizeof(t)),
				a == MX_ADDR_ALIAS ? "alias on " : "", axis_gloss(r, a));
		else
			fprintf(out, "%s %c = none", i ? "," : "", matrix_addr_key(a));
	}
	fputc('\n', out);
	fprintf(out, "cells: . ok   U EADDRINUSE   N EADDRNOTAVAIL   I EINVAL   P EACCES/EPERM   "
		     "? other errno   - n/a   ! setup failed\n");
	for (size_t i = 0; i < sizeof(r->notes) / sizeof(r->notes[0]); i++)
		if (r->notes[i][0])
			fprintf(out, "note: %s\n", r->notes[i]);
}

static void write_one_grid(const struct matrix_result *r, FILE *out, bool color, unsigned uid)
{
	fprintf(out, "\nsecond socket %s (uid %u vs first socket's uid 0)\n",
		uid == MX_UID_SAME ? "as the same uid" : "as another uid",
		uid == MX_UID_SAME ? 0 : MATRIX_OTHER_UID);
	fprintf(out, "%-28s", "first socket");
	for (unsigned so = 0; so < MX_N_OPTS; so++)
		fprintf(out, " %-*s", (int)(2 * r->n_axes + 1), matrix_opts_name(so));
	fputc('\n', out);
	fprintf(out, "%-5s %-11s %-9s %-1s", "proto", "state", "opts", "@");
	for (unsigned so = 0; so < MX_N_OPTS; so++) {
		fputs(" ", out);
		for (unsigned sa = 0; sa < r->n_axes; sa++)
			fprintf(out, "%c ", matrix_addr_key(r->axis[sa]));
		fputs(" ", out);
	}
	fputc('\n', out);
	for (unsigned p = 0; p < MX_N_PROTO; p++) {
		if (!(r->proto_mask & (1u << p)))
			continue;
		for (unsigned st = 0; st < MX_N_STATE; st++) {
			if (!matrix_state_applies(p, st)) {
				fprintf(out, "%-5s %-11s %s\n", matrix_proto_name(p),
					matrix_state_name(p, st), "-  not applicable to UDP");
				continue;
			}
			for (unsigned fo = 0; fo < MX_N_OPTS; fo++) {
				for (unsigned fa = 0; fa < r->n_axes; fa++) {
					bool head = fo == 0 && fa == 0;

					fprintf(out, "%-5s %-11s %-9s %c",
						head && st == 0 ? matrix_proto_name(p) : "",
						head ? matrix_state_name(p, st) : "",
						fa == 0 ? matrix_opts_name(fo) : "",
						matrix_addr_key(r->axis[fa]));
					for (unsigned so = 0; so < MX_N_OPTS; so++) {
						fputs(" ", out);
						for (unsigned sa = 0; sa < r->n_axes; sa++) {
							const struct matrix_cell *c =
							    cell_at(r, p, st, fo, fa, so, sa, uid);
							int res = c ? c->result : MATRIX_NA;

							if (color)
								fprintf(out, "%s%c\033[0m ",
									result_color(res),
									matrix_result_char(res));
							else
								fprintf(out, "%c ",
									matrix_result_char(res));
						}
						fputs(" ", out);
					}
					fputc('\n', out);
				}
			}
		}
	}
}

/* How the cells ended, for the grid's last line and the JSON summary. */
struct tally {
	size_t ok, refused, na, setup;
};

static struct tally tally_of(const struct matrix_result *r)
{
	struct tally t = {0};

	for (size_t i = 0; i < r->n_cells; i++) {
		int res = r->cells[i].result;

		t.ok += res == 0;
		t.na += res == MATRIX_NA;
		t.setup += res == MATRIX_SETUP;
	}
	t.refused = r->n_cells - t.ok - t.na - t.setup;
	return t;
}

int matrix_write_grid(const struct matrix_result *r, FILE *out, bool color)
{
	struct tally n = tally_of(r);

	fprintf(out, "bind matrix: lab %s, node %s, kernel %s\n", r->lab, r->node, r->kernel);
	fprintf(out, "rows: the first socket (protocol, state, options, address); columns: the "
		     "second socket's options x address; cell: the second bind()\n");
	write_legend(r, out);
	for (unsigned uid = 0; uid < MX_N_UID; uid++)
		write_one_grid(r, out, color, uid);
	fprintf(out, "\n%zu cells in %.0f ms: %zu ok, %zu refused, %zu n/a", r->n_cells,
		r->elapsed_ms, n.ok, n.refused, n.na);
	if (n.setup)
		fprintf(out, ", %zu setup failures", n.setup);
	fputc('\n', out);
	for (size_t i = 0; i < r->n_cells && n.setup; i++) {
		const struct matrix_cell *c = &r->cells[i];
		char b[32];

		if (c->result != MATRIX_SETUP)
			continue;
		fprintf(out, "  setup failed: %s %s %s/%s port %u: %s: %s\n",
			matrix_proto_name(c->proto), matrix_state_name(c->proto, c->state),
			matrix_opts_name(c->first_opts), matrix_addr_name(c->first_addr), c->port,
			c->setup_call, report_result_text(c->setup_err, b, sizeof(b)));
	}
	return report_flush(out);
}

/*
 * JSON goes straight to the stream in the schema's key order, every string
 * through report_json_string(), so no json-c type enters lab/matrix.
 * Compact, one line: ~4000 cells pretty-printed would be ~60000 lines; jq
 * reads either.
 */
static void json_field(FILE *out, const char *key, const char *value)
{
	fprintf(out, "\"%s\":", key);
	report_json_string(out, value);
}

static void side_json(FILE *out, const char *key, unsigned opts, unsigned addr)
{
	fprintf(out, "\"%s\":{", key);
	json_field(out, "opts", matrix_opts_name(opts));
	fputc(',', out);
	json_field(out, "addr", matrix_addr_name(addr));
	fputc('}', out);
}

static void cell_json(FILE *out, const struct matrix_cell *c)
{
	char b[32], e[64];

	fputc('{', out);
	json_field(out, "proto", matrix_proto_name(c->proto));
	fputc(',', out);
	json_field(out, "state", matrix_state_name(c->proto, c->state));
	fputc(',', out);
	side_json(out, "first", c->first_opts, c->first_addr);
	fputc(',', out);
	side_json(out, "second", c->second_opts, c->second_addr);
	fputc(',', out);
	json_field(out, "uid", matrix_uid_name(c->uid));
	fputc(',', out);
	json_field(out, "result", matrix_result_name(c->result, b, sizeof(b)));
	if (c->result != MATRIX_NA)
		fprintf(out, ",\"port\":%u", c->port);
	if (c->result == MATRIX_SETUP) {
		snprintf(e, sizeof(e), "%s: %s", c->setup_call,
			 report_result_text(c->setup_err, b, sizeof(b)));
		fputc(',', out);
		json_field(out, "error", e);
	}
	fputc('}', out);
}

/* "addresses": each axis of the run an object, or null when the node lacks it. */
static void addresses_json(FILE *out, const struct matrix_result *r)
{
	char t[INET6_ADDRSTRLEN];

	fputs("\"addresses\":{", out);
	for (unsigned i = 0; i < r->n_axes; i++) {
		unsigned a = r->axis[i];
		bool wild = a == MX_ADDR_WILDCARD || a == MX_ADDR_V6_WILDCARD ||
			    a == MX_ADDR_V6ONLY_WILDCARD || a == MX_ADDR_MAPPED_WILDCARD;

		fprintf(out, "%s\"%s\":", i ? "," : "", matrix_addr_name(a));
		if (!r->have[a]) {
			fputs("null", out);
			continue;
		}
		fputc('{', out);
		json_field(out, "address", matrix_addr_text(r, a, t, sizeof(t)));
		fputc(',', out);
		json_field(out, "interface", wild ? NULL : r->addr_if[a]);
		if (matrix_addr_is_v6(a))
			fprintf(out, ",\"v6only\":%s", a == MX_ADDR_V6ONLY_WILDCARD ? "true" : "false");
		fputc('}', out);
	}
	fputc('}', out);
}

static void notes_json(FILE *out, const struct matrix_result *r)
{
	bool first = true;

	fputs("\"notes\":[", out);
	for (size_t i = 0; i < sizeof(r->notes) / sizeof(r->notes[0]); i++) {
		if (!r->notes[i][0])
			continue;
		if (!first)
			fputc(',', out);
		report_json_string(out, r->notes[i]);
		first = false;
	}
	fputc(']', out);
}

static void summary_json(FILE *out, const struct matrix_result *r)
{
	struct tally n = tally_of(r);

	fprintf(out,
		"\"summary\":{\"cells\":%zu,\"ok\":%zu,\"refused\":%zu,\"na\":%zu,\"error\":%zu}",
		r->n_cells, n.ok, n.refused, n.na, n.setup);
}

int matrix_write_json(const struct matrix_result *r, FILE *out)
{
	fputc('{', out);
	json_field(out, "schema", "reuselab-matrix/1");
	fputc(',', out);
	json_field(out, "kernel", r->kernel);
	fputc(',', out);
	json_field(out, "lab", r->lab);
	fputc(',', out);
	json_field(out, "node", r->node);
	fputc(',', out);
	addresses_json(out, r);
	fputc(',', out);
	notes_json(out, r);
	fprintf(out, ",\"ports\":{\"first\":%u,\"last\":%u}", r->port_first, r->port_last);
	fprintf(out, ",\"elapsed_ms\":%.1f,\"cells\":[", r->elapsed_ms);
	for (size_t i = 0; i < r->n_cells; i++) {
		if (i)
			fputc(',', out);
		cell_json(out, &r->cells[i]);
	}
	fputs("],", out);
	summary_json(out, r);
	fputs("}\n", out);
	return report_flush(out);
}

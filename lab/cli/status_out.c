/* SPDX-License-Identifier: MIT */
/* `status` output: the table and the JSON (docs/status.schema.json). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "lab/cli/status_int.h"
#include "lab/report/report.h"

#define PEER_TEXT_MAX 1024

struct widths {
	int node, peer;
};

static const char *link_state(const struct live_link *k)
{
	if (!k->up)
		return "DOWN";
	return k->lower_up ? "UP" : "NO-CARRIER";
}

static const char *master_name(const struct inspect_node *n, const struct live_link *k)
{
	const struct live_link *m = live_link_by_index(n->live, k->master);

	return m ? m->name : "";
}

/*
 * What stands in the PEER column: a veth's other end as node:iface ("gone"
 * when it is nowhere in the lab), a bridge's members as the nodes' ends
 * (node:iface of each port's peer), "" otherwise.
 */
static void peer_text(const struct inspect_lab *l, const struct inspect_node *n, size_t j,
		      char *buf, size_t len)
{
	const struct live_link *k = &n->live->links[j];
	size_t used = 0;

	buf[0] = '\0';
	if (!strcmp(k->kind, "veth")) {
		inspect_peer_name(l, &n->peers[j], buf, len);
		if (!buf[0])
			snprintf(buf, len, "gone");
		return;
	}
	if (strcmp(k->kind, "bridge"))
		return;
	for (size_t m = 0; m < n->live->n_links && used < len; m++) {
		char one[96];

		if (n->live->links[m].master != k->ifindex)
			continue;
		inspect_peer_name(l, &n->peers[m], one, sizeof(one));
		used += snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				 one[0] ? one : n->live->links[m].name);
	}
}

/* Width of s as written: escaped (report_text_put), so names the kernel
 * holds cannot drive the terminal and columns count what is shown. */
static int text_width(const char *s)
{
	return (int)report_text_put(NULL, s);
}

static struct widths measure(const struct inspect_lab *l)
{
	struct widths w = {4, 4};
	char peer[PEER_TEXT_MAX];

	for (size_t i = 0; i < l->n_nodes; i++) {
		const struct inspect_node *n = &l->nodes[i];

		if (text_width(n->name) > w.node)
			w.node = text_width(n->name);
		for (size_t j = 0; n->present && j < n->live->n_links; j++) {
			if (strcmp(n->live->links[j].kind, "veth"))
				continue;
			peer_text(l, n, j, peer, sizeof(peer));
			if (text_width(peer) > w.peer)
				w.peer = text_width(peer);
		}
	}
	return w;
}

/* s escaped, padded with spaces to width, then the two-space column gap. */
static void cell(FILE *out, const char *s, int width)
{
	int n = (int)report_text_put(out, s);

	fprintf(out, "%*s", (n < width ? width - n : 0) + 2, "");
}

/* One row; the heading goes through here too, so both align.  Every cell is
 * escaped: interface names, kinds, peers and routes come from the kernel. */
static void row(FILE *out, const struct widths *w, const char *const col[9])
{
	static const int fixed[9] = {0, 9, 8, 10, 5, 17, 8, 0, 0};

	fputs("  ", out);
	for (int c = 0; c < 8; c++)
		cell(out, col[c], c == 0 ? w->node : c == 7 ? w->peer : fixed[c]);
	report_text_put(out, col[8]);
	fputc('\n', out);
}

/* A row with only NODE (blank), a word and the rest: routes, sockets. */
static void short_row(FILE *out, const struct widths *w, const char *node, const char *word,
		      const char *rest)
{
	fputs("  ", out);
	cell(out, node, w->node);
	cell(out, word, 9);
	report_text_put(out, rest);
	fputc('\n', out);
}

static void node_rows(FILE *out, const struct inspect_lab *l, const struct inspect_node *n,
		      const struct widths *w)
{
	char peer[PEER_TEXT_MAX], mtu[16], addrs[2048], extra[256];

	for (size_t j = 0; j < n->live->n_links; j++) {
		const struct live_link *k = &n->live->links[j];
		const char *master = master_name(n, k);
		size_t used = 0;

		addrs[0] = '\0';
		for (size_t a = 0; a < k->n_addrs && used < sizeof(addrs); a++)
			used += snprintf(addrs + used, sizeof(addrs) - used, "%s%s", a ? " " : "",
					 k->addrs[a].text);
		peer_text(l, n, j, peer, sizeof(peer));
		snprintf(mtu, sizeof(mtu), "%u", k->mtu);
		row(out, w,
		    (const char *const[9]){j ? "" : n->name, k->name, k->kind[0] ? k->kind : "-",
					   link_state(k), mtu, k->mac[0] ? k->mac : "-",
					   master[0] ? master : "-", peer[0] ? peer : "-", addrs});
	}
	for (size_t r = 0; r < n->live->n_routes; r++)
		short_row(out, w, "", "route", n->live->routes[r].text);
	for (size_t s = 0; s < n->n_socks; s++) {
		const struct sock_seen *so = &n->socks[s];

		snprintf(extra, sizeof(extra), "%s %s %s %s", so->proto, so->state, so->local,
			 so->remote);
		short_row(out, w, "", "socket", extra);
	}
}

void status_table(FILE *out, const struct inspect_lab *l, const char *file, bool complete)
{
	struct widths w = measure(l);

	fputs("lab ", out);
	report_text_put(out, l->lab);
	if (file) {
		fputs("  (from ", out);
		report_text_put(out, file); /* a path from the state file */
		fprintf(out, "%s)\n", complete ? "" : ", build incomplete");
	} else {
		fprintf(out, "  (no state file)\n");
	}
	row(out, &w,
	    (const char *const[9]){"NODE", "INTERFACE", "KIND", "STATE", "MTU", "MAC", "MASTER",
				   "PEER", "ADDRESSES"});
	for (size_t i = 0; i < l->n_nodes; i++) {
		const struct inspect_node *n = &l->nodes[i];

		if (!n->present) {
			fputs("  ", out);
			cell(out, n->name, w.node);
			fputs("MISSING  namespace ", out);
			report_text_put(out, n->ns);
			/* a person reads these apart: one is removed, the other retagged */
			fputs(n->foreign ? " is there but not this lab's (its tag is gone, or an empty "
					   "file)\n"
					 : " is gone\n",
			      out);
			continue;
		}
		node_rows(out, l, n, &w);
	}
}

static struct json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "other";
}

static const char *scope_name(unsigned scope)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE:
		return "global";
	case RT_SCOPE_SITE:
		return "site";
	case RT_SCOPE_LINK:
		return "link";
	case RT_SCOPE_HOST:
		return "host";
	}
	return "other";
}

static struct json_object *addrs_json(const struct live_link *k)
{
	struct json_object *as = json_object_new_array();

	for (size_t a = 0; a < k->n_addrs; a++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "address", json_object_new_string(k->addrs[a].text));
		json_object_object_add(o, "family",
				       json_object_new_string(family_name(k->addrs[a].family)));
		json_object_object_add(o, "scope",
				       json_object_new_string(scope_name(k->addrs[a].scope)));
		json_object_array_add(as, o);
	}
	return as;
}

static struct json_object *members_json(const struct inspect_lab *l, const struct inspect_node *n,
					const struct live_link *br)
{
	struct json_object *ms = json_object_new_array();
	char one[96];

	for (size_t m = 0; m < n->live->n_links; m++) {
		if (n->live->links[m].master != br->ifindex)
			continue;
		inspect_peer_name(l, &n->peers[m], one, sizeof(one));
		json_object_array_add(
		    ms, json_object_new_string(one[0] ? one : n->live->links[m].name));
	}
	return ms;
}

static struct json_object *iface_json(const struct inspect_lab *l, const struct inspect_node *n,
				      size_t j)
{
	const struct live_link *k = &n->live->links[j];
	struct json_object *o = json_object_new_object();
	char peer[96];

	inspect_peer_name(l, &n->peers[j], peer, sizeof(peer));
	json_object_object_add(o, "name", json_object_new_string(k->name));
	json_object_object_add(o, "ifindex", json_object_new_int(k->ifindex));
	json_object_object_add(o, "kind", json_object_new_string(k->kind));
	json_object_object_add(o, "state", json_object_new_string(link_state(k)));
	json_object_object_add(o, "mtu", json_object_new_int64(k->mtu));
	json_object_object_add(o, "mac", str_or_null(k->mac));
	json_object_object_add(o, "master", str_or_null(master_name(n, k)));
	json_object_object_add(o, "peer", str_or_null(peer));
	if (!strcmp(k->kind, "bridge"))
		json_object_object_add(o, "members", members_json(l, n, k));
	json_object_object_add(o, "addresses", addrs_json(k));
	return o;
}

static struct json_object *routes_json(const struct inspect_node *n)
{
	struct json_object *rs = json_object_new_array();

	for (size_t i = 0; i < n->live->n_routes; i++) {
		const struct live_route *r = &n->live->routes[i];
		const struct live_link *dev = live_link_by_index(n->live, r->oif);
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "route", json_object_new_string(r->text));
		json_object_object_add(o, "family", json_object_new_string(family_name(r->family)));
		json_object_object_add(o, "dev", str_or_null(dev ? dev->name : NULL));
		json_object_object_add(o, "kernel",
				       json_object_new_boolean(r->protocol == RTPROT_KERNEL));
		json_object_array_add(rs, o);
	}
	return rs;
}

static struct json_object *socks_json(const struct inspect_node *n)
{
	struct json_object *ss = json_object_new_array();

	for (size_t i = 0; i < n->n_socks; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "proto", json_object_new_string(n->socks[i].proto));
		json_object_object_add(o, "state", json_object_new_string(n->socks[i].state));
		json_object_object_add(o, "local", json_object_new_string(n->socks[i].local));
		json_object_object_add(o, "remote", json_object_new_string(n->socks[i].remote));
		json_object_array_add(ss, o);
	}
	return ss;
}

static struct json_object *node_json(const struct inspect_lab *l, const struct inspect_node *n)
{
	struct json_object *o = json_object_new_object(), *ifs = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(n->name));
	json_object_object_add(o, "namespace", json_object_new_string(n->ns));
	json_object_object_add(o, "present", json_object_new_boolean(n->present));
	json_object_object_add(o, "foreign", json_object_new_boolean(n->foreign));
	for (size_t j = 0; n->present && j < n->live->n_links; j++)
		json_object_array_add(ifs, iface_json(l, n, j));
	json_object_object_add(o, "interfaces", ifs);
	json_object_object_add(o, "routes", n->present ? routes_json(n) : json_object_new_array());
	json_object_object_add(o, "sockets", socks_json(n));
	return o;
}

struct json_object *status_json(const struct inspect_lab *l, const char *file, bool complete)
{
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();

	json_object_object_add(o, "lab", json_object_new_string(l->lab));
	json_object_object_add(o, "file", str_or_null(file));
	json_object_object_add(o, "complete", json_object_new_boolean(file && complete));
	json_object_object_add(o, "state", json_object_new_boolean(file != NULL));
	json_object_object_add(o, "degraded", json_object_new_boolean(inspect_degraded(l)));
	for (size_t i = 0; i < l->n_nodes; i++)
		json_object_array_add(nodes, node_json(l, &l->nodes[i]));
	json_object_object_add(o, "nodes", nodes);
	return o;
}

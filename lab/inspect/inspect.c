// SPDX-License-Identifier: MIT
/*
 * inspect_read: a lab's live state, node by node, through netns/live.c, and
 * the peer of every veth across the lab.  A veth's peer is named by its
 * ifindex and by an id (IFLA_LINK_NETNSID) under which the veth's own
 * namespace knows the peer's namespace; ifindexes repeat across namespaces,
 * so a candidate end is confirmed by asking the kernel for that id
 * (RTM_GETNSID), once per pair of namespaces.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/labns/labns.h"
#include "lab/inspect/inspect.h"
#include "netns/netns.h"

#define NSID_UNKNOWN (-2)

/* What reading needs open per node; closed once peers are resolved. */
struct reader {
	unsigned flags;
	int *fds; /* per node, -1 when not present */
	struct live_conn **conns;
	int *nsids; /* [a * n + b]: id of b's namespace in a's, NSID_UNKNOWN */
};

static struct inspect_node *add_node(struct inspect_lab *l, const char *node)
{
	struct inspect_node *nv = reallocarray(l->nodes, l->n_nodes + 1, sizeof(*nv));

	if (!nv)
		return NULL;
	l->nodes = nv;
	nv = &nv[l->n_nodes++];
	memset(nv, 0, sizeof(*nv));
	snprintf(nv->name, sizeof(nv->name), "%s", node);
	lab_ns_name(l->lab, node, nv->ns, sizeof(nv->ns));
	return nv;
}

static int cmp_node(const void *a, const void *b)
{
	const struct inspect_node *x = a, *y = b;

	/* The lans namespace comes after every node. */
	if (x->name[0] == '.' || y->name[0] == '.')
		return (x->name[0] == '.') - (y->name[0] == '.');
	return strcmp(x->name, y->name);
}

/* Namespaces under the lab's prefix that the node list does not name. */
static int add_found(struct inspect_lab *l)
{
	char prefix[NS_NAME_MAX + 1];
	char **names = NULL;
	size_t plen, n = 0, first = l->n_nodes;
	int r;

	r = lab_ns_prefix(l->lab, prefix, sizeof(prefix));
	if (r == 0)
		r = lab_ns_list(prefix, &names, &n);
	if (r < 0)
		return r;
	plen = strlen(prefix);
	for (size_t k = 0; k < n && r == 0; k++) {
		bool known = !names[k][plen];

		for (size_t i = 0; i < l->n_nodes && !known; i++)
			known = strcmp(l->nodes[i].ns, names[k]) == 0;
		if (!known && !add_node(l, names[k] + plen))
			r = -ENOMEM;
	}
	names_free(names, n);
	if (l->n_nodes > first)
		qsort(l->nodes + first, l->n_nodes - first, sizeof(*l->nodes), cmp_node);
	return r;
}

/* Open and read node i; a vanished or foreign namespace is not present. */
static int read_node(struct inspect_lab *l, size_t i, struct reader *rd)
{
	struct inspect_node *n = &l->nodes[i];
	int r;

	r = lab_ns_open_ours(n->ns, l->lab, &rd->fds[i], NULL);
	n->foreign = r == -EEXIST;
	if (r == -ENOENT || r == -EEXIST)
		return 0;
	if (r < 0)
		return r;
	r = live_open(rd->fds[i], &rd->conns[i]);
	if (r == 0)
		r = live_read(rd->conns[i], &n->live);
	if (r == 0 && (rd->flags & INSPECT_SOCKETS))
		r = sockdiag_snapshot(rd->fds[i], NULL, 0, &n->socks, &n->n_socks);
	if (r < 0)
		return r;
	n->peers = malloc((n->live->n_links + 1) * sizeof(*n->peers));
	if (!n->peers)
		return -ENOMEM;
	for (size_t j = 0; j < n->live->n_links; j++)
		n->peers[j] = (struct inspect_peer){INSPECT_NO_PEER, 0};
	n->present = true;
	return 0;
}

/* Index in node b of the veth that points back at a's link la, or -1. */
static long back_end(const struct inspect_node *b, const struct live_link *la)
{
	for (size_t k = 0; k < b->live->n_links; k++) {
		const struct live_link *lb = &b->live->links[k];

		if (lb->ifindex == la->link && lb->link == la->ifindex &&
		    b->peers[k].node == INSPECT_NO_PEER && !strcmp(lb->kind, "veth"))
			return (long)k;
	}
	return -1;
}

static int nsid_of(struct inspect_lab *l, struct reader *rd, size_t a, size_t b, int *ret)
{
	int *slot = &rd->nsids[a * l->n_nodes + b];
	int r;

	if (*slot == NSID_UNKNOWN) {
		r = live_nsid(rd->conns[a], rd->fds[b], slot);
		if (r < 0)
			return r;
	}
	*ret = *slot;
	return 0;
}

static void pair(struct inspect_lab *l, size_t a, size_t ja, size_t b, size_t jb)
{
	l->nodes[a].peers[ja] = (struct inspect_peer){b, jb};
	l->nodes[b].peers[jb] = (struct inspect_peer){a, ja};
}

static int resolve_link(struct inspect_lab *l, struct reader *rd, size_t a, size_t ja)
{
	const struct live_link *la = &l->nodes[a].live->links[ja];
	int nsid, r;

	for (size_t b = 0; b < l->n_nodes; b++) {
		long jb;

		if (!l->nodes[b].present || (b == a) != (la->link_nsid == LIVE_NSID_NONE))
			continue;
		jb = back_end(&l->nodes[b], la);
		if (jb < 0 || (b == a && (size_t)jb == ja))
			continue;
		if (b != a) {
			r = nsid_of(l, rd, a, b, &nsid);
			if (r < 0)
				return r;
			if (nsid != la->link_nsid)
				continue;
		}
		pair(l, a, ja, b, (size_t)jb);
		return 0;
	}
	return 0; /* the other end is outside the lab, or going away */
}

static int resolve_peers(struct inspect_lab *l, struct reader *rd)
{
	int r;

	for (size_t a = 0; a < l->n_nodes; a++) {
		const struct inspect_node *n = &l->nodes[a];

		for (size_t j = 0; n->present && j < n->live->n_links; j++) {
			if (n->peers[j].node != INSPECT_NO_PEER || n->live->links[j].link <= 0 ||
			    strcmp(n->live->links[j].kind, "veth"))
				continue;
			r = resolve_link(l, rd, a, j);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int reader_init(struct reader *rd, size_t n)
{
	rd->fds = malloc((n + 1) * sizeof(*rd->fds));
	rd->conns = calloc(n + 1, sizeof(*rd->conns));
	rd->nsids = malloc((n * n + 1) * sizeof(*rd->nsids));
	if (!rd->fds || !rd->conns || !rd->nsids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rd->fds[i] = -1;
	for (size_t i = 0; i < n * n; i++)
		rd->nsids[i] = NSID_UNKNOWN;
	return 0;
}

static void reader_done(struct reader *rd, size_t n)
{
	for (size_t i = 0; rd->fds && i < n; i++)
		if (rd->fds[i] >= 0)
			close(rd->fds[i]);
	for (size_t i = 0; rd->conns && i < n; i++)
		live_close(rd->conns[i]);
	free(rd->fds);
	free(rd->conns);
	free(rd->nsids);
}

/* Drop the found names that turned out not to be this lab's. */
static void drop_foreign(struct inspect_lab *l, size_t n_declared)
{
	size_t k = n_declared;

	for (size_t i = n_declared; i < l->n_nodes; i++)
		if (l->nodes[i].present)
			l->nodes[k++] = l->nodes[i];
	l->n_nodes = k;
}

int inspect_read(const char *lab, char *const *nodes, size_t n_nodes, unsigned flags,
		 struct inspect_lab **ret)
{
	struct reader rd = {.flags = flags};
	struct inspect_lab *l;
	size_t n_open = 0;
	int r;

	if (!topo_name_valid(lab, TOPO_LAB_NAME_MAX))
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	snprintf(l->lab, sizeof(l->lab), "%s", lab);
	for (size_t i = 0; nodes && i < n_nodes; i++)
		if (!add_node(l, nodes[i])) {
			r = -ENOMEM;
			goto out;
		}
	r = add_found(l);
	if (r < 0)
		goto out;
	n_open = l->n_nodes;
	r = reader_init(&rd, n_open);
	for (size_t i = 0; r == 0 && i < n_open; i++)
		r = read_node(l, i, &rd);
	if (r == 0)
		r = resolve_peers(l, &rd);
	if (r < 0)
		goto out;
	drop_foreign(l, nodes ? n_nodes : 0);
	*ret = l;
	l = NULL;
out:
	reader_done(&rd, n_open);
	inspect_free(l);
	return r;
}

void inspect_free(struct inspect_lab *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_nodes; i++) {
		live_ns_free(l->nodes[i].live);
		free(l->nodes[i].peers);
		free(l->nodes[i].socks);
	}
	free(l->nodes);
	free(l);
}

const struct inspect_node *inspect_node_find(const struct inspect_lab *l, const char *name)
{
	for (size_t i = 0; i < l->n_nodes; i++)
		if (!strcmp(l->nodes[i].name, name))
			return &l->nodes[i];
	return NULL;
}

void inspect_peer_name(const struct inspect_lab *l, const struct inspect_peer *p, char *buf,
		       size_t len)
{
	if (p->node == INSPECT_NO_PEER || p->node >= l->n_nodes) {
		snprintf(buf, len, "%s", "");
		return;
	}
	snprintf(buf, len, "%s:%s", l->nodes[p->node].name,
		 l->nodes[p->node].live->links[p->link].name);
}

bool inspect_degraded(const struct inspect_lab *l)
{
	for (size_t i = 0; i < l->n_nodes; i++) {
		const struct inspect_node *n = &l->nodes[i];

		if (!n->present)
			return true;
		for (size_t j = 0; j < n->live->n_links; j++)
			if (!strcmp(n->live->links[j].kind, "veth") &&
			    n->peers[j].node == INSPECT_NO_PEER)
				return true;
	}
	return false;
}

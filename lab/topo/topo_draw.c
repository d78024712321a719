/* SPDX-License-Identifier: MIT */
/*
 * What the drawings (DOT, Mermaid) share: an order that layered layouts turn
 * into a picture that reads left to right.  Both Graphviz dot and Mermaid
 * rank a graph by the direction its edges are written in; written in file
 * order, every node of a star around a lan lands in one rank, a long strip.
 * Written outward from a hub (breadth first from the node with the most
 * interfaces), the hub is on the left, its lans next, their members after.
 */
#include <errno.h>
#include <stdlib.h>

#include "lab/topo/topo_int.h"

struct bfs {
	const struct topology *t;
	unsigned *depth;
	size_t *queue;
	size_t head, tail;
};

static void visit(struct bfs *b, size_t v, unsigned depth)
{
	if (b->depth[v] != TOPO_DRAW_UNSEEN)
		return;
	b->depth[v] = depth;
	b->queue[b->tail++] = v;
}

/* Vertices are the nodes, then the lans (index n_nodes + lan). */
static void visit_neighbours(struct bfs *b, size_t v)
{
	const struct topology *t = b->t;
	unsigned next = b->depth[v] + 1;

	if (v >= t->n_nodes) {
		const struct topo_lan *lan = &t->lans[v - t->n_nodes];

		for (size_t m = 0; m < lan->n_members; m++)
			visit(b, lan->members[m].node, next);
		return;
	}
	for (size_t i = 0; i < t->n_links; i++) {
		if (t->links[i].a.node == v)
			visit(b, t->links[i].b.node, next);
		else if (t->links[i].b.node == v)
			visit(b, t->links[i].a.node, next);
	}
	for (size_t i = 0; i < t->n_lans; i++)
		for (size_t m = 0; m < t->lans[i].n_members; m++)
			if (t->lans[i].members[m].node == v)
				visit(b, t->n_nodes + i, next);
}

/* The unvisited node with the most interfaces (first in the file on ties). */
static size_t next_hub(const struct bfs *b)
{
	size_t hub = SIZE_MAX;

	for (size_t i = 0; i < b->t->n_nodes; i++)
		if (b->depth[i] == TOPO_DRAW_UNSEEN &&
		    (hub == SIZE_MAX || b->t->nodes[i].n_ifaces > b->t->nodes[hub].n_ifaces))
			hub = i;
	return hub;
}

int topo_draw_depths(const struct topology *t, unsigned **ret)
{
	size_t n = t->n_nodes + t->n_lans, hub;
	struct bfs b = { .t = t };

	*ret = NULL;
	b.depth = malloc((n + 1) * sizeof(*b.depth));
	b.queue = malloc((n + 1) * sizeof(*b.queue));
	if (!b.depth || !b.queue) {
		free(b.depth);
		free(b.queue);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		b.depth[i] = TOPO_DRAW_UNSEEN;
	while ((hub = next_hub(&b)) != SIZE_MAX) {
		visit(&b, hub, 0);
		while (b.head < b.tail)
			visit_neighbours(&b, b.queue[b.head++]);
	}
	/* A lan with no members cannot pass validation; draw it first anyway. */
	for (size_t i = 0; i < n; i++)
		if (b.depth[i] == TOPO_DRAW_UNSEEN)
			b.depth[i] = 0;
	free(b.queue);
	*ret = b.depth;
	return 0;
}

size_t topo_draw_home_lan(const struct topology *t, const unsigned *depth, size_t node)
{
	size_t home = SIZE_MAX, attached = 0;

	for (size_t i = 0; i < t->n_links; i++)
		attached += (t->links[i].a.node == node) + (t->links[i].b.node == node);
	for (size_t i = 0; i < t->n_lans; i++)
		for (size_t m = 0; m < t->lans[i].n_members; m++)
			if (t->lans[i].members[m].node == node) {
				attached++;
				home = i;
			}
	if (attached != 1 || home == SIZE_MAX || depth[node] <= depth[t->n_nodes + home])
		return SIZE_MAX;
	return home;
}

int topo_draw_walk(const struct topology *t, const struct topo_draw_ops *ops, FILE *out)
{
	unsigned *depth;
	int r;

	r = topo_draw_depths(t, &depth);
	if (r < 0)
		return r;
	for (size_t i = 0; i < t->n_nodes; i++)
		if (topo_draw_home_lan(t, depth, i) == SIZE_MAX)
			ops->node(out, t, i);
	for (size_t i = 0; i < t->n_lans; i++)
		ops->lan(out, t, depth, i);
	for (size_t i = 0; i < t->n_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (depth[l->b.node] < depth[l->a.node])
			ops->link(out, t, &l->b, &l->a);
		else
			ops->link(out, t, &l->a, &l->b);
	}
	for (size_t i = 0; i < t->n_lans; i++)
		for (size_t j = 0; j < t->lans[i].n_members; j++) {
			const struct topo_endpoint *m = &t->lans[i].members[j];

			ops->member(out, t, i, m, depth[m->node] < depth[t->n_nodes + i]);
		}
	free(depth);
	return 0;
}

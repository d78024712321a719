/* SPDX-License-Identifier: MIT */
/* Inside lab/topo: the nodes by name (topo_util.c), for the loader and the
 * validator; what the DOT and Mermaid writers share (topo_draw.c). */
#ifndef REUSELAB_TOPO_INT_H
#define REUSELAB_TOPO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lab/topo/topo.h"

/* by_name (t->n_nodes entries): t's node indexes, sorted by node name. */
void topo_by_name_sort(const struct topology *t, size_t *by_name);
/* The index of the node called name, looked up in by_name from
 * topo_by_name_sort: the index, or -ENOENT. */
int topo_by_name_find(const struct topology *t, const size_t *by_name, const char *name);

#define TOPO_DRAW_UNSEEN ((unsigned)-1)

/*
 * Breadth-first depth of every vertex, nodes first then lans (index
 * n_nodes + lan), from the node with the most interfaces of each connected
 * part.  Edges drawn from the lower depth to the higher read outward from
 * that hub.  *ret is malloc'd.  0 or -ENOMEM.
 */
int topo_draw_depths(const struct topology *t, unsigned **ret);

/*
 * The lan a node is drawn inside of: the one lan it hangs off, when that is
 * its only attachment and it lies beyond the lan.  SIZE_MAX when none.
 */
size_t topo_draw_home_lan(const struct topology *t, const unsigned *depth, size_t node);

/* A drawing's writers, called in this order: each node outside any lan's
 * box, each lan (with the nodes inside its box), each link (from its end
 * nearer the hub, so it ranks left of the other), each lan member (written
 * before the lan when node_first: it is the nearer of the two). */
struct topo_draw_ops {
	void (*node)(FILE *out, const struct topology *t, size_t node);
	void (*lan)(FILE *out, const struct topology *t, const unsigned *depth, size_t lan);
	void (*link)(FILE *out, const struct topology *t, const struct topo_endpoint *from,
		     const struct topo_endpoint *to);
	void (*member)(FILE *out, const struct topology *t, size_t lan,
		       const struct topo_endpoint *m, bool node_first);
};

/* Draw t with ops, outward from its hubs.  0 or -ENOMEM. */
int topo_draw_walk(const struct topology *t, const struct topo_draw_ops *ops, FILE *out);

#endif

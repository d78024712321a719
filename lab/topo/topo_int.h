/* SPDX-License-Identifier: MIT */
/* Inside lab/topo: what the DOT and Mermaid writers share (topo_draw.c). */
#ifndef REUSELAB_TOPO_INT_H
#define REUSELAB_TOPO_INT_H

#include <stddef.h>

#include "lab/topo/topo.h"

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

#endif

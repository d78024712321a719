/* SPDX-License-Identifier: MIT */
/* What stays inside lab/matrix: address discovery, the page's lab drawing. */
#ifndef REUSELAB_MATRIX_INT_H
#define REUSELAB_MATRIX_INT_H

#include <stdio.h>

#include "lab/matrix/matrix.h"

/*
 * Inside the node's namespace: fill res's axes (have, addr, addr6, addr_if,
 * notes, if_addrs) for res->axes_mask; want[a] (may be NULL) are the user's
 * addresses for A, alias, other and v6.  0, -EINVAL or -EADDRNOTAVAIL (with
 * res->why, and res->why_wanted when a want is at fault), -ENOMEM.
 */
int matrix_discover(struct matrix_result *res, const char *const *want);

/* What matrix_tw_room changed: the node's value before, and what it set
 * (raised 0: it left the value alone). */
struct matrix_tw {
	long prev, raised;
};

/* Inside the node's namespace: make net.ipv4.tcp_max_tw_buckets hold every
 * TIME-WAIT the run's cells leave, *ret saying what it changed; a note in
 * res->notes[4] when it acted. */
void matrix_tw_room(struct matrix_result *res, struct matrix_tw *ret);
/* Inside the same namespace: put back what matrix_tw_room raised, and say
 * so (or that it could not) in the note. */
void matrix_tw_restore(struct matrix_result *res, const struct matrix_tw *tw);

/*
 * Write the lab as one inline <svg>: from the topology t (may be NULL), else
 * from the kernel's view v (may be NULL), else the node alone from r's
 * addresses; r->node is highlighted.  0 or -ENOMEM (nothing written).
 */
int matrix_draw_lab(FILE *out, const struct matrix_result *r, const struct topology *t,
		    const struct inspect_lab *v);

#endif

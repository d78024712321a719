/* SPDX-License-Identifier: MIT */
/* What stays inside lab/matrix: the page's lab drawing. */
#ifndef REUSELAB_MATRIX_INT_H
#define REUSELAB_MATRIX_INT_H

#include <stdio.h>

#include "lab/matrix/matrix.h"

/*
 * Write the lab as one inline <svg>: from the topology t (may be NULL), else
 * from the kernel's view v (may be NULL), else the node alone from r's
 * addresses; r->node is highlighted.  0 or -ENOMEM (nothing written).
 */
int matrix_draw_lab(FILE *out, const struct matrix_result *r, const struct topology *t,
		    const struct inspect_lab *v);

#endif

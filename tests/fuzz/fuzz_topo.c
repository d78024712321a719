/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: any bytes through the loader and validator, then free. */
#include <stddef.h>
#include <stdint.h>

#include "lab/topo/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topo_diag d = { 0 };
	struct topology *t = NULL;

	if (topo_load_buffer("fuzz.yml", (const char *)data, size, &t, &d) == 0) {
		/* A loaded model must have every index in range. */
		for (size_t i = 0; i < t->n_links; i++)
			if (t->links[i].a.node >= t->n_nodes || t->links[i].b.node >= t->n_nodes)
				__builtin_trap();
	}
	topo_free(t);
	topo_diag_free(&d);
	return 0;
}

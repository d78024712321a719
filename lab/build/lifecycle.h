/* SPDX-License-Identifier: MIT */
/* Lab lifecycle shared by the up, down and run commands.  These print. */
#ifndef REUSELAB_LIFECYCLE_H
#define REUSELAB_LIFECYCLE_H

#include "lab/topo/topo.h"

/*
 * Build lab `lab` from t under its lock, with state.  Returns an exit
 * status.  SIGINT/SIGTERM/SIGHUP are blocked during the build; if one came,
 * *ret_signal is set and it stays blocked and pending.
 */
int lab_up(const struct topology *t, const char *lab, int *ret_signal);

/* Remove lab `lab` (namespaces, state, lock). Idempotent. Returns an exit status. */
int lab_down(const char *lab, int quiet);

/*
 * Load FILE as a topology whose lab is name_override or its `name:`.
 * Prints diagnostics; returns 0 or -EINVAL.
 */
int lab_resolve_file(const char *path, const char *name_override, char *ret_lab, size_t lab_len,
		     struct topology **ret);

#endif

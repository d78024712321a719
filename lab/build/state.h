/* SPDX-License-Identifier: MIT */
/*
 * Lab state under /run/reuselab (directory 0700, files 0600, opened with
 * O_NOFOLLOW): "<lab>.json" records what was built from which file, written
 * before the first namespace is made (so a killed `up` is still known) and
 * "<lab>.lock" serializes up/down of one lab (flock).
 */
#ifndef REUSELAB_STATE_H
#define REUSELAB_STATE_H

#include <stddef.h>
#include "lab/topo/topo.h"

#define STATE_DIR "/run/reuselab"
#define STATE_FILE_MAX (4 << 20)

struct lab_state {
	char lab[TOPO_LAB_NAME_MAX + 1];
	char file[4096];        /* absolute path of the topology file */
	char **nodes;           /* node names */
	size_t n_nodes;
	long created;           /* unix time */
	int complete;           /* 1 once `up` finished */
};

/* Take the per-lab lock (blocking). Returns an fd >= 0 or -errno. */
int state_lock(const char *lab);
void state_unlock(int fd);

int state_write(const struct topology *t, const char *lab, int complete);
/* -ENOENT when the lab has no state file. */
int state_read(const char *lab, struct lab_state *ret);
/* Remove state, temporary and lock files: 1 when a state file existed, 0, or -errno. */
int state_remove(const char *lab);
void state_clear(struct lab_state *s);
/* Lab names that have a state file. */
int state_list(char ***ret_names, size_t *ret_n);

/*
 * Resolve LAB|FILE as users type it: an existing file is loaded (the lab name
 * is the file's `name:` unless name_override); otherwise a lab name whose
 * state names the topology file.  On success *ret_lab holds the lab name and
 * *ret_topo the loaded topology.  Errors are printed (one line) and returned
 * as -EINVAL (bad input: exit 2) or -errno.
 */
int lab_resolve(const char *lab_or_file, const char *name_override, char *ret_lab, size_t lab_len,
		struct topology **ret_topo);

/* Load a topology file, printing its diagnostics; -EINVAL on bad input. */
int lab_load_file(const char *path, struct topology **ret);

/* Sorted, distinct names of labs with a state file or a live namespace;
 * free with names_free() (lab/build.h). */
int lab_names_known(char ***ret, size_t *ret_n);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Building, reading back and removing labs, their state under /run/reuselab,
 * and the lab lifecycle the commands share (up, down, resolving LAB|FILE).
 * Implemented on netns/ (netlink) and lab/labns (names, tags); no netlink,
 * YAML or JSON type leaks here.  Nothing here prints except the topology
 * diagnostics of lab_load_file(); errors come back as -errno with one line
 * in err.
 */
#ifndef REUSELAB_BUILD_H
#define REUSELAB_BUILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "lab/labns/labns.h"
#include "lab/topo/topo.h"

/* ------------------------------------------------------------ build */

struct build_progress {
	/* Called every few operations and after the last; from lab_build only. */
	void (*fn)(size_t done, size_t total, void *data);
	void *data;
};

/*
 * The mount a published namespace sits on: `down` compares it instead of
 * entering the namespace to read its tag, when the kernel has unique mount
 * ids (Linux 6.8).  Each name is "rl-<lab>.<node>" or "rl-<lab>..lans".
 */
struct lab_mount {
	char ns[LAB_NS_NAME_MAX + 1];
	uint64_t id; /* 0: unknown */
};

struct lab_mounts {
	struct lab_mount *v;
	size_t n;
};

void lab_mounts_free(struct lab_mounts *m);

/*
 * Build the lab `lab` from t: namespaces, lo up, veths, bridge membership,
 * addresses (IPv6 with IFA_F_NODAD), links up, routes, sysctls.
 * Transactional: on any failure (or when SIGINT/SIGTERM becomes pending,
 * which the caller blocks beforehand), everything this call created is
 * removed before it returns.  Returns 0, or -errno with err holding one line
 * naming the object and the kernel's reason, e.g.
 * "link server:eth0 <-> client-b:eth0: File exists".  -EINTR when stopped by
 * a signal.  -EEXIST when a namespace of that name exists (the message then
 * says another lab or program has it) or the kernel already has an object
 * the topology asks for (a route, an address).
 * progress may be NULL.  On success *ret_mounts (may be NULL; release with
 * lab_mounts_free) holds the mount of every namespace.
 */
int lab_build(const struct topology *t, const char *lab, const struct build_progress *progress,
	      struct lab_mounts *ret_mounts, char *err, size_t errlen);

/*
 * An ephemeral lab: namespaces with no name, held only by these fds (and by
 * nothing on disk: no /run/netns mount, no state file, no lock).  Closing
 * them, or the process ending in any way, SIGKILL included, frees the lab.
 * lans_fd holds the hidden namespace of the lans' bridges: closing it early
 * would take every lan member's interface with it.
 */
struct lab_fds {
	int *node_fd;	/* per topology node, O_CLOEXEC */
	size_t n_nodes;
	int lans_fd;	/* -1 when the lab has no lans */
};

/*
 * lab_build without publishing: same plan, same messages, same rollback, but
 * every namespace stays anonymous and is handed over in *ret.  The lab name
 * only tags the namespaces.  Needs CAP_SYS_ADMIN and CAP_NET_ADMIN in the
 * current user namespace only (works in a rootless user namespace).
 */
int lab_build_ephemeral(const struct topology *t, const char *lab, struct lab_fds *ret, char *err,
			size_t errlen);
/* Close every fd of h (freeing the lab) and reset it; NULL-safe fields. */
void lab_fds_close(struct lab_fds *h);

/*
 * Number of kernel operations lab_build(t) performs when nothing fails (one
 * per namespace creation, netlink request and sysctl write), so a test can
 * walk REUSELAB_FAULT_AT=1..count.  Test builds (-DREUSELAB_TESTING) make
 * operation N of lab_build fail with -EIO when REUSELAB_FAULT_AT=N.
 * Returns the count, or -EINVAL when t cannot be planned.
 */
int lab_build_count_ops(const struct topology *t);

/* Print the kernel operations of building t as `lab`, one numbered line each.
 * 0, or -errno with err filled (-EINVAL: t cannot be planned as lab). */
int lab_plan_print(const struct topology *t, const char *lab, FILE *out, char *err,
		   size_t errlen);

/* ------------------------------------------------------------ teardown */

struct teardown_result {
	unsigned removed;  /* namespaces removed */
	unsigned stale;	   /* empty files of a half-made namespace removed */
	char **untagged;   /* names under the lab's prefix not tagged as its: left */
	size_t n_untagged;
};

void teardown_result_clear(struct teardown_result *r);

/* What the lab's state says `up` made; every field may be empty. */
struct teardown_hint {
	char *const *nodes; /* node names: whose stale files may be removed */
	size_t n_nodes;
	const struct lab_mounts *mounts; /* a namespace still on its mount is ours */
};

/*
 * Remove lab `lab`: every namespace named "rl-<lab>.<...>" that carries our
 * tag for exactly this lab, and the empty files a killed `up` leaves (no
 * namespace behind them, so no tag), but those only under a name the lab
 * owns by construction: "rl-<lab>.<node>" for a node in hint->nodes (from
 * the lab's state) or "rl-<lab>..lans"; with no nodes, none.  A namespace
 * still on the very mount hint->mounts names needs no tag check.  hint may
 * be NULL.  The lans namespace goes first: its cleanup is the kernel's
 * longest (a grace period per bridge port), and it overlaps the rest.  Idempotent: 0
 * with both counts 0 when nothing is left.  Never touches an untagged
 * namespace (listed in ret->untagged instead) or another lab's; -EBUSY (err
 * says where) when something else is mounted over one of ours.  *ret is
 * filled on every return; release it with teardown_result_clear().
 */
int lab_teardown(const char *lab, const struct teardown_hint *hint, struct teardown_result *ret,
		 char *err, size_t errlen);

/* lab_teardown with the node names of t. */
int lab_teardown_topo(const struct topology *t, const char *lab, struct teardown_result *ret,
		      char *err, size_t errlen);

/*
 * Remove the namespace `nsname` whatever its tag (the way out for one whose
 * tag a user removed): only a name under "rl-", a namespace mount or the
 * empty file of a half-made one.  0, -EINVAL (not a lab namespace name),
 * -ENOENT, -EBUSY, other -errno.
 */
int lab_ns_force_remove(const char *nsname);

/* ------------------------------------------------------------ state */

/*
 * Lab state under /run/reuselab (directory 0700, files 0600, opened with
 * O_NOFOLLOW|O_NONBLOCK and checked to be regular files): "<lab>.json"
 * records what was built from which file, and "<lab>.yml" the validated
 * topology's text, both written before the first namespace is made (so a
 * killed `up` is still known); "<lab>.lock" serializes up/down of one lab
 * (flock).  States written before 2026-12 hold the text in the JSON.
 */
#define STATE_DIR "/run/reuselab"
#define STATE_TOPOLOGY ".yml" /* suffix of the topology's own file */
/* The topology's text (at most TOPO_FILE_MAX) escaped as JSON, and the rest. */
#define STATE_FILE_MAX (2 * TOPO_FILE_MAX + (1u << 20))

struct lab_state {
	char lab[TOPO_LAB_NAME_MAX + 1];
	char file[4096];        /* absolute path of the topology file */
	char **nodes;           /* node names */
	size_t n_nodes;
	long created;           /* unix time */
	int complete;           /* 1 once `up` finished */
	char *text;             /* the topology as validated at `up`: state_read_topology */
	size_t text_len;
	struct lab_mounts mounts; /* once complete; names validated, order as written */
};

/*
 * Take the per-lab lock (blocking).  Returns an fd >= 0 or -errno; -ELOOP
 * when the lock file is a symlink, -EBADFD when it is not a regular file
 * (a planted FIFO, say).  With repair, such a file is first removed (the
 * link itself, never what it points to): what `down` does.
 */
int state_lock(const char *lab, bool repair);
void state_unlock(int fd);
/*
 * Unlink the lock file, held, when nothing else of the lab is left; whoever
 * waits for it locks a new one (state_lock checks the name).
 */
void state_lock_remove(const char *lab);

/* mounts: NULL while the lab is being built (the write-ahead state, which
 * writes the topology's file too, then the JSON: two renames). */
int state_write(const struct topology *t, const char *lab, const struct lab_mounts *mounts);
/* -ENOENT when the lab has no state file; -EBADMSG when it is not ours. */
int state_read(const char *lab, struct lab_state *ret);
/*
 * The topology's text into ret->text (from a state_read), unless the JSON
 * held it.  -> 0, -ENOENT (a state from before states kept the text), -errno.
 */
int state_read_topology(const char *lab, struct lab_state *ret);
/* Remove state, temporary and lock files: 1 when a state file existed, 0, or -errno. */
int state_remove(const char *lab);
void state_clear(struct lab_state *s);
/* Lab names that have a state file. */
int state_list(char ***ret_names, size_t *ret_n);

/* ------------------------------------------------------------ lifecycle */

/*
 * Build lab `lab` from t under its lock, with state (progress as for
 * lab_build, may be NULL).  SIGINT/SIGTERM/SIGHUP
 * are blocked from the lock on and stay blocked on return; if one came,
 * *ret_signal is set, it stays pending, and nothing of the lab is left.
 * 0, or -errno with err holding one line: -EALREADY (the lab is up),
 * -EEXIST (a name is taken, or an object exists), -EBADMSG (a state or lock
 * file of the lab's is there but not usable: 'reuselab down' replaces it),
 * -EINTR (interrupted, all removed),
 * -ENOTRECOVERABLE (rolling back failed: things are left), other -errno.
 */
int lab_up(const struct topology *t, const char *lab, const struct build_progress *progress,
	   int *ret_signal, char *err, size_t errlen);

/*
 * What lab_up refuses before it builds anything, from the lab's state alone:
 * 0, -EALREADY (the lab is up) or -errno (a state file that cannot be read:
 * -EACCES for a user who may not look) with err filled.  For `up --dry-run`,
 * which takes no lock; lab_up asks again under its lock.
 */
int lab_up_refused(const char *lab, char *err, size_t errlen);

/*
 * Remove lab `lab` (namespaces, state, lock).  Idempotent.  *ret filled on
 * every return (release with teardown_result_clear); *ret_had_state (may be
 * NULL) tells whether a state file was removed.  0 or -errno with err.
 */
int lab_down(const char *lab, struct teardown_result *ret, bool *ret_had_state, char *err,
	     size_t errlen);

/*
 * Load FILE as a topology whose lab is name_override or its `name:`.
 * Returns 0, or -EINVAL with diag filled (bad input), -ENOMEM.
 */
int lab_resolve_file(const char *path, const char *name_override, char *ret_lab, size_t lab_len,
		     struct topology **ret, struct topo_diag *diag);

/* Whether LAB|FILE names a file (a '/', ".yml" or ".yaml" in it, or a regular
 * file of that name): what lab_resolve loads rather than takes by name. */
bool lab_arg_is_file(const char *arg);

/*
 * Resolve LAB|FILE as users type it: an existing file is loaded (the lab name
 * is the file's `name:` unless name_override); otherwise a lab name whose
 * state holds the topology validated at `up` (never the file again: it may
 * have changed since).  On success *ret_lab holds the lab name and *ret_topo
 * the topology.  Errors: -EINVAL (bad input: exit 2) with diag filled, or
 * -errno; diag always holds the line to print.
 */
int lab_resolve(const char *lab_or_file, const char *name_override, char *ret_lab, size_t lab_len,
		struct topology **ret_topo, struct topo_diag *diag);

/* Sorted, distinct names of labs with a state file or a live namespace;
 * free with names_free(). */
int lab_names_known(char ***ret, size_t *ret_n);

#endif

// SPDX-License-Identifier: MIT
/*
 * Removing a lab without any state: every /run/netns entry named
 * "rl-<lab>.<...>" whose loopback carries IFLA_IFALIAS "reuselab:<lab>".  The
 * name alone proves nothing (anyone may `ip netns add rl-x.y`); the exact
 * tag does.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/labns/labns.h"
#include "lab/util/util.h"
#include "netns/netns.h"

static bool is_lans(const char *name, const char *lab)
{
	char buf[NS_NAME_MAX + 1];

	return lab_ns_name(lab, LAB_LANS_SUFFIX, buf, sizeof(buf)) == 0 && strcmp(name, buf) == 0;
}

/* True when name is "rl-<lab>.<node>" for one of nodes, or "rl-<lab>..lans". */
static bool owned_name(const char *name, const char *lab, const struct teardown_hint *hint)
{
	char buf[NS_NAME_MAX + 1];

	if (!hint->nodes)
		return false;
	if (is_lans(name, lab))
		return true;
	for (size_t i = 0; i < hint->n_nodes; i++)
		if (lab_ns_name(lab, hint->nodes[i], buf, sizeof(buf)) == 0 &&
		    strcmp(name, buf) == 0)
			return true;
	return false;
}

void teardown_result_clear(struct teardown_result *r)
{
	names_free(r->untagged, r->n_untagged);
	*r = (struct teardown_result){0};
}

enum ns_kind {
	NS_SKIP,     /* not ours to touch, or gone */
	NS_STALE,    /* maybe a killed create's empty file */
	NS_OURS,     /* the lab's: on the mount up made, or tagged as the lab's */
	NS_UNTAGGED, /* a namespace under the lab's prefix without its tag: left */
	NS_REMOVED,  /* was NS_OURS, now unmounted and unlinked */
	NS_UNLINKED, /* was NS_STALE, an empty file, now unlinked */
};

struct teardown {
	const char *lab;
	const struct teardown_hint *hint;
	const struct lab_mount **mounts; /* hint's, sorted by name */
	size_t n_mounts;
	char **names; /* under the lab's prefix */
	size_t n;
	int dir;	    /* /run/netns (ns_dir_open) */
	enum ns_kind *kind; /* per name */
	int *err;	    /* per name: what went wrong with it, 0 when nothing */
	size_t *slow;	    /* names not on a mount up made: their tag decides */
	size_t n_slow;
};

/*
 * Teardown waits more than it works (every unmount waits for an expedited RCU
 * grace period, and a tag check's netlink socket outlives close by one), and
 * concurrent waits overlap: one thread per this many names.
 */
#define TEARDOWN_NAMES_PER_THREAD 32

static size_t teardown_threads(size_t n)
{
	return n / TEARDOWN_NAMES_PER_THREAD + 1;
}

/* The first failure, in name order (the same whichever thread saw it first). */
static int first_failure(const struct teardown *td, char *err, size_t errlen)
{
	for (size_t i = 0; i < td->n; i++) {
		int r = td->err[i];

		if (r == 0)
			continue;
		if (r == -EBUSY)
			snprintf(err, errlen,
				 "namespace %s: something else is mounted on " NS_RUN_DIR
				 "/%s; left in place",
				 td->names[i], td->names[i]);
		else
			snprintf(err, errlen, "namespace %s: %s", td->names[i], strerror(-r));
		return r;
	}
	return 0;
}

static bool is_namespace(const char *name)
{
	int fd, r = ns_open(name, &fd);

	if (r == 0)
		close(fd);
	return r == 0;
}

static int cmp_name_natural(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_mount(const void *a, const void *b)
{
	return strcmp((*(const struct lab_mount *const *)a)->ns,
		      (*(const struct lab_mount *const *)b)->ns);
}

static int sort_mounts(struct teardown *td)
{
	const struct lab_mounts *m = td->hint->mounts;

	if (!m || m->n == 0)
		return 0;
	td->mounts = calloc(m->n, sizeof(*td->mounts));
	if (!td->mounts)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++)
		td->mounts[i] = &m->v[i];
	td->n_mounts = m->n;
	qsort(td->mounts, td->n_mounts, sizeof(*td->mounts), cmp_mount);
	return 0;
}

/*
 * Still on the mount `up` made: the same namespace, so ours without entering
 * it.  Entering costs a netlink socket per namespace, and a netlink socket
 * holds its namespace for an RCU grace period after it is closed.
 */
static bool on_our_mount(const struct teardown *td, size_t i)
{
	const char *name = td->names[i];
	struct lab_mount key, *kp = &key;
	const struct lab_mount **m;
	uint64_t id;

	if (td->n_mounts == 0 || strlen(name) >= sizeof(key.ns))
		return false;
	snprintf(key.ns, sizeof(key.ns), "%s", name);
	m = bsearch(&kp, td->mounts, td->n_mounts, sizeof(*td->mounts), cmp_mount);
	return m && ns_dir_mount_id(td->dir, name, &id) == 0 && id == (*m)->id;
}

/*
 * A name under the lab's prefix that is a namespace but not tagged as the
 * lab's is left, and named to the caller: a user may have removed our tag,
 * or made it with `ip netns add`; only a person can tell.
 */
static void classify_one(void *arg, size_t k)
{
	struct teardown *td = arg;
	size_t i = td->slow[k];
	const char *name = td->names[i];
	int r = lab_ns_open_ours(name, td->lab, NULL, NULL);

	if (r == 0)
		td->kind[i] = NS_OURS;
	else if (r == -EEXIST && owned_name(name, td->lab, td->hint))
		td->kind[i] = NS_STALE; /* if it is an empty file; see ns_unlink_stale */
	else if (r == -EEXIST && is_namespace(name))
		td->kind[i] = NS_UNTAGGED; /* not an empty file: a namespace, untagged */
	else if (r != -ENOENT && r != -EEXIST)
		td->err[i] = r;
}

/* One stuck namespace does not keep the rest alive: every name is tried. */
static void remove_one(void *arg, size_t i)
{
	struct teardown *td = arg;
	int r = 0;

	if (td->kind[i] == NS_STALE) {
		r = ns_unlink_stale(td->names[i], NULL);
		if (r > 0)
			td->kind[i] = NS_UNLINKED;
		else if (r == 0)
			td->kind[i] = NS_UNTAGGED; /* a namespace after all, untagged */
	} else if (td->kind[i] == NS_OURS) {
		r = ns_dir_remove(td->dir, td->names[i]);
		if (r == 0)
			td->kind[i] = NS_REMOVED;
	}
	if (r < 0 && r != -ENOENT) /* ENOENT: went away meanwhile, fine */
		td->err[i] = r;
}

/* The lans namespace is not among these: it went first, on its own. */
static void remove_slow(void *arg, size_t k)
{
	struct teardown *td = arg;
	size_t i = td->slow[k];

	if (!is_lans(td->names[i], td->lab))
		remove_one(td, i);
}

static void unmount_ours(void *arg, size_t i)
{
	struct teardown *td = arg;
	int r;

	if (td->kind[i] != NS_OURS)
		return;
	r = ns_dir_unmount(td->dir, td->names[i]);
	if (r < 0 && r != -ENOENT) /* ENOENT: went away meanwhile, fine */
		td->err[i] = r;
}

/*
 * The names on the mounts `up` made: all checked, then all unmounted, then
 * all unlinked, in name order, where the lans namespace comes first ('.'
 * sorts before a node name's first character).  An unmount releases its
 * namespace and waits for an expedited RCU grace period; the kernel frees
 * released namespaces a batch at a time (cleanup_net), and once a big batch
 * runs on the other CPU each of those waits takes milliseconds instead of
 * microseconds.  The first release starts a batch of its own (the lans
 * namespace's, the longest to free); the unmounts packed together end
 * before it does, so the rest go together into the next, and none waits
 * behind them.  When a call waits anyway (a bridge being freed, a flood),
 * more threads start and share the waits (fanout_run_lazy).  Unlinks wait
 * for nothing.  The numbers are in docs/performance.md ("Night of
 * 2026-12-01").  A name is unmounted milliseconds after its check, not
 * microseconds: a namespace someone put on a lab's name in between (by hand,
 * while the lab goes down) would be unmounted as the lab's; reuselab's own
 * commands are kept out by the lab's lock.
 */
static void remove_on_our_mounts(struct teardown *td)
{
	for (size_t i = 0; i < td->n; i++)
		if (on_our_mount(td, i))
			td->kind[i] = NS_OURS;
	fanout_run_lazy(td->n, teardown_threads(td->n), unmount_ours, td);
	for (size_t i = 0; i < td->n; i++) {
		int r;

		if (td->kind[i] != NS_OURS || td->err[i])
			continue;
		r = ns_dir_unlink(td->dir, td->names[i]);
		if (r == 0)
			td->kind[i] = NS_REMOVED;
		else if (r != -ENOENT) /* ENOENT: went away meanwhile, fine */
			td->err[i] = r;
	}
}

/*
 * The names on the mounts `up` made first (remove_on_our_mounts).  The rest
 * need their tag checked, which means entering each: decide first, remove
 * after, since once a big namespace is released its cleanup holds the
 * kernel's lock for a while, and a tag check made after it would wait
 * behind it.
 */
static void classify_and_remove(struct teardown *td, struct teardown_result *ret)
{
	remove_on_our_mounts(td);
	for (size_t i = 0; i < td->n; i++)
		if (td->kind[i] == NS_SKIP)
			td->slow[td->n_slow++] = i;
	fanout_run(td->n_slow, teardown_threads(td->n_slow), classify_one, td);
	for (size_t k = 0; k < td->n_slow; k++)
		if (is_lans(td->names[td->slow[k]], td->lab))
			remove_one(td, td->slow[k]);
	fanout_run(td->n_slow, teardown_threads(td->n_slow), remove_slow, td);
	for (size_t i = 0; i < td->n; i++) {
		ret->removed += td->kind[i] == NS_REMOVED;
		ret->stale += td->kind[i] == NS_UNLINKED;
	}
}

/* Move the untagged names over to ret (the rest stay for names_free). */
static int keep_untagged(struct teardown *td, struct teardown_result *ret)
{
	for (size_t i = 0; i < td->n; i++) {
		if (td->kind[i] != NS_UNTAGGED)
			continue;
		if (!ret->untagged) {
			ret->untagged = calloc(td->n, sizeof(*ret->untagged));
			if (!ret->untagged)
				return -ENOMEM;
		}
		ret->untagged[ret->n_untagged++] = td->names[i];
		td->names[i] = NULL;
	}
	return 0;
}

/*
 * A killed `up` can leave /run/netns/NAME as an empty file with nothing
 * mounted on it (lab_build creates the file, then tags the namespace, then
 * mounts it).  There is no namespace and so no tag to check: we unlink it
 * only under a name the lab owns by construction (owned_name), and only when
 * ns_unlink_stale finds it regular, empty and not a mount root.  A create in
 * flight that loses its file this way fails its mount with ESTALE (it
 * mounts only on the very file it made) and rolls back.
 */
int lab_teardown(const char *lab, const struct teardown_hint *hint, struct teardown_result *ret,
		 char *err, size_t errlen)
{
	static const struct teardown_hint no_hint;
	struct teardown td = {.lab = lab, .hint = hint ? hint : &no_hint, .dir = -1};
	char prefix[NS_NAME_MAX + 1];
	int r, failed;

	*ret = (struct teardown_result){0};
	if (errlen)
		err[0] = '\0';
	if (!topo_name_valid(lab, TOPO_LAB_NAME_MAX) ||
	    lab_ns_prefix(lab, prefix, sizeof(prefix)) < 0) {
		snprintf(err, errlen, "invalid lab name '%s'", lab);
		return -EINVAL;
	}
	/* One look at /run/netns: the names listed are the names removed. */
	td.dir = ns_dir_open();
	if (td.dir == -ENOENT)
		return 0;
	r = td.dir < 0 ? td.dir : lab_ns_list_at(td.dir, prefix, &td.names, &td.n);
	if (r < 0) {
		snprintf(err, errlen, "cannot read " NS_RUN_DIR ": %s", strerror(-r));
		goto out;
	}
	if (td.n == 0)
		goto out;
	/*
	 * In natural name order (n2 before n10: a generated lab's build order),
	 * not readdir's hash order: released in hash order, a chain of 1000
	 * took the kernel 40-50 ms longer to free (docs/performance.md).
	 */
	qsort(td.names, td.n, sizeof(*td.names), cmp_name_natural);
	td.kind = calloc(td.n, sizeof(*td.kind));
	td.err = calloc(td.n, sizeof(*td.err));
	td.slow = calloc(td.n, sizeof(*td.slow));
	if (!td.kind || !td.err || !td.slow || sort_mounts(&td) < 0) {
		r = -ENOMEM;
		snprintf(err, errlen, "%s", strerror(-r));
		goto out;
	}
	classify_and_remove(&td, ret);
	failed = first_failure(&td, err, errlen);
	r = keep_untagged(&td, ret);
	if (r == 0)
		r = failed;
out:
	if (td.dir >= 0)
		close(td.dir);
	free(td.mounts);
	free(td.kind);
	free(td.err);
	free(td.slow);
	names_free(td.names, td.n);
	return r;
}

int lab_ns_force_remove(const char *nsname)
{
	if (strncmp(nsname, LAB_NS_PREFIX, sizeof(LAB_NS_PREFIX) - 1) != 0 ||
	    !ns_name_valid(nsname))
		return -EINVAL;
	/* ns_remove also unlinks a name with nothing mounted on it. */
	return ns_remove(nsname);
}

int lab_teardown_topo(const struct topology *t, const char *lab, struct teardown_result *ret,
		      char *err, size_t errlen)
{
	struct teardown_hint hint = {.n_nodes = t->n_nodes};
	char **nodes;
	int r;

	/* Pointers into t, only for the call: nothing to copy. */
	nodes = calloc(t->n_nodes + 1, sizeof(*nodes));
	if (!nodes) {
		*ret = (struct teardown_result){0};
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		nodes[i] = (char *)t->nodes[i].name;
	hint.nodes = nodes;
	r = lab_teardown(lab, &hint, ret, err, errlen);
	free(nodes);
	return r;
}

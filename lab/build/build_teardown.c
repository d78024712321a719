// SPDX-License-Identifier: MIT
/*
 * Finding a lab's namespaces without any state: every /run/netns entry named
 * "rl-<lab>-..." whose loopback carries IFLA_IFALIAS "reuselab:<lab>".  The
 * name alone proves nothing ("rl-a-" is also the prefix of lab "a-b"'s
 * namespaces, and anyone may `ip netns add rl-x-y`); the exact tag does.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "netns/netns.h"

/* Names in NS_RUN_DIR starting with prefix, sorted.  None when the dir is missing. */
static int list_ns(const char *prefix, char ***ret, size_t *ret_n)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL, **nv;
	size_t n = 0, cap = 0, plen = strlen(prefix);
	int r = 0;

	*ret = NULL;
	*ret_n = 0;
	d = opendir(NS_RUN_DIR);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((errno = 0, e = readdir(d))) {
		if (strncmp(e->d_name, prefix, plen) != 0 || !ns_name_valid(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[n] = strdup(e->d_name);
		if (!v[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (errno) {
		r = -errno;
		goto out;
	}
	*ret = v;
	*ret_n = n;
	v = NULL;
	n = 0;
out:
	names_free(v, n);
	closedir(d);
	return r;
}

void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * Read nsname's loopback alias through one fd and one socket inside it, so
 * the namespace we read is the one handed back (*ret_fd, *ret_sock, each may
 * be NULL: then closed).  0, -ENOENT, -ESTALE (a file with no namespace
 * mounted), other -errno.
 */
static int read_tag_keep(const char *nsname, char *alias, size_t len, int *ret_fd,
			 struct ns_sock **ret_sock)
{
	struct ns_sock *s = NULL;
	int fd = -1, r;

	r = ns_open_sock(nsname, &fd, &s);
	if (r < 0)
		return r;
	r = link_alias(s, LINK_LOOPBACK_IFINDEX, alias, len);
	if (r == 0 && ret_fd) {
		*ret_fd = fd;
		fd = -1;
	}
	if (r == 0 && ret_sock) {
		*ret_sock = s;
		s = NULL;
	}
	ns_sock_close(s);
	if (fd >= 0)
		close(fd);
	return r;
}

static bool tag_is(const char *alias, const char *lab)
{
	size_t pl = sizeof(LAB_TAG_PREFIX) - 1;

	return strncmp(alias, LAB_TAG_PREFIX, pl) == 0 && strcmp(alias + pl, lab) == 0;
}

int lab_ns_open_ours(const char *nsname, const char *lab, int *ret_fd, struct ns_sock **ret_sock)
{
	struct ns_sock *s = NULL;
	char alias[256];
	int fd = -1, r;

	r = read_tag_keep(nsname, alias, sizeof(alias), &fd, &s);
	if (r == -ESTALE)
		return -EEXIST; /* a file with no namespace behind it carries no tag */
	if (r < 0)
		return r;
	if (!tag_is(alias, lab)) {
		ns_sock_close(s);
		close(fd);
		return -EEXIST;
	}
	if (ret_fd)
		*ret_fd = fd;
	else
		close(fd);
	if (ret_sock)
		*ret_sock = s;
	else
		ns_sock_close(s);
	return 0;
}

int lab_node_open(const char *lab, const char *node, int *ret_fd)
{
	char name[NS_NAME_MAX + 1];
	int r;

	r = lab_ns_name(lab, node, name, sizeof(name));
	if (r < 0)
		return r;
	return lab_ns_open_ours(name, lab, ret_fd, NULL);
}

/* True when name is "rl-<lab>-<node>" for one of nodes, or "rl-<lab>-.lans". */
static bool owned_name(const char *name, const char *lab, char *const *nodes, size_t n_nodes)
{
	char buf[NS_NAME_MAX + 1];

	if (!nodes)
		return false;
	if (lab_ns_name(lab, LAB_LANS_SUFFIX, buf, sizeof(buf)) == 0 && strcmp(name, buf) == 0)
		return true;
	for (size_t i = 0; i < n_nodes; i++)
		if (lab_ns_name(lab, nodes[i], buf, sizeof(buf)) == 0 && strcmp(name, buf) == 0)
			return true;
	return false;
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
int lab_teardown(const char *lab, char *const *nodes, size_t n_nodes, unsigned *ret_removed,
		 unsigned *ret_stale, char *err, size_t errlen)
{
	char prefix[NS_NAME_MAX + 1];
	char **names = NULL;
	size_t n = 0;
	enum { NS_SKIP, NS_STALE, NS_OURS } *kind = NULL;
	unsigned removed = 0, stale = 0;
	int r, first = 0;

	*ret_removed = 0;
	if (ret_stale)
		*ret_stale = 0;
	if (errlen)
		err[0] = '\0';
	r = lab_ns_name(lab, "", prefix, sizeof(prefix));
	if (r < 0 || !lab[0] || strchr(lab, '/')) {
		snprintf(err, errlen, "invalid lab name '%s'", lab);
		return -EINVAL;
	}
	r = list_ns(prefix, &names, &n);
	if (r < 0) {
		snprintf(err, errlen, "cannot read " NS_RUN_DIR ": %s", strerror(-r));
		return r;
	}
	if (n == 0)
		goto out;
	/*
	 * Decide first, remove after: once a big namespace is released its
	 * cleanup holds the kernel's lock for a while, and a tag check made
	 * after it would wait behind it.  Keep going past a failure so one
	 * stuck namespace does not keep the rest of the lab alive; report the
	 * first failure.
	 */
	kind = calloc(n, sizeof(*kind));
	if (!kind) {
		r = -ENOMEM;
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r = lab_ns_open_ours(names[i], lab, NULL, NULL);
		if (r == 0)
			kind[i] = NS_OURS;
		else if (r == -EEXIST && owned_name(names[i], lab, nodes, n_nodes))
			kind[i] = NS_STALE; /* if it is an empty file; see ns_unlink_stale */
		else if (r < 0 && r != -EEXIST && r != -ENOENT && !first) {
			first = r;
			snprintf(err, errlen, "namespace %s: %s", names[i], strerror(-r));
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = 0;
		if (kind[i] == NS_STALE) {
			r = ns_unlink_stale(names[i], NULL);
			if (r > 0)
				stale++;
		} else if (kind[i] == NS_OURS) {
			r = ns_remove(names[i]);
			if (r == 0)
				removed++;
		}
		if (r == -ENOENT)
			r = 0; /* went away meanwhile: fine */
		if (r < 0 && !first) {
			first = r;
			if (r == -EBUSY)
				snprintf(err, errlen,
					 "namespace %s: something else is mounted on " NS_RUN_DIR
					 "/%s; left in place",
					 names[i], names[i]);
			else
				snprintf(err, errlen, "namespace %s: %s", names[i], strerror(-r));
		}
	}
	r = first;
out:
	free(kind);
	names_free(names, n);
	*ret_removed = removed;
	if (ret_stale)
		*ret_stale = stale;
	return r;
}

int lab_teardown_topo(const struct topology *t, const char *lab, unsigned *ret_removed,
		      unsigned *ret_stale, char *err, size_t errlen)
{
	char **nodes;
	int r;

	/* Pointers into t, only for the call: nothing to copy. */
	nodes = calloc(t->n_nodes + 1, sizeof(*nodes));
	if (!nodes) {
		*ret_removed = 0;
		if (ret_stale)
			*ret_stale = 0;
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		nodes[i] = (char *)t->nodes[i].name;
	r = lab_teardown(lab, nodes, t->n_nodes, ret_removed, ret_stale, err, errlen);
	free(nodes);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_list_live(char ***ret_names, size_t *ret_n)
{
	char **names = NULL, **labs = NULL, **nl;
	char alias[256], prefix[NS_NAME_MAX + 1];
	size_t n = 0, nlabs = 0;
	int r;

	*ret_names = NULL;
	*ret_n = 0;
	r = list_ns(LAB_NS_PREFIX, &names, &n);
	if (r < 0 || n == 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *lab;
		bool dup = false;

		if (read_tag_keep(names[i], alias, sizeof(alias), NULL, NULL) < 0)
			continue; /* stale file, vanished, unreadable: not a live lab */
		if (strncmp(alias, LAB_TAG_PREFIX, sizeof(LAB_TAG_PREFIX) - 1) != 0)
			continue;
		lab = alias + sizeof(LAB_TAG_PREFIX) - 1;
		/* The tag must agree with the name, or someone copied a tag. */
		if (!lab[0] || lab_ns_name(lab, "", prefix, sizeof(prefix)) < 0 ||
		    strncmp(names[i], prefix, strlen(prefix)) != 0)
			continue;
		for (size_t j = 0; j < nlabs && !dup; j++)
			dup = strcmp(labs[j], lab) == 0;
		if (dup)
			continue;
		nl = reallocarray(labs, nlabs + 1, sizeof(*labs));
		if (!nl) {
			r = -ENOMEM;
			goto out;
		}
		labs = nl;
		labs[nlabs] = strdup(lab);
		if (!labs[nlabs]) {
			r = -ENOMEM;
			goto out;
		}
		nlabs++;
	}
	if (nlabs)
		qsort(labs, nlabs, sizeof(*labs), cmp_str);
	*ret_names = labs;
	*ret_n = nlabs;
	labs = NULL;
	nlabs = 0;
	r = 0;
out:
	names_free(names, n);
	names_free(labs, nlabs);
	return r;
}

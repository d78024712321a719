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

#include "lab/build.h"
#include "netns/link.h"
#include "netns/ns.h"

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
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	closedir(d);
	return r;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The loopback alias of namespace nsname: 0, -ENOENT, -ESTALE (no namespace mounted). */
static int read_tag(const char *nsname, int orig_fd, char *buf, size_t len)
{
	struct ns_sock *s = NULL;
	int fd = -1, r;

	r = ns_open_sock(nsname, orig_fd, &fd, &s);
	if (r < 0)
		return r;
	r = link_alias(s, LINK_LOOPBACK_IFINDEX, buf, len);
	ns_sock_close(s);
	close(fd);
	return r;
}

static bool tag_is(const char *alias, const char *lab)
{
	size_t pl = sizeof(LAB_TAG_PREFIX) - 1;

	return strncmp(alias, LAB_TAG_PREFIX, pl) == 0 && strcmp(alias + pl, lab) == 0;
}

int lab_ns_is_ours(const char *nsname, const char *lab)
{
	char alias[256];
	int orig, r;

	orig = ns_open_current();
	if (orig < 0)
		return orig;
	r = read_tag(nsname, orig, alias, sizeof(alias));
	close(orig);
	if (r == -ESTALE)
		return 0; /* a file with no namespace behind it carries no tag */
	if (r < 0)
		return r;
	return tag_is(alias, lab) ? 1 : 0;
}

/*
 * A killed `up` can leave /run/netns/NAME as an empty file with nothing
 * mounted on it (lab_build creates the file, then tags the namespace, then
 * mounts it).  There is no namespace and so no tag to check, and nothing to
 * lose: we unlink it when ns_is_stale_file says so (regular, empty, not a
 * mount root).  Racing a create in flight (say of lab "a-b" while tearing
 * down lab "a") at worst makes that create's mount fail with ENOENT, and it
 * rolls back; unlink never removes a mount point, so a mount that wins the
 * race is kept.
 */
static int remove_stale(const char *name)
{
	char path[sizeof(NS_RUN_DIR) + NS_NAME_MAX + 2];
	int r;

	r = ns_is_stale_file(name);
	if (r <= 0)
		return r;
	snprintf(path, sizeof(path), NS_RUN_DIR "/%s", name);
	if (unlink(path) < 0)
		return errno == ENOENT || errno == EBUSY ? 0 : -errno;
	return 1;
}

int lab_teardown(const char *lab, unsigned *ret_removed, char *err, size_t errlen)
{
	char prefix[NS_NAME_MAX + 1], alias[256];
	char **names = NULL;
	size_t n = 0;
	enum { NS_SKIP, NS_STALE, NS_OURS } *kind = NULL;
	unsigned removed = 0;
	int orig = -1, r, first = 0;

	*ret_removed = 0;
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
	orig = ns_open_current();
	if (orig < 0) {
		r = orig;
		snprintf(err, errlen, "cannot open the current network namespace: %s",
			 strerror(-r));
		goto out;
	}
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
		r = read_tag(names[i], orig, alias, sizeof(alias));
		if (r == -ESTALE)
			kind[i] = NS_STALE;
		else if (r == 0 && tag_is(alias, lab))
			kind[i] = NS_OURS;
		else if (r < 0 && r != -ENOENT && !first) {
			first = r;
			snprintf(err, errlen, "namespace %s: %s", names[i], strerror(-r));
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = 0;
		if (kind[i] == NS_STALE) {
			r = remove_stale(names[i]);
			if (r > 0)
				removed++;
		} else if (kind[i] == NS_OURS) {
			r = ns_remove(names[i]);
			if (r == 0)
				removed++;
		}
		if (r == -ENOENT)
			r = 0; /* went away meanwhile: fine */
		if (r < 0 && !first) {
			first = r;
			snprintf(err, errlen, "namespace %s: %s", names[i], strerror(-r));
		}
	}
	r = first;
out:
	free(kind);
	if (orig >= 0)
		close(orig);
	free_names(names, n);
	*ret_removed = removed;
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
	int orig = -1, r;

	*ret_names = NULL;
	*ret_n = 0;
	r = list_ns(LAB_NS_PREFIX, &names, &n);
	if (r < 0 || n == 0)
		goto out;
	orig = ns_open_current();
	if (orig < 0) {
		r = orig;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *lab;
		bool dup = false;

		if (read_tag(names[i], orig, alias, sizeof(alias)) < 0)
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
	if (orig >= 0)
		close(orig);
	free_names(names, n);
	free_names(labs, nlabs);
	return r;
}

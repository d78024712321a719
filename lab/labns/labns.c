// SPDX-License-Identifier: MIT
/*
 * A lab's namespaces by name and tag (see labns.h).  The name alone proves
 * nothing (anyone may `ip netns add rl-x.y`); the exact tag, read through the
 * very fd handed back, does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "lab/labns/labns.h"
#include "netns/netns.h"

_Static_assert(LAB_NS_NAME_MAX == NS_NAME_MAX, "labns.h must not include netns.h");

int lab_ns_name(const char *lab, const char *node, char *buf, size_t len)
{
	int n = snprintf(buf, len, LAB_NS_PREFIX "%s" LAB_NS_SEP "%s", lab, node);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int lab_ns_prefix(const char *lab, char *buf, size_t len)
{
	return lab_ns_name(lab, "", buf, len);
}

int lab_ns_list(const char *prefix, char ***ret, size_t *ret_n)
{
	int dir = ns_dir_open(), r;

	*ret = NULL;
	*ret_n = 0;
	if (dir < 0)
		return dir == -ENOENT ? 0 : dir;
	r = lab_ns_list_at(dir, prefix, ret, ret_n);
	close(dir);
	return r;
}

int lab_ns_list_at(int dir, const char *prefix, char ***ret, size_t *ret_n)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL, **nv;
	size_t n = 0, cap = 0, plen = strlen(prefix);
	int fd, r = 0;

	*ret = NULL;
	*ret_n = 0;
	/* A copy for the DIR to own; read from the start whatever dir read. */
	fd = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
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
	r = lab_ns_list(LAB_NS_PREFIX, &names, &n);
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
		if (!lab[0] || lab_ns_prefix(lab, prefix, sizeof(prefix)) < 0 ||
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

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/magic.h>

#include "netns/ns.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

bool ns_name_valid(const char *name)
{
	size_t n = strnlen(name, NS_NAME_MAX + 1);

	return n > 0 && n <= NS_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

static int ns_path(const char *name, char *buf, size_t len)
{
	if (!ns_name_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, NS_RUN_DIR "/%s", name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int ns_run_dir_prepare(void)
{
	bool bound = false;

	if (mkdir(NS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	/*
	 * Shared, so a namespace mounted here shows up in every mount namespace
	 * that sees /run (what iproute2 does).  EINVAL means /run/netns is not a
	 * mount point yet: bind it on itself once and retry.
	 */
	while (mount("", NS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			return -errno;
		if (mount(NS_RUN_DIR, NS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
			return -errno;
		bound = true;
	}
	return 0;
}

int ns_open_current(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
}

int ns_create(const char *name, int orig_fd, int *ret_fd, struct ns_sock **ret_sock)
{
	char path[PATH_MAX];
	bool made = false, moved = false;
	struct ns_sock *s = NULL;
	int fd = -1, r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	/* O_EXCL: the name is ours or we fail with EEXIST, never share it. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	fd = -1;
	made = true;
	/* unshare in this thread (no fork): the cheapest way to a new namespace. */
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		goto out;
	}
	moved = true;
	fd = ns_open_current();
	if (fd < 0) {
		r = fd;
		goto out;
	}
	/* A netlink socket stays in the namespace it was opened in. */
	r = ns_sock_open(&s);
	if (r < 0)
		goto out;
	*ret_fd = fd;
	*ret_sock = s;
	fd = -1;
	s = NULL;
	r = 0;
out:
	ns_sock_close(s);
	if (fd >= 0)
		close(fd);
	if (moved && r < 0)
		(void)setns(orig_fd, CLONE_NEWNET);
	if (made && r < 0)
		(void)unlink(path);
	return r;
}

int ns_publish(const char *name, int orig_fd)
{
	char path[PATH_MAX];
	int r = 0;

	r = ns_path(name, path, sizeof(path));
	if (r == 0 && mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		r = -errno;
	if (setns(orig_fd, CLONE_NEWNET) < 0 && r == 0)
		r = -errno;
	return r;
}

int ns_open(const char *name, int *ret_fd)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int fd, r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0) {
		r = -errno;
		goto out;
	}
	/* Only an nsfs inode is a namespace; a plain file here is a leftover. */
	if (sfs.f_type != NSFS_MAGIC) {
		r = -ESTALE;
		goto out;
	}
	*ret_fd = fd;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

int ns_open_sock(const char *name, int orig_fd, int *ret_fd, struct ns_sock **ret_sock)
{
	int fd = -1, r;

	r = ns_open(name, &fd);
	if (r < 0)
		return r;
	r = ns_sock_open_in(fd, orig_fd, ret_sock);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int ns_remove(const char *name)
{
	char path[PATH_MAX];
	int r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	/*
	 * MNT_DETACH: the name goes now even if a process still has the
	 * namespace open.  Loop (bounded) in case it was mounted twice.
	 */
	for (int i = 0; i < 8 && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; i++)
		;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int ns_is_stale_file(const char *name)
{
	char path[PATH_MAX];
	struct statx stx;
	struct statfs sfs;
	int r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, &stx) < 0)
		return -errno;
	if (statfs(path, &sfs) < 0)
		return -errno;
	/*
	 * A killed create leaves exactly an empty regular file on /run/netns's
	 * own filesystem.  Anything mounted on it (nsfs or a stranger's bind
	 * mount) makes it a mount root, and then it is not ours to unlink.
	 */
	if (!S_ISREG(stx.stx_mode) || stx.stx_size != 0 || sfs.f_type == NSFS_MAGIC)
		return 0;
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -EOPNOTSUPP; /* cannot tell: leave it */
	return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ? 0 : 1;
}

int ns_sysctl_write(const char *key, const char *value)
{
	char path[PATH_MAX];
	size_t klen = strlen(key), vlen = strlen(value), i;
	ssize_t n;
	int fd, r = 0;

	/* Only network sysctls are per namespace; anything else would touch the host. */
	if (strncmp(key, "net.", 4) != 0 || strchr(key, '/') ||
	    klen + sizeof("/proc/sys/") > sizeof(path))
		return -EINVAL;
	memcpy(path, "/proc/sys/", sizeof("/proc/sys/") - 1);
	for (i = 0; i < klen; i++)
		path[sizeof("/proc/sys/") - 1 + i] = key[i] == '.' ? '/' : key[i];
	path[sizeof("/proc/sys/") - 1 + klen] = '\0';
	/* /proc/sys/net resolves against the namespace of the opening thread. */
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, vlen);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != vlen)
		r = -EIO;
	close(fd);
	return r;
}

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
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/netlink.h>

#include "netns/netns.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

bool ns_name_valid(const char *name)
{
	size_t n = strnlen(name, NS_NAME_MAX + 1);

	return n > 0 && n <= NS_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

int ns_run_dir_check(void)
{
	struct stat st;

	if (lstat(NS_RUN_DIR, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* A symlink planted at /run/netns would take every mount and unlink elsewhere. */
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

static int ns_path(const char *name, char *buf, size_t len)
{
	int r;

	if (!ns_name_valid(name))
		return -EINVAL;
	r = ns_run_dir_check();
	if (r < 0)
		return r;
	if ((size_t)snprintf(buf, len, NS_RUN_DIR "/%s", name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int ns_run_dir_prepare(void)
{
	bool bound = false;
	int r;

	if (mkdir(NS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((r = ns_run_dir_check()) < 0)
		return r;
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

int ns_own_mounts(unsigned flags)
{
	unsigned long sys_flags = 0;
	struct statvfs sv;
	int r = 0;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return -errno;
	/*
	 * As ip netns exec: a /sys that cannot be unmounted (locked in a user
	 * namespace) is covered instead, read-only if it was.
	 */
	if (umount2("/sys", MNT_DETACH) < 0 && statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		sys_flags = MS_RDONLY;
	/* Each on its own: a /sys refused must not cost the /proc. */
	if (mount("sysfs", "/sys", "sysfs", sys_flags, NULL) < 0)
		r = -errno;
	if ((flags & NS_OWN_PROC) &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && r == 0)
		r = -errno;
	return r;
}

/* True when path (not followed) is still the file id names. */
static bool same_file(const char *path, const struct ns_file_id *id)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == id->dev &&
	       st.st_ino == id->ino;
}

/* Inside the new namespace: its fd and a netlink socket, which stays there. */
static int open_new(int *ret_fd, struct ns_sock **ret_sock)
{
	int fd = ns_open_current(), r;

	if (fd < 0)
		return fd;
	r = ns_sock_open(NETLINK_ROUTE, ret_sock);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int ns_create_anon(int *ret_fd, struct ns_sock **ret_sock)
{
	struct ns_scope sc = NS_SCOPE_INIT;
	int r;

	/* unshare in this thread (no fork): the cheapest way to a new namespace. */
	r = ns_scope_enter_new(&sc);
	if (r < 0)
		return r;
	r = open_new(ret_fd, ret_sock);
	ns_scope_leave(&sc);
	return r;
}

int ns_name_source_open(void)
{
	int fd, r = ns_run_dir_check();

	if (r < 0)
		return r;
	fd = open(NS_RUN_DIR, O_TMPFILE | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/*
 * The empty file under path: a link to src (linkat never follows nor
 * replaces newpath: EEXIST, as O_EXCL) or else a new file.  0 with its
 * identity through the fd (not the name), or -errno.
 */
static int make_name(const char *path, int src, struct stat *st)
{
	int fd, r;

	if (src >= 0 && fstat(src, st) == 0) {
		if (linkat(src, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
			return 0;
		if (errno == EEXIST)
			return -EEXIST;
	}
	/* No link (EMLINK: 65000 names; EPERM without CAP_DAC_READ_SEARCH): a file. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = fstat(fd, st) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int ns_create(const char *name, int src, int *ret_fd, struct ns_sock **ret_sock,
	      struct ns_file_id *ret_id)
{
	char path[PATH_MAX];
	struct ns_file_id id = {0};
	struct stat st;
	int r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	/* The name is ours or we fail with EEXIST, never share it. */
	r = make_name(path, src, &st);
	if (r < 0)
		return r;
	id = (struct ns_file_id){.dev = st.st_dev, .ino = st.st_ino};
	r = ns_create_anon(ret_fd, ret_sock);
	if (r == 0)
		*ret_id = id;
	/* Remove only our file: the name may have been taken over meanwhile. */
	if (r < 0 && (!id.ino || same_file(path, &id)))
		(void)unlink(path);
	return r;
}

/* Added in Linux 6.8; Debian 12's headers predate it. */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

static int unique_mount_id(int dir, const char *path, struct statx *stx)
{
	if (statx(dir, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_INO | STATX_MNT_ID_UNIQUE,
		  stx) < 0)
		return -errno;
	return stx->stx_mask & STATX_MNT_ID_UNIQUE ? 0 : -EOPNOTSUPP;
}

int ns_dir_open(void)
{
	/* Never through a symlink planted at /run/netns. */
	int fd = open(NS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ns_dir_mount_id(int dir, const char *name, uint64_t *ret)
{
	struct statx stx;
	int r;

	*ret = 0;
	if (!ns_name_valid(name))
		return -EINVAL;
	r = unique_mount_id(dir, name, &stx);
	if (r == 0)
		*ret = stx.stx_mnt_id;
	return r;
}

/*
 * The id of the mount now on path, if what it shows is namespace ns_fd:
 * checked, so that whoever trusts the id later trusts our namespace.
 */
static uint64_t published_mount_id(const char *path, int ns_fd)
{
	struct statx stx;
	struct stat st;

	if (fstat(ns_fd, &st) < 0 || unique_mount_id(AT_FDCWD, path, &stx) < 0)
		return 0;
	if (stx.stx_ino != st.st_ino || makedev(stx.stx_dev_major, stx.stx_dev_minor) != st.st_dev)
		return 0;
	return stx.stx_mnt_id;
}

int ns_publish(const char *name, int ns_fd, const struct ns_file_id *id, uint64_t *ret_mnt_id)
{
	char path[PATH_MAX], src[sizeof("/proc/self/fd/") + 12];
	int r;

	if (ret_mnt_id)
		*ret_mnt_id = 0;
	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	/*
	 * The empty file is visible from ns_create on, and someone else's
	 * teardown may have unlinked it (and anyone may have made another one
	 * of that name): mount only on the file we made.
	 */
	if (!same_file(path, id))
		return -ESTALE;
	/* The fd's /proc link is the namespace itself: no need to step into it. */
	snprintf(src, sizeof(src), "/proc/self/fd/%d", ns_fd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0)
		return -errno;
	if (ret_mnt_id)
		*ret_mnt_id = published_mount_id(path, ns_fd);
	return 0;
}

int ns_open(const char *name, int *ret_fd)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int fd, r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	/* O_NONBLOCK: a FIFO planted under the name must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
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

int ns_open_sock(const char *name, int *ret_fd, struct ns_sock **ret_sock)
{
	int fd = -1, r;

	r = ns_open(name, &fd);
	if (r < 0)
		return r;
	r = ns_sock_open_in(fd, NETLINK_ROUTE, ret_sock);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/*
 * One layer, the namespace we (or `ip netns add`) mounted.  MNT_DETACH: the
 * name goes now even if a process still has the namespace open.  EINVAL
 * (nothing mounted: a stale file, or unmounted meanwhile) is not an error.
 */
static int unmount(const char *mount_path)
{
	if (umount2(mount_path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

/* EBUSY: a second mount was stacked there; whose it is, we cannot say. */
static int unlink_at(int dir, const char *name)
{
	return unlinkat(dir, name, 0) < 0 ? -errno : 0;
}

int ns_remove(const char *name)
{
	char path[PATH_MAX];
	int r;

	r = ns_path(name, path, sizeof(path));
	if (r == 0)
		r = unmount(path);
	return r < 0 ? r : unlink_at(AT_FDCWD, path);
}

/*
 * umount2 has no *at form.  /proc/self/fd/<dir>/<name> would resolve in dir
 * itself, but walking /proc costs more than the unmount; so the path is
 * resolved again from /, and /run/netns is trusted as ns_dir_open found it
 * (not a symlink): swapping it meanwhile takes root.
 */
int ns_dir_unmount(int dir, const char *name)
{
	char path[PATH_MAX];

	(void)dir;
	if (!ns_name_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), NS_RUN_DIR "/%s", name) >= sizeof(path))
		return -ENAMETOOLONG;
	return unmount(path);
}

int ns_dir_unlink(int dir, const char *name)
{
	return ns_name_valid(name) ? unlink_at(dir, name) : -EINVAL;
}

int ns_dir_remove(int dir, const char *name)
{
	int r = ns_dir_unmount(dir, name);

	return r < 0 ? r : ns_dir_unlink(dir, name);
}

int ns_unlink_stale(const char *name, const struct ns_file_id *id)
{
	char path[PATH_MAX];
	struct statx stx;
	struct statfs sfs;
	int r;

	r = ns_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE | STATX_INO, &stx) <
	    0)
		return -errno;
	if (!S_ISREG(stx.stx_mode) || stx.stx_size != 0)
		return 0;
	/*
	 * Our own file, by identity: anything mounted on it would show the
	 * mounted object's identity instead, so there is nothing else to ask.
	 */
	if (id &&
	    (makedev(stx.stx_dev_major, stx.stx_dev_minor) != id->dev || stx.stx_ino != id->ino))
		return 0;
	if (!id) {
		/*
		 * A killed create leaves exactly an empty regular file on
		 * /run/netns's own filesystem.  Anything mounted on it (nsfs or
		 * a stranger's bind mount) makes it a mount root, and then it
		 * is not ours to unlink.
		 */
		if (statfs(path, &sfs) < 0)
			return -errno;
		if (sfs.f_type == NSFS_MAGIC)
			return 0;
		if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
			return -EOPNOTSUPP; /* cannot tell: leave it */
		if (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)
			return 0;
	}
	/* unlink never removes a mount point (EBUSY): a mount that won a race is kept. */
	if (unlink(path) < 0)
		return errno == EBUSY ? 0 : -errno;
	return 1;
}

int ns_sysctl_path(const char *key, char *buf, size_t len)
{
	static const char dir[] = "/proc/sys/";
	size_t klen = strlen(key);

	/* Only network sysctls are per namespace; anything else would touch the host. */
	if (strncmp(key, "net.", 4) != 0 || strchr(key, '/'))
		return -EINVAL;
	if (klen + sizeof(dir) > len)
		return -ENAMETOOLONG;
	memcpy(buf, dir, sizeof(dir) - 1);
	for (size_t i = 0; i <= klen; i++)
		buf[sizeof(dir) - 1 + i] = key[i] == '.' ? '/' : key[i];
	return 0;
}

int ns_file_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	close(fd);
	return r;
}

int ns_sysctl_write(const char *key, const char *value)
{
	char path[PATH_MAX];
	int r;

	r = ns_sysctl_path(key, path, sizeof(path));
	if (r < 0)
		return r;
	/* /proc/sys/net resolves against the namespace of the opening thread. */
	return ns_file_write(path, value);
}

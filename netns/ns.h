/* SPDX-License-Identifier: MIT */
/*
 * Named network namespaces, iproute2 style: an nsfs bind mount on
 * /run/netns/NAME, so `ip netns` and `ip -n` see them.
 */
#ifndef REUSELAB_NETNS_NS_H
#define REUSELAB_NETNS_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netns/sock.h"

#define NS_RUN_DIR "/run/netns"
/* Longest namespace name we make or accept (a file name under NS_RUN_DIR). */
#define NS_NAME_MAX 127

/* True when name is usable as a file name under NS_RUN_DIR. */
bool ns_name_valid(const char *name);

/* mkdir NS_RUN_DIR and make it a shared mount like iproute2. 0 or -errno. */
int ns_run_dir_prepare(void);

/* fd of the calling thread's current network namespace (O_CLOEXEC), or -errno. */
int ns_open_current(void);

/* Which file ns_create made: ns_publish mounts on that very file or not at all. */
struct ns_file_id {
	dev_t dev;
	ino_t ino;
};

/*
 * Create namespace `name` without leaving this process, in two steps so that
 * no namespace is reachable under NS_RUN_DIR before the caller has tagged it:
 * ns_create makes the file with O_EXCL (-EEXIST when the name is taken) and
 * records its identity in *ret_id, then makes the namespace and opens its fd
 * (*ret_fd) and a netlink socket inside (*ret_sock).  From here on the name
 * is visible, but only as an empty file: `ip netns exec` and ns_open see no
 * namespace through it.  On failure the file is removed.  0 or -errno.
 * ns_publish then bind-mounts namespace ns_fd on the file, after checking
 * (lstat) that the name still is the file *id (-ESTALE when someone removed
 * or replaced it; an unpublished file is left for ns_unlink_stale).  0 or
 * -errno.  Both return with the thread in its own namespace.
 */
int ns_create(const char *name, int *ret_fd, struct ns_sock **ret_sock, struct ns_file_id *ret_id);
int ns_publish(const char *name, int ns_fd, const struct ns_file_id *id);

/*
 * Open an existing namespace by name: *ret_fd on success; -ENOENT when there
 * is no such file; -ESTALE when the file exists but no namespace is mounted
 * on it (left behind by a killed create, or unmounted by hand).
 */
int ns_open(const char *name, int *ret_fd);

/*
 * Remove namespace `name`: detach the one mount on it (MNT_DETACH) and
 * unlink the file.  The kernel frees the namespace (and every link in it)
 * once the last user is gone, asynchronously; the name is gone when this
 * returns.  -EBUSY when something else is still mounted there (a second
 * mount stacked on the name): left alone for a person to look at.  0 or
 * -errno.
 */
int ns_remove(const char *name);

/*
 * Unlink /run/netns/name when it is an empty regular file with nothing
 * mounted on it (a leftover of a create killed between the file and the
 * mount); when id is not NULL, only when it is the very file ns_create made,
 * which also proves nothing is mounted on it.  1 when removed, 0 when not such
 * a file (left alone), -errno (-ENOENT when absent; without id, -EOPNOTSUPP
 * when the kernel cannot tell a mount root).
 */
int ns_unlink_stale(const char *name, const struct ns_file_id *id);

/*
 * ns_open, then a NETLINK_ROUTE socket inside that namespace.  Same errors as
 * ns_open, or the socket's -errno.
 */
int ns_open_sock(const char *name, int *ret_fd, struct ns_sock **ret_sock);

/* Switch the calling thread to namespace fd for good (before an exec). 0 or -errno. */
int ns_enter(int fd);

/*
 * A stretch of work in other network namespaces that always ends where it
 * started: start from NS_SCOPE_INIT, enter (and enter again, to move on) as
 * often as needed, then leave.
 */
struct ns_scope {
	int home; /* the starting namespace; -1 while the thread is in it */
};
#define NS_SCOPE_INIT {.home = -1}

/* Move the thread into namespace ns_fd. 0 or -errno (the thread stays where it was). */
int ns_scope_enter(struct ns_scope *sc, int ns_fd);
/* Move the thread into a new, empty network namespace. 0 or -errno (as ns_scope_enter). */
int ns_scope_enter_new(struct ns_scope *sc);
/* Back to where sc started (no-op if never left); if it cannot, one line on stderr and abort(). */
void ns_scope_leave(struct ns_scope *sc);
/* fn(arg) inside namespace ns_fd, then back: fn's value, or -errno (fn not run). */
int ns_run_in(int ns_fd, int (*fn)(void *arg), void *arg);

/*
 * "/proc/sys/net/ipv4/ip_forward" for key "net.ipv4.ip_forward" into buf.
 * -EINVAL for keys outside "net." (only those are per namespace) or with
 * '/'; -ENAMETOOLONG.
 */
int ns_sysctl_path(const char *key, char *buf, size_t len);

/*
 * Write value to the sysctl `key` ("net.ipv4.ip_forward") of the calling
 * thread's current namespace.  -EINVAL for keys outside "net." or with '/'.
 */
int ns_sysctl_write(const char *key, const char *value);

#endif

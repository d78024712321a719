/* SPDX-License-Identifier: MIT */
/*
 * Named network namespaces, iproute2 style: an nsfs bind mount on
 * /run/netns/NAME, so `ip netns` and `ip -n` see them.
 */
#ifndef REUSELAB_NETNS_NS_H
#define REUSELAB_NETNS_NS_H

#include <stdbool.h>
#include <stddef.h>

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

/*
 * Create namespace `name` without leaving this process, in two steps so it
 * is never visible under NS_RUN_DIR before the caller has tagged it:
 * ns_create makes the file with O_EXCL (-EEXIST when the name is taken),
 * unshares, and opens the namespace fd (*ret_fd) and a netlink socket inside
 * (*ret_sock), leaving the calling thread in the new namespace with nothing
 * mounted yet; on failure it returns to orig_fd and removes the file.
 * ns_publish then bind-mounts the thread's namespace on the file and returns
 * to orig_fd (always, even on failure; the file is then left for ns_remove).
 * 0 or -errno.
 */
int ns_create(const char *name, int orig_fd, int *ret_fd, struct ns_sock **ret_sock);
int ns_publish(const char *name, int orig_fd);

/*
 * Open an existing namespace by name: *ret_fd on success; -ENOENT when there
 * is no such file; -ESTALE when the file exists but no namespace is mounted
 * on it (left behind by a killed create, or unmounted by hand).
 */
int ns_open(const char *name, int *ret_fd);

/*
 * Remove namespace `name`: detach its mount(s) and unlink the file.  The
 * kernel frees the namespace (and every link in it) once the last user is
 * gone, asynchronously; the name is gone when this returns.  0 or -errno.
 */
int ns_remove(const char *name);

/*
 * 1 when /run/netns/name is an empty regular file with nothing mounted on it
 * (a leftover of a create killed between the file and the mount), which is
 * safe to unlink; 0 when not; -errno.
 */
int ns_is_stale_file(const char *name);

/*
 * ns_open, then a netlink socket inside that namespace (returning to
 * orig_fd).  Same errors as ns_open, or the socket's -errno.
 */
int ns_open_sock(const char *name, int orig_fd, int *ret_fd, struct ns_sock **ret_sock);

/* Switch the calling thread to namespace fd. 0 or -errno. */
int ns_enter(int fd);

/*
 * Write value to the sysctl `key` ("net.ipv4.ip_forward") of the calling
 * thread's current namespace.  -EINVAL for keys outside "net." or with '/'.
 */
int ns_sysctl_write(const char *key, const char *value);

#endif

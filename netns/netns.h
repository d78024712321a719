/* SPDX-License-Identifier: MIT */
/*
 * netns/: network namespaces and what is in them, through netlink (libmnl).
 * Named namespaces iproute2 style (an nsfs bind mount on /run/netns/NAME, so
 * `ip netns` and `ip -n` see them), the one way into a namespace and back
 * (ns_scope, ns_run_in), links, addresses, routes and sysctls inside one,
 * and socket snapshots (sock_diag).  No netlink type crosses this header;
 * the transport's request/dump API is in netns_int.h.
 *
 * Every int function returns 0 (or the count or flag it names) or a negative
 * errno; the line starting "->" under each says which errnos mean what.
 */
#ifndef REUSELAB_NETNS_NETNS_H
#define REUSELAB_NETNS_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- named namespaces (ns.c) ---- */

#define NS_RUN_DIR "/run/netns"
/* Longest namespace name we make or accept (a file name under NS_RUN_DIR). */
#define NS_NAME_MAX 127

/* True when name is usable as a file name under NS_RUN_DIR. */
bool ns_name_valid(const char *name);

/* mkdir NS_RUN_DIR and make it a shared mount like iproute2.
 * -> 0 or -errno of mkdir/mount, or ns_run_dir_check's. */
int ns_run_dir_prepare(void);

/* NS_RUN_DIR is a real directory or absent: 0; -ELOOP when it is a symlink
 * (never followed: every path under it is checked), -ENOTDIR, -errno. */
int ns_run_dir_check(void);

/* The calling thread's current network namespace, opened O_CLOEXEC.
 * -> the fd, or -errno of open. */
int ns_open_current(void);

/* A netlink socket bound to the namespace it was opened in (sock.c). */
struct ns_sock;

/* Which file ns_create made: ns_publish mounts on that very file or not at all. */
struct ns_file_id {
	dev_t dev;
	ino_t ino;
};

/*
 * An empty inode under NS_RUN_DIR with no name (O_TMPFILE) that ns_create
 * gives names as hard links: the file a namespace is mounted on is then
 * made without allocating an inode.  Allocating one is what costs on ext4
 * without a journal, which skips, one by one, every inode deleted in the
 * last 60-300 s (fs/ext4/ialloc.c, recently_deleted), and a lab's teardown
 * has just deleted one per namespace.  -> an fd, or -errno (then ns_create
 * makes each file; -EOPNOTSUPP on a file system without O_TMPFILE).
 */
int ns_name_source_open(void);

/*
 * Create namespace `name` without leaving this process, in two steps so that
 * no namespace is reachable under NS_RUN_DIR before the caller has tagged it:
 * ns_create makes the file (a link to src, an fd of ns_name_source_open,
 * when src >= 0; else a new file) with O_EXCL's guarantee, and records its identity in *ret_id,
 * then makes the namespace and opens its fd (*ret_fd) and a NETLINK_ROUTE
 * socket inside (*ret_sock).  From here on the name is visible, but only as
 * an empty file: `ip netns exec` and ns_open see no namespace through it.
 * On failure the file is removed.  Both return with the thread at home.
 * -> 0, -EEXIST (name taken), -EINVAL (bad name), other -errno.
 */
int ns_create(const char *name, int src, int *ret_fd, struct ns_sock **ret_sock,
	      struct ns_file_id *ret_id);
/*
 * Bind-mount namespace ns_fd on the file ns_create made, after checking
 * (lstat) that the name still is the file *id; an unpublished file is left
 * for ns_unlink_stale.  *ret_mnt_id (may be NULL) gets the new mount's
 * unique id (see ns_dir_mount_id) once checked to show ns_fd, or 0 when the
 * kernel has no unique mount ids.
 * -> 0, -ESTALE (someone removed or replaced the file), other -errno.
 */
int ns_publish(const char *name, int ns_fd, const struct ns_file_id *id, uint64_t *ret_mnt_id);
/*
 * Many names at once (a lab's teardown): /run/netns opened once, then each
 * name resolved in that directory, whatever /run/netns is replaced with
 * meanwhile, and without a check of the directory per name.
 * ns_dir_open -> a read-only fd of /run/netns (not a symlink), or -errno.
 */
int ns_dir_open(void);
/*
 * The id of the mount on <dir>/<name>: Linux 6.8's STATX_MNT_ID_UNIQUE,
 * never reused while the system runs, so one equal to what ns_publish gave
 * is that very mount.  -> 0, -EOPNOTSUPP (an older kernel), other -errno.
 */
int ns_dir_mount_id(int dir, const char *name, uint64_t *ret);

/*
 * A new network namespace with no name at all (an ephemeral lab's): its fd
 * (*ret_fd, O_CLOEXEC) and a netlink socket inside (*ret_sock) hold it.
 * Nothing is mounted or created on disk, so once the last fd and socket
 * close (the process ends, SIGKILL included) the kernel frees it.  Returns
 * with the thread in its own namespace.  0 or -errno.
 */
int ns_create_anon(int *ret_fd, struct ns_sock **ret_sock);

/* Open an existing namespace by name into *ret_fd.  A file with no namespace
 * mounted on it is a killed create's leftover, or was unmounted by hand.
 * -> 0, -ENOENT (no such file), -ESTALE (no namespace mounted on it), other -errno. */
int ns_open(const char *name, int *ret_fd);

/* ns_open, then a NETLINK_ROUTE socket inside that namespace.
 * -> as ns_open, or the socket's -errno. */
int ns_open_sock(const char *name, int *ret_fd, struct ns_sock **ret_sock);

/*
 * Remove namespace `name`: detach the one mount on it (MNT_DETACH) and
 * unlink the file.  The kernel frees the namespace (and every link in it)
 * once the last user is gone, asynchronously; the name is gone on return.
 * -> 0, -EBUSY (a second mount is stacked on the name: left for a person), other -errno.
 */
int ns_remove(const char *name);
/* ns_remove of <dir>/<name>, dir from ns_dir_open. */
int ns_dir_remove(int dir, const char *name);
/*
 * ns_dir_remove in two halves, for a caller that unmounts many names before
 * it unlinks any: the unmount (nothing mounted is not an error; by the path
 * NS_RUN_DIR/name, since umount2 has no *at form), then the unlink in dir
 * (-EBUSY: something is still mounted on the name).  Both: 0, -ENOENT (no
 * such name), other -errno.
 */
int ns_dir_unmount(int dir, const char *name);
int ns_dir_unlink(int dir, const char *name);

/*
 * Unlink /run/netns/name when it is an empty regular file with nothing
 * mounted on it (a leftover of a create killed between the file and the
 * mount); when id is not NULL, only when it is the very file ns_create made,
 * which also proves nothing is mounted on it.  -EOPNOTSUPP: no id, and the
 * kernel cannot tell a mount root.
 * -> 1 removed, 0 not such a file (left alone), -ENOENT, -EOPNOTSUPP, other -errno.
 */
int ns_unlink_stale(const char *name, const struct ns_file_id *id);

/* Switch the calling thread to namespace fd for good (before an exec).
 * -> 0 or -errno of setns. */
int ns_enter(int fd);
/*
 * Also before an exec in a namespace (`reuselab exec`, a case's program): a
 * mount namespace of the process's own that follows the host's mounts and
 * sends none back (MS_SLAVE, as `ip netns exec`), with a sysfs of the
 * current network namespace on /sys, so /sys/class/net shows the node's
 * interfaces, and with NS_OWN_PROC a proc of the current PID namespace on
 * /proc.  Callers go on when it fails: what could not be mounted stays the
 * host's.  -> 0 or the first -errno.
 */
#define NS_OWN_PROC 1u
int ns_own_mounts(unsigned flags);

/* ---- in and out of namespaces (ns_scope.c) ---- */

/*
 * A stretch of work in other network namespaces that always ends where it
 * started: start from NS_SCOPE_INIT, enter (and enter again, to move on) as
 * often as needed, then leave.
 */
struct ns_scope {
	int home; /* the starting namespace; -1 while the thread is in it */
};
#define NS_SCOPE_INIT {.home = -1}

/* Move the thread into namespace ns_fd; on failure it stays where it was.
 * -> 0, -EBADF (ns_fd < 0), -EINVAL (not a network namespace), other -errno. */
int ns_scope_enter(struct ns_scope *sc, int ns_fd);
/* Move the thread into a new, empty network namespace.
 * -> 0 or -errno of unshare (as ns_scope_enter). */
int ns_scope_enter_new(struct ns_scope *sc);
/* Back to where sc started (no-op if never left).
 * -> cannot fail: if it cannot return, one line on stderr and abort(). */
void ns_scope_leave(struct ns_scope *sc);
/* fn(arg) inside namespace ns_fd, then back (aborts as ns_scope_leave).
 * -> fn's value, or ns_scope_enter's -errno (fn not run). */
int ns_run_in(int ns_fd, int (*fn)(void *arg), void *arg);

/* ---- sysctls (ns.c) ---- */

/* "/proc/sys/net/ipv4/ip_forward" for key "net.ipv4.ip_forward" into buf;
 * only "net." keys are per namespace.
 * -> 0, -EINVAL (key outside "net." or with '/'), -ENAMETOOLONG. */
int ns_sysctl_path(const char *key, char *buf, size_t len);

/* Write text to a /proc file in one write() (sysctls and id maps need that). */
int ns_file_write(const char *path, const char *text);

/* Write value to sysctl `key` of the calling thread's current namespace.
 * -> 0, -EINVAL (as ns_sysctl_path), -EIO (short write), other -errno. */
int ns_sysctl_write(const char *key, const char *value);

/* ---- small /proc files (ns_file.c) ---- */

/* Up to len - 1 bytes of the file at path into buf, NUL-terminated, in one
 * read() (a /proc file is made whole on its first read); the final path
 * component is not followed.  buf is "" on error.
 * -> the bytes read, -EINVAL (len 0), or -errno of open/read. */
ssize_t ns_file_read(const char *path, char *buf, size_t len);

/* The decimal number a file such as a sysctl holds (space and newline
 * around it allowed) into *ret, untouched on error.
 * -> 0, -EINVAL (empty or not a number), -ERANGE, or ns_file_read's -errno. */
int ns_file_read_long(const char *path, long *ret);

/* ---- the netlink socket (sock.c) ---- */

/* Open a netlink socket of `protocol` in the calling thread's namespace.
 * -> 0 or -errno of socket/setsockopt/bind, -ENOMEM. */
int ns_sock_open(int protocol, struct ns_sock **ret);
/* The same inside namespace nsfd; the thread is back home on return.
 * -> as ns_sock_open, or ns_scope_enter's -errno. */
int ns_sock_open_in(int nsfd, int protocol, struct ns_sock **ret);
/* Close s (NULL is fine). */
void ns_sock_close(struct ns_sock *s);
/* The kernel's extended-ack text of the last request on s: why it failed, or
 * a warning when it succeeded; "" when none. */
const char *ns_sock_ext_msg(const struct ns_sock *s);

/* ---- links (link.c) ---- */

/* The loopback is ifindex 1 in every network namespace (LOOPBACK_IFINDEX). */
#define LINK_LOOPBACK_IFINDEX 1

/*
 * Create a veth `name` here, up, with its peer `peer_name` placed into
 * namespace peer_nsfd, down (the kernel cannot open a peer at creation:
 * bring it up with link_set_up from its own namespace's socket).  Fills
 * *ret_ifindex and *ret_peer_ifindex (from the kernel's NLM_F_ECHO copy; each
 * may be NULL); *ret_peer_ifindex is 0 on kernels before 6.3, which do not
 * echo: look the peer up in its own namespace then.
 * -> 0, -EEXIST (a name is taken), -EMSGSIZE (a name too long), kernel -errno.
 */
int link_veth_add(struct ns_sock *s, const char *name, const char *peer_name, int peer_nsfd,
		  int *ret_ifindex, int *ret_peer_ifindex);

/*
 * Create bridge `name`, down, with multicast snooping off.  Ports enslaved
 * while it is down stay disabled: they forward nothing, so the frames their
 * far ends send meanwhile are dropped at the port instead of flooded to every
 * other port; link_set_up brings it up with all its ports at once.  Without
 * a querier on the segment (a lab has none) a snooping bridge floods all
 * multicast anyway; off, it also skips re-arming two query timers on every
 * port each time a port starts forwarding.
 * -> 0, -EEXIST, -EMSGSIZE, kernel -errno.
 */
int link_bridge_add(struct ns_sock *s, const char *name, int *ret_ifindex);

/* Bring ifindex up, in the same request enslaving it to master_ifindex (when
 * > 0) and setting IFLA_IFALIAS (when alias != NULL).
 * -> 0, -EMSGSIZE (alias too long), kernel -errno (-ENODEV). */
int link_set_up(struct ns_sock *s, int ifindex, int master_ifindex, const char *alias);

/* ifindex of link `name`, one RTM_GETLINK (no dump).
 * -> 0, -ENODEV (no such link), kernel -errno. */
int link_ifindex(struct ns_sock *s, const char *name, int *ret_ifindex);

/* Whether ifindex is operationally up (IF_OPER_UP: the kernel's link watch
 * has run and the device passes traffic).
 * -> 1 up, 0 not yet, kernel -errno (-ENODEV). */
int link_oper_up(struct ns_sock *s, int ifindex);

/* IFLA_IFALIAS of ifindex into buf ("" when none).
 * -> 0, kernel -errno (-ENODEV). */
int link_alias(struct ns_sock *s, int ifindex, char *buf, size_t len);

struct link_status {
	char name[16];
	int ifindex;
	unsigned flags; /* IFF_* */
	bool lower_up;	/* IFF_LOWER_UP, i.e. carrier */
	char kind[16];	/* IFLA_INFO_KIND, "loopback" for lo, "" if none */
};

typedef int (*link_dump_cb)(const struct link_status *l, void *data);

/* Every link of the namespace to cb (a dump: for status, never during a build).
 * -> 0, cb's negative value, -EAGAIN (the links kept changing), transport -errno. */
int link_dump(struct ns_sock *s, link_dump_cb cb, void *data);

/* ---- addresses (addr.c) ---- */

/*
 * Add family/addr/prefixlen on ifindex.  IPv6 addresses skip DAD so they
 * are usable at once; the prefix route is kept.  A second IPv4 address in a
 * subnet becomes a secondary.
 * -> 0, -EEXIST (present: NLM_F_EXCL), -EINVAL (bad family or prefix), kernel -errno.
 */
int addr_add(struct ns_sock *s, int ifindex, int family, const uint8_t *addr, unsigned prefixlen);

struct addr_status {
	int ifindex;
	int family;
	uint8_t addr[16];
	unsigned prefixlen;
	unsigned scope; /* RT_SCOPE_* */
};

typedef int (*addr_dump_cb)(const struct addr_status *a, void *data);

/* Every address of the namespace to cb (a dump: for status only).
 * -> as link_dump. */
int addr_dump(struct ns_sock *s, addr_dump_cb cb, void *data);

/* ---- routes (route.c) ---- */

/* Add dst/dst_len (dst_len 0: default) via gw (NULL: none) out of oif (0: let
 * the kernel choose from gw) to the main table.
 * -> 0, -EEXIST, -EINVAL (bad arguments), -ENETUNREACH (gw off-link), kernel -errno. */
int route_add(struct ns_sock *s, int family, const uint8_t *dst, unsigned dst_len,
	      const uint8_t *gw, int oif);

/* ---- socket snapshots (sockdiag.c) ---- */

/* One socket as sock_diag reports it. */
struct sock_seen {
	char proto[4];	/* "tcp" or "udp" */
	char state[16]; /* "LISTEN", "ESTAB", "TIME-WAIT", "UNCONN", ... as ss(8) names them */
	char local[64]; /* "10.0.1.1:10013", "[fd00:1::1]:80" */
	char remote[64]; /* "*:*" when none */
	uint16_t lport, rport; /* the ports of local and remote, host order (0: none) */
	unsigned uid;
	unsigned long inode; /* 0 for TIME-WAIT and other sockets no file holds */
	char owner[32]; /* not from sock_diag: the holder a caller found ("d[1234]"), or "" */
};

/*
 * The TCP and UDP sockets (IPv4 and IPv6, every state incl. TIME-WAIT) of the
 * namespace netns_fd whose local or remote port is one of ports[0..n_ports);
 * n_ports == 0 means every socket.  The caller stays in its own namespace.
 * *ret is malloc'ed (free with free()).
 * -> 0, -ENOMEM, -EAGAIN (sockets kept changing), transport or ns_scope_enter -errno.
 */
int sockdiag_snapshot(int netns_fd, const uint16_t *ports, size_t n_ports,
		      struct sock_seen **ret, size_t *ret_n);

/*
 * A non-blocking fd, opened in the namespace netns_fd, that turns readable
 * when a TCP socket there is freed (sock_diag's destroy notifications): a
 * connection entering TIME-WAIT frees its full socket, so waiting for one
 * ends on that event.  Read it empty with sockdiag_watch_drain.
 * -> 0 with *ret_fd, or -errno.
 */
int sockdiag_tcp_watch_open(int netns_fd, int *ret_fd);
void sockdiag_watch_drain(int fd);

/* ---- live state, read-only (live.c, libnl-route-3) ----
 *
 * A namespace's links, addresses and routes through libnl-route-3's caches.
 * Builds and teardowns stay on the libmnl requests above: they need the
 * kernel's exact errno and extended-ack text, which libnl's NLE_* codes
 * lose.  Here an error callback keeps the kernel's errno.  Only plain C
 * structs leave live.c.
 */

/* No link-netnsid: the link's peer (if any) is in the same namespace. */
#define LIVE_NSID_NONE (-1)

struct live_addr {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order */
	unsigned prefixlen;
	unsigned scope; /* RT_SCOPE_* */
	char text[64];	/* "10.0.1.1/24" */
};

struct live_link {
	char name[16];
	int ifindex;
	char kind[16];	/* IFLA_INFO_KIND; "loopback" for lo; "" when none */
	unsigned flags; /* IFF_* */
	bool up;	/* IFF_UP */
	bool lower_up;	/* IFF_LOWER_UP: carrier */
	unsigned mtu;
	char mac[18];  /* "aa:bb:cc:dd:ee:ff"; "" when none */
	int master;    /* ifindex of the master (bridge), 0 when none */
	int link;      /* IFLA_LINK: a veth's peer ifindex, 0 when none */
	int link_nsid; /* IFLA_LINK_NETNSID, LIVE_NSID_NONE when absent */
	struct live_addr *addrs;
	size_t n_addrs;
};

struct live_route {
	int family;
	uint8_t dst[16];
	unsigned dst_len; /* 0: default */
	bool has_gw;
	uint8_t gw[16];
	int oif;	   /* 0 when none */
	unsigned protocol; /* RTPROT_*: RTPROT_KERNEL for connected routes */
	unsigned scope;
	unsigned type;	/* RTN_* */
	char text[128]; /* "10.0.3.0/24 via 10.0.2.1 dev eth1" */
};

/* One namespace's state: links by ifindex, routes of the main table. */
struct live_ns {
	struct live_link *links;
	size_t n_links;
	struct live_route *routes;
	size_t n_routes;
};

/* A read-only netlink connection inside one namespace. */
struct live_conn;

/*
 * Open a connection whose socket is created inside namespace netns_fd
 * (through ns_run_in: the thread is back in its own namespace when this
 * returns).
 * -> 0, -ENOMEM, ns_scope_enter or socket -errno.
 */
int live_open(int netns_fd, struct live_conn **ret);
void live_close(struct live_conn *c);

/*
 * Read links, addresses (every scope, loopback's included) and main-table
 * routes (both families); *ret is freed with live_ns_free.
 * -> 0, -ENOMEM, the kernel's own -errno when it refused a dump, or the errno
 *    nearest libnl's NLE_* code (-EBADMSG for a message it could not parse).
 */
int live_read(struct live_conn *c, struct live_ns **ret);
void live_ns_free(struct live_ns *n);

/*
 * The id under which c's namespace knows namespace other_fd (what a link's
 * link_nsid names), without assigning one: LIVE_NSID_NONE when none is
 * assigned.
 * -> 0, -EINVAL (other_fd is no network namespace), -ENOMEM, kernel -errno.
 */
int live_nsid(struct live_conn *c, int other_fd, int *ret_nsid);

/* The link with ifindex in n, or NULL. */
const struct live_link *live_link_by_index(const struct live_ns *n, int ifindex);

/* ---- user namespaces for rootless runs (userns.c) ----
 * A new user namespace in which the caller is uid 0, so an ordinary user
 * can build an ephemeral lab (network namespaces owned by that user
 * namespace) and probe it.  The caller's own uid becomes 0 inside; when
 * newuidmap/newgidmap (Debian `uidmap`) and /etc/subuid, /etc/subgid grant
 * the caller a range, that range is mapped from 1 on, so cases that switch
 * to another uid have one to switch to. */

#define USERNS_MAX_RANGES 8

/* One line of /proc/PID/uid_map: uids inside..inside+count-1 are outside.. */
struct userns_range {
	unsigned long inside, outside, count;
};

struct userns_map {
	struct userns_range r[USERNS_MAX_RANGES];
	size_t n;
};

/*
 * Leave the calling process (single-threaded) in a new user namespace as
 * uid 0 and gid 0, with every capability there.  Maps the caller's uid and
 * gid; with use_subids, also the caller's first /etc/subuid and /etc/subgid
 * ranges through newuidmap/newgidmap (run from forked children with an
 * argv), when those exist; else just the one id (setgroups denied).
 * *ret_subids says whether the ranges were mapped.  0, or -errno with err
 * holding one line; when the host forbids unprivileged user namespaces, the
 * line names the setting that does and how to allow it.
 */
int userns_enter(bool use_subids, bool *ret_subids, char *err, size_t errlen);

/* The calling process's uid map (/proc/self/uid_map).  0 or -errno. */
int userns_read_uid_map(struct userns_map *ret);

/* True when uid (as seen in the current user namespace) is mapped in m. */
bool userns_uid_mapped(const struct userns_map *m, unsigned long uid);

/*
 * The first range of `user` (a name or a decimal uid) in a subordinate id
 * file (/etc/subuid format "user:start:count").  0, -ENOENT when none.
 */
int userns_subid_range(const char *path, const char *user, unsigned long uid,
		       unsigned long *ret_start, unsigned long *ret_count);

#endif

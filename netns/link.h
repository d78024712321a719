/* SPDX-License-Identifier: MIT */
/* Links inside one namespace, through that namespace's socket. */
#ifndef REUSELAB_NETNS_LINK_H
#define REUSELAB_NETNS_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "netns/sock.h"

/* The loopback is ifindex 1 in every network namespace (LOOPBACK_IFINDEX). */
#define LINK_LOOPBACK_IFINDEX 1

/*
 * Create a veth `name` here, up, with its peer `peer_name` placed into
 * namespace peer_nsfd, down (the kernel cannot open a peer at creation:
 * bring it up with link_set_up from its own namespace's socket).  Fills
 * *ret_ifindex and *ret_peer_ifindex (from the kernel's NLM_F_ECHO copy; each
 * may be NULL); *ret_peer_ifindex is 0 on kernels before 6.3, which do not
 * echo: look the peer up in its own namespace then.  0 or -errno (-EEXIST
 * when a name is taken).
 */
int link_veth_add(struct ns_sock *s, const char *name, const char *peer_name, int peer_nsfd,
		  int *ret_ifindex, int *ret_peer_ifindex);

/* Create an up link of a kind that needs no data ("bridge", "dummy"). */
int link_simple_add(struct ns_sock *s, const char *kind, const char *name, int *ret_ifindex);

/*
 * Bring ifindex up, in the same request enslaving it to master_ifindex
 * (when > 0) and setting IFLA_IFALIAS (when alias != NULL).  0 or -errno.
 */
int link_set_up(struct ns_sock *s, int ifindex, int master_ifindex, const char *alias);

/* ifindex of link `name`, one RTM_GETLINK (no dump). 0 or -errno (-ENODEV). */
int link_ifindex(struct ns_sock *s, const char *name, int *ret_ifindex);

/*
 * 1 when ifindex is operationally up (IF_OPER_UP: the kernel's link watch
 * has run and the device passes traffic), 0 when not yet, or -errno.
 */
int link_oper_up(struct ns_sock *s, int ifindex);

/* IFLA_IFALIAS of ifindex into buf ("" when none). 0 or -errno. */
int link_alias(struct ns_sock *s, int ifindex, char *buf, size_t len);

struct link_status {
	char name[16];
	int ifindex;
	unsigned flags; /* IFF_* */
	bool lower_up;	/* IFF_LOWER_UP, i.e. carrier */
	char kind[16];	/* IFLA_INFO_KIND, "loopback" for lo, "" if none */
};

typedef int (*link_dump_cb)(const struct link_status *l, void *data);

/* Every link of the namespace (a dump: for status, never during a build). */
int link_dump(struct ns_sock *s, link_dump_cb cb, void *data);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The one netlink transport of netns/: a socket bound to the network
 * namespace it was opened in (NETLINK_ROUTE for links, addresses and routes;
 * NETLINK_SOCK_DIAG for socket snapshots), with extended acks on, so every
 * failed request keeps the kernel's own explanation next to its errno.
 */
#ifndef REUSELAB_NETNS_SOCK_H
#define REUSELAB_NETNS_SOCK_H

#include <stddef.h>
#include <linux/netlink.h>

struct ns_sock;

/* Room for any single request we build (a veth with its peer is < 300 bytes). */
#define NS_SOCK_TXBUF 1024
/* Longest wait for one reply datagram; the kernel answers at once, so only a bug waits. */
#define NS_SOCK_TIMEOUT_MS 10000
/* Dumps interrupted by a concurrent change (NLM_F_DUMP_INTR) are retried this often. */
#define NS_SOCK_DUMP_TRIES 3

/* Open a netlink socket of `protocol` in the calling thread's namespace. 0 or -errno. */
int ns_sock_open(int protocol, struct ns_sock **ret);
/* The same inside namespace nsfd; the thread is back home on return. 0 or -errno. */
int ns_sock_open_in(int nsfd, int protocol, struct ns_sock **ret);
/* Close s (NULL is fine). */
void ns_sock_close(struct ns_sock *s);

/* Called for each reply message of the request (not for the ack); < 0 stops. */
typedef int (*ns_sock_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send nlh (seq and NLM_F_ACK are set here) and wait for its ack; cb (may be
 * NULL) then sees the replies that preceded it, e.g. an NLM_F_ECHO copy.
 * 0, the kernel's -errno, a cb's negative return, -ETIMEDOUT (no reply within
 * NS_SOCK_TIMEOUT_MS), -EBADMSG (a malformed reply), or the socket's -errno.
 */
int ns_sock_request(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data);

/*
 * Send a dump request and pass every message to cb once the whole dump has
 * arrived (NLMSG_DONE), so cb sees one consistent dump or nothing.  Errors as
 * ns_sock_request, plus -EAGAIN when NS_SOCK_DUMP_TRIES dumps in a row were
 * interrupted by changes (NLM_F_DUMP_INTR).
 */
int ns_sock_dump(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data);

/*
 * The kernel's extended-ack text of the last request: why it failed, or a
 * warning when it succeeded; "" when none.
 */
const char *ns_sock_ext_msg(const struct ns_sock *s);

#endif

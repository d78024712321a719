/* SPDX-License-Identifier: MIT */
/*
 * A NETLINK_ROUTE socket bound to the network namespace it was opened in,
 * with extended acks on, so every failed request keeps the kernel's own
 * explanation next to its errno.
 */
#ifndef REUSELAB_NETNS_SOCK_H
#define REUSELAB_NETNS_SOCK_H

#include <stddef.h>
#include <linux/netlink.h>

struct ns_sock;

/*
 * Receive buffer for one request's replies.  Large enough for a dump skb
 * (the kernel sizes those up to 32 KiB) so nothing is ever truncated.
 */
#define NS_SOCK_RXBUF 32768
/* Room for any single request we build (a veth with its peer is < 300 bytes). */
#define NS_SOCK_TXBUF 1024

/* Open a socket in the calling thread's current namespace. 0 or -errno. */
int ns_sock_open(struct ns_sock **ret);
/* Open a socket inside namespace nsfd, returning to orig_fd. 0 or -errno. */
int ns_sock_open_in(int nsfd, int orig_fd, struct ns_sock **ret);
void ns_sock_close(struct ns_sock *s);

/* Called for each reply message of the request (not for the ack). */
typedef int (*ns_sock_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send nlh (seq and NLM_F_ACK are set here) and wait for its ack; cb (may be
 * NULL) sees the replies that precede it, e.g. an NLM_F_ECHO copy.  Returns 0,
 * the kernel's -errno, a cb's negative return, or -errno of the socket.
 */
int ns_sock_request(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data);

/* Send a dump request and pass every message to cb until NLMSG_DONE. */
int ns_sock_dump(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data);

/* The kernel's extended-ack text of the last failed request, or "". */
const char *ns_sock_ext_msg(const struct ns_sock *s);

#endif

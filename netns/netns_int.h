/* SPDX-License-Identifier: MIT */
/*
 * What stays inside netns/ (and its unit tests): the netlink transport that
 * link.c, addr.c, route.c and sockdiag.c send their requests through.
 */
#ifndef REUSELAB_NETNS_NETNS_INT_H
#define REUSELAB_NETNS_NETNS_INT_H

#include <stdint.h>
#include <linux/netlink.h>

#include "netns/netns.h"

/* Bytes of an address of family: 4 (AF_INET), 16 (AF_INET6), 0 for another. */
size_t addr_family_len(int family);

/* Room for any single request we build (a veth with its peer is < 300 bytes). */
#define NS_SOCK_TXBUF 1024
/* Longest wait for one reply datagram; the kernel answers at once, so only a bug waits. */
#define NS_SOCK_TIMEOUT_MS 10000
/* Dumps interrupted by a concurrent change (NLM_F_DUMP_INTR) are retried this often. */
#define NS_SOCK_DUMP_TRIES 3

/* Called for each reply message of the request (not for the ack); < 0 stops. */
typedef int (*ns_sock_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send nlh (seq and NLM_F_ACK are set here) and wait for its ack; cb (may be
 * NULL) then sees the replies that preceded it, e.g. an NLM_F_ECHO copy.
 * -ETIMEDOUT: no reply within NS_SOCK_TIMEOUT_MS; -EBADMSG: a malformed reply.
 * -> 0, kernel -errno, cb's negative value, -ETIMEDOUT, -EBADMSG, socket -errno.
 */
int ns_sock_request(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data);

/*
 * Send a dump request and pass every message to cb once the whole dump has
 * arrived (NLMSG_DONE), so cb sees one consistent dump or nothing.
 * -> as ns_sock_request, or -EAGAIN (NS_SOCK_DUMP_TRIES dumps in a row had NLM_F_DUMP_INTR).
 */
int ns_sock_dump(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data);

/*
 * Wrap fd, any datagram socket, as an ns_sock that takes `portid` as its own
 * netlink port and numbers its next request seq + 1, waiting at most
 * timeout_ms for each reply.  Owns fd from here on, also on failure.  Tests
 * play the kernel's part on the other end of a socketpair.
 * -> 0 or -ENOMEM.
 */
int ns_sock_wrap(int fd, uint32_t portid, uint32_t seq, int timeout_ms, struct ns_sock **ret);

#endif

/* SPDX-License-Identifier: MIT */
/* What stays inside netns/ (and its unit tests) of the netlink transport. */
#ifndef REUSELAB_NETNS_SOCK_INT_H
#define REUSELAB_NETNS_SOCK_INT_H

#include <stdint.h>

#include "netns/sock.h"

/*
 * Wrap fd, any datagram socket, as an ns_sock that takes `portid` as its own
 * netlink port and numbers its next request seq + 1; replies are waited for
 * at most timeout_ms each.  Owns fd from here on, also on failure.  Tests
 * play the kernel's part on the other end of a socketpair.  0 or -ENOMEM.
 */
int ns_sock_wrap(int fd, uint32_t portid, uint32_t seq, int timeout_ms, struct ns_sock **ret);

#endif

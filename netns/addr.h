/* SPDX-License-Identifier: MIT */
/* Interface addresses inside one namespace. */
#ifndef REUSELAB_NETNS_ADDR_H
#define REUSELAB_NETNS_ADDR_H

#include <stdint.h>

#include "netns/sock.h"

/*
 * Add family/addr/prefixlen on ifindex (NLM_F_EXCL: -EEXIST when present).
 * IPv6 addresses skip DAD so they are usable at once; the prefix route is
 * kept.  A second IPv4 address in a subnet becomes a secondary.  0 or -errno.
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

/* Every address of the namespace (a dump: for status only). */
int addr_dump(struct ns_sock *s, addr_dump_cb cb, void *data);

#endif

/* SPDX-License-Identifier: MIT */
/* Routes in the main table of one namespace. */
#ifndef REUSELAB_NETNS_ROUTE_H
#define REUSELAB_NETNS_ROUTE_H

#include <stdint.h>

#include "netns/sock.h"

/*
 * Add dst/dst_len (dst_len 0: default) via gw (NULL: none) out of oif
 * (0: let the kernel choose from gw).  NLM_F_EXCL: -EEXIST when present.
 * 0 or -errno (-ENETUNREACH when gw is not on a connected subnet).
 */
int route_add(struct ns_sock *s, int family, const uint8_t *dst, unsigned dst_len,
	      const uint8_t *gw, int oif);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef REUSELAB_SOCKDIAG_H
#define REUSELAB_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

/* One socket as sock_diag reports it. */
struct sock_seen {
	char proto[4];          /* "tcp" or "udp" */
	char state[16];         /* "LISTEN", "ESTAB", "TIME-WAIT", "UNCONN", ... as ss(8) names them */
	char local[64];         /* "10.0.1.1:10013", "[fd00:1::1]:80" */
	char remote[64];        /* "*:*" when none */
	unsigned uid;
};

/*
 * The TCP and UDP sockets (IPv4 and IPv6, every state incl. TIME-WAIT) of the
 * namespace netns_fd whose local or remote port is one of ports[0..n_ports).
 * n_ports == 0 means every socket.  Local and remote are "addr:port"
 * ("[v6]:port"); remote is "*:*" when unconnected.  The caller stays in its
 * own namespace.  Returns 0 and a malloc'ed array (free with free()) or
 * -errno.
 */
int sockdiag_snapshot(int netns_fd, const uint16_t *ports, size_t n_ports,
		      struct sock_seen **ret, size_t *ret_n);

#endif

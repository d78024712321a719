/* SPDX-License-Identifier: MIT */
/*
 * Fresh ports for each case, checked free in every node, so no case sees
 * another's TIME-WAIT; and the range they come from, away from the lab's
 * ephemeral ports.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

static bool port_in_use_here(unsigned port)
{
	static const struct {
		int family, type;
	} probes[] = {
	    {AF_INET, SOCK_STREAM},
	    {AF_INET, SOCK_DGRAM},
	    {AF_INET6, SOCK_STREAM},
	    {AF_INET6, SOCK_DGRAM},
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct sockaddr_storage ss = {0};
		socklen_t len;
		int fd, r;

		fd = socket(probes[i].family, probes[i].type | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue; /* no IPv6 in this node: nothing can hold the port there */
		if (probes[i].family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
			int off = 1;

			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)port);
			len = sizeof(*sin6);
		}
		/* A bind without SO_REUSEADDR conflicts with any socket on the
		 * port, TIME-WAIT included; an unconnected close leaves nothing. */
		r = bind(fd, (struct sockaddr *)&ss, len);
		close(fd);
		if (r < 0 && errno == EADDRINUSE)
			return true;
	}
	return false;
}

int probe_port_alloc(struct run *R, uint16_t *ret)
{
	unsigned span = R->port_hi - R->port_lo + 1;

	for (unsigned tries = 0; tries < span; tries++) {
		unsigned p = R->port_next;
		bool busy = false;

		R->port_next = p >= R->port_hi ? R->port_lo : p + 1;
		for (size_t n = 0; n < R->t->n_nodes && !busy; n++) {
			if (R->nsfd[n] < 0 || probe_enter_node(R, (int)n) < 0)
				continue;
			busy = port_in_use_here(p);
		}
		if (!busy) {
			*ret = (uint16_t)p;
			return 0;
		}
	}
	return -EADDRINUSE;
}

void probe_note_port(struct run *R, uint16_t p)
{
	for (size_t i = 0; i < R->n_ports; i++)
		if (R->ports[i] == p)
			return;
	if (R->n_ports < MAX_PORTS)
		R->ports[R->n_ports++] = p;
}

/* Ports for cases: 20000-39999 minus the node's ephemeral range. */
void probe_port_range_pick(struct run *R, const char *local_range)
{
	unsigned lo = 0, hi = 0;

	R->port_lo = 20000;
	R->port_hi = 39999;
	if (sscanf(local_range, "%u %u", &lo, &hi) == 2 && lo <= hi) {
		if (lo <= R->port_lo && hi >= R->port_hi) {
			/* ephemeral range covers ours: take what lies below it */
			R->port_lo = 10100;
			R->port_hi = lo > 10200 ? lo - 1 : 19999;
		} else if (lo > R->port_lo && lo <= R->port_hi) {
			if (lo - R->port_lo >= 2000 || hi >= R->port_hi)
				R->port_hi = lo - 1;
			else
				R->port_lo = hi + 1;
		} else if (hi >= R->port_lo && hi < R->port_hi) {
			R->port_lo = hi + 1;
		}
	}
	/* Start somewhere that depends on time, so runs back to back on one lab
	 * rarely meet each other's TIME-WAIT (they are skipped anyway). */
	R->port_next = R->port_lo + (unsigned)(time(NULL) % (R->port_hi - R->port_lo + 1));
}

/* SPDX-License-Identifier: MIT */
/*
 * Fresh ports for each case, free in every node, so no case sees another's
 * TIME-WAIT; and the range they come from, away from the lab's ephemeral
 * ports.  What is free is read once, with one sock_diag snapshot per node
 * (every socket, TIME-WAIT included), and again when the range wraps round;
 * a port handed out is never handed out again before that, so a case costs
 * no system call for its ports.  Where sock_diag cannot be read, each port is
 * tried with bind() in every node instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Is p held in some node?  Tried with bind() in each. */
static bool port_in_use_anywhere(struct run *R, unsigned p)
{
	for (size_t n = 0; n < R->t->n_nodes; n++)
		if (R->nsfd[n] >= 0 && probe_enter_node(R, (int)n) == 0 && port_in_use_here(p))
			return true;
	return false;
}

#define BUSY_BYTES (65536 / 8)

static bool busy_test(const uint8_t *busy, unsigned p)
{
	return busy[p / 8] & (1u << (p % 8));
}

static void busy_set(uint8_t *busy, unsigned p)
{
	busy[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* R->port_busy from every open node's sockets; left NULL (ports then tried
 * one by one) when a node's cannot be read. */
static void ports_busy_load(struct run *R)
{
	free(R->port_busy);
	R->port_busy = calloc(BUSY_BYTES, 1);
	R->port_steps = 0;
	for (size_t n = 0; R->port_busy && n < R->t->n_nodes; n++) {
		struct sock_seen *seen = NULL;
		size_t n_seen = 0;

		if (R->nsfd[n] < 0)
			continue;
		if (sockdiag_snapshot(R->nsfd[n], NULL, 0, &seen, &n_seen) < 0) {
			free(R->port_busy);
			R->port_busy = NULL;
			break;
		}
		for (size_t i = 0; i < n_seen; i++)
			busy_set(R->port_busy, seen[i].lport);
		free(seen);
	}
}

int probe_port_alloc(struct run *R, uint16_t *ret)
{
	unsigned span = R->port_hi - R->port_lo + 1;

	if (!R->ports_loaded) {
		ports_busy_load(R);
		R->ports_loaded = true;
	}
	for (unsigned tries = 0; tries < span; tries++) {
		unsigned p = R->port_next;

		/* Round again: the ports of this run's cases may still be held. */
		if (R->port_busy && R->port_steps >= span)
			ports_busy_load(R);
		R->port_next = p >= R->port_hi ? R->port_lo : p + 1;
		R->port_steps++;
		if (R->port_busy ? busy_test(R->port_busy, p) : port_in_use_anywhere(R, p))
			continue;
		if (R->port_busy)
			busy_set(R->port_busy, p);
		*ret = (uint16_t)p;
		return 0;
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

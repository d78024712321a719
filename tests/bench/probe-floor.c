// SPDX-License-Identifier: MIT
/*
 * probe-floor: what the system calls of one bind-only probe case cost by
 * themselves, the floor `make bench` holds reuselab's per-case time against.
 *
 *   probe-floor binds K    in a network namespace of its own, K times:
 *                          s = socket(tcp4), bind s *:P (ok), t = socket(tcp4),
 *                          bind t *:P (EADDRINUSE), close t, close s; P moves on.
 *                          Prints the best of 5 batches: "X.XX us/case".
 *
 * The same steps as the bench's user case (tests/bench/probe_bench.py).  Root.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One case's calls on port; 0, or -1 when one did not answer as expected. */
static int one_case(unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int s, t, ok;

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	t = -1;
	ok = s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (ok) {
		t = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		ok = t >= 0 && bind(t, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EADDRINUSE;
	}
	if (t >= 0)
		close(t);
	if (s >= 0)
		close(s);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	double best = 0;
	long k;

	if (argc != 3 || strcmp(argv[1], "binds") || (k = strtol(argv[2], NULL, 10)) < 1 ||
	    k > 10000) {
		fprintf(stderr, "usage: probe-floor binds K (1..10000)\n");
		return 2;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		perror("probe-floor: unshare(CLONE_NEWNET)");
		return 1;
	}
	for (int batch = 0; batch < 5; batch++) {
		double t0 = now_us(), us;

		for (long i = 0; i < k; i++) {
			if (one_case(20000 + (unsigned)(batch * k + i) % 20000) < 0) {
				fprintf(stderr, "probe-floor: a call did not answer as expected\n");
				return 1;
			}
		}
		us = (now_us() - t0) / (double)k;
		if (!batch || us < best)
			best = us;
	}
	printf("%.2f us/case\n", best);
	return 0;
}

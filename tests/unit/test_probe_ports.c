/* SPDX-License-Identifier: MIT */
/*
 * Case ports (probe_ports.c): a port some socket holds when the run reads
 * the node is never handed out; one handed out is not handed out again until
 * the range wraps round, when the node is read again (what the run's cases
 * still hold stays out).  probe_sockdiag, the snapshot these and the waits
 * read: the node's sockets on the ports asked for, and a node that cannot
 * be read named in R->why.  probe_endpoint_resolve: a literal endpoint as
 * a socket address (v4-mapped for an IPv6 socket), its port noted for the
 * case.  Runs in a network namespace of its own (made here, needs root:
 * skipped otherwise), one node.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

static int hold_port(int type, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Into a network namespace of our own (root only: the test is skipped
 * otherwise); its fd, the node's. */
static int own_netns(struct ns_scope *sc)
{
	int fd;

	if (geteuid() != 0)
		skip();
	assert_int_equal(ns_scope_enter_new(sc), 0);
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void test_ports_skip_held_and_wrap(void **state)
{
	struct topo_node node = {.name = "n"};
	struct topology t = {.nodes = &node, .n_nodes = 1};
	struct ns_scope sc = NS_SCOPE_INIT;
	int nsfd, nserr = 0, tcp, udp, held[2];
	struct run R = {.t = &t, .ns = NS_SCOPE_INIT, .cur_node = -1, .pending_uid = -1};
	uint16_t p[4];

	(void)state;
	nsfd = own_netns(&sc);
	R.nsfd = &nsfd;
	R.nserr = &nserr;
	/* 30001 held by TCP, 30003 by UDP, before the first port is asked for */
	tcp = hold_port(SOCK_STREAM, 30001);
	udp = hold_port(SOCK_DGRAM, 30003);
	R.port_lo = R.port_next = 30000;
	R.port_hi = 30003;
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(probe_port_alloc(&R, &p[i]), 0);
	assert_int_equal(p[0], 30000);
	assert_int_equal(p[1], 30002);
	/* The cases keep them (TIME-WAIT, say): on the next round, when the
	 * node is read again, every port is held. */
	held[0] = hold_port(SOCK_STREAM, p[0]);
	held[1] = hold_port(SOCK_DGRAM, p[1]);
	assert_int_equal(probe_port_alloc(&R, &p[2]), -EADDRINUSE);
	/* What is let go is free on the round after. */
	close(tcp);
	assert_int_equal(probe_port_alloc(&R, &p[3]), 0);
	assert_int_equal(p[3], 30001);
	probe_leave_node(&R);
	free(R.port_busy);
	close(udp);
	close(held[0]);
	close(held[1]);
	close(nsfd);
	ns_scope_leave(&sc);
}

static void test_sockdiag(void **state)
{
	struct topo_node node = {.name = "n"};
	struct topology t = {.nodes = &node, .n_nodes = 1};
	struct ns_scope sc = NS_SCOPE_INIT;
	struct run R = {.t = &t};
	const uint16_t want = 30005;
	struct sock_seen *seen = NULL;
	size_t n = 99;
	int nsfd, tcp, other;

	(void)state;
	nsfd = own_netns(&sc);
	R.nsfd = &nsfd;
	tcp = hold_port(SOCK_STREAM, want);
	other = hold_port(SOCK_DGRAM, 30006);
	assert_int_equal(probe_sockdiag(&R, 0, &want, 1, &seen, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(seen[0].lport, want);
	assert_string_equal(seen[0].proto, "tcp");
	assert_string_equal(R.why, "");
	free(seen);
	close(tcp);
	close(other);
	close(nsfd);
	ns_scope_leave(&sc);

	nsfd = -1; /* a node whose namespace is not open */
	assert_true(probe_sockdiag(&R, 0, &want, 1, &seen, &n) < 0);
	assert_null(seen);
	assert_int_equal(n, 0);
	assert_non_null(strstr(R.why, "sock_diag in node n: "));
}

static void test_endpoint_literal(void **state)
{
	struct run R = {0};
	struct sockaddr_storage ss;
	char text[64];
	socklen_t len = 0;

	(void)state;
	assert_int_equal(probe_endpoint_resolve(&R, "10.1.2.3:8080", 0, &ss, &len), 0);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(probe_sa_text(&ss, text, sizeof(text)), 8080);
	assert_string_equal(text, "10.1.2.3:8080");
	assert_int_equal(probe_endpoint_resolve(&R, "10.1.2.3:8080", AF_INET6, &ss, &len), 0);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	probe_sa_text(&ss, text, sizeof(text));
	assert_string_equal(text, "[::ffff:10.1.2.3]:8080");
	assert_int_equal(probe_endpoint_resolve(&R, "*:9", AF_INET6, &ss, &len), 0);
	probe_sa_text(&ss, text, sizeof(text));
	assert_string_equal(text, "[::]:9");
	assert_int_equal(probe_endpoint_resolve(&R, "*:9", 0, &ss, &len), 0);
	probe_sa_text(&ss, text, sizeof(text));
	assert_string_equal(text, "0.0.0.0:9");
	assert_int_equal(probe_endpoint_resolve(&R, "[fd00::1]:7", 0, &ss, &len), 0);
	probe_sa_text(&ss, text, sizeof(text));
	assert_string_equal(text, "[fd00::1]:7");
	/* 8080, 9 and 7 are the case's ports now (sock_diag snapshots ask for them) */
	assert_int_equal(R.n_ports, 3);
	assert_int_equal(R.ports[0], 8080);
	assert_int_equal(probe_endpoint_resolve(&R, "10.1.2.x:1", 0, &ss, &len), -EINVAL);
	assert_string_equal(R.why, "bad address '10.1.2.x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ports_skip_held_and_wrap),
	    cmocka_unit_test(test_sockdiag),
	    cmocka_unit_test(test_endpoint_literal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

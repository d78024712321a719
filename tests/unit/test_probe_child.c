/* SPDX-License-Identifier: MIT */
/*
 * The forking steps' bookkeeping: a `child` step whose socket cannot be
 * kept (the case's socket table is full) still reaps its process.  The child
 * enters this process's own network namespace, which needs CAP_SYS_ADMIN:
 * skipped when not root.  No lab, no other namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

/* Defect 3: a failed probe_sock_add returned without reaping the child. */
static void test_child_reaped_when_table_full(void **state)
{
	struct probe_step st;
	struct step_result res = {0};
	int nsfd, nserr = 0, status;
	struct run R = {.ns = NS_SCOPE_INIT, .cur_node = -1, .pending_uid = -1};
	char err[256];
	size_t off;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(probe_step_parse("x = child udp4 bind 127.0.0.1:0", true, &st, err,
					  sizeof(err), &off),
			 0);
	nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(nsfd >= 0);
	R.nsfd = &nsfd;
	R.nserr = &nserr;
	for (size_t i = 0; i < MAX_SOCKS; i++) {
		char name[PROBE_NAME_MAX + 1];

		snprintf(name, sizeof(name), "s%zu", i);
		assert_int_equal(probe_sock_add(&R, name, open("/dev/null", O_RDONLY | O_CLOEXEC),
						0, AF_INET, SOCK_DGRAM),
				 0);
	}
	assert_int_equal(probe_run_child(&R, 0, &st, NULL, &res), -EMFILE);
	/* Nothing left to wait for: the step reaped its child. */
	assert_int_equal(waitpid(-1, &status, 0), -1);
	assert_int_equal(errno, ECHILD);
	probe_close_all(&R);
	close(nsfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_child_reaped_when_table_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The forking steps' bookkeeping: a `child` step whose socket cannot be
 * kept (the case's socket table is full) still reaps its process.  The child
 * enters this process's own network namespace, which needs CAP_SYS_ADMIN:
 * skipped when not root.  No lab, no other namespace.
 *
 * probe_reap_killed: a child whose bound is spent (an as-user or child step
 * that sent nothing) is killed and reaped at once, within a fixed ceiling,
 * also when another process keeps the descriptor that ends with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
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

/* The child was killed by SIGKILL and reaped: no child of ours is left. */
static void assert_killed_and_reaped(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* A child that never answers (pause) is killed and reaped. */
static void test_reap_killed(void **state)
{
	struct run R = {0};
	int sk, status;
	pid_t pid;

	(void)state;
	assert_int_equal(probe_fork_pair(&R, &pid, &sk), 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(probe_reap_killed(pid, sk, &status), -ETIMEDOUT);
	assert_killed_and_reaped(status);
	close(sk);
}

/* A grandchild holds the child's end too, so it never reads end-of-file:
 * the reap still ends (the ceiling) and takes the dead child. */
static void test_reap_killed_end_held_elsewhere(void **state)
{
	struct run R = {0};
	int sk, status;
	pid_t pid, grandchild;

	(void)state;
	assert_int_equal(probe_fork_pair(&R, &pid, &sk), 0);
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0) {
			alarm(10); /* gone by itself should the test fail before it kills it */
			pause();
			_exit(0);
		}
		probe_msg_send(sk, &g, sizeof(g), -1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(sk, &grandchild, sizeof(grandchild)), (ssize_t)sizeof(grandchild));
	assert_true(grandchild > 0);
	assert_int_equal(probe_reap_killed(pid, sk, &status), -ETIMEDOUT);
	kill(grandchild, SIGKILL);
	assert_killed_and_reaped(status);
	close(sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_child_reaped_when_table_full),
	    cmocka_unit_test(test_reap_killed),
	    cmocka_unit_test(test_reap_killed_end_held_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The scoped namespace switch: an fd that is not a namespace is refused
 * before anything runs, and a thread that cannot get home stops the process
 * (in a child here) instead of acting in the wrong namespace.  The round
 * trips through real namespaces need CAP_SYS_ADMIN and are skipped without.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "netns/netns.h"

static int ran_fn(void *arg)
{
	int *ran = arg;

	(*ran)++;
	return 7;
}

/* Inode of the calling thread's network namespace. */
static ino_t netns_ino(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

static void test_not_a_namespace(void **state)
{
	int ran = 0, fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ino_t before = netns_ino();

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ns_run_in(fd, ran_fn, &ran), -EINVAL);
	assert_int_equal(ran, 0);
	assert_int_equal(ns_run_in(-1, ran_fn, &ran), -EBADF);
	assert_int_equal(ran, 0);
	assert_true(netns_ino() == before);
	close(fd);
}

/* A failed enter leaves the scope as it was: nothing to leave. */
static void test_failed_enter_keeps_scope(void **state)
{
	struct ns_scope sc = NS_SCOPE_INIT;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_int_equal(ns_scope_enter(&sc, fd), -EINVAL);
	assert_int_equal(sc.home, -1);
	ns_scope_leave(&sc);
	close(fd);
}

/* A home that cannot be returned to: one line on stderr, then SIGABRT. */
static void test_no_way_home_aborts(void **state)
{
	char msg[256] = "";
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ns_scope sc = NS_SCOPE_INIT;

		dup2(pipefd[1], 2);
		signal(SIGABRT, SIG_DFL);
		sc.home = open("/dev/null", O_RDONLY);
		ns_scope_leave(&sc);
		_exit(0); /* not reached when the guard works */
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof(msg) - 1);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_true(n > 0);
	msg[n] = '\0';
	assert_non_null(strstr(msg, "cannot return to the original network namespace"));
	assert_non_null(strchr(msg, '\n'));
	assert_ptr_equal(strchr(msg, '\n'), msg + n - 1); /* exactly one line */
}

static int note_ino(void *arg)
{
	ino_t *inside = arg;

	*inside = netns_ino();
	return 0;
}

/* Into a new namespace and back, then into a namespace by fd and back. */
static void test_round_trip(void **state)
{
	struct ns_scope sc = NS_SCOPE_INIT;
	ino_t home = netns_ino(), inside = 0, seen = 0;
	int fd, ran = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(ns_scope_enter_new(&sc), 0);
	inside = netns_ino();
	assert_true(inside != home);
	fd = ns_open_current();
	assert_true(fd >= 0);
	ns_scope_leave(&sc);
	assert_true(netns_ino() == home);
	assert_int_equal(sc.home, -1);

	assert_int_equal(ns_run_in(fd, ran_fn, &ran), 7);
	assert_int_equal(ran, 1);
	assert_true(netns_ino() == home);
	assert_int_equal(ns_run_in(fd, note_ino, &seen), 0);
	assert_true(seen == inside);
	assert_true(netns_ino() == home);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_a_namespace),
	    cmocka_unit_test(test_failed_enter_keeps_scope),
	    cmocka_unit_test(test_no_way_home_aborts),
	    cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

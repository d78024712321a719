// SPDX-License-Identifier: MIT
/*
 * netns/live.c against the kernel of the test's own namespace (read-only;
 * skipped without root, which a netlink read of every link does not need but
 * RTM_GETNSID on a foreign fd does).  The errno a failed request returns is
 * the kernel's, kept through libnl by the error callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "netns/netns.h"

static int open_conn(struct live_conn **c, int *fd)
{
	*fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(*fd >= 0);
	return live_open(*fd, c);
}

static void test_reads_loopback(void **state)
{
	struct live_conn *c = NULL;
	struct live_ns *n = NULL;
	const struct live_link *lo;
	int fd;

	if (geteuid() != 0)
		skip();
	assert_int_equal(open_conn(&c, &fd), 0);
	assert_int_equal(live_read(c, &n), 0);
	lo = live_link_by_index(n, LINK_LOOPBACK_IFINDEX);
	assert_non_null(lo);
	assert_string_equal(lo->name, "lo");
	assert_string_equal(lo->kind, "loopback");
	assert_int_equal(lo->link_nsid, LIVE_NSID_NONE);
	assert_null(live_link_by_index(n, 0));
	live_ns_free(n);
	live_close(c);
	close(fd);
}

static void test_nsid_errors_keep_the_kernel_errno(void **state)
{
	struct live_conn *c = NULL;
	int fd, file, nsid = 12345;

	if (geteuid() != 0)
		skip();
	assert_int_equal(open_conn(&c, &fd), 0);
	file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	assert_true(file >= 0);
	/* not a namespace: the kernel says EINVAL, and nothing is stored */
	assert_int_equal(live_nsid(c, file, &nsid), -EINVAL);
	assert_int_equal(nsid, 12345);
	/* the connection is still usable after an error */
	assert_int_equal(live_nsid(c, fd, &nsid), 0);
	live_close(c);
	close(file);
	close(fd);
}

static void test_open_refuses_a_non_namespace(void **state)
{
	struct live_conn *c = NULL;
	int file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	assert_true(file >= 0);
	assert_int_equal(live_open(file, &c), -EINVAL);
	assert_null(c);
	close(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads_loopback),
	    cmocka_unit_test(test_nsid_errors_keep_the_kernel_errno),
	    cmocka_unit_test(test_open_refuses_a_non_namespace),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

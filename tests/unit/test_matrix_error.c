/* SPDX-License-Identifier: MIT */
/*
 * cmd_matrix_run_error: the exit status of a failed matrix_run comes from
 * the error code and res->why_wanted (an address the user chose), never
 * from the wording of res->why: the user's --addr is bad input (2), a node
 * without a usable IPv4 address or any other failure is the system's (3).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"

static int status_of(int r, const char *why, bool wanted)
{
	struct matrix_result res = {0};

	snprintf(res.why, sizeof(res.why), "%s", why);
	res.why_wanted = wanted;
	return cmd_matrix_run_error(r, &res, "server", "namespace rl-t.server");
}

/* What `matrix --addr A=10.9.9.9` and a node with nothing up give. */
static void test_addresses(void **state)
{
	(void)state;
	assert_int_equal(status_of(-EADDRNOTAVAIL, "A=10.9.9.9: the node has no such address",
				   true),
			 EXIT_USAGE);
	assert_int_equal(status_of(-EINVAL, "v6=10.0.1.1: not an IPv6 address", true),
			 EXIT_USAGE);
	assert_int_equal(status_of(-EADDRNOTAVAIL, "no usable IPv4 address", false), EXIT_SYSTEM);
	assert_int_equal(status_of(-EADDRNOTAVAIL, "", false), EXIT_SYSTEM);
}

/* The wording decides nothing: a '=' in a why that is not the user's. */
static void test_not_by_text(void **state)
{
	(void)state;
	assert_int_equal(status_of(-EADDRNOTAVAIL, "no usable IPv4 address (lo=down)", false),
			 EXIT_SYSTEM);
	assert_int_equal(status_of(-EADDRNOTAVAIL, "the node has no such address", true),
			 EXIT_USAGE);
}

/* A configuration matrix_run refuses is input; the rest is the system's. */
static void test_other_codes(void **state)
{
	(void)state;
	assert_int_equal(status_of(-EINVAL, "", false), EXIT_USAGE);
	assert_int_equal(status_of(-ENOSPC, "", false), EXIT_SYSTEM);
	assert_int_equal(status_of(-ENOMEM, "", false), EXIT_SYSTEM);
	assert_int_equal(status_of(-EINTR, "", false), EXIT_SYSTEM); /* the caller says which signal */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_not_by_text),
	    cmocka_unit_test(test_other_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * addr_add and route_add refuse a family they cannot carry, or a prefix
 * longer than its addresses, with -EINVAL before any request is built
 * (both size addresses by addr_family_len); no socket is needed for that.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "netns/netns_int.h"

static void test_family_len(void **state)
{
	(void)state;
	assert_int_equal(addr_family_len(AF_INET), 4);
	assert_int_equal(addr_family_len(AF_INET6), 16);
	assert_int_equal(addr_family_len(AF_UNIX), 0);
	assert_int_equal(addr_family_len(AF_UNSPEC), 0);
}

static void test_refused(void **state)
{
	static const uint8_t a[16] = {10, 0, 0, 1};

	(void)state;
	assert_int_equal(addr_add(NULL, 1, AF_UNIX, a, 8), -EINVAL);
	assert_int_equal(addr_add(NULL, 1, AF_INET, a, 33), -EINVAL);
	assert_int_equal(addr_add(NULL, 1, AF_INET6, a, 129), -EINVAL);
	assert_int_equal(route_add(NULL, AF_UNIX, a, 8, a, 1), -EINVAL);
	assert_int_equal(route_add(NULL, AF_INET, a, 33, a, 1), -EINVAL);
	assert_int_equal(route_add(NULL, AF_INET6, a, 129, a, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_family_len),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("netns_addr", tests, NULL, NULL);
}

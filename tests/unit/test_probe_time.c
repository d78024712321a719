/* SPDX-License-Identifier: MIT */
/*
 * probe_ms_left: the timeout the probe's waits pass to poll and epoll_wait.
 * Once the deadline has passed it is 0, never negative: poll(-1) and
 * epoll_wait(-1) wait without bound, and a deadline a millisecond gone by
 * between the check and the call turned a bounded wait into that.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

static void test_past_deadline_is_zero(void **state)
{
	long now = monotonic_ms();

	(void)state;
	assert_int_equal(probe_ms_left(now - 1), 0);
	assert_int_equal(probe_ms_left(now - 2), 0);
	assert_int_equal(probe_ms_left(now - 100000), 0);
	assert_int_equal(probe_ms_left(LONG_MIN / 2), 0);
}

static void test_future_deadline_is_bounded(void **state)
{
	long now = monotonic_ms();
	int left = probe_ms_left(now + 100000);

	(void)state;
	assert_true(left > 0 && left <= 100000);
	assert_int_equal(probe_ms_left(LONG_MAX / 2), INT_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_past_deadline_is_zero),
	    cmocka_unit_test(test_future_deadline_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The matrix's state names and which states a protocol has: UDP has no
 * listening and no TIME-WAIT state, so those rows are "not applicable" in
 * the run (matrix.c), the grid (matrix_out.c) and the HTML (matrix_html.c),
 * all from matrix_state_applies; its established state is "connected".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lab/matrix/matrix.h"

static void test_state_applies(void **state)
{
	(void)state;
	for (unsigned st = 0; st < MX_N_STATE; st++)
		assert_true(matrix_state_applies(MX_TCP, st));
	assert_true(matrix_state_applies(MX_UDP, MX_BOUND));
	assert_true(matrix_state_applies(MX_UDP, MX_ESTABLISHED));
	assert_false(matrix_state_applies(MX_UDP, MX_LISTENING));
	assert_false(matrix_state_applies(MX_UDP, MX_TIME_WAIT));
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(matrix_state_name(MX_TCP, MX_ESTABLISHED), "established");
	assert_string_equal(matrix_state_name(MX_UDP, MX_ESTABLISHED), "connected");
	assert_string_equal(matrix_state_name(MX_UDP, MX_BOUND), "bound");
	assert_string_equal(matrix_state_name(MX_TCP, MX_TIME_WAIT), "time-wait");
	assert_string_equal(matrix_state_name(MX_TCP, MX_N_STATE), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_applies),
	    cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests_name("matrix_names", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The matrix's state names and which states a protocol has: UDP has no
 * listening and no TIME-WAIT state, so those rows are "not applicable" in
 * the run (matrix.c), the grid (matrix_out.c) and the HTML (matrix_html.c),
 * all from matrix_state_applies; its established state is "connected".
 * The grid's last line and the JSON summary count the cells alike.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* out of write (matrix_write_grid or _json) for r, malloc'ed */
static char *written(const struct matrix_result *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(json ? matrix_write_json(r, f) : matrix_write_grid(r, f, false), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_summary(void **state)
{
	struct matrix_result r = {.axes_mask = 1u << MX_ADDR_WILDCARD, .n_axes = 1,
				  .proto_mask = 1u << MX_TCP};
	char *out;

	(void)state;
	r.n_cells = matrix_cell_count(r.proto_mask, r.axes_mask);
	r.cells = calloc(r.n_cells, sizeof(*r.cells));
	assert_non_null(r.cells);
	r.cells[1].result = EADDRINUSE;
	r.cells[2].result = EACCES;
	r.cells[3].result = MATRIX_NA;
	r.cells[4].result = MATRIX_SETUP;
	r.cells[4].setup_err = EADDRINUSE;
	snprintf(r.cells[4].setup_call, sizeof(r.cells[4].setup_call), "listen");
	out = written(&r, false);
	assert_non_null(strstr(out, "\n128 cells in 0 ms: 124 ok, 2 refused, 1 n/a, 1 setup failures\n"));
	assert_non_null(strstr(out, "  setup failed: tcp bound none/wildcard port 0: listen: EADDRINUSE\n"));
	free(out);
	out = written(&r, true);
	assert_non_null(strstr(out, "\"summary\":{\"cells\":128,\"ok\":124,\"refused\":2,\"na\":1,"
				    "\"error\":1}"));
	free(out);
	free(r.cells);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_applies),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests_name("matrix_out", tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * fd_read_all: a whole file up to a limit, NUL-terminated; one byte past the
 * limit is -EFBIG (the topology loader's "larger than the limit" and the
 * report reader's refusal both rest on it), across several read() calls.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/util/util.h"

/* A temporary file holding n bytes of a pattern, opened for reading. */
static int file_of(size_t n)
{
	char path[] = "/tmp/reuselab-test-util.XXXXXX";
	char *data = malloc(n ? n : 1);
	int fd;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	free(data);
	return fd;
}

static void test_empty(void **state)
{
	char *buf;
	size_t len = 99;
	int fd = file_of(0);

	(void)state;
	assert_int_equal(fd_read_all(fd, 10, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	close(fd);
}

/* Larger than the first buffer, so it grows; exactly at the limit is fine. */
static void test_exactly_max(void **state)
{
	size_t n = 40000, len = 0;
	char *buf;
	int fd = file_of(n);

	(void)state;
	assert_int_equal(fd_read_all(fd, n, &buf, &len), 0);
	assert_int_equal(len, n);
	assert_int_equal(strlen(buf), n);
	assert_int_equal(buf[n - 1], (char)('a' + (n - 1) % 26));
	free(buf);
	close(fd);
}

static void test_one_past_max(void **state)
{
	size_t len = 7;
	char *buf = (char *)1;
	int fd = file_of(40001);

	(void)state;
	assert_int_equal(fd_read_all(fd, 40000, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	close(fd);
}

static void test_bad_fd(void **state)
{
	size_t len;
	char *buf;

	(void)state;
	assert_int_equal(fd_read_all(-1, 10, &buf, &len), -EBADF);
	assert_null(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_exactly_max),
	    cmocka_unit_test(test_one_past_max),
	    cmocka_unit_test(test_bad_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

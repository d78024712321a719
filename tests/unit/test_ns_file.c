/* SPDX-License-Identifier: MIT */
/*
 * ns_file_read and ns_file_read_long, the small /proc file readers that
 * userns.c (sysctls that forbid user namespaces), the matrix
 * (tcp_max_tw_buckets), the probe's sysctl record and its process owners
 * share: what one read() gives, cut to the buffer; a number with the space
 * around it and nothing else; errors as -errno, the result left untouched.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netns/netns.h"

static char dir[] = "/tmp/reuselab-test-ns-file.XXXXXX";
static char path[PATH_MAX];

/* path: a file of dir holding text. */
static const char *file_of(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/f", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void test_read_cut(void **state)
{
	char buf[4] = "xyz";

	(void)state;
	assert_int_equal(ns_file_read(file_of("ab\n"), buf, sizeof(buf)), 3);
	assert_string_equal(buf, "ab\n");
	assert_int_equal(ns_file_read(file_of("abcdef"), buf, sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(ns_file_read(file_of(""), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(ns_file_read(path, buf, 0), -EINVAL);
}

static void test_read_errors(void **state)
{
	char buf[8] = "old", link[PATH_MAX];

	(void)state;
	snprintf(link, sizeof(link), "%s/none", dir);
	assert_int_equal(ns_file_read(link, buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
	/* the last component is never followed */
	file_of("42\n");
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(ns_file_read(link, buf, sizeof(buf)), -ELOOP);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(ns_file_read(dir, buf, sizeof(buf)), -EISDIR);
}

static void test_read_long(void **state)
{
	long v = 0;

	(void)state;
	assert_int_equal(ns_file_read_long(file_of("131072\n"), &v), 0);
	assert_int_equal(v, 131072);
	assert_int_equal(ns_file_read_long(file_of(" 0 "), &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ns_file_read_long(file_of("-1\n"), &v), 0);
	assert_int_equal(v, -1);
}

/* Anything but one number leaves *ret as it was. */
static void test_read_long_refused(void **state)
{
	static const char *const bad[] = {"", "\n", "abc", "12abc", "32768\t60999\n", "1.5"};
	long v = 77;
	char none[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ns_file_read_long(file_of(bad[i]), &v), -EINVAL);
		assert_int_equal(v, 77);
	}
	assert_int_equal(ns_file_read_long(file_of("99999999999999999999\n"), &v), -ERANGE);
	snprintf(none, sizeof(none), "%s/none", dir);
	assert_int_equal(ns_file_read_long(none, &v), -ENOENT);
	assert_int_equal(v, 77);
}

/* A real sysctl reads as stdio reads it. */
static void test_read_long_proc(void **state)
{
	long v = -5, want = -6;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(fscanf(f, "%ld", &want), 1);
	fclose(f);
	assert_int_equal(ns_file_read_long("/proc/sys/kernel/pid_max", &v), 0);
	assert_int_equal(v, want);
}

static int make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_cut),
	    cmocka_unit_test(test_read_errors),
	    cmocka_unit_test(test_read_long),
	    cmocka_unit_test(test_read_long_refused),
	    cmocka_unit_test(test_read_long_proc),
	};

	return cmocka_run_group_tests_name("ns_file", tests, make_dir, remove_dir);
}

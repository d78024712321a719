/* SPDX-License-Identifier: MIT */
/*
 * fd_read_all: a whole file up to a limit, NUL-terminated; one byte past the
 * limit is -EFBIG (the topology loader's "larger than the limit" and the
 * report reader's refusal both rest on it), across several read() calls.
 * monotonic_ms: CLOCK_MONOTONIC in milliseconds.
 * path_read_all: the same by path, with the caller's open flags; a
 * directory and a missing file are errors, O_NOFOLLOW refuses a link.
 * utf8_char_len: where a well-formed UTF-8 character ends (program output
 * and the report's text escaping keep only those).
 * fanout_run, fanout_run_lazy: every item once; the lazy one starts its
 * other threads only after a call that took over a millisecond.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
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

static void test_path(void **state)
{
	char dir[] = "/tmp/reuselab-test-util.XXXXXX", path[64], link[64];
	char *buf = (char *)1;
	size_t len = 5;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	assert_int_equal(path_read_all(path, 0, 10, &buf, &len), -ENOENT);
	assert_null(buf);
	assert_int_equal(len, 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0123456789", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(path_read_all(path, 0, 10, &buf, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);
	assert_int_equal(path_read_all(path, 0, 9, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(path_read_all(link, 0, 10, &buf, &len), 0);
	free(buf);
	assert_int_equal(path_read_all(link, O_NOFOLLOW, 10, &buf, &len), -ELOOP);
	assert_null(buf);
	assert_int_equal(path_read_all(dir, 0, 10, &buf, &len), -EISDIR);
	assert_null(buf);
	unlink(link);
	unlink(path);
	rmdir(dir);
}

/* What clock_gettime says between two calls lies between their answers. */
static void test_monotonic_ms(void **state)
{
	struct timespec ts;
	long a, b, mid;

	(void)state;
	a = monotonic_ms();
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	b = monotonic_ms();
	mid = ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
	assert_true(a <= mid);
	assert_true(mid <= b);
	assert_true(a > 0);
}

/* utf8_char_len of s's first n bytes, and what it should be. */
static const struct {
	const char *s;
	size_t n, want;
} utf8_cases[] = {
    {"a", 1, 1},
    {"\x7f", 1, 1},
    /* the first and last of each length: U+0080, U+07FF, U+0800, U+FFFF,
     * U+10000, U+10FFFF; around the surrogates: U+D7FF, U+E000 */
    {"\xc2\x80", 2, 2},
    {"\xdf\xbf", 2, 2},
    {"\xe0\xa0\x80", 3, 3},
    {"\xef\xbf\xbf", 3, 3},
    {"\xf0\x90\x80\x80", 4, 4},
    {"\xf4\x8f\xbf\xbf", 4, 4},
    {"\xed\x9f\xbf", 3, 3},
    {"\xee\x80\x80", 3, 3},
    /* only the first character counts */
    {"\xc3\xa9z", 3, 2},
    {"\xe2\x9c\x93\xe2\x9c\x93", 6, 3},
    /* a NUL, nothing left, lone continuation bytes, bytes never in UTF-8 */
    {"", 1, 0},
    {"a", 0, 0},
    {"\x80", 1, 0},
    {"\xbf", 1, 0},
    {"\xf5\x80\x80\x80", 4, 0},
    {"\xff", 1, 0},
    /* overlong forms: of NUL, of U+007F, U+07FF, U+FFFF */
    {"\xc0\x80", 2, 0},
    {"\xc1\xbf", 2, 0},
    {"\xe0\x9f\xbf", 3, 0},
    {"\xf0\x8f\xbf\xbf", 4, 0},
    /* surrogates U+D800 and U+DFFF, and U+110000 */
    {"\xed\xa0\x80", 3, 0},
    {"\xed\xbf\xbf", 3, 0},
    {"\xf4\x90\x80\x80", 4, 0},
    /* a second, third or fourth byte that is no continuation; a NUL there */
    {"\xc3(", 2, 0},
    {"\xe2\x9c(", 3, 0},
    {"\xf0\x90\x80(", 4, 0},
    {"\xc3\x00", 2, 0},
    /* a character cut by n is not one, even when the bytes past n end it */
    {"\xc3\xa9", 1, 0},
    {"\xe2\x9c\x93", 2, 0},
    {"\xf0\x90\x80\x80", 3, 0},
};

static void test_utf8(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		size_t got = utf8_char_len((const unsigned char *)utf8_cases[i].s, utf8_cases[i].n);

		if (got != utf8_cases[i].want)
			fail_msg("case %zu: %zu, want %zu", i, got, utf8_cases[i].want);
	}
}

/* A blocked stop signal is pending, and then named, until it is taken. */
static void test_sigstop(void **state)
{
	sigset_t set, old;
	int sig = 0;

	(void)state;
	sigstop_set(&set);
	assert_int_equal(sigismember(&set, SIGINT), 1);
	assert_int_equal(sigismember(&set, SIGTERM), 1);
	assert_int_equal(sigismember(&set, SIGHUP), 1);
	assert_int_equal(sigismember(&set, SIGQUIT), 0);
	sigstop_block(&old);
	assert_int_equal(sigismember(&old, SIGTERM), 0);
	assert_int_equal(sigstop_pending(), 0);
	raise(SIGTERM);
	assert_int_equal(sigstop_pending(), SIGTERM);
	assert_int_equal(sigwait(&set, &sig), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(sigstop_pending(), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

#define FANOUT_ITEMS 64

struct fanout_probe {
	atomic_int calls[FANOUT_ITEMS];
	pthread_t by[FANOUT_ITEMS];
	pthread_t caller;
	atomic_bool helped; /* an item ran on a thread other than the caller */
};

static void count_call(void *ctx, size_t i)
{
	struct fanout_probe *p = ctx;

	atomic_fetch_add(&p->calls[i], 1);
	p->by[i] = pthread_self();
	if (!pthread_equal(p->by[i], p->caller))
		atomic_store(&p->helped, true);
}

static void assert_each_once(struct fanout_probe *p, size_t n)
{
	for (size_t i = 0; i < FANOUT_ITEMS; i++)
		if (atomic_load(&p->calls[i]) != (i < n ? 1 : 0))
			fail_msg("item %zu: %d calls", i, atomic_load(&p->calls[i]));
}

static void test_fanout(void **state)
{
	static const size_t sizes[] = {0, 1, 2, 15, FANOUT_ITEMS};

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct fanout_probe p = {.caller = pthread_self()};

		fanout_run(sizes[k], 4, count_call, &p);
		assert_each_once(&p, sizes[k]);
		memset(&p, 0, sizeof(p));
		p.caller = pthread_self();
		fanout_run_lazy(sizes[k], 4, count_call, &p);
		assert_each_once(&p, sizes[k]);
	}
}

/*
 * Item 0, the caller's alone, takes 3 ms: the caller then starts the others,
 * and item 1 waits, up to 10 s, until one of them has run an item.
 */
static void slow_then_wait(void *ctx, size_t i)
{
	struct fanout_probe *p = ctx;
	struct timespec ms = {0, 1000000};

	count_call(ctx, i);
	if (i == 0)
		nanosleep(&(struct timespec){0, 3000000}, NULL);
	for (int t = 0; i == 1 && !atomic_load(&p->helped) && t < 10000; t++)
		nanosleep(&ms, NULL);
}

static void test_fanout_lazy_helps_after_a_slow_call(void **state)
{
	struct fanout_probe p = {.caller = pthread_self()};

	(void)state;
	fanout_run_lazy(FANOUT_ITEMS, 4, slow_then_wait, &p);
	assert_each_once(&p, FANOUT_ITEMS);
	assert_true(atomic_load(&p.helped));
	assert_true(pthread_equal(p.by[0], p.caller));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_exactly_max),
	    cmocka_unit_test(test_one_past_max),
	    cmocka_unit_test(test_bad_fd),
	    cmocka_unit_test(test_path),
	    cmocka_unit_test(test_monotonic_ms),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_sigstop),
	    cmocka_unit_test(test_fanout),
	    cmocka_unit_test(test_fanout_lazy_helps_after_a_slow_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Small helpers more than one stage needs and none owns. */
#ifndef REUSELAB_UTIL_H
#define REUSELAB_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * Read fd to its end into a NUL-terminated buffer (the NUL is not counted
 * in *ret_len).  More than max bytes gives -EFBIG; EINTR is retried.  The
 * caller opens the file with the flags its trust in the path calls for and
 * still owns fd.  Returns 0 or a negative errno; *ret is NULL on error.
 */
int fd_read_all(int fd, size_t max, char **ret, size_t *ret_len);

/*
 * The same for the file at path, opened O_RDONLY | O_CLOEXEC | flags (say
 * O_NOFOLLOW where the path is not trusted).  A directory is -EISDIR.
 * Returns 0 or a negative errno (of open, or as fd_read_all).
 */
int path_read_all(const char *path, int flags, size_t max, char **ret, size_t *ret_len);

/*
 * Open path for reading (O_RDONLY | O_CLOEXEC | flags) if it is a regular
 * file: the fd, or -errno; -EINVAL for anything else.  Opened O_NONBLOCK, so
 * a FIFO planted at path is refused instead of waited on.  *ret_st (may be
 * NULL) gets what fstat said.
 */
int path_open_regular(const char *path, int flags, struct stat *ret_st);

/*
 * Length (1 to 4) of the well-formed UTF-8 character that starts s, which
 * has n bytes; 0 for a NUL, a byte that starts no character, an overlong
 * form, a surrogate, a code point past U+10FFFF, or a character n cuts.
 */
size_t utf8_char_len(const unsigned char *s, size_t n);

/* Milliseconds on CLOCK_MONOTONIC: for deadlines and durations, not dates. */
long monotonic_ms(void);

/*
 * The signals that stop a build or a run (SIGINT, SIGTERM, SIGHUP).  Callers
 * block them and poll: a build can then roll back instead of dying midway.
 */
void sigstop_set(sigset_t *set);
/* Block the stop signals in this thread; the previous mask into old (may be NULL). */
void sigstop_block(sigset_t *old);
/* The lowest stop signal pending for this thread or process, or 0. */
int sigstop_pending(void);

/* At most this many threads in one fanout_run. */
#define FANOUT_MAX_THREADS 16

/*
 * Call fn(ctx, i) once for every i in 0..n-1, from up to `threads` threads
 * (the caller's among them), and return when all calls have returned.  The
 * order is unspecified: fn must only touch what belongs to item i.  Threads
 * inherit the caller's signal mask and namespaces.  Cannot fail: when no
 * thread can be started the caller does all the work.
 */
void fanout_run(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), void *ctx);
/*
 * fanout_run, but the caller starts alone, in order, and the other threads
 * start only once one call of the caller's took over a millisecond: for work
 * that is quick unless the kernel makes it wait, where idle threads would
 * cost more than they share.
 */
void fanout_run_lazy(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), void *ctx);

#endif

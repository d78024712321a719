/* SPDX-License-Identifier: MIT */
/* Small helpers more than one stage needs and none owns. */
#ifndef REUSELAB_UTIL_H
#define REUSELAB_UTIL_H

#include <stddef.h>

/*
 * Read fd to its end into a NUL-terminated buffer (the NUL is not counted
 * in *ret_len).  More than max bytes gives -EFBIG; EINTR is retried.  The
 * caller opens the file with the flags its trust in the path calls for and
 * still owns fd.  Returns 0 or a negative errno; *ret is NULL on error.
 */
int fd_read_all(int fd, size_t max, char **ret, size_t *ret_len);

#endif

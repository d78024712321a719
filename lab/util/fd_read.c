/* SPDX-License-Identifier: MIT */
/* Reading a whole file: through a descriptor the caller opened, or by path. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/util/util.h"

#define FD_READ_FIRST 16384u

/* Room for at least one more byte and the NUL, without passing max + 2. */
static int grow(char **buf, size_t *cap, size_t len, size_t max)
{
	size_t want;
	char *nb;

	if (len + 1 < *cap)
		return 0;
	if (len > max)
		return -EFBIG;
	want = *cap ? *cap * 2 : FD_READ_FIRST;
	if (want > max + 2)
		want = max + 2; /* one byte past max tells "too big" from "exactly max" */
	nb = realloc(*buf, want);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = want;
	return 0;
}

int fd_read_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	ssize_t n;
	int r;

	*ret = NULL;
	*ret_len = 0;
	for (;;) {
		r = grow(&buf, &cap, len, max);
		if (r < 0)
			goto out;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = -EFBIG;
		goto out;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	return r;
}

int path_open_regular(const char *path, int flags, struct stat *ret_st)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags), r;

	if (fd < 0)
		return -errno;
	r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
	if (r < 0) {
		close(fd);
		return r;
	}
	if (ret_st)
		*ret_st = st;
	return fd;
}

int path_read_all(const char *path, int flags, size_t max, char **ret, size_t *ret_len)
{
	int fd, r;

	*ret = NULL;
	*ret_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	r = fd_read_all(fd, max, ret, ret_len);
	close(fd);
	return r;
}

/* SPDX-License-Identifier: MIT */
/* Small helpers of lab/kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"

#define READ_MAX (64u << 20)

int kernel_read_file(const char *path, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int fd, r = 0;

	*ret = NULL;
	*ret_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 1 >= cap) {
			cap = cap ? cap * 2 : 16384;
			nb = cap <= READ_MAX ? realloc(buf, cap) : NULL;
			if (!nb) {
				r = cap > READ_MAX ? -EFBIG : -ENOMEM;
				goto out;
			}
			buf = nb;
		}
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
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

void kernel_result_free(struct kernel_result *r)
{
	free(r->out);
	free(r->err);
	free(r->junit);
	r->out = r->err = r->junit = NULL;
}

/* SPDX-License-Identifier: MIT */
/* Small helpers of lab/kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"
#include "lab/util/util.h"

#define READ_MAX (64u << 20)

int kernel_read_file(const char *path, char **ret, size_t *ret_len)
{
	int fd, r;

	*ret = NULL;
	*ret_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = fd_read_all(fd, READ_MAX, ret, ret_len);
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

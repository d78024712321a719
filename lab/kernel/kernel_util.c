/* SPDX-License-Identifier: MIT */
/* Small helpers of lab/kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"
#include "lab/util/util.h"

#define READ_MAX (64u << 20)

int kernel_read_file(const char *path, char **ret, size_t *ret_len)
{
	return path_read_all(path, O_NOFOLLOW | O_NONBLOCK, READ_MAX, ret, ret_len);
}

void kernel_result_free(struct kernel_result *r)
{
	free(r->out);
	free(r->err);
	free(r->junit);
	r->out = r->err = r->junit = NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * reuselab diff A.json B.json C.json...: three or more probe reports or bind
 * matrices (the same lab on several kernels) side by side, one row per case
 * or cell whose results differ, one column per report.  Exit 0 all agree,
 * 1 some differ, 2 bad input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cli/cmd.h"
#include "lab/report/report.h"

int cmd_diff_kernels(int n, char **paths)
{
	struct report *r = calloc((size_t)n, sizeof(*r));
	const struct report **rp = calloc((size_t)n, sizeof(*rp));
	char why[512];
	int rc = EXIT_USAGE, rows, i;

	if (!r || !rp) {
		cmd_err("diff: out of memory");
		rc = EXIT_SYSTEM;
		goto out;
	}
	fflush(stdout);
	rows = report_matrix_compare(paths, (size_t)n, stdout, why, sizeof(why));
	if (rows == -EPIPE) {
		rc = EXIT_READER_GONE; /* quietly, as SIGPIPE would end us */
		goto out;
	}
	if (rows != -ENOTSUP) {
		if (rows < 0)
			cmd_err("diff: %s", why);
		rc = rows < 0 ? (rows == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM)
			      : rows ? EXIT_DIFFERS : EXIT_OK;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (report_read_file(paths[i], &r[i], why, sizeof(why)) < 0) {
			cmd_err("diff: %s: %s", paths[i], why);
			goto out;
		}
		rp[i] = &r[i];
	}
	fflush(stdout);
	rows = report_compare(rp, (size_t)n, stdout);
	if (rows < 0) {
		rc = cmd_output_error("diff", rows);
		goto out;
	}
	rc = rows ? EXIT_DIFFERS : EXIT_OK;
out:
	for (i = 0; r && i < n; i++)
		report_free_cases(&r[i]);
	free(r);
	free(rp);
	return rc;
}

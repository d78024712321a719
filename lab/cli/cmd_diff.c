/* SPDX-License-Identifier: MIT */
/*
 * reuselab diff A.json B.json: what changed between two probe reports
 * (reuselab-report/1) or two bind matrices (reuselab-matrix/1), typically
 * the same lab on two kernels.  Only changed outcomes are printed:
 *   restart-tw-none: EADDRINUSE -> ok (verdict holds -> differs)
 *   tcp time-wait first reuseaddr@A second none@A uid same: EADDRINUSE -> ok
 *   c1-two-servers-none: verdict holds -> skipped (the lab has no node for role 'cli2')
 * Exit 0 no change, 1 changes, 2 bad input.  The comparison is
 * report_diff_files() (lab/report); this file parses and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lab/cli/cmd.h"
#include "lab/report/report.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab diff A.json B.json [C.json...]\n\n"
		     "Compare two reports of `probe --json` / `run --json`, or two of\n"
		     "`matrix --json`, and print the cases or cells whose outcome changed\n"
		     "(verdict or step results; values that vary between runs, such as\n"
		     "connection counts, are not compared), cases present in only one,\n"
		     "and claims whose verdict changed.  With three\n"
		     "or more probe reports or three or more matrices (the same lab on several\n"
		     "kernels): a table, one row per case\n"
		     "or matrix cell whose results differ, one column per report headed by its\n"
		     "kernel, each with the errno it gave.  Exit 0 no change, 1 changes,\n"
		     "2 bad input.\n");
}

static void print_change(const struct report_change *c, void *arg)
{
	(void)arg;
	switch (c->kind) {
	case REPORT_CHANGE_ONLY_IN:
		cmd_out("%s: only in %s", c->key, c->detail);
		break;
	case REPORT_CHANGE_SKIPPED:
		cmd_out("%s: verdict %s -> %s (%s)", c->key, c->from, c->to, c->detail);
		break;
	case REPORT_CHANGE_OBSERVED:
		if (strcmp(c->verdict_from, c->verdict_to))
			cmd_out("%s: %s -> %s (verdict %s -> %s)", c->key, c->from, c->to,
				c->verdict_from, c->verdict_to);
		else
			cmd_out("%s: %s -> %s (verdict %s)", c->key, c->from, c->to,
				c->verdict_from);
		break;
	case REPORT_CHANGE_VERDICT:
		cmd_out("%s: verdict %s -> %s (observed %s)", c->key, c->from, c->to, c->detail);
		break;
	case REPORT_CHANGE_STEPS:
		cmd_out("%s: steps changed", c->key);
		break;
	case REPORT_CHANGE_STEP:
		cmd_out("  step %zu (%s): %s -> %s", c->step, c->detail, c->from, c->to);
		break;
	case REPORT_CHANGE_CELL:
		cmd_out("%s: %s -> %s", c->key, c->from, c->to);
		break;
	case REPORT_CHANGE_CLAIM:
		cmd_out("claim %s: %s -> %s", c->key, c->from, c->to);
		break;
	}
}

int cmd_diff(int argc, char **argv)
{
	char err[1024];
	int changed, r;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 3)
		return cmd_diff_kernels(argc - 1, argv + 1);
	if (argc != 3) {
		cmd_err("diff: expected A.json B.json [C.json...] (try 'reuselab diff --help')");
		return EXIT_USAGE;
	}
	fflush(stdout);
	changed = report_diff_files(argv[1], argv[2], print_change, NULL, err, sizeof(err));
	if (changed < 0) {
		cmd_err("diff: %s", err);
		return changed == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	}
	r = report_flush(stdout);
	if (r < 0)
		return cmd_output_error("diff: writing the output", r);
	return changed ? EXIT_DIFFERS : EXIT_OK;
}

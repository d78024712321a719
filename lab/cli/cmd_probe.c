/* SPDX-License-Identifier: MIT */
/*
 * `reuselab probe LAB|FILE [--name NAME] [--case ID]... [--claim C]... [--json]
 * [--junit FILE]`: run the catalog and the topology's own cases in a running
 * lab and report what the kernel did against what each claim predicts.  A
 * FILE whose lab is not up gets an ephemeral lab for this probe only
 * (cmd_ephemeral.c), as `run` does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"
#include "lab/probe/probe.h"
#include "lab/report/report.h"
#include "lab/build/build.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: reuselab probe LAB|FILE [--name NAME] [--case ID]... [--claim C]...\n"
		"                      [--json] [--junit FILE] [--wide]\n\n"
		"Run the built-in cases (see 'reuselab cases') and the topology's own cases\n"
		"inside a running lab, and report for each what the claim predicted, what\n"
		"the kernel did, and whether the claim holds.  Given a FILE whose lab is not\n"
		"up, build it as an ephemeral lab for this probe only, as 'reuselab run' does\n"
		"(no name, no state; gone when the probe ends).\n\n"
		"  -n, --name NAME   the lab's name when FILE is given (default: its name:)\n"
		"  -c, --case ID     run only cases whose id matches (glob; repeatable)\n"
		"  -C, --claim C     run only cases of claim C, e.g. C3 (repeatable)\n"
		"  -j, --json        JSON report on stdout\n"
		"      --junit FILE  also write a JUnit XML report to FILE (not '-': standard\n"
		"                    output has the table or the JSON already)\n"
		"  -w, --wide        the table's predicted and observed texts in full (on a\n"
		"                    terminal, or with $COLUMNS set, they are cut to fit)\n"
		"  -h, --help        show this help\n\n"
		"A topology's own cases are written in the step language: see\n"
		"reuselab-cases(7) or 'reuselab cases --steps'.\n\n"
		"Exit status: 0 every user expectation held (a claim that differs on Linux is\n"
		"a finding, not a failure), 1 a user expectation failed, 2 bad usage or input\n"
		"(a LAB that is not up included), 3 system failure (a namespace of the lab gone\n"
		"or not openable, a setup step failed).\n");
}

/* Columns to fit the table in: $COLUMNS, else the terminal's; 0 (no limit)
 * for a pipe or file, so what scripts read is whole. */
static int terminal_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long n;

	if (env && *env) {
		n = strtol(env, &end, 10);
		if (!*end && n > 0 && n < 100000)
			return (int)n;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return 0;
}

int cmd_probe_args(int argc, char **argv, const char *cmd, struct probe_args *a)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"case", required_argument, NULL, 'c'},
	    {"claim", required_argument, NULL, 'C'},
	    {"json", no_argument, NULL, 'j'},
	    {"junit", required_argument, NULL, 'J'},
	    {"keep", no_argument, NULL, 'k'},
	    {"wide", no_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct probe_opts *f = &a->req.filter;
	bool wide = false;
	int c;

	*a = (struct probe_args){.req = {.out = stdout}};
	a->ids = calloc((size_t)argc, sizeof(*a->ids));
	a->claims = calloc((size_t)argc, sizeof(*a->claims));
	if (!a->ids || !a->claims) {
		cmd_err("%s: %s", cmd, strerror(ENOMEM));
		return -ENOMEM;
	}
	f->case_ids = a->ids;
	f->claims = a->claims;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "n:c:C:jkwh", opts)) != -1) {
		switch (c) {
		case 'n':
			a->name = optarg;
			break;
		case 'c':
			a->ids[f->n_case_ids++] = optarg;
			break;
		case 'C':
			a->claims[f->n_claims++] = optarg;
			break;
		case 'j':
			a->req.format = PROBE_FORMAT_JSON;
			break;
		case 'J':
			a->req.junit = optarg;
			break;
		case 'w':
			wide = true;
			break;
		case 'k':
			if (strcmp(cmd, "run")) {
				cmd_err("%s: --keep is an option of run (try 'reuselab %s --help')",
					cmd, cmd);
				return -EINVAL;
			}
			a->keep = true;
			break;
		case 'h':
			return 1;
		default:
			return -EINVAL; /* cmd_getopt said why */
		}
	}
	if (optind != argc - 1) {
		cmd_err("%s: expected one %s (try 'reuselab %s --help')", cmd,
			strcmp(cmd, "run") ? "LAB or topology FILE" : "topology FILE", cmd);
		return -EINVAL;
	}
	/* a bad --junit is refused before the cases run, not after */
	if (a->req.junit &&
	    cmd_output_option(cmd, "--junit", a->req.junit,
			      a->req.format == PROBE_FORMAT_JSON ? "JSON report" : "table") < 0)
		return -EINVAL;
	a->target = argv[optind];
	a->req.color = a->req.format == PROBE_FORMAT_TABLE && isatty(STDOUT_FILENO);
	a->req.width = wide ? 0 : terminal_width();
	return 0;
}

void cmd_probe_args_free(struct probe_args *a)
{
	free(a->ids);
	free(a->claims);
	a->ids = a->claims = NULL;
}

int cmd_probe_preflight(const struct topology *t, const struct probe_opts *o, const char *cmd)
{
	struct topo_diag d = {0};
	char err[256];
	int r;

	r = probe_check_user_cases(t, &d);
	cmd_diag_print(&d);
	topo_diag_free(&d);
	if (r == -ENOMEM) {
		cmd_err("%s: compiling the cases: %s", cmd, strerror(-r));
		return EXIT_SYSTEM;
	}
	if (r < 0) /* each error is a FILE:LINE:COL line above */
		return EXIT_USAGE;
	if (probe_filters_check(t, o, err, sizeof(err)) < 0) {
		cmd_err("%s: %s", cmd, err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_probe_lab(const struct topology *t, const char *lab, const struct probe_request *req,
		  const char *cmd)
{
	struct probe_outcome res = {0};
	char err[512] = "";
	int r;

	r = probe_lab_report(t, lab, req, &res, err, sizeof(err));
	if (r < 0 && res.reader_gone)
		return EXIT_READER_GONE; /* quietly, as SIGPIPE would end us */
	if (r < 0) {
		cmd_err("%s: %s", cmd, err);
		/* Someone else's namespace under the lab's name: a usage problem. */
		return r == -EEXIST ? EXIT_USAGE : EXIT_SYSTEM;
	}
	/* The report lists each skipped case with its reason; with --json on a
	 * pipe, one line on stderr keeps a person from missing them. */
	if (res.n_skipped)
		cmd_err("%s: %zu case%s of lab '%s' skipped (the report says why, case by case)",
			cmd, res.n_skipped, res.n_skipped == 1 ? "" : "s", lab);
	return res.status;
}

static int needs_root(void)
{
	cmd_err("probe: needs root for a lab that is up: it enters the lab's network namespaces "
		"(try 'sudo reuselab probe ...'; a FILE whose lab is not up runs without root)");
	return EXIT_USAGE;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_args a;
	struct topology *t = NULL;
	char lab[TOPO_LAB_NAME_MAX + 1];
	int r, status;

	r = cmd_probe_args(argc, argv, "probe", &a);
	if (r != 0) {
		if (r == 1)
			usage(stdout);
		status = r == 1 ? EXIT_OK : r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	/* A lab by name needs root; a FILE may go ephemeral, rootless too. */
	if (geteuid() != 0 && !lab_arg_is_file(a.target)) {
		status = needs_root();
		goto out;
	}
	r = cmd_resolve(a.target, a.name, lab, sizeof(lab), &t);
	if (r < 0) {
		status = r == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM;
		goto out;
	}
	status = cmd_probe_preflight(t, &a.req.filter, "probe");
	if (status != EXIT_OK)
		goto out;
	/* A FILE whose lab is not up: a one-shot probe in an ephemeral lab. */
	if (lab_arg_is_file(a.target) && !cmd_lab_published(lab))
		status = cmd_probe_ephemeral(t, lab, &a.req, "probe");
	else if (geteuid() != 0)
		status = needs_root();
	else
		status = cmd_probe_lab(t, lab, &a.req, "probe");
out:
	topo_free(t);
	cmd_probe_args_free(&a);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * `reuselab probe LAB|FILE [--name NAME] [--case ID]... [--claim C]... [--json]
 * [--junit FILE]`: run the catalog and the topology's own cases in a running
 * lab and report what the kernel did against what each claim predicts.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/probe/probe.h"
#include "lab/report/report.h"
#include "lab/build/state.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: reuselab probe LAB|FILE [--name NAME] [--case ID]... [--claim C]...\n"
		"                      [--json] [--junit FILE]\n\n"
		"Run the built-in cases (see 'reuselab cases') and the topology's own cases\n"
		"inside a running lab, and report for each what the claim predicted, what\n"
		"the kernel did, and whether the claim holds.\n\n"
		"  -n, --name NAME   the lab's name when FILE is given (default: its name:)\n"
		"  -c, --case ID     run only cases whose id matches (glob; repeatable)\n"
		"  -C, --claim C     run only cases of claim C, e.g. C3 (repeatable)\n"
		"  -j, --json        JSON report on stdout\n"
		"      --junit FILE  also write a JUnit XML report\n"
		"  -h, --help        show this help\n\n"
		"Exit status: 0 every user expectation held (a claim that differs on Linux is\n"
		"a finding, not a failure), 1 a user expectation failed, 2 bad usage or input,\n"
		"3 system failure (lab not running, namespace not openable, setup step failed).\n");
}

/* Every --case and --claim filter must match at least one case. */
static int filters_match(const struct topology *t, const struct probe_opts *o)
{
	for (size_t i = 0; i < o->n_case_ids; i++) {
		bool hit = false;

		for (size_t k = 0; k < catalog_n_cases && !hit; k++)
			hit = fnmatch(o->case_ids[i], catalog_cases[k].id, 0) == 0;
		for (size_t k = 0; k < t->n_cases && !hit; k++)
			hit = fnmatch(o->case_ids[i], t->cases[k].id, 0) == 0;
		if (!hit) {
			cmd_err("probe: no case matches '%s' (see 'reuselab cases')",
				o->case_ids[i]);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < o->n_claims; i++) {
		bool hit = false;

		for (size_t k = 0; k < catalog_n_cases && !hit; k++)
			hit = !strcasecmp(o->claims[i], catalog_cases[k].claim);
		for (size_t k = 0; k < t->n_cases && !hit; k++)
			hit = !strcasecmp(o->claims[i],
					  t->cases[k].claim ? t->cases[k].claim : "user");
		if (!hit) {
			cmd_err("probe: no case has claim '%s' (see 'reuselab cases')",
				o->claims[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"case", required_argument, NULL, 'c'},
	    {"claim", required_argument, NULL, 'C'},
	    {"json", no_argument, NULL, 'j'},
	    {"junit", required_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char **ids = NULL, **claims = NULL, *name = NULL, *junit = NULL;
	struct probe_opts po = {0};
	struct topology *t = NULL;
	struct topo_diag d = {0};
	struct report rep = {0};
	size_t n_ids = 0, n_claims = 0, counts[REPORT_N_VERDICTS];
	char lab[TOPO_LAB_NAME_MAX + 1], err[512] = "";
	int c, r, json = 0, status;

	ids = calloc((size_t)argc, sizeof(*ids));
	claims = calloc((size_t)argc, sizeof(*claims));
	if (!ids || !claims) {
		status = EXIT_SYSTEM;
		cmd_err("probe: %s", strerror(ENOMEM));
		goto out;
	}
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "n:c:C:jh", opts)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'c':
			ids[n_ids++] = optarg;
			break;
		case 'C':
			claims[n_claims++] = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'h':
			usage(stdout);
			status = EXIT_OK;
			goto out;
		default:
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		status = EXIT_USAGE;
		goto out;
	}
	po = (struct probe_opts){
	    .case_ids = ids, .n_case_ids = n_ids, .claims = claims, .n_claims = n_claims};

	r = lab_resolve(argv[optind], name, lab, sizeof(lab), &t);
	if (r < 0) {
		status = r == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM;
		goto out;
	}
	r = probe_check_user_cases(t, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	if (r < 0) {
		status = r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	if (filters_match(t, &po) < 0) {
		status = EXIT_USAGE;
		goto out;
	}
	if (geteuid() != 0) {
		cmd_err("probe: needs root (it enters the lab's network namespaces)");
		status = EXIT_SYSTEM;
		goto out;
	}

	r = probe_lab(t, lab, &po, &rep, err, sizeof(err));
	if (r < 0) {
		cmd_err("probe: %s", err[0] ? err : strerror(-r));
		/* Someone else's namespace under the lab's name: a usage problem. */
		status = r == -EEXIST ? EXIT_USAGE : EXIT_SYSTEM;
		goto out;
	}
	fflush(stdout);
	r = json ? report_write_json(&rep, stdout)
		 : report_write_table(&rep, stdout, isatty(STDOUT_FILENO));
	if (r < 0) {
		cmd_err("probe: writing the report: %s", strerror(-r));
		status = EXIT_SYSTEM;
		goto out;
	}
	if (junit) {
		r = report_write_junit(&rep, junit);
		if (r < 0) {
			cmd_err("probe: writing %s: %s", junit, strerror(-r));
			status = EXIT_SYSTEM;
			goto out;
		}
	}
	/* The report lists each skipped case with its reason; with --json on a
	 * pipe, one line on stderr keeps a person from missing them. */
	report_count_verdicts(&rep, counts);
	if (counts[VERDICT_SKIPPED])
		cmd_err("probe: %zu case%s skipped: lab '%s' lacks what they need (see the report)",
			counts[VERDICT_SKIPPED], counts[VERDICT_SKIPPED] == 1 ? "" : "s", lab);
	status = report_exit_status(&rep);
out:
	report_free_cases(&rep);
	topo_diag_free(&d);
	topo_free(t);
	free(ids);
	free(claims);
	return status;
}

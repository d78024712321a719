/* SPDX-License-Identifier: MIT */
/*
 * reuselab run FILE [--name NAME] [probe options]: up, probe, down.  For CI:
 * the lab is removed on every path.  SIGINT, SIGTERM and SIGHUP stay blocked
 * once the lab's lock is taken, so they cannot cut a step in half; they are
 * honoured at the next boundary (after the build, after the probe) and the
 * lab still goes.  SIGPIPE is ignored (main), so a closed pipe is a write
 * error, not a death with the lab still up.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/build/sigstop.h"
#include "lab/build/lifecycle.h"

static void run_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab run FILE [--name NAME] [--case ID]... [--claim C]...\n"
		     "                    [--json] [--junit FILE]\n\n"
		     "Build the lab, run 'reuselab probe' on it, and tear it down, whatever\n"
		     "happens (also on SIGINT and SIGTERM).  The exit status is the probe's\n"
		     "(0 every user expectation held, 1 one did not, 2 bad input, 3 system\n"
		     "failure), or 128+N when interrupted by signal N.\n\n"
		     "  -n, --name NAME  lab name instead of the file's 'name:'\n"
		     "  other options    as for 'reuselab probe' (see 'reuselab probe --help')\n");
}

static int takes_value(const char *opt)
{
	static const char *const with_value[] = { "-c", "--case", "-C", "--claim", "--junit" };

	for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (!strcmp(opt, with_value[i]))
			return 1;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	char lab[TOPO_LAB_NAME_MAX + 1];
	const char *file = NULL, *name = NULL;
	struct topology *t = NULL;
	char **pargv = NULL;
	int pargc = 0, rc, sig = 0, down_rc;

	if (cmd_wants_help(argc, argv)) {
		run_usage(stdout);
		return EXIT_OK;
	}
	/* argv for `probe`: "probe", LAB, then every option that is not ours. */
	pargv = calloc((size_t)argc + 2, sizeof(*pargv));
	if (!pargv) {
		cmd_err("run: out of memory");
		return EXIT_SYSTEM;
	}
	pargv[pargc++] = "probe";
	pargv[pargc++] = lab;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--name")) {
			if (i + 1 == argc) {
				cmd_err("run: %s needs a NAME", argv[i]);
				rc = EXIT_USAGE;
				goto out;
			}
			name = argv[++i];
		} else if (!strncmp(argv[i], "--name=", 7)) {
			name = argv[i] + 7;
		} else if (argv[i][0] == '-') {
			pargv[pargc++] = argv[i];
			if (takes_value(argv[i]) && i + 1 < argc)
				pargv[pargc++] = argv[++i];
		} else if (!file) {
			file = argv[i];
		} else {
			cmd_err("run: one topology FILE only (try 'reuselab run --help')");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (!file) {
		cmd_err("run: expected a topology FILE (try 'reuselab run --help')");
		rc = EXIT_USAGE;
		goto out;
	}
	if (lab_resolve_file(file, name, lab, sizeof(lab), &t) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}

	rc = lab_up(t, lab, &sig); /* returns with SIGINT/SIGTERM/SIGHUP blocked */
	if (rc != EXIT_OK)
		goto out; /* lab_up left nothing built */
	if (!sig) {
		fprintf(stderr, "reuselab: lab %s is up; probing\n", lab);
		fflush(stderr);
		rc = cmd_probe(pargc, pargv);
		sig = sigstop_pending();
	}
	down_rc = lab_down(lab, 1);
	if (sig) {
		cmd_err("run: interrupted by signal %d; lab %s %s", sig, lab,
			down_rc == EXIT_OK ? "removed" : "NOT fully removed (see above)");
		rc = down_rc == EXIT_OK ? 128 + sig : down_rc;
	} else if (down_rc != EXIT_OK && rc == EXIT_OK) {
		rc = down_rc;
	}
out:
	topo_free(t);
	free(pargv);
	return rc;
}

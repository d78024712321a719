/* SPDX-License-Identifier: MIT */
/*
 * reuselab run FILE [--name NAME] [probe options]: up, probe, down.  For CI:
 * the lab is removed on every path.  SIGINT, SIGTERM and SIGHUP stay blocked
 * once the lab's lock is taken, so they cannot cut a step in half; they are
 * honoured at the next boundary (after the build, after the probe) and the
 * lab still goes.  SIGPIPE is ignored (main), so a closed pipe is a write
 * error, not a death with the lab still up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"
#include "lab/build/build.h"

static void run_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab run FILE [--name NAME] [--case ID]... [--claim C]...\n"
		     "                    [--json] [--junit FILE]\n\n"
		     "Build the lab, probe it as 'reuselab probe' does, and tear it down, whatever\n"
		     "happens (also on SIGINT and SIGTERM).  The exit status is the probe's\n"
		     "(0 every user expectation held, 1 one did not, 2 bad input, 3 system\n"
		     "failure), or 128+N when interrupted by signal N.\n\n"
		     "  -n, --name NAME  lab name instead of the file's 'name:'\n"
		     "  other options    as for 'reuselab probe' (see 'reuselab probe --help')\n\n"
		     "Inside another kernel, under QEMU (see docs/kernels.md):\n"
		     "  --kernel K             a release 'reuselab kernels' lists, or a vmlinuz path;\n"
		     "                         repeat for several kernels\n"
		     "  --kernel-modules DIR   its modules (default: beside it, or /lib/modules/REL)\n"
		     "  --kernel-log FILE      the guest's console (default: kept only on failure)\n"
		     "  --accel kvm|tcg        default: KVM if it boots the guest in 3 s, else TCG\n"
		     "  --kernel-timeout SEC   kill the guest after SEC seconds (300), exit 3\n"
		     "  --kernel-append ARGS   more kernel parameters\n"
		     "  --kernel-cache DIR     where 'make deps-kernels' put kernels\n");
}

int cmd_run(int argc, char **argv)
{
	char lab[TOPO_LAB_NAME_MAX + 1];
	struct topology *t = NULL;
	struct probe_args a;
	int r, rc, sig = 0, down_rc;

	/* --kernel: the run inside other kernels under QEMU (cmd_run_kernel.c) */
	if (cmd_run_wants_kernel(argc, argv) && !cmd_wants_help(argc, argv))
		return cmd_run_kernel(argc, argv);
	r = cmd_probe_args(argc, argv, "run", &a);
	if (r != 0) {
		if (r == 1)
			run_usage(stdout);
		rc = r == 1 ? EXIT_OK : r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	if (cmd_resolve_file(a.target, a.name, lab, sizeof(lab), &t) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* Bad cases or filters are refused before anything is built. */
	rc = cmd_probe_preflight(t, &a.req.filter, "run");
	if (rc != EXIT_OK)
		goto out;

	rc = cmd_lab_up(t, lab, &sig); /* returns with SIGINT/SIGTERM/SIGHUP blocked */
	if (rc != EXIT_OK)
		goto out; /* lab_up left nothing built */
	if (!sig) {
		fprintf(stderr, "reuselab: lab %s is up; probing\n", lab);
		fflush(stderr);
		rc = cmd_probe_lab(t, lab, &a.req, "run");
		sig = sigstop_pending();
	}
	down_rc = cmd_lab_down(lab, 1);
	if (sig) {
		cmd_err("run: interrupted by signal %d; lab %s %s", sig, lab,
			down_rc == EXIT_OK ? "removed" : "NOT fully removed (see above)");
		rc = down_rc == EXIT_OK ? 128 + sig : down_rc;
	} else if (down_rc != EXIT_OK && rc == EXIT_OK) {
		rc = down_rc;
	}
out:
	topo_free(t);
	cmd_probe_args_free(&a);
	return rc;
}

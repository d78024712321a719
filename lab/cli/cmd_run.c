/* SPDX-License-Identifier: MIT */
/*
 * reuselab run FILE [--keep] [--name NAME] [probe options]: build, probe,
 * remove.  For CI.  By default the lab is ephemeral: its namespaces have no
 * name and are held only by this process's fds (cmd_ephemeral.c), so
 * nothing of it is on disk and the kernel frees it when we end, however we
 * end; runs of one file never collide.  As a normal user, run first enters a
 * user namespace of its own (netns/userns.h) and builds the ephemeral lab
 * there.  --keep builds today's published lab (rl-<lab>.*, state, lock; root
 * only) and leaves it up.  SIGINT, SIGTERM and SIGHUP stay blocked during
 * the build and the probe and are honoured at the next boundary; the lab
 * then goes.  SIGPIPE is ignored (main), so a closed pipe is a write error.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"
#include "lab/util/util.h"

static void run_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab run FILE [--keep] [--name NAME] [--case ID]... [--claim C]...\n"
		     "                    [--json] [--junit FILE]\n\n"
		     "Build the lab, probe it as 'reuselab probe' does, and remove it, whatever\n"
		     "happens.  The lab is ephemeral: its namespaces have no name (not in\n"
		     "'ip netns list') and vanish with this process, even on SIGKILL; any\n"
		     "number of runs of one file can go at once.  Without root, run enters\n"
		     "a user namespace of its own first (rootless).  The exit status is the\n"
		     "probe's (0 every user expectation held, 1 one did not, 2 bad input,\n"
		     "3 system failure), or 128+N when interrupted by signal N.\n\n"
		     "  -k, --keep       build a published lab (rl-<lab>.*, root only) and\n"
		     "                   leave it up for 'ip netns exec'; 'reuselab down' removes it\n"
		     "                   (not with --kernel: that lab would go with the guest)\n"
		     "  -n, --name NAME  lab name instead of the file's 'name:'\n"
		     "  other options    as for 'reuselab probe' (see 'reuselab probe --help')\n\n"
		     "The bind matrix instead of the probe (as 'reuselab matrix', no 'up' needed):\n"
		     "  --matrix NODE          with --json, --proto P, --axes SET, --addr X=ADDR\n\n"
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

/* --keep: a published lab under its name, left up unless a signal came. */
static int run_published(const struct topology *t, const char *lab,
			 const struct probe_request *req)
{
	int rc, sig = 0, down_rc;

	if (geteuid() != 0) {
		cmd_err("run --keep: a published lab needs root (try 'sudo reuselab run --keep "
			"...', or run without --keep)");
		return EXIT_USAGE;
	}
	rc = cmd_lab_up(t, lab, &sig); /* returns with SIGINT/SIGTERM/SIGHUP blocked */
	if (rc != EXIT_OK)
		return rc; /* lab_up left nothing built */
	if (!sig) {
		fprintf(stderr, "reuselab: lab %s is up; probing\n", lab);
		fflush(stderr);
		rc = cmd_probe_lab(t, lab, req, "run");
		sig = sigstop_pending();
	}
	if (!sig) {
		fprintf(stderr,
			"reuselab: lab %s stays up (namespaces rl-%s.*); remove it with "
			"'reuselab down %s'\n",
			lab, lab, lab);
		return rc;
	}
	down_rc = cmd_lab_down(lab, 1);
	cmd_err("run: interrupted by signal %d; lab %s %s", sig, lab,
		down_rc == EXIT_OK ? "removed" : "NOT fully removed (see above)");
	return down_rc == EXIT_OK ? 128 + sig : down_rc;
}

/* argv has option opt ("--x" or "--x=..."), before any "--". */
static bool has_option(int argc, char **argv, const char *opt)
{
	size_t len = strlen(opt);

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strncmp(argv[i], opt, len) && (!argv[i][len] || argv[i][len] == '='))
			return true;
	return false;
}

/*
 * run's options of one mode given without it, and the probe's given to the
 * matrix: one line saying which goes with which, where getopt would call an
 * option run has "unknown".
 */
static int run_modes_check(int argc, char **argv)
{
	static const struct {
		const char *opt;
		bool kernel; /* else --matrix's */
	} needs[] = {
	    {"--kernel-modules", true}, {"--kernel-log", true},	   {"--accel", true},
	    {"--kernel-timeout", true}, {"--kernel-append", true}, {"--kernel-cache", true},
	    {"--proto", false},		{"--axes", false},	   {"--addr", false},
	};
	static const char *const probe_only[] = {"--case", "--claim", "--junit", "--wide",
						 "--keep"};
	bool kernel = has_option(argc, argv, "--kernel"),
	     matrix = has_option(argc, argv, "--matrix");

	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (has_option(argc, argv, needs[i].opt) && !(needs[i].kernel ? kernel : matrix)) {
			cmd_err("run: %s goes with %s (see 'reuselab run --help')", needs[i].opt,
				needs[i].kernel ? "--kernel K" : "--matrix NODE");
			return -EINVAL;
		}
	for (size_t i = 0; matrix && i < sizeof(probe_only) / sizeof(probe_only[0]); i++)
		if (has_option(argc, argv, probe_only[i])) {
			cmd_err("run --matrix: %s is the probe's, not the matrix's (it takes --json, "
				"--proto, --axes, --addr, --name)",
				probe_only[i]);
			return -EINVAL;
		}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	char lab[TOPO_LAB_NAME_MAX + 1], path[4096];
	struct topology *t = NULL;
	struct probe_args a;
	int r, rc;

	if (!cmd_wants_help(argc, argv) && run_modes_check(argc, argv) < 0)
		return EXIT_USAGE;
	/* --kernel: the run inside other kernels under QEMU (cmd_run_kernel.c) */
	if (has_option(argc, argv, "--kernel") && !cmd_wants_help(argc, argv))
		return cmd_run_kernel(argc, argv);
	/* --matrix NODE: the bind matrix instead of the probe (cmd_run_matrix.c) */
	if (has_option(argc, argv, "--matrix") && !cmd_wants_help(argc, argv))
		return cmd_run_matrix(argc, argv);
	r = cmd_probe_args(argc, argv, "run", &a);
	if (r != 0) {
		if (r == 1)
			run_usage(stdout);
		rc = r == 1 ? EXIT_OK : r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	if (cmd_resolve_file(cmd_topology_path(a.target, path, sizeof(path)), a.name, lab,
			     sizeof(lab), &t) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	/* Bad cases or filters are refused before anything is built. */
	rc = cmd_probe_preflight(t, &a.req.filter, "run");
	if (rc != EXIT_OK)
		goto out;
	/* Default: ephemeral (cmd_ephemeral.c), rootless when we are not root. */
	rc = a.keep ? run_published(t, lab, &a.req) : cmd_probe_ephemeral(t, lab, &a.req, "run");
out:
	topo_free(t);
	cmd_probe_args_free(&a);
	return rc;
}

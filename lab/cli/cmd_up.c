/* SPDX-License-Identifier: MIT */
/* reuselab up FILE [--name NAME]: build a lab, all or nothing. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"

static void up_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab up FILE [--name NAME] [--dry-run]\n\n"
		     "Build the lab described by FILE: one network namespace per node\n"
		     "(rl-<lab>.<node>, visible to 'ip netns'), veth links, bridged lans,\n"
		     "addresses, routes and sysctls.  All or nothing: on any failure, or on\n"
		     "SIGINT/SIGTERM, everything this run created is removed.  The lab keeps\n"
		     "FILE's content as validated now: later 'probe LAB' runs use that.\n\n"
		     "  -n, --name NAME  lab name instead of the file's 'name:' (run one\n"
		     "                   file several times at once)\n"
		     "  -N, --dry-run    print the kernel operations, in order, and exit\n"
		     "                   (no root needed); refuses a lab that is up, as up does\n"
		     "  -h, --help       this help\n");
}

static int print_plan(const struct topology *t, const char *lab)
{
	char err[512] = "";
	int r;

	/* Not a plan up would refuse to follow.  Without root the state may not be
	 * readable (-EACCES): up itself, as root, will say. */
	r = lab_up_refused(lab, err, sizeof(err));
	if (r < 0 && r != -EACCES) {
		cmd_err("lab '%s': %s", lab, err);
		return r == -EALREADY ? EXIT_USAGE : EXIT_SYSTEM;
	}
	r = lab_plan_print(t, lab, stdout, err, sizeof(err));
	if (r < 0) {
		cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
		return r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	}
	return EXIT_OK;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void print_up(const struct topology *t, const char *lab, const struct timespec *t0)
{
	char prefix[128];
	size_t nif = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		nif += t->nodes[i].n_ifaces;
	lab_ns_prefix(lab, prefix, sizeof(prefix));
	printf("lab %s is up: %zu %s, %zu %s, %zu %s, %zu %s in %.0f ms (namespaces %s*)\n", lab,
	       t->n_nodes, cmd_plural(t->n_nodes, "node", "nodes"), nif,
	       cmd_plural(nif, "interface", "interfaces"), t->n_links,
	       cmd_plural(t->n_links, "link", "links"), t->n_lans,
	       cmd_plural(t->n_lans, "lan", "lans"),
	       ms_since(t0), prefix);
}

/*
 * Build, with the stop signals blocked from the lock to the exit: a signal
 * either undoes everything (exit 128+N) or, once the lab is complete and
 * checked for the last time, stays pending until a normal exit.  Never a
 * death by signal with the lab up.
 */
static int up_blocked(const struct topology *t, const char *lab, const struct timespec *t0)
{
	int r, sig;

	r = cmd_lab_up(t, lab, &sig);
	if (r == EXIT_OK && sig) {
		/* The signal came after lab_up's last look: honour it by undoing. */
		r = cmd_lab_down(lab, 1) == EXIT_OK ? 128 + sig : EXIT_SYSTEM;
		if (r != EXIT_SYSTEM)
			cmd_err("lab '%s': interrupted by signal %d, everything built was removed",
				lab, sig);
	}
	if (r == EXIT_OK)
		print_up(t, lab, t0);
	return r;
}

int cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = NULL;
	struct topology *t = NULL;
	struct timespec t0;
	char lab[TOPO_LAB_NAME_MAX + 1], path[4096];
	int c, r, dry_run = 0;

	while ((c = cmd_getopt(argc, argv, "n:Nh", opts)) != -1) {
		switch (c) {
		case 'N':
			dry_run = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			up_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cmd_err("up: expected exactly one topology FILE (try 'reuselab up --help')");
		return EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cmd_resolve_file(cmd_topology_path(argv[optind], path, sizeof(path)), name, lab,
			     sizeof(lab), &t) < 0)
		return EXIT_USAGE;
	if (dry_run) {
		r = print_plan(t, lab);
	} else if (geteuid() != 0) {
		cmd_err("up: building a lab needs root (try 'sudo reuselab up %s')", argv[optind]);
		r = EXIT_USAGE;
	} else {
		r = up_blocked(t, lab, &t0);
	}
	topo_free(t);
	return r;
}

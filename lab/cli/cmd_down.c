/* SPDX-License-Identifier: MIT */
/* reuselab down LAB|FILE... | --all | --force-name NS: remove labs; idempotent, works without state. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"

static void down_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab down LAB|FILE... [--name NAME]\n"
		     "       reuselab down --all\n"
		     "       reuselab down --force-name NAMESPACE\n\n"
		     "Remove a lab's namespaces (and so everything in them) and its state.\n"
		     "Works from the kernel alone when the state or the file is gone, and\n"
		     "only removes namespaces tagged as that lab's; one under the lab's\n"
		     "name without the tag is named on stderr and left in place.  Removing a\n"
		     "lab that is not there is not an error.\n\n"
		     "  -n, --name NAME          with FILE: the lab was brought up under NAME\n"
		     "  -a, --all                remove every reuselab lab on this host\n"
		     "  -f, --force-name NS      remove namespace NS (rl-...) whatever its tag:\n"
		     "                           the way out for one whose tag was removed\n"
		     "  -q, --quiet              print nothing on success\n"
		     "  -h, --help               this help\n");
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

static int down_all(int quiet)
{
	char **labs;
	size_t n;
	int rc = EXIT_OK, r = lab_names_known(&labs, &n);

	if (r < 0) {
		cmd_err("down: cannot list labs: %s", strerror(-r));
		return EXIT_SYSTEM;
	}
	for (size_t i = 0; i < n; i++)
		rc = worse(rc, cmd_lab_down(labs[i], quiet));
	if (!n && !quiet)
		printf("no labs\n");
	names_free(labs, n);
	return rc;
}

static int down_force_name(const char *ns, int quiet)
{
	int r = lab_ns_force_remove(ns);

	if (r == -EINVAL) {
		cmd_err("down: --force-name takes a namespace name starting with '" LAB_NS_PREFIX
			"', not '%s'",
			ns);
		return EXIT_USAGE;
	}
	if (r == -ENOENT) {
		if (!quiet)
			printf("namespace %s: nothing to remove\n", ns);
		return EXIT_OK;
	}
	if (r < 0) {
		cmd_err("down: namespace %s: %s", ns, strerror(-r));
		return EXIT_SYSTEM;
	}
	if (!quiet)
		printf("namespace %s removed\n", ns);
	return EXIT_OK;
}

/* One LAB or FILE argument. */
static int down_one(const char *arg, const char *name, int quiet)
{
	char lab[TOPO_LAB_NAME_MAX + 1];
	int r;

	r = cmd_lab_arg("down", arg, name, lab, sizeof(lab));
	if (r < 0)
		return r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	return cmd_lab_down(lab, quiet);
}

int cmd_down(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "force-name", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = NULL, *force = NULL;
	int c, all = 0, quiet = 0, rc = EXIT_OK;

	while ((c = cmd_getopt(argc, argv, "an:f:qh", opts)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'f':
			force = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			down_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (all + (optind < argc) + (force != NULL) != 1) {
		cmd_err("down: give LAB or FILE, --all or --force-name NS (try 'reuselab down "
			"--help')");
		return EXIT_USAGE;
	}
	if (name && !topo_name_valid(name, TOPO_LAB_NAME_MAX)) {
		cmd_err("down: invalid lab name '%s'", name);
		return EXIT_USAGE;
	}
	if (all)
		return down_all(quiet);
	if (force)
		return down_force_name(force, quiet);
	for (int i = optind; i < argc; i++)
		rc = worse(rc, down_one(argv[i], name, quiet));
	return rc;
}

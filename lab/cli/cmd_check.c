/* SPDX-License-Identifier: MIT */
/* `reuselab check FILE... [--quiet]`: load and validate, no root needed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/cli/cmd.h"
#include "lab/probe/probe.h"
#include "lab/topo/topo.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab check [--quiet] FILE...\n\n"
		     "Validate topology files without building anything.  Every problem is\n"
		     "printed to stderr as FILE:LINE:COL: error: MESSAGE.\n\n"
		     "  -q, --quiet  print nothing for valid files\n"
		     "  -h, --help   show this help\n\n"
		     "Exit status: 0 all valid, 2 bad usage or a bad file, 3 out of memory.\n"
		     "The format is described in reuselab-topology(5).\n");
}

static void summary(const char *path, const struct topology *t)
{
	size_t ifaces = 0, v4 = 0, v6 = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		ifaces += t->nodes[i].n_ifaces;
		for (size_t j = 0; j <= t->nodes[i].n_ifaces; j++) /* lo last */
			for (size_t k = 0; k < topo_node_iface(&t->nodes[i], j)->n_addrs; k++) {
				if (topo_node_iface(&t->nodes[i], j)->addrs[k].family == AF_INET)
					v4++;
				else
					v6++;
			}
	}
	printf("%s: lab %s: %zu %s, %zu %s, %zu %s (%zu IPv4, %zu IPv6), %zu %s, %zu %s, "
	       "%zu %s\n",
	       path, t->name, t->n_nodes, cmd_plural(t->n_nodes, "node", "nodes"), ifaces,
	       cmd_plural(ifaces, "interface", "interfaces"), v4 + v6,
	       cmd_plural(v4 + v6, "address", "addresses"), v4, v6, t->n_links,
	       cmd_plural(t->n_links, "link", "links"), t->n_lans,
	       cmd_plural(t->n_lans, "lan", "lans"),
	       t->n_cases, cmd_plural(t->n_cases, "case", "cases"));
}

/* Returns the exit status for this one file. */
static int check_one(const char *path, int quiet)
{
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	int r;

	r = topo_load(path, &t, &d);
	/* User cases are text to the loader; the probe module compiles them. */
	if (r >= 0)
		r = probe_check_user_cases(t, &d);
	cmd_diag_print(&d);
	if (r == -ENOMEM && !d.n)
		cmd_err("check: %s: %s", path, strerror(ENOMEM));
	if (r >= 0 && !quiet)
		summary(path, t);
	topo_free(t);
	topo_diag_free(&d);
	if (r == -ENOMEM)
		return EXIT_SYSTEM;
	return r < 0 ? EXIT_USAGE : EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, quiet = 0, status = EXIT_OK;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, "qh", opts)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		cmd_err("check: missing FILE (try 'reuselab check --help')");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		char path[4096];
		int r;

		r = check_one(cmd_topology_path(argv[i], path, sizeof(path)), quiet);
		if (r > status)
			status = r;
	}
	return status;
}

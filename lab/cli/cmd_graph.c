/* SPDX-License-Identifier: MIT */
/* `reuselab graph FILE`: the topology as Graphviz DOT on stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lab/cli/cmd.h"
#include "lab/topo/topo.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab graph FILE\n\n"
		     "Print the topology in FILE as a Graphviz graph, e.g.\n"
		     "  reuselab graph topologies/two-nics.yml | dot -Tsvg > two-nics.svg\n\n"
		     "Nodes are boxes listing interfaces and addresses, links are edges\n"
		     "labelled with the interface at each end, lans are ellipses.\n");
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	const char *path = NULL;
	int c, r, status = EXIT_OK;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1) {
		if (c != 'h')
			return EXIT_USAGE;
		usage(stdout);
		return EXIT_OK;
	}
	if (optind + 1 < argc) {
		cmd_err("graph: one FILE only (try 'reuselab graph --help')");
		return EXIT_USAGE;
	}
	if (optind == argc) {
		cmd_err("graph: missing FILE (try 'reuselab graph --help')");
		return EXIT_USAGE;
	}
	path = argv[optind];
	r = topo_load(path, &t, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	if (r < 0) {
		if (r == -ENOMEM && !d.n)
			cmd_err("graph: %s: %s", path, strerror(ENOMEM));
		status = r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	r = topo_write_dot(t, stdout);
	if (r < 0) {
		cmd_err("graph: writing output: %s", strerror(-r));
		status = EXIT_SYSTEM;
	}
out:
	topo_free(t);
	topo_diag_free(&d);
	return status;
}

/* SPDX-License-Identifier: MIT */
/* `reuselab graph FILE`: the topology as Graphviz DOT on stdout. */
#include <errno.h>
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
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	const char *path = NULL;
	int r, status = EXIT_OK;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
			cmd_err("graph: unknown option '%s' (try 'reuselab graph --help')", argv[i]);
			return EXIT_USAGE;
		}
		if (!strcmp(argv[i], "--") && i + 1 < argc)
			i++;
		else if (!strcmp(argv[i], "--"))
			continue;
		if (path) {
			cmd_err("graph: one FILE only (try 'reuselab graph --help')");
			return EXIT_USAGE;
		}
		path = argv[i];
	}
	if (!path) {
		cmd_err("graph: missing FILE (try 'reuselab graph --help')");
		return EXIT_USAGE;
	}
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

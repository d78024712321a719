/* SPDX-License-Identifier: MIT */
/* `reuselab graph [--mermaid] FILE`: the topology as Graphviz DOT or Mermaid. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lab/cli/cmd.h"
#include "lab/topo/topo.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab graph [--mermaid] FILE\n\n"
		     "Print the topology in FILE as a Graphviz graph, e.g.\n"
		     "  reuselab graph topologies/two-nics.yml | dot -Tsvg > two-nics.svg\n\n"
		     "Nodes are boxes listing interfaces and addresses, links are edges\n"
		     "labelled with the interface at each end, lans are ellipses boxed with\n"
		     "the nodes on them.  It reads left to right from the node with the most\n"
		     "interfaces.\n\n"
		     "  -m, --mermaid  a Mermaid flowchart instead (for a ```mermaid block\n"
		     "                 in Markdown)\n"
		     "  -h, --help     this help\n");
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mermaid", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct topo_diag d = { 0 };
	struct topology *t = NULL;
	const char *path = NULL;
	char buf[4096];
	int c, r, mermaid = 0, status = EXIT_OK;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, "mh", opts)) != -1) {
		switch (c) {
		case 'm':
			mermaid = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc) {
		cmd_err("graph: one FILE only (try 'reuselab graph --help')");
		return EXIT_USAGE;
	}
	if (optind == argc) {
		cmd_err("graph: missing FILE (try 'reuselab graph --help')");
		return EXIT_USAGE;
	}
	path = cmd_topology_path(argv[optind], buf, sizeof(buf));
	r = topo_load(path, &t, &d);
	cmd_diag_print(&d);
	if (r < 0) {
		if (r == -ENOMEM && !d.n)
			cmd_err("graph: %s: %s", path, strerror(ENOMEM));
		status = r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
		goto out;
	}
	r = mermaid ? topo_write_mermaid(t, stdout) : topo_write_dot(t, stdout);
	if (r < 0)
		status = cmd_output_error("graph: writing output", r);
out:
	topo_free(t);
	topo_diag_free(&d);
	return status;
}

/* SPDX-License-Identifier: MIT */
/* reuselab: command dispatch.  One table: name, function, one-line help. */
#include <stdio.h>
#include <string.h>

#include "lab/cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "up", cmd_up, "build a lab from a topology file" },
	{ "down", cmd_down, "tear down a lab (by name or file) or --all" },
	{ "status", cmd_status, "show labs, nodes, interfaces and addresses" },
	{ "ls", cmd_status, "alias of status" },
	{ "exec", cmd_exec, "run a command inside a node's namespace" },
	{ "check", cmd_check, "validate a topology file (no root needed)" },
	{ "graph", cmd_graph, "print a topology as Graphviz DOT" },
	{ "probe", cmd_probe, "run socket cases inside a lab and report" },
	{ "cases", cmd_cases, "list the built-in case catalog" },
	{ "matrix", cmd_matrix, "run the bind matrix in one node" },
	{ "run", cmd_run, "up, probe, down in one go (for CI)" },
	{ "diff", cmd_diff, "compare two JSON reports" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab COMMAND [ARGS...]\n"
		     "       reuselab COMMAND --help\n\n"
		     "Build network-namespace labs and settle what Linux does with\n"
		     "SO_REUSEADDR and SO_REUSEPORT.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nExit status: 0 fine, 1 an expectation did not hold, 2 bad usage or input,\n"
		     "3 system or kernel failure.  See reuselab(1) and reuselab-topology(5).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("reuselab %s\n", REUSELAB_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cmd_err("unknown command '%s' (try 'reuselab --help')", argv[1]);
	return EXIT_USAGE;
}

/* SPDX-License-Identifier: MIT */
/* reuselab: command dispatch.  One table: name, function, one-line help. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/kernel/kernel.h"

/* needs_root: checked here, once, before the command parses anything
 * (`up` checks itself, after --dry-run, which needs no root; `run` and
 * `probe FILE` of a lab that is not up go rootless without it). */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool needs_root;
	const char *help;
} commands[] = {
	{ "up", cmd_up, false, "build a lab from a topology file" },
	{ "down", cmd_down, true, "tear down a lab (by name or file) or --all" },
	{ "status", cmd_status, true, "show labs as the kernel holds them (exit 1: degraded)" },
	{ "ls", cmd_status, true, "alias of status" },
	{ "verify", cmd_verify, true, "compare a lab's live state with its topology" },
	{ "exec", cmd_exec, true, "run a command inside a node's namespace" },
	{ "check", cmd_check, false, "validate a topology file (no root needed)" },
	{ "graph", cmd_graph, false, "print a topology as Graphviz DOT" },
	{ "probe", cmd_probe, false, "run socket cases inside a lab and report" },
	{ "cases", cmd_cases, false, "list the built-in case catalog" },
	{ "matrix", cmd_matrix, true, "run the bind matrix in one node" },
	{ "run", cmd_run, false, "build, probe, remove an ephemeral lab (for CI; rootless too)" },
	{ "diff", cmd_diff, false, "compare two JSON reports" },
	{ "kernels", cmd_kernels, false, "list kernels 'run --kernel' can boot under QEMU" },
	{ "labs", cmd_labs, false, "list the labs installed with reuselab" },
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
		     "3 system or kernel failure, 128+N interrupted by signal N (whatever was\n"
		     "built is removed).  See reuselab(1) and reuselab-topology(5).\n");
}

static void unknown_command(const char *word)
{
	struct cmd_nearest n;

	cmd_nearest_init(&n, word, strlen(word));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		cmd_nearest_offer(&n, commands[i].name);
	if (n.best)
		cmd_err("unknown command '%s'; did you mean '%s'?", word, n.best);
	else
		cmd_err("unknown command '%s' (try 'reuselab --help')", word);
}

/* What a command left in stdout's buffer goes now, not in exit(), whose
 * failure nobody sees.  A reader that went away (`... | head`) ends a run
 * that did not fail otherwise quietly, with the status SIGPIPE would give. */
static int stdout_done(int rc)
{
	errno = 0;
	if (fflush(stdout) != EOF || rc > EXIT_DIFFERS)
		return rc;
	if (errno == EPIPE)
		return EXIT_READER_GONE;
	/* ENOSPC, EIO: the output is cut short, and the user must know. */
	cmd_err("writing the output: %s", strerror(errno ? errno : EIO));
	return EXIT_SYSTEM;
}

int main(int argc, char **argv)
{
	/* A reader that goes away (`reuselab run ... | head`) must not kill us
	 * between building and removing a lab: writes fail with EPIPE instead,
	 * and the command, once it has removed what it built, ends quietly
	 * with EXIT_READER_GONE (cmd_output_error). */
	signal(SIGPIPE, SIG_IGN);
	if (kernel_is_guest(argc, argv)) /* /init of a `run --kernel` guest */
		return kernel_guest_main();
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		if (commands[i].needs_root && geteuid() != 0 &&
		    !cmd_wants_help(argc - 1, argv + 1)) {
			cmd_err("%s: needs root: it enters the lab's network namespaces (try 'sudo "
				"reuselab %s ...')",
				argv[1], argv[1]);
			return EXIT_USAGE;
		}
		return stdout_done(commands[i].fn(argc - 1, argv + 1));
	}
	unknown_command(argv[1]);
	return EXIT_USAGE;
}

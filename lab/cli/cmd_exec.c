/* SPDX-License-Identifier: MIT */
/* reuselab exec LAB|FILE NODE -- CMD [ARGS...]: execvp inside a node's namespace. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/labns/labns.h"
#include "lab/topo/topo.h"
#include "lab/cli/cmd.h"
#include "netns/netns.h"

static void exec_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab exec LAB|FILE NODE [--] CMD [ARGS...]\n\n"
		     "Run CMD (found on PATH, no shell) inside NODE's network namespace,\n"
		     "with /sys showing that namespace, like 'ip netns exec'.  FILE names\n"
		     "the lab by its 'name:'.  The exit status is CMD's; 127 when CMD cannot\n"
		     "be run.\n");
}

int cmd_exec(int argc, char **argv)
{
	char ns[256], lab[TOPO_LAB_NAME_MAX + 1];
	int fd, r, first;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		exec_usage(stdout);
		return EXIT_OK;
	}
	first = 3;
	if (argc > 3 && !strcmp(argv[3], "--"))
		first = 4;
	if (argc <= first) {
		cmd_err(
		    "exec: expected LAB|FILE NODE -- CMD [ARGS...] (try 'reuselab exec --help')");
		return EXIT_USAGE;
	}
	r = cmd_lab_arg("exec", argv[1], NULL, lab, sizeof(lab));
	if (r < 0)
		return r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	if (!topo_name_valid(argv[2], TOPO_NODE_NAME_MAX)) {
		cmd_err("exec: invalid node name '%s'", argv[2]);
		return EXIT_USAGE;
	}
	if (lab_ns_name(lab, argv[2], ns, sizeof(ns)) < 0) {
		cmd_err("exec: lab/node name too long");
		return EXIT_USAGE;
	}
	/* Opened and checked through one fd: what we enter is what was checked. */
	r = lab_node_open(lab, argv[2], &fd);
	if (r == -ENOENT) {
		cmd_err("exec: lab '%s' has no node '%s' (namespace %s does not exist)", lab,
			argv[2], ns);
		return EXIT_USAGE;
	}
	if (r == -EEXIST) {
		cmd_err("exec: lab '%s' has no node '%s' (namespace %s is not a reuselab namespace "
			"of lab %s)",
			lab, argv[2], ns, lab);
		return EXIT_USAGE;
	}
	if (r < 0) {
		cmd_err("exec: namespace %s: %s", ns, strerror(-r));
		return EXIT_SYSTEM;
	}
	r = ns_enter(fd);
	close(fd);
	if (r < 0) {
		cmd_err("exec: cannot enter namespace %s: %s", ns, strerror(-r));
		return EXIT_SYSTEM;
	}
	(void)ns_own_mounts(0); /* as ip netns exec, /sys shows the node */
	fflush(NULL);
	/* main ignores SIGPIPE, and an ignored signal stays ignored across
	 * execve: the command gets the default, so `exec ... | head` ends it. */
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[first], argv + first);
	cmd_err("exec: %s: %s", argv[first], strerror(errno));
	return 127;
}

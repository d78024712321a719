/* SPDX-License-Identifier: MIT */
/*
 * reuselab run FILE --matrix NODE [--json] [--proto P] [--axes A] [--addr X=ADDR]:
 * the bind matrix in an ephemeral lab (built, measured, gone with this
 * process), so `matrix` needs no `up` and runs where `run` does: inside
 * another kernel under QEMU (`--kernel K`, cmd_run_kernel.c passes these
 * options to the guest's `run`).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"
#include "lab/util/util.h"
#include "netns/netns.h"

struct run_matrix_args {
	const char *file, *name, *node;
	bool json;
	struct matrix_config cfg;
};

/* -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct run_matrix_args *a)
{
	static const struct option opts[] = {
	    {"matrix", required_argument, NULL, 'm'}, {"json", no_argument, NULL, 'j'},
	    {"proto", required_argument, NULL, 'p'},  {"axes", required_argument, NULL, 'x'},
	    {"addr", required_argument, NULL, 'a'},   {"name", required_argument, NULL, 'n'},
	    {0},
	};
	int c;

	optind = 0;
	while ((c = cmd_getopt(argc, argv, "m:jp:x:a:n:", opts)) != -1) {
		if (c == 'm') {
			a->node = optarg;
		} else if (c == 'j') {
			a->json = true;
		} else if (c == 'n') {
			a->name = optarg;
		} else if (c == 'p') {
			if (cmd_matrix_proto("run", optarg, &a->cfg.proto_mask) < 0)
				return EXIT_USAGE;
		} else if (c == 'x') {
			if (cmd_matrix_axes("run", optarg, &a->cfg.axes_mask) < 0)
				return EXIT_USAGE;
		} else if (c == 'a') {
			if (cmd_matrix_addr("run", optarg, &a->cfg) < 0)
				return EXIT_USAGE;
		} else {
			return EXIT_USAGE; /* cmd_getopt said which, in one line */
		}
	}
	if (argc - optind != 1) {
		cmd_err("run --matrix: expected one topology FILE");
		return EXIT_USAGE;
	}
	a->file = argv[optind];
	return -1;
}

/* In the built lab: measure, print.  Returns the exit status. */
static int measure(const struct run_matrix_args *a, const char *lab, int node_fd)
{
	struct matrix_result res = {0};
	int r, rc;

	r = matrix_run(node_fd, &a->cfg, &res);
	if (r < 0)
		return cmd_matrix_run_error(r, &res, a->node, "ephemeral lab");
	snprintf(res.lab, sizeof(res.lab), "%s", lab);
	snprintf(res.node, sizeof(res.node), "%s", a->node);
	rc = cmd_matrix_print("run", &res, a->json);
	if (rc == EXIT_OK)
		rc = cmd_matrix_status(&res);
	matrix_result_free(&res);
	return rc;
}

struct matrix_in {
	const struct run_matrix_args *a;
	const char *lab;
	size_t node;
};

static int matrix_in(const struct lab_fds *fds, bool rootless, void *data)
{
	const struct matrix_in *m = data;

	fprintf(stderr, "reuselab: lab %s is up; bind matrix on %s (ephemeral%s)\n", m->lab,
		m->a->node, rootless ? ", rootless" : "");
	fflush(stderr);
	return measure(m->a, m->lab, fds->node_fd[m->node]);
}

int cmd_run_matrix(int argc, char **argv)
{
	char lab[TOPO_LAB_NAME_MAX + 1], path[4096];
	struct run_matrix_args a = {0};
	struct topology *t = NULL;
	struct matrix_in m = {.a = &a, .lab = lab};
	int rc, i;

	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	rc = EXIT_USAGE;
	if (cmd_resolve_file(cmd_topology_path(a.file, path, sizeof(path)), a.name, lab,
			     sizeof(lab), &t) < 0)
		goto out;
	i = topo_node_find(t, a.node);
	if (i < 0) {
		cmd_err("run --matrix: lab '%s' has no node '%s'", t->name, a.node);
		goto out;
	}
	m.node = (size_t)i;
	/* Built, held and let go as run's labs are, signals included; the
	 * cells stop at one. */
	a.cfg.stop = sigstop_pending;
	rc = cmd_ephemeral_run(t, lab, "run", matrix_in, &m);
out:
	topo_free(t);
	return rc;
}

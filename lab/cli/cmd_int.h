/* SPDX-License-Identifier: MIT */
/* Shared by the commands in lab/cli only: what `probe` and `run` have in common. */
#ifndef REUSELAB_CMD_INT_H
#define REUSELAB_CMD_INT_H

#include <stdbool.h>

#include "lab/matrix/matrix.h"
#include "lab/probe/probe.h"
#include "lab/topo/topo.h"

/* The options of `probe` and `run`. */
struct probe_args {
	const char *target; /* LAB|FILE for probe, FILE for run */
	const char *name;   /* --name, or NULL */
	bool keep;	    /* run --keep: a published lab, left up */
	struct probe_request req;
	const char **ids, **claims; /* storage behind req.filter */
};

/*
 * Parse argv of command `cmd` ("probe" or "run"; one positional argument).
 * Returns 0, 1 when --help was asked (the caller prints its usage), -EINVAL
 * after printing the usage error, or -ENOMEM (printed).
 */
int cmd_probe_args(int argc, char **argv, const char *cmd, struct probe_args *ret);
void cmd_probe_args_free(struct probe_args *a);

/* Compile t's user cases (printing every FILE:LINE:COL error) and check the
 * filters.  Returns an exit status: EXIT_OK to go on. */
int cmd_probe_preflight(const struct topology *t, const struct probe_opts *o, const char *cmd);

/* Probe lab `lab`, which is up, and write the reports; messages printed once.
 * Returns an exit status. */
int cmd_probe_lab(const struct topology *t, const char *lab, const struct probe_request *req,
		  const char *cmd);

/* matrix --axes ARG: "v4", "dual", "all" or a comma list of axis names;
 * 0 or -EINVAL (printed, prefixed with cmd). */
int cmd_matrix_axes(const char *cmd, const char *arg, unsigned *ret_mask);
/* matrix --proto ARG: "tcp" or "udp"; 0 or -EINVAL (printed, prefixed with cmd). */
int cmd_matrix_proto(const char *cmd, const char *arg, unsigned *ret_mask);
/* matrix --addr AXIS=ADDRESS into cfg->want (arg must outlive cfg); 0 or -EINVAL (printed). */
int cmd_matrix_addr(const char *cmd, char *arg, struct matrix_config *cfg);
/* One line for a matrix_run() failure r (where: "namespace X" or the like);
 * returns the exit status from r and res->why_wanted: 2 for an --addr that
 * is no address or that the node lacks, or another -EINVAL; else 3. */
int cmd_matrix_run_error(int r, const struct matrix_result *res, const char *node,
			 const char *where);
/* The grid (or JSON) of res on stdout.  Returns EXIT_OK, or the exit status
 * of the failed write (cmd_output_error, said as cmd). */
int cmd_matrix_print(const char *cmd, const struct matrix_result *res, bool json);
/* The exit status res stands for: EXIT_OK, or EXIT_SYSTEM (said) when some
 * cells could not be set up. */
int cmd_matrix_status(const struct matrix_result *res);

/* run FILE --matrix NODE ...: the matrix in an ephemeral lab (cmd_run_matrix.c). */
int cmd_run_matrix(int argc, char **argv);

/* Whether lab `lab` is published: it has a state file or any namespace
 * rl-<lab>.* (even one not tagged as its own: commands that take the lab by
 * name then say so).  One-shot commands on a FILE build an ephemeral lab
 * when it is not. */
bool cmd_lab_published(const char *lab);

/* What runs inside an ephemeral lab: fds per node of the topology; rootless
 * when a user namespace of our own holds it.  Returns an exit status. */
struct lab_fds;
typedef int (*cmd_ephemeral_fn)(const struct lab_fds *fds, bool rootless, void *data);

/* Build t as ephemeral lab `lab` (cmd_ephemeral.c), run fn in it, let it go.
 * Returns fn's exit status, the build's failure, or 128+N on signal N. */
int cmd_ephemeral_run(const struct topology *t, const char *lab, const char *cmd,
		      cmd_ephemeral_fn fn, void *data);

/* Probe t in an ephemeral lab (what run and probe FILE do). */
int cmd_probe_ephemeral(const struct topology *t, const char *lab,
			const struct probe_request *req, const char *cmd);

#endif

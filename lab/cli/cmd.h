/* SPDX-License-Identifier: MIT */
/*
 * Subcommands.  Each takes argc/argv with argv[0] the command name and
 * returns the process exit status: 0 fine, 1 an expectation differed,
 * 2 bad usage or input, 3 system or kernel failure.
 */
#ifndef REUSELAB_CMD_H
#define REUSELAB_CMD_H

#include <signal.h>
#include <stddef.h>

struct option;

enum {
	EXIT_OK = 0,
	EXIT_DIFFERS = 1,
	EXIT_USAGE = 2,
	EXIT_SYSTEM = 3,
	/* stdout's reader went away (`| head`): the status SIGPIPE would give */
	EXIT_READER_GONE = 128 + SIGPIPE,
};

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
/* diff over three or more reports: the table across kernels (cmd_diff_kernels.c). */
int cmd_diff_kernels(int n, char **paths);
/* run --kernel K: the run inside other kernels under QEMU (cmd_run_kernel.c). */
int cmd_run_kernel(int argc, char **argv);
int cmd_labs(int argc, char **argv);

/*
 * A topology argument as a path: arg itself when it is a file; else, for a
 * bare lab name (or the clone's topologies/NAME.yml), NAME.yml in the
 * installed labs (cmd_shipped_dir) when it is there, written into buf; else
 * arg, for the loader to report.
 */
const char *cmd_topology_path(const char *arg, char *buf, size_t len);

/* Where the shipped labs are: $REUSELAB_TOPOLOGIES, else the installed dir. */
const char *cmd_shipped_dir(void);

/* Print "reuselab: " + message to stderr (the one place commands report),
 * control characters escaped. */
void cmd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* one when n is 1, else many: "1 lan", "2 lans". */
const char *cmd_plural(size_t n, const char *one, const char *many);

/*
 * A write to stdout failed with r (-errno), `what` naming it ("matrix:
 * writing the output").  A reader that went away (-EPIPE: `... | head`) ends
 * the command quietly, as SIGPIPE ends coreutils; anything else is said.
 * Returns the exit status: EXIT_READER_GONE or EXIT_SYSTEM.
 */
int cmd_output_error(const char *what, int r);

/*
 * An output file option (--junit FILE, --html FILE, --kernel-log FILE),
 * checked before any work: 0, or -EINVAL after one line naming cmd, opt and
 * the cause (an empty path, a directory, a directory that is missing or is
 * not one).  on_stdout names what the command writes to standard output
 * ("table", "JSON report"), so that "-" would put a second format there
 * and is refused; NULL when "-" is no special name for opt.
 */
int cmd_output_option(const char *cmd, const char *opt, const char *path, const char *on_stdout);

/* Print one line (no "\n" in fmt) to stdout, control characters escaped:
 * for output lines that quote text from files. */
void cmd_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct topo_diag;
/* Print diagnostics ("FILE:LINE:COL: error: ...") one a line, escaped. */
void cmd_diag_print(const struct topo_diag *d);

/* True when argv holds -h or --help before any "--". */
int cmd_wants_help(int argc, char **argv);

/*
 * getopt_long for a command (argv[0] is its name) that reports an unknown
 * option, or one missing its value, in one line with a "did you mean" for
 * near misses.  Returns what getopt_long returns; '?' is already reported.
 */
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* The candidate closest to a mistyped word, if any is within two edits. */
struct cmd_nearest {
	const char *word;
	size_t len;
	const char *best;       /* NULL until a candidate is close enough */
	size_t best_d;
};

void cmd_nearest_init(struct cmd_nearest *n, const char *word, size_t len);
void cmd_nearest_offer(struct cmd_nearest *n, const char *candidate);

/*
 * The lab lifecycle (lab/build) for commands: these print what went wrong
 * (once) and return an exit status, or 0/-EINVAL/-errno for the resolvers.
 */
#include <stddef.h>
struct topology;
/* lab_resolve / lab_resolve_file, printing their diagnostics. */
int cmd_resolve(const char *arg, const char *name, char *ret_lab, size_t lab_len,
		struct topology **ret);
int cmd_resolve_file(const char *path, const char *name, char *ret_lab, size_t lab_len,
		     struct topology **ret);
/*
 * LAB or FILE to a lab name, as down takes it: a valid lab name is that lab;
 * a topology file names its lab by `name` when given, else by its `name:`
 * (the file is read for that only: a lab that is up is known by its state).
 * 0, or -EINVAL (bad input) or -ENOMEM, said in one line prefixed with cmd,
 * or as the loader's FILE:LINE:COL errors.
 */
int cmd_lab_arg(const char *cmd, const char *arg, const char *name, char *ret_lab, size_t lab_len);
/* lab_up; signals stay blocked on return, *ret_signal as for lab_up. */
int cmd_lab_up(const struct topology *t, const char *lab, int *ret_signal);
/* lab_down, saying what was removed (unless quiet) and what was left. */
int cmd_lab_down(const char *lab, int quiet);

#endif

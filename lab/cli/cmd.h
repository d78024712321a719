/* SPDX-License-Identifier: MIT */
/*
 * Subcommands.  Each takes argc/argv with argv[0] the command name and
 * returns the process exit status: 0 fine, 1 an expectation differed,
 * 2 bad usage or input, 3 system or kernel failure.
 */
#ifndef REUSELAB_CMD_H
#define REUSELAB_CMD_H

enum {
	EXIT_OK = 0,
	EXIT_DIFFERS = 1,
	EXIT_USAGE = 2,
	EXIT_SYSTEM = 3,
};

int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/* Print "reuselab: " + message to stderr (the one place commands report). */
void cmd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when argv holds -h or --help before any "--". */
int cmd_wants_help(int argc, char **argv);

#endif

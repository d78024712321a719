/* SPDX-License-Identifier: MIT */
/* reuselab up FILE [--name NAME]: build a lab, all or nothing. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/build/build_plan.h"
#include "lab/cli/cmd.h"
#include "lab/build/sigstop.h"
#include "lab/build/lifecycle.h"
#include "lab/build/state.h"

static void up_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab up FILE [--name NAME] [--dry-run]\n\n"
		     "Build the lab described by FILE: one network namespace per node\n"
		     "(rl-<lab>-<node>, visible to 'ip netns'), veth links, bridged lans,\n"
		     "addresses, routes and sysctls.  All or nothing: on any failure, or on\n"
		     "SIGINT/SIGTERM, everything this run created is removed.\n\n"
		     "  -n, --name NAME  lab name instead of the file's 'name:' (run one\n"
		     "                   file several times at once)\n"
		     "  -N, --dry-run    print the kernel operations, in order, and exit\n"
		     "                   (no root needed)\n"
		     "  -h, --help       this help\n");
}

static int print_plan(const struct topology *t, const char *lab)
{
	struct build_plan *p = NULL;
	char err[512] = "", line[512];
	int r;

	r = plan_make(t, lab, &p, err, sizeof(err));
	if (r < 0) {
		cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
		return r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	}
	for (size_t i = 0; i < p->n_acts; i++) {
		plan_format(p, t, i, line, sizeof(line));
		printf("%4zu  %s\n", i + 1, line);
	}
	plan_free(p);
	return EXIT_OK;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Large labs on a terminal: one line on stderr, rewritten in place. */
#define PROGRESS_MIN_OPS 500

struct progress_line {
	const char *lab;
	bool shown;
};

static void show_progress(size_t done, size_t total, void *data)
{
	struct progress_line *pl = data;

	if (total < PROGRESS_MIN_OPS)
		return;
	fprintf(stderr, "\rbuilding lab %s: %zu/%zu kernel operations", pl->lab, done, total);
	fflush(stderr);
	pl->shown = true;
}

/* Remove what lab_build left after it succeeded; 0 or the teardown's -errno. */
static int undo_build(const struct topology *t, const char *lab, char *err, size_t errlen)
{
	unsigned removed;

	return lab_teardown_topo(t, lab, &removed, NULL, err, errlen);
}

int lab_up(const struct topology *t, const char *lab, int *ret_signal)
{
	struct progress_line line = {.lab = lab};
	const struct build_progress progress = {.fn = show_progress, .data = &line};
	char err[1024] = "", undo_err[512] = "";
	struct lab_state st;
	int lock, r, left = 0;
	bool built;

	/*
	 * Waiting for the lock stays interruptible (nothing is ours yet); from
	 * the lock on, signals are blocked so one is honoured by rolling back,
	 * never by dying midway.
	 */
	lock = state_lock(lab);
	sigstop_block();
	if (lock < 0) {
		cmd_err("lab '%s': cannot take lock in " STATE_DIR ": %s", lab, strerror(-lock));
		r = EXIT_SYSTEM;
		goto out;
	}
	r = state_read(lab, &st);
	if (r == 0) {
		cmd_err("lab '%s' is already up (from %s); remove it with 'reuselab down %s'", lab,
			st.file, lab);
		state_clear(&st);
		r = EXIT_USAGE;
		goto out;
	}
	if (r != -ENOENT) {
		/* A planted symlink (ELOOP) or garbage: refuse rather than overwrite. */
		cmd_err("lab '%s': unusable state file " STATE_DIR "/%s.json: %s; remove it with "
			"'reuselab down %s'",
			lab, lab, strerror(-r), lab);
		r = EXIT_SYSTEM;
		goto out;
	}
	r = state_write(t, lab, 0);
	if (r < 0) {
		cmd_err("lab '%s': cannot write state in " STATE_DIR ": %s", lab, strerror(-r));
		r = EXIT_SYSTEM;
		goto out;
	}
	r = lab_build(t, lab, isatty(STDERR_FILENO) ? &progress : NULL, err, sizeof(err));
	if (line.shown)
		fputs("\r\033[K", stderr); /* the line goes; results or errors follow */
	built = r == 0; /* on failure lab_build has already removed what it made */
	if (r == 0 && sigstop_pending())
		r = -EINTR;
	else if (r == 0) {
		r = state_write(t, lab, 1);
		if (r < 0)
			snprintf(err, sizeof(err), "cannot record state in " STATE_DIR ": %s",
				 strerror(-r));
	}
	if (r < 0) {
		if (built)
			left = undo_build(t, lab, undo_err, sizeof(undo_err));
		if (left < 0) {
			cmd_err("lab '%s': %s; rolling back failed too: %s (run 'reuselab down %s')",
				lab, err[0] ? err : strerror(-r), undo_err, lab);
			r = EXIT_SYSTEM;
			goto out;
		}
		state_remove(lab);
		if (r == -EINTR) {
			cmd_err("lab '%s': interrupted, everything built was removed", lab);
			r = EXIT_SYSTEM;
		} else if (r == -EEXIST) {
			cmd_err("lab '%s': %s (another lab or program uses that name; see 'reuselab "
				"status' or 'ip netns list')",
				lab, err);
			r = EXIT_USAGE;
		} else {
			cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
			r = EXIT_SYSTEM;
		}
		goto out;
	}
	r = EXIT_OK;
out:
	state_unlock(lock);
	/* Signals stay blocked; one that came stays pending: the caller acts on it. */
	*ret_signal = sigstop_pending();
	if (*ret_signal && r != EXIT_OK)
		r = 128 + *ret_signal;
	return r;
}

int cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = NULL;
	struct topology *t = NULL;
	struct timespec t0;
	char lab[TOPO_LAB_NAME_MAX + 1];
	int c, r, sig, dry_run = 0;
	sigset_t old;

	while ((c = cmd_getopt(argc, argv, "n:Nh", opts)) != -1) {
		switch (c) {
		case 'N':
			dry_run = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			up_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cmd_err("up: expected exactly one topology FILE (try 'reuselab up --help')");
		return EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (lab_resolve_file(argv[optind], name, lab, sizeof(lab), &t) < 0)
		return EXIT_USAGE;
	if (dry_run) {
		r = print_plan(t, lab);
		goto out;
	}
	if (geteuid() != 0) {
		cmd_err("up: building a lab needs root (try 'sudo reuselab up %s')", argv[optind]);
		r = EXIT_USAGE;
		goto out;
	}
	sigprocmask(SIG_SETMASK, NULL, &old);
	r = lab_up(t, lab, &sig);
	if (sig) {
		/* The signal came after the build finished: honour it by undoing. */
		if (r == EXIT_OK)
			r = lab_down(lab, 1) == EXIT_OK ? 128 + sig : EXIT_SYSTEM;
		goto out;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r == EXIT_OK) {
		size_t nif = 0;

		for (size_t i = 0; i < t->n_nodes; i++)
			nif += t->nodes[i].n_ifaces;
		printf("lab %s is up: %zu nodes, %zu interfaces, %zu links, %zu lans in %.0f ms "
		       "(namespaces rl-%s-*)\n",
		       lab, t->n_nodes, nif, t->n_links, t->n_lans, ms_since(&t0), lab);
	}
out:
	topo_free(t);
	return r;
}

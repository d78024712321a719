// SPDX-License-Identifier: MIT
/* The lab lifecycle as commands report it: one line per failure, exit statuses. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"

static int print_diag(struct topo_diag *d, int r)
{
	cmd_diag_print(d);
	topo_diag_free(d);
	return r;
}

int cmd_resolve(const char *arg, const char *name, char *ret_lab, size_t lab_len,
		struct topology **ret)
{
	struct topo_diag d = {0};

	return print_diag(&d, lab_resolve(arg, name, ret_lab, lab_len, ret, &d));
}

int cmd_resolve_file(const char *path, const char *name, char *ret_lab, size_t lab_len,
		     struct topology **ret)
{
	struct topo_diag d = {0};

	return print_diag(&d, lab_resolve_file(path, name, ret_lab, lab_len, ret, &d));
}

int cmd_lab_arg(const char *cmd, const char *arg, const char *name, char *ret_lab, size_t lab_len)
{
	struct topology *t = NULL;
	int r;

	if (topo_name_valid(arg, TOPO_LAB_NAME_MAX)) {
		if (name) {
			cmd_err("%s: --name goes with a FILE; '%s' is a lab name", cmd, arg);
			return -EINVAL;
		}
		snprintf(ret_lab, lab_len, "%s", arg);
		return 0;
	}
	/* Not a file either: "cannot read" would hide that a name was meant. */
	if (!lab_arg_is_file(arg)) {
		cmd_err("%s: '%s' is neither a lab name ([a-z0-9-]) nor a topology file", cmd, arg);
		return -EINVAL;
	}
	r = cmd_resolve_file(arg, name, ret_lab, lab_len, &t);
	topo_free(t);
	return r;
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

int cmd_lab_up(const struct topology *t, const char *lab, int *ret_signal)
{
	struct progress_line line = {.lab = lab};
	const struct build_progress progress = {.fn = show_progress, .data = &line};
	char err[1024] = "";
	int r;

	r = lab_up(t, lab, isatty(STDERR_FILENO) ? &progress : NULL, ret_signal, err, sizeof(err));
	if (line.shown)
		fputs("\r\033[K", stderr); /* the line goes; results or errors follow */
	if (r == 0)
		return EXIT_OK;
	cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
	if (*ret_signal && r != -ENOTRECOVERABLE)
		return 128 + *ret_signal; /* nothing is left: lab_up removed it all */
	/* a lab that is up, a name taken, a state or lock file that is not usable */
	return r == -EALREADY || r == -EEXIST || r == -EBADMSG ? EXIT_USAGE : EXIT_SYSTEM;
}

static void print_down(const char *lab, const struct teardown_result *tr, bool had_state)
{
	if (tr->stale)
		printf("lab %s is down: %u stale file%s and %u namespace%s removed\n", lab,
		       tr->stale, tr->stale == 1 ? "" : "s", tr->removed,
		       tr->removed == 1 ? "" : "s");
	else if (tr->removed)
		printf("lab %s is down: %u namespace%s removed\n", lab, tr->removed,
		       tr->removed == 1 ? "" : "s");
	else if (had_state)
		printf("lab %s is down: no namespace left, stale state removed\n", lab);
	else
		printf("lab %s: nothing to remove\n", lab);
}

int cmd_lab_down(const char *lab, int quiet)
{
	struct teardown_result tr;
	char err[1024] = "";
	bool had_state;
	int r;

	r = lab_down(lab, &tr, &had_state, err, sizeof(err));
	/* Never silent: a name that looks like the lab's stays, and how to remove it. */
	for (size_t i = 0; i < tr.n_untagged; i++)
		cmd_err("lab '%s': namespace %s is not tagged as this lab's (its loopback alias is "
			"not '" LAB_TAG_PREFIX "%s'); left in place; if it is the lab's, remove it "
			"with 'reuselab down --force-name %s'",
			lab, tr.untagged[i], lab, tr.untagged[i]);
	if (r < 0)
		cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
	else if (!quiet)
		print_down(lab, &tr, had_state);
	teardown_result_clear(&tr);
	return r < 0 ? EXIT_SYSTEM : EXIT_OK;
}

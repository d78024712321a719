/* SPDX-License-Identifier: MIT */
/* reuselab down LAB|FILE... | --all: remove labs; idempotent, works without state. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/build/lifecycle.h"
#include "lab/build/state.h"

static void down_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab down LAB|FILE... [--name NAME]\n"
		     "       reuselab down --all\n\n"
		     "Remove a lab's namespaces (and so everything in them) and its state.\n"
		     "Works from the kernel alone when the state or the file is gone, and\n"
		     "only removes namespaces tagged as that lab's.  Removing a lab that is\n"
		     "not there is not an error.\n\n"
		     "  -n, --name NAME  with FILE: the lab was brought up under NAME\n"
		     "  -a, --all        remove every reuselab lab on this host\n"
		     "  -q, --quiet      print nothing on success\n"
		     "  -h, --help       this help\n");
}

int lab_down(const char *lab, int quiet)
{
	char err[1024] = "";
	struct lab_state st;
	unsigned removed = 0, stale = 0;
	int lock, r, have_state;

	lock = state_lock(lab);
	if (lock < 0) {
		cmd_err("lab '%s': cannot take lock in " STATE_DIR ": %s", lab, strerror(-lock));
		return EXIT_SYSTEM;
	}
	/* The state's node names: the only stale files lab_teardown may remove. */
	have_state = state_read(lab, &st) == 0;
	r = lab_teardown(lab, have_state ? st.nodes : NULL, have_state ? st.n_nodes : 0, &removed,
			 &stale, err, sizeof(err));
	if (have_state)
		state_clear(&st);
	if (r < 0) {
		cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
		r = EXIT_SYSTEM;
		goto out;
	}
	r = state_remove(lab);
	if (r < 0) {
		cmd_err("lab '%s': cannot remove its state: %s", lab, strerror(-r));
		r = EXIT_SYSTEM;
		goto out;
	}
	if (!quiet) {
		if (stale)
			printf("lab %s is down: %u stale files and %u namespaces removed\n", lab,
			       stale, removed);
		else if (removed)
			printf("lab %s is down: %u namespaces removed\n", lab, removed);
		else if (r > 0)
			printf("lab %s is down: no namespace left, stale state removed\n", lab);
		else
			printf("lab %s: nothing to remove\n", lab);
	}
	r = EXIT_OK;
out:
	state_unlock(lock);
	return r;
}

int cmd_down(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *name = NULL;
	int c, all = 0, quiet = 0, rc = EXIT_OK;

	while ((c = cmd_getopt(argc, argv, "an:qh", opts)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			down_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (all == (optind < argc)) {
		cmd_err("down: give LAB or FILE, or --all (try 'reuselab down --help')");
		return EXIT_USAGE;
	}
	if (name && !topo_name_valid(name, TOPO_LAB_NAME_MAX)) {
		cmd_err("down: invalid lab name '%s'", name);
		return EXIT_USAGE;
	}
	if (all) {
		char **labs;
		size_t n;
		int r = lab_names_known(&labs, &n);

		if (r < 0) {
			cmd_err("down: cannot list labs: %s", strerror(-r));
			return EXIT_SYSTEM;
		}
		for (size_t i = 0; i < n; i++) {
			r = lab_down(labs[i], quiet);
			if (r > rc)
				rc = r;
		}
		if (!n && !quiet)
			printf("no labs\n");
		names_free(labs, n);
		return rc;
	}
	for (int i = optind; i < argc; i++) {
		char lab[TOPO_LAB_NAME_MAX + 1];
		struct topology *t = NULL;
		const char *arg = argv[i];
		int r;

		if (topo_name_valid(arg, TOPO_LAB_NAME_MAX)) {
			if (name) {
				cmd_err("down: --name goes with a FILE; '%s' is a lab name", arg);
				rc = rc > EXIT_USAGE ? rc : EXIT_USAGE;
				continue;
			}
			snprintf(lab, sizeof(lab), "%s", arg);
		} else {
			r = lab_resolve_file(arg, name, lab, sizeof(lab), &t);
			topo_free(t);
			if (r < 0) {
				rc = rc > EXIT_USAGE ? rc : EXIT_USAGE;
				continue;
			}
		}
		r = lab_down(lab, quiet);
		if (r > rc)
			rc = r;
	}
	return rc;
}

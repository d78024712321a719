/* SPDX-License-Identifier: MIT */
/*
 * reuselab status [LAB|FILE...] [--json] [--verify]: what the kernel holds for
 * each lab, read live (lab/inspect): interfaces with their peers, addresses,
 * routes and sockets.  Exit 1 when a lab is degraded.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/cli/status_int.h"
#include "lab/inspect/inspect.h"
#include "lab/report/report.h"

static void status_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab status [LAB|FILE...] [--json] [--verify]\n"
		     "       reuselab ls [LAB|FILE...] [--json] [--verify]\n\n"
		     "Show labs as the kernel holds them: per node every interface (kind,\n"
		     "state, MTU, MAC, master, the peer of each veth as node:iface, the\n"
		     "members of each bridge), every address, the main-table routes and the\n"
		     "sockets in use.  Without LAB, every lab on this host; FILE names the\n"
		     "lab by its 'name:'.  Exit 1 when a lab is degraded (a node namespace\n"
		     "gone, a veth whose other end is gone).\n\n"
		     "  -j, --json    machine-readable output (an array of labs)\n"
		     "      --verify  compare with the declared topology instead (see verify)\n"
		     "  -h, --help    this help\n");
}

/* Read one lab; prints its failure.  0, or the exit status to merge. */
static int status_one(const char *lab, int json, struct json_object *arr)
{
	struct lab_state st = {0};
	struct inspect_lab *l = NULL;
	int have_state = state_read(lab, &st) == 0, r, rc = EXIT_OK;

	r = inspect_read(lab, have_state ? st.nodes : NULL, have_state ? st.n_nodes : 0,
			 INSPECT_SOCKETS, &l);
	if (r < 0) {
		cmd_err("status: lab '%s': %s", lab, strerror(-r));
		rc = EXIT_SYSTEM;
	} else if (!have_state && !l->n_nodes) {
		cmd_err("status: no lab named '%s'", lab);
		rc = EXIT_USAGE;
	} else {
		const char *file = have_state ? st.file : NULL;

		if (json)
			json_object_array_add(arr, status_json(l, file, have_state && st.complete));
		else
			status_table(stdout, l, file, have_state && st.complete);
		rc = inspect_degraded(l) ? EXIT_DIFFERS : EXIT_OK;
	}
	inspect_free(l);
	state_clear(&st);
	return rc;
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

static int status_labs(char **labs, size_t n, int json)
{
	struct json_object *arr = json ? json_object_new_array() : NULL;
	int rc = EXIT_OK;

	for (size_t i = 0; i < n; i++)
		rc = worse(rc, status_one(labs[i], json, arr));
	if (json)
		printf("%s\n", json_object_to_json_string_ext(
				   arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (!n)
		printf("no labs\n");
	json_object_put(arr);
	return rc;
}

/* The labs named by LAB|FILE arguments, every one checked before any is shown. */
static int status_args(char **args, size_t n, int json)
{
	char(*names)[TOPO_LAB_NAME_MAX + 1] = calloc(n, sizeof(*names));
	char **labs = calloc(n, sizeof(*labs));
	int rc = EXIT_OK, r = 0;

	if (!names || !labs) {
		cmd_err("status: %s", strerror(ENOMEM));
		rc = EXIT_SYSTEM;
		goto out;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		r = cmd_lab_arg("status", args[i], NULL, names[i], sizeof(names[i]));
		labs[i] = names[i];
	}
	if (r < 0)
		rc = r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	else
		rc = status_labs(labs, n, json);
out:
	free(names);
	free(labs);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"verify", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	char **labs = NULL;
	size_t n = 0;
	int c, json = 0, verify = 0, r, rc;

	while ((c = cmd_getopt(argc, argv, "jh", opts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'v':
			verify = 1;
			break;
		case 'h':
			status_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (verify) {
		if (json) {
			cmd_err("status: --verify has no --json form");
			return EXIT_USAGE;
		}
		return cmd_verify_labs(argc - optind, argv + optind);
	}
	if (optind < argc)
		return status_args(argv + optind, argc - optind, json);
	r = lab_names_known(&labs, &n);
	if (r < 0) {
		cmd_err("status: cannot list labs: %s", strerror(-r));
		return EXIT_SYSTEM;
	}
	rc = status_labs(labs, n, json);
	names_free(labs, n);
	return rc;
}

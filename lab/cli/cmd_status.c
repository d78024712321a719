/* SPDX-License-Identifier: MIT */
/* reuselab status [LAB...] [--json]: what the kernel holds for each lab. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/report/report.h"

static void status_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab status [LAB...] [--json]\n"
		     "       reuselab ls [LAB...] [--json]\n\n"
		     "Show labs, their nodes, interfaces, link state and addresses, read\n"
		     "from the kernel.  Nodes whose namespace vanished are reported as\n"
		     "missing.  Without LAB, every lab on this host.\n\n"
		     "  -j, --json  machine-readable output (an array of labs)\n"
		     "  -h, --help  this help\n");
}

static const char *iface_state(const struct lab_view_iface *f)
{
	if (!f->up)
		return "DOWN";
	return f->lower_up ? "UP" : "NO-CARRIER";
}

static void print_table(const struct lab_view *v, const struct lab_state *st, int have_state)
{
	printf("lab %s", v->lab);
	if (have_state) {
		fputs("  (from ", stdout);
		report_text_put(stdout, st->file); /* a path from the state file */
		printf("%s)", st->complete ? "" : ", build incomplete");
	} else {
		printf("  (no state file)");
	}
	printf("\n  %-20s %-16s %-11s %s\n", "NODE", "INTERFACE", "STATE", "ADDRESSES");
	for (size_t i = 0; i < v->n_nodes; i++) {
		const struct lab_view_node *n = &v->nodes[i];

		if (!n->present) {
			printf("  %-20s %-16s %-11s namespace %s is missing\n", n->name, "-",
			       "MISSING", n->ns);
			continue;
		}
		if (!n->n_ifaces)
			printf("  %-20s %-16s %-11s\n", n->name, "-", "-");
		for (size_t j = 0; j < n->n_ifaces; j++) {
			const struct lab_view_iface *f = &n->ifaces[j];

			printf("  %-20s %-16s %-11s", j ? "" : n->name, f->name, iface_state(f));
			for (size_t k = 0; k < f->n_addrs; k++)
				printf("%s%s", k ? " " : "", f->addrs[k].text);
			printf("\n");
		}
	}
}

static struct json_object *view_json(const struct lab_view *v, const struct lab_state *st,
				     int have_state)
{
	struct json_object *o = json_object_new_object(), *nodes = json_object_new_array();

	json_object_object_add(o, "lab", json_object_new_string(v->lab));
	json_object_object_add(o, "file", have_state ? json_object_new_string(st->file) : NULL);
	json_object_object_add(o, "complete",
			       json_object_new_boolean(have_state ? st->complete : 0));
	json_object_object_add(o, "state", json_object_new_boolean(have_state));
	for (size_t i = 0; i < v->n_nodes; i++) {
		const struct lab_view_node *n = &v->nodes[i];
		struct json_object *no = json_object_new_object(), *ifs = json_object_new_array();

		json_object_object_add(no, "name", json_object_new_string(n->name));
		json_object_object_add(no, "namespace", json_object_new_string(n->ns));
		json_object_object_add(no, "present", json_object_new_boolean(n->present));
		for (size_t j = 0; j < n->n_ifaces; j++) {
			const struct lab_view_iface *f = &n->ifaces[j];
			struct json_object *fo = json_object_new_object();
			struct json_object *as = json_object_new_array();

			json_object_object_add(fo, "name", json_object_new_string(f->name));
			json_object_object_add(fo, "ifindex", json_object_new_int(f->ifindex));
			json_object_object_add(fo, "kind", json_object_new_string(f->kind));
			json_object_object_add(fo, "state", json_object_new_string(iface_state(f)));
			for (size_t k = 0; k < f->n_addrs; k++)
				json_object_array_add(as, json_object_new_string(f->addrs[k].text));
			json_object_object_add(fo, "addresses", as);
			json_object_array_add(ifs, fo);
		}
		json_object_object_add(no, "interfaces", ifs);
		json_object_array_add(nodes, no);
	}
	json_object_object_add(o, "nodes", nodes);
	return o;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct json_object *arr = NULL;
	char **labs = NULL;
	size_t n = 0;
	int c, json = 0, r, rc = EXIT_OK, listed = 0;

	while ((c = cmd_getopt(argc, argv, "jh", opts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			status_usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		if (!topo_name_valid(argv[i], TOPO_LAB_NAME_MAX)) {
			cmd_err("status: invalid lab name '%s'", argv[i]);
			return EXIT_USAGE;
		}
	if (optind == argc) {
		r = lab_names_known(&labs, &n);
		if (r < 0) {
			cmd_err("status: cannot list labs: %s", strerror(-r));
			return EXIT_SYSTEM;
		}
		listed = 1;
	} else {
		labs = argv + optind;
		n = argc - optind;
	}
	if (json)
		arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct lab_state st = { 0 };
		struct lab_view *v = NULL;
		int have_state = state_read(labs[i], &st) == 0;

		r = lab_inspect(labs[i], have_state ? st.nodes : NULL, have_state ? st.n_nodes : 0,
				&v);
		if (r < 0) {
			cmd_err("status: lab '%s': %s", labs[i], strerror(-r));
			rc = EXIT_SYSTEM;
		} else if (!have_state && !v->n_nodes) {
			cmd_err("status: no lab named '%s'", labs[i]);
			rc = rc > EXIT_USAGE ? rc : EXIT_USAGE;
		} else if (json) {
			json_object_array_add(arr, view_json(v, &st, have_state));
		} else {
			print_table(v, &st, have_state);
		}
		lab_view_free(v);
		state_clear(&st);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (!n)
		printf("no labs\n");
	json_object_put(arr);
	if (listed)
		names_free(labs, n);
	return rc;
}

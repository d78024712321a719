/* SPDX-License-Identifier: MIT */
/*
 * reuselab verify LAB...: live state against the declared topology, one line
 * per difference.  Exit 0 equal, 1 drift, 2 bad usage or no such lab, 3 the
 * kernel could not be read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/cli/status_int.h"
#include "lab/inspect/inspect.h"
#include "lab/report/report.h"

struct printer {
	const char *prefix; /* "LAB: " when several labs are verified, else "" */
};

/* Escaped (report_text_put): a line names what the kernel holds, such as an
 * extra interface, whose name may carry terminal controls. */
static int print_diff(const char *line, void *data)
{
	const struct printer *p = data;

	fputs(p->prefix, stdout);
	report_text_put(stdout, line);
	return putchar('\n') == EOF ? -EIO : 0;
}

static int verify_one(const char *arg, bool prefixed)
{
	struct topology *t = NULL;
	struct inspect_lab *l = NULL;
	char lab[TOPO_LAB_NAME_MAX + 1], prefix[TOPO_LAB_NAME_MAX + 3] = "";
	char **names = NULL;
	int r, rc;

	r = cmd_resolve(arg, NULL, lab, sizeof(lab), &t);
	if (r < 0)
		return r == -EINVAL ? EXIT_USAGE : EXIT_SYSTEM;
	/* As by name (cmd_resolve refuses a lab without state): a FILE's lab that is
	 * not up is bad input, not a drift of every node.  A state that cannot be
	 * read is no proof the lab is down: the comparison says what is. */
	if (lab_arg_is_file(arg) && lab_up_refused(lab, NULL, 0) == 0) {
		cmd_err("lab '%s' is not up (no state in " STATE_DIR "; see 'reuselab status')",
			lab);
		rc = EXIT_USAGE;
		goto out;
	}
	names = calloc(t->n_nodes + 1, sizeof(*names));
	if (!names) {
		rc = EXIT_SYSTEM;
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		names[i] = t->nodes[i].name;
	r = inspect_read(lab, names, t->n_nodes, 0, &l);
	if (r < 0) {
		cmd_err("verify: lab '%s': cannot read its namespaces: %s", lab, strerror(-r));
		rc = EXIT_SYSTEM;
		goto out;
	}
	if (prefixed)
		snprintf(prefix, sizeof(prefix), "%s: ", lab);
	r = inspect_verify(t, l, print_diff, &(struct printer){prefix});
	if (r < 0) {
		cmd_err("verify: lab '%s': %s", lab, strerror(-r));
		rc = EXIT_SYSTEM;
	} else {
		rc = r ? EXIT_DIFFERS : EXIT_OK;
	}
out:
	free(names);
	inspect_free(l);
	topo_free(t);
	return rc;
}

int cmd_verify_labs(int n, char **labs)
{
	int rc = EXIT_OK, r;

	if (n < 1) {
		cmd_err("verify: expected LAB or FILE (try 'reuselab verify --help')");
		return EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		r = verify_one(labs[i], n > 1);
		rc = r > rc ? r : rc;
	}
	r = report_flush(stdout);
	if (r < 0)
		rc = cmd_output_error("verify: stdout", r);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1) {
		if (c != 'h')
			return EXIT_USAGE;
		printf("Usage: reuselab verify LAB|FILE...\n\n"
		       "Compare what the kernel holds for a lab with its declared topology and\n"
		       "print one line per difference (a namespace gone, an interface missing,\n"
		       "extra or down, a veth whose peer is gone or another, an address or a\n"
		       "route missing or extra).  Exit 0 when equal, 1 on drift, 2 when there\n"
		       "is no such lab, 3 when the kernel cannot be read.\n");
		return EXIT_OK;
	}
	return cmd_verify_labs(argc - optind, argv + optind);
}

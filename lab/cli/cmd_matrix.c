/* SPDX-License-Identifier: MIT */
/* reuselab matrix LAB|FILE NODE [--json] [--html FILE] [--proto P] [--axes A] [--addr X=ADDR] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"
#include "lab/matrix/matrix.h"
#include "lab/report/report.h"
#include "lab/util/util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: reuselab matrix LAB|FILE NODE [--json] [--html FILE] [--proto tcp|udp]\n"
		"                       [--axes v4|dual|all|LIST] [--addr AXIS=ADDRESS]...\n\n"
		"Inside NODE's namespace, bind a second socket over a first one for every\n"
		"combination of protocol, state of the first socket (bound, listening,\n"
		"established, time-wait; UDP: bound, connected), SO_REUSEADDR/SO_REUSEPORT on\n"
		"each, address of each (wildcard, A, an alias of A, an address on another\n"
		"interface) and uid (same, other), and show what the second bind() returns.\n"
		"The lab is LAB, or the one named by FILE's 'name:'; it must be up.\n\n"
		"  --json        machine-readable output (schema reuselab-matrix/1)\n"
		"  --html FILE   also write a self-contained HTML page with the grid and the lab\n"
		"                (not '-': standard output has the grid or the JSON already)\n"
		"  --proto P     only tcp or only udp\n"
		"  --axes SET    address axes: v4 (default: wildcard, A, alias, other), dual\n"
		"                (wildcard, A, and IPv6: [::] dual-stack, [::] IPV6_V6ONLY, v6,\n"
		"                [::ffff:0.0.0.0], [::ffff:A]), all, or a comma list of names\n"
		"                (wildcard,A,alias,other,v6-wildcard,v6only-wildcard,v6,\n"
		"                mapped-wildcard,mapped-A)\n"
		"  --addr X=ADDR the node's address for axis X (A, alias, other, v6) instead of\n"
		"                the first found; repeatable\n");
}

static void progress(void *arg, size_t done, size_t total)
{
	(void)arg;
	fprintf(stderr, "\rmatrix: %zu/%zu cells", done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
}

struct html_page {
	const struct matrix_result *res;
	const struct topology *topo;
	const struct inspect_lab *view;
};

static int html_page_write(FILE *out, const void *arg)
{
	const struct html_page *p = arg;

	return matrix_write_html(p->res, p->topo, p->view, out);
}

static int write_html(const char *path, const struct matrix_result *res)
{
	struct topology *t = NULL;
	struct inspect_lab *v = NULL;
	struct lab_state st;
	char lab[TOPO_LAB_NAME_MAX + 1];
	int r;

	/* The topology when the lab has state; else what the kernel shows; else the node. */
	if (state_read(res->lab, &st) == 0) {
		state_clear(&st);
		if (cmd_resolve(res->lab, NULL, lab, sizeof(lab), &t) < 0)
			t = NULL;
	}
	if (!t && inspect_read(res->lab, NULL, 0, 0, &v) < 0)
		v = NULL;
	r = report_write_file(path, html_page_write,
			      &(struct html_page){.res = res, .topo = t, .view = v});
	topo_free(t);
	inspect_free(v);
	return r;
}

struct matrix_args {
	char lab[TOPO_LAB_NAME_MAX + 1];
	const char *node, *html;
	bool json;
	struct matrix_config cfg;
};

/* Options and operands: -1 to go on, else the exit status (help, bad usage). */
static int parse_args(int argc, char **argv, struct matrix_args *a)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"html", required_argument, NULL, 'H'},
	    {"proto", required_argument, NULL, 'p'},
	    {"axes", required_argument, NULL, 'x'},
	    {"addr", required_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c, r;

	optind = 0; /* full reset of GNU getopt: `run` may have parsed before */
	while ((c = cmd_getopt(argc, argv, "jH:p:x:a:h", opts)) != -1) {
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 'H':
			a->html = optarg;
			break;
		case 'p':
			if (cmd_matrix_proto("matrix", optarg, &a->cfg.proto_mask) < 0)
				return EXIT_USAGE;
			break;
		case 'x':
			if (cmd_matrix_axes("matrix", optarg, &a->cfg.axes_mask) < 0)
				return EXIT_USAGE;
			break;
		case 'a':
			if (cmd_matrix_addr("matrix", optarg, &a->cfg) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cmd_err("matrix: expected LAB|FILE NODE (try 'reuselab matrix --help')");
		return EXIT_USAGE;
	}
	/* a bad --html is refused before the cells run, not after */
	if (a->html &&
	    cmd_output_option("matrix", "--html", a->html, a->json ? "JSON matrix" : "grid") < 0)
		return EXIT_USAGE;
	a->node = argv[optind + 1];
	r = cmd_lab_arg("matrix", argv[optind], NULL, a->lab, sizeof(a->lab));
	if (r < 0)
		return r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	if (!topo_name_valid(a->node, TOPO_NODE_NAME_MAX)) {
		cmd_err("matrix: invalid node name '%s' ([a-z0-9-])", a->node);
		return EXIT_USAGE;
	}
	return -1;
}

/* The node's namespace, tagged as the lab's: -1 with *ret_fd, else the exit status. */
static int open_node(const char *lab, const char *node, char *ns, size_t ns_len, int *ret_fd)
{
	int r;

	if (lab_ns_name(lab, node, ns, ns_len) < 0) {
		cmd_err("matrix: lab and node names too long");
		return EXIT_USAGE;
	}
	r = lab_node_open(lab, node, ret_fd);
	if (r == -ENOENT) {
		cmd_err("matrix: lab '%s' has no node '%s' up (namespace %s does not exist)", lab,
			node, ns);
		return EXIT_USAGE;
	}
	if (r == -EEXIST) {
		cmd_err("matrix: namespace %s is not a reuselab namespace of lab %s", ns, lab);
		return EXIT_USAGE;
	}
	if (r < 0) {
		cmd_err("matrix: namespace %s: %s", ns, strerror(-r));
		return EXIT_SYSTEM;
	}
	return -1;
}

/* Standard output, then the page.  Returns EXIT_OK or the exit status of
 * the failure (said). */
static int write_outputs(const struct matrix_args *a, const struct matrix_result *res)
{
	char what[300];
	int rc = cmd_matrix_print("matrix", res, a->json), r;

	if (rc != EXIT_OK || !a->html)
		return rc;
	r = write_html(a->html, res);
	if (r == 0)
		return EXIT_OK;
	snprintf(what, sizeof(what), "matrix: %s", a->html);
	return cmd_output_error(what, r);
}

int cmd_matrix(int argc, char **argv)
{
	struct matrix_args a = {0};
	struct matrix_result res = {0};
	char ns[256], where[300];
	int fd = -1, r, ret, sig;

	ret = parse_args(argc, argv, &a);
	if (ret >= 0)
		return ret;
	ret = open_node(a.lab, a.node, ns, sizeof(ns), &fd);
	if (ret >= 0)
		return ret;
	ret = EXIT_SYSTEM;
	if (isatty(STDERR_FILENO))
		a.cfg.progress = progress;
	/* SIGINT, SIGTERM and SIGHUP stop the cells at the next one, so that the
	 * node's sysctls the run raised are put back first (the lab is the user's). */
	sigstop_block(NULL);
	a.cfg.stop = sigstop_pending;
	r = matrix_run(fd, &a.cfg, &res);
	sig = sigstop_pending();
	if (sig) {
		cmd_err("matrix: interrupted by signal %d", sig);
		ret = 128 + sig;
		goto out;
	}
	if (r < 0) {
		snprintf(where, sizeof(where), "namespace %s", ns);
		ret = cmd_matrix_run_error(r, &res, a.node, where);
		goto out;
	}
	snprintf(res.lab, sizeof(res.lab), "%s", a.lab);
	snprintf(res.node, sizeof(res.node), "%s", a.node);
	ret = write_outputs(&a, &res);
	if (ret == EXIT_OK)
		ret = cmd_matrix_status(&res);
out:
	matrix_result_free(&res);
	if (fd >= 0)
		close(fd);
	return ret;
}

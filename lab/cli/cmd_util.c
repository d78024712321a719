/* SPDX-License-Identifier: MIT */
/* Helpers every command uses; kept out of main.c so unit tests link them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cli/cmd.h"
#include "lab/report/report.h"
#include "lab/topo/topo.h"

/* One line to out: prefix, then the formatted text escaped.  Messages and
 * output lines quote what users typed or wrote (report_text_put), so a line
 * stays one line and cannot drive the terminal. */
static void line_put(FILE *out, const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL;
	int n = vasprintf(&msg, fmt, ap);

	fputs(prefix, out);
	report_text_put(out, n >= 0 ? msg : fmt);
	fputc('\n', out);
	if (n >= 0)
		free(msg);
}

const char *cmd_plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void cmd_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_put(stderr, "reuselab: ", fmt, ap);
	va_end(ap);
}

int cmd_output_error(const char *what, int r)
{
	if (r == -EPIPE)
		return EXIT_READER_GONE;
	cmd_err("%s: %s", what, strerror(-r));
	return EXIT_SYSTEM;
}

int cmd_output_option(const char *cmd, const char *opt, const char *path, const char *on_stdout)
{
	char dir[4096];
	int r = report_output_check(path, dir, sizeof(dir));

	if (r == 0 && (strcmp(path, "-") || !on_stdout))
		return 0;
	if (r == 0)
		cmd_err("%s: %s -: standard output already carries the %s; give %s a file", cmd,
			opt, on_stdout, opt);
	else if (r == -EINVAL)
		cmd_err("%s: %s: the path is empty; give it a file", cmd, opt);
	else if (r == -EISDIR)
		cmd_err("%s: %s %s: is a directory; give it a file", cmd, opt, path);
	else
		cmd_err("%s: %s %s: directory '%s': %s", cmd, opt, path, dir, strerror(-r));
	return -EINVAL;
}

void cmd_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_put(stdout, "", fmt, ap);
	va_end(ap);
}

void cmd_diag_print(const struct topo_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		report_text_put(stderr, d->lines[i]);
		fputc('\n', stderr);
	}
}

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Helpers every command uses; kept out of main.c so unit tests link them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab/cli/cmd.h"

void cmd_err(const char *fmt, ...)
{
	va_list ap;

	fputs("reuselab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

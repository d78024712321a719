/* SPDX-License-Identifier: MIT */
/* Helpers every command uses; kept out of main.c so unit tests link them. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab/cmd.h"

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

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void cmd_block_signals(sigset_t *old)
{
	sigset_t set;

	stop_signals(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

int cmd_signal_pending(void)
{
	sigset_t set, pend;

	stop_signals(&set);
	if (sigpending(&pend) < 0)
		return 0;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&set, s) && sigismember(&pend, s))
			return s;
	return 0;
}

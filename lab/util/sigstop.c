// SPDX-License-Identifier: MIT
/* The signals that stop a build or a run (util.h): one set for every stage. */
#include <signal.h>

#include "lab/util/util.h"

/* The stop signals, lowest first (sigstop_pending names the lowest). */
static const int stop_signals[] = {SIGHUP, SIGINT, SIGTERM};

void sigstop_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
}

void sigstop_block(sigset_t *old)
{
	sigset_t set;

	sigstop_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

int sigstop_pending(void)
{
	sigset_t pend;

	/* A failed sigpending says nothing is known to be pending: carry on.
	 * Asked once per matrix cell: three lookups, not NSIG. */
	if (sigpending(&pend) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigismember(&pend, stop_signals[i]) == 1)
			return stop_signals[i];
	return 0;
}

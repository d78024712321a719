// SPDX-License-Identifier: MIT
/* The signals that stop a build or a run (util.h): one set for every stage. */
#include <signal.h>

#include "lab/util/util.h"

void sigstop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void sigstop_block(sigset_t *old)
{
	sigset_t set;

	sigstop_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

int sigstop_pending(void)
{
	sigset_t set, pend;

	sigstop_set(&set);
	/* A failed sigpending says nothing is known to be pending: carry on. */
	if (sigpending(&pend) < 0)
		return 0;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&set, s) == 1 && sigismember(&pend, s) == 1)
			return s;
	return 0;
}

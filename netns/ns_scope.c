// SPDX-License-Identifier: MIT
/*
 * The one way netns/ and lab/ step into another network namespace and back.
 * setns() changes only the calling thread, so the way home is the thread's
 * own namespace (/proc/thread-self, not /proc/self: another thread may stand
 * elsewhere).  Failing to get home is not an error a caller can handle:
 * whatever it did next (create, mount, remove) would hit the wrong namespace.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns/netns.h"

/* Into ns_fd, or into a new namespace when ns_fd < 0. */
static int scope_move(struct ns_scope *sc, int ns_fd)
{
	bool opened = false;
	int r;

	if (sc->home < 0) {
		r = ns_open_current();
		if (r < 0)
			return r;
		sc->home = r;
		opened = true;
	}
	r = ns_fd >= 0 ? setns(ns_fd, CLONE_NEWNET) : unshare(CLONE_NEWNET);
	if (r == 0)
		return 0;
	r = -errno;
	if (opened) {
		close(sc->home);
		sc->home = -1;
	}
	return r;
}

int ns_scope_enter(struct ns_scope *sc, int ns_fd)
{
	return ns_fd < 0 ? -EBADF : scope_move(sc, ns_fd);
}

int ns_scope_enter_new(struct ns_scope *sc)
{
	return scope_move(sc, -1);
}

void ns_scope_leave(struct ns_scope *sc)
{
	if (sc->home < 0)
		return;
	if (setns(sc->home, CLONE_NEWNET) < 0) {
		fprintf(stderr, "reuselab: cannot return to the original network namespace: %s\n",
			strerror(errno));
		abort();
	}
	close(sc->home);
	sc->home = -1;
}

int ns_run_in(int ns_fd, int (*fn)(void *arg), void *arg)
{
	struct ns_scope sc = NS_SCOPE_INIT;
	int r;

	r = ns_scope_enter(&sc, ns_fd);
	if (r < 0)
		return r;
	r = fn(arg);
	ns_scope_leave(&sc);
	return r;
}

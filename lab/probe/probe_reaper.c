/* SPDX-License-Identifier: MIT */
/*
 * The run's PID namespace.  Before the run forks its first program, it
 * unshares a PID namespace for its children and forks the namespace's pid 1,
 * the reaper, which dies with reuselab (PR_SET_PDEATHSIG), however reuselab
 * ends: SIGKILL included.  When a PID namespace loses its pid 1 the kernel
 * kills every other process in it, so nothing a program forked outlives the
 * run -- as an orphan it would keep the lab's network namespace alive, and
 * the subreaper can only bring orphans back while reuselab lives.
 *
 * Programs (and the processes of as-user and child steps) stay our
 * children, known by the pids we see (fork's value, /proc); what they
 * orphan goes to the reaper instead of to us (probe_adopted_end).  Where
 * the namespace cannot be made (no CAP_SYS_ADMIN, a thread) the run goes
 * on as before, with the subreaper alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/probe/probe_int.h"

#define PF_EXITING 0x00000004 /* of the kernel's task flags (proc(5): stat) */

/* pid 1 of the namespace: reap what comes to it, as long as reuselab lives. */
static void __attribute__((noreturn)) reaper_main(int ready)
{
	/* Nothing of reuselab's (a namespace, a socket, the other pipes of a
	 * step) is held here, not even while reuselab reads that we are up. */
	if ((ready > 0 && close_range(0, (unsigned)ready - 1, 0) < 0) ||
	    close_range((unsigned)ready + 1, ~0U, 0) < 0)
		for (int fd = 0; fd < 4096; fd++) /* before 5.9: one at a time */
			if (fd != ready)
				close(fd);
	/* Our death signal first, then the word that we are up: a parent that
	 * died before the prctl closed the pipe's read end, and we go too. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	(void)prctl(PR_SET_NAME, "reuselab-reaper"); /* for ps, beside reuselab */
	/* A parent that ignores SIGCHLD has the kernel reap its children,
	 * orphans reparented to it included; other signals cannot reach a
	 * namespace's pid 1 without a handler, SIGKILL from reuselab's side
	 * aside. */
	signal(SIGCHLD, SIG_IGN);
	for (;;)
		pause();
}

/* Fork the reaper into the namespace just unshared: 0 or -errno. */
static int reaper_fork(struct probe_reaper *rp)
{
	int ready[2], r = 0;
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	rp->pid = fork();
	if (rp->pid == 0) {
		close(ready[0]);
		reaper_main(ready[1]);
	}
	if (rp->pid < 0)
		r = -errno;
	close(ready[1]);
	while (r == 0) {
		ssize_t n = read(ready[0], &c, 1);

		if (n == 1)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		/* It died before it was up, and its namespace with it. */
		(void)waitpid(rp->pid, NULL, 0);
		r = -ECHILD;
	}
	close(ready[0]);
	if (r < 0)
		rp->pid = 0;
	return r;
}

int probe_reaper_start(struct probe_reaper *rp)
{
	int r;

	if (rp->tried)
		return rp->err;
	rp->tried = true;
	rp->home = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	/* EPERM without CAP_SYS_ADMIN, EINVAL with a thread: the subreaper alone. */
	if (rp->home < 0 || unshare(CLONE_NEWPID) < 0)
		return 0;
	r = reaper_fork(rp);
	/* A namespace that never had its pid 1 would make the next program
	 * pid 1: back to ours, or no fork may go on. */
	if (r < 0 && setns(rp->home, CLONE_NEWPID) < 0)
		rp->err = r;
	return rp->err;
}

bool probe_reaper_lost(const struct probe_reaper *rp, char *why, size_t len)
{
	unsigned flags = 0;

	/* Exiting: it may be a while before it is a zombie, as the kernel
	 * holds a namespace's pid 1 until we reaped our children in it.  Ours
	 * and unreaped, its number is its still. */
	if (rp->pid <= 0 || probe_pid_stat(rp->pid, NULL, NULL, &flags) < 0 ||
	    !(flags & PF_EXITING))
		return false;
	snprintf(why, len,
		 "fork: the run's PID namespace is gone (its pid 1, reuselab's reaper %d, was "
		 "killed): no process can be started in this run",
		 (int)rp->pid);
	return true;
}

void probe_reaper_end(struct probe_reaper *rp)
{
	pid_t w;

	if (rp->pid > 0) {
		kill(rp->pid, SIGKILL);
		/* Its exit waits until every process of the namespace is
		 * reaped, ours too: reap any child until it is the reaper. */
		do
			w = waitpid(-1, NULL, 0);
		while (w != rp->pid && (w > 0 || errno == EINTR));
		rp->pid = 0;
	}
	/* Later forks in our own namespace again (root can go back; a user
	 * namespace's root cannot leave for the host's, and forks no more). */
	if (rp->tried && rp->home >= 0) {
		(void)setns(rp->home, CLONE_NEWPID);
		close(rp->home);
	}
	rp->home = -1;
	rp->tried = false;
	rp->err = 0;
}

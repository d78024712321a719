/* SPDX-License-Identifier: MIT */
/*
 * Which process holds a socket: sock_diag gives each socket's inode, and
 * /proc/PID/fd of a process links to "socket:[INODE]" for each socket it
 * holds.  Only the processes a case started are looked at: our children and
 * the run's reaper's (probe_reaper.c) in a program's process group, and
 * their descendants (found through /proc/PID/task/TID/children), never the
 * rest of the host.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

#define MAX_PIDS   256
#define ADOPTED_MS 5000 /* a process SIGKILLed is gone long before */

struct pidset {
	pid_t v[MAX_PIDS];
	size_t n;
};

static void pidset_add(struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return;
	if (s->n < MAX_PIDS)
		s->v[s->n++] = pid;
}

int probe_pid_stat(pid_t pid, pid_t *ret_ppid, pid_t *ret_pgid, unsigned *ret_flags)
{
	char path[64], buf[512], *p;
	int ppid, pgid;
	unsigned flags;
	ssize_t n;
	char state;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = ns_file_read(path, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 ? (int)n : -ESRCH;
	/* after the command's ')': state ppid pgrp session tty_nr tpgid flags */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d %*d %*d %*d %u", &state, &ppid, &pgid, &flags) != 4)
		return -EINVAL;
	if (ret_ppid)
		*ret_ppid = ppid;
	if (ret_pgid)
		*ret_pgid = pgid;
	if (ret_flags)
		*ret_flags = flags;
	return 0;
}

/* The process group of pid, or -1. */
static pid_t pgid_of(pid_t pid)
{
	pid_t pgid;

	return probe_pid_stat(pid, NULL, &pgid, NULL) == 0 ? pgid : -1;
}

/* Every child of every thread of pid, passed to fn (with only_pgid >= 0,
 * those in that process group only). */
static void children_of(pid_t pid, pid_t only_pgid, struct pidset *out)
{
	char path[64], buf[4096];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children", (int)pid, e->d_name);
		if (ns_file_read(path, buf, sizeof(buf)) < 0)
			continue;
		for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
			pid_t c = (pid_t)atoi(tok);

			if (c > 0 && (only_pgid < 0 || pgid_of(c) == only_pgid))
				pidset_add(out, c);
		}
	}
	closedir(d);
}

/* The socket inodes in /proc/PID/fd, appended to o. */
static size_t sockets_of(pid_t pid, struct owned *o, size_t n, size_t cap)
{
	char path[64], link[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return n;
	while ((e = readdir(d)) && n < cap) {
		ssize_t k = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		unsigned long ino;

		if (k <= 0)
			continue;
		link[k] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) == 1)
			o[n++] = (struct owned){.inode = ino, .pid = pid};
	}
	closedir(d);
	return n;
}

size_t probe_owner_scan(const struct pproc *p, struct owned *o, size_t cap)
{
	struct pidset set = {.n = 0};
	size_t n = 0;

	children_of(getpid(), p->pid, &set);
	if (p->reaper > 0)
		children_of(p->reaper, p->pid, &set);
	for (size_t i = 0; i < set.n; i++) /* grows as descendants are found */
		children_of(set.v[i], -1, &set);
	for (size_t i = 0; i < set.n; i++)
		n = sockets_of(set.v[i], o, n, cap);
	return n;
}

void probe_orphans_end(pid_t reaper)
{
	int status;

	/* A child's number cannot be reused before we reap it, so each is
	 * killed by number; as one dies its own children come back to us (the
	 * subreaper), hence the rounds.  Zombies are among the children, and
	 * are reaped here too. */
	for (int round = 0; round < 1000; round++) {
		struct pidset set = {.n = 0}, ours = {.n = 0};

		children_of(getpid(), -1, &set);
		for (size_t i = 0; i < set.n; i++)
			if (set.v[i] != reaper)
				pidset_add(&ours, set.v[i]);
		if (!ours.n)
			break;
		for (size_t i = 0; i < ours.n; i++)
			kill(ours.v[i], SIGKILL);
		for (size_t i = 0; i < ours.n; i++)
			(void)waitpid(ours.v[i], &status, 0);
	}
	probe_adopted_end(reaper, -1);
}

void probe_adopted_end(pid_t reaper, pid_t pgid)
{
	/* The reaper reaps at once, and a number it reaped may name another
	 * process by now: each is pinned by a pidfd, then checked to be the
	 * reaper's still (a number reused by a new child of the reaper is the
	 * run's too); a pidfd signals only the process it was opened on. */
	for (int round = 0; reaper > 0 && round < 1000; round++) {
		struct pidset set = {.n = 0};

		children_of(reaper, pgid, &set);
		if (!set.n)
			return;
		for (size_t i = 0; i < set.n; i++) {
			int pfd = pidfd_open(set.v[i], 0);
			pid_t ppid = 0, pg = -1;

			if (pfd < 0)
				continue;
			if (probe_pid_stat(set.v[i], &ppid, &pg, NULL) == 0 && ppid == reaper &&
			    (pgid < 0 || pg == pgid) &&
			    pidfd_send_signal(pfd, SIGKILL, NULL, 0) == 0)
				(void)probe_wait_fd(pfd, POLLIN, ADOPTED_MS);
			close(pfd);
		}
	}
}

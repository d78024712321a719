/* SPDX-License-Identifier: MIT */
/*
 * Which process holds a socket: sock_diag gives each socket's inode, and
 * /proc/PID/fd of a process links to "socket:[INODE]" for each socket it
 * holds.  Only the processes a case started are looked at: our children in
 * a program's process group, and their descendants (found through
 * /proc/PID/task/TID/children), never the rest of the host.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

#define MAX_PIDS 256

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

/* The process group of pid from /proc/PID/stat (after the command's ')'),
 * or -1. */
static pid_t pgid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int pgid = -1, ppid;
	char state;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ns_file_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d", &state, &ppid, &pgid) != 3)
		return -1;
	return pgid;
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
	for (size_t i = 0; i < set.n; i++) /* grows as descendants are found */
		children_of(set.v[i], -1, &set);
	for (size_t i = 0; i < set.n; i++)
		n = sockets_of(set.v[i], o, n, cap);
	return n;
}

void probe_orphans_end(void)
{
	int status;

	/* A child's number cannot be reused before we reap it, so each is
	 * killed by number; as one dies its own children come back to us (the
	 * subreaper), hence the rounds. */
	for (int round = 0; round < 1000; round++) {
		struct pidset set = {.n = 0};

		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		children_of(getpid(), -1, &set);
		if (!set.n)
			return;
		for (size_t i = 0; i < set.n; i++)
			kill(set.v[i], SIGKILL);
		for (size_t i = 0; i < set.n; i++)
			(void)waitpid(set.v[i], &status, 0);
	}
}

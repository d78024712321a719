// SPDX-License-Identifier: MIT
/*
 * userns_enter: unshare(CLONE_NEWUSER), then the id maps.  The caller's own
 * ids are written directly (allowed once, for oneself, with setgroups
 * denied).  A subordinate range needs the setuid helpers newuidmap and
 * newgidmap, and those must run outside the new namespace (a setuid file
 * whose owner is not mapped there loses its setuid bit): children forked
 * before the unshare wait on a pipe, then exec them with our pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/netns.h"

#define SUBUID_FILE "/etc/subuid"
#define SUBGID_FILE "/etc/subgid"

/* True when the sysctl file at path holds the number want. */
static bool sysctl_is(const char *path, long want)
{
	long v;

	return ns_file_read_long(path, &v) == 0 && v == want;
}

/* Why an unprivileged user namespace failed with -r, as one line. */
static void explain_refusal(int r, char *err, size_t errlen)
{
	if (sysctl_is("/proc/sys/kernel/unprivileged_userns_clone", 0))
		snprintf(err, errlen,
			 "this host forbids unprivileged user namespaces: sysctl "
			 "kernel.unprivileged_userns_clone=0 (allow them with 'sysctl -w "
			 "kernel.unprivileged_userns_clone=1', or run as root)");
	else if (sysctl_is("/proc/sys/user/max_user_namespaces", 0))
		snprintf(err, errlen,
			 "this host forbids user namespaces: sysctl user.max_user_namespaces=0 "
			 "(allow them with 'sysctl -w user.max_user_namespaces=15000', or run as "
			 "root)");
	else if (sysctl_is("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1))
		snprintf(err, errlen,
			 "AppArmor restricts unprivileged user namespaces: sysctl "
			 "kernel.apparmor_restrict_unprivileged_userns=1 (allow them with 'sysctl -w "
			 "kernel.apparmor_restrict_unprivileged_userns=0' or an AppArmor profile "
			 "granting 'userns,' to reuselab, or run as root)");
	else if (r == -ENOSPC || r == -EUSERS)
		snprintf(err, errlen,
			 "cannot create a user namespace: %s (the limit user.max_user_namespaces "
			 "is reached for this user; raise it with 'sysctl -w "
			 "user.max_user_namespaces=15000', or run as root)",
			 strerror(-r));
	else
		snprintf(err, errlen,
			 "cannot create a user namespace: %s (unprivileged user namespaces are "
			 "not allowed here; run as root)",
			 strerror(-r));
}

int userns_subid_range(const char *path, const char *user, unsigned long uid,
		       unsigned long *ret_start, unsigned long *ret_count)
{
	char line[512], uidtext[24];
	FILE *f = fopen(path, "re");
	int r = -ENOENT;

	if (!f)
		return -errno;
	snprintf(uidtext, sizeof(uidtext), "%lu", uid);
	while (fgets(line, sizeof(line), f)) {
		char *name = line, *start, *count, *end;
		unsigned long s, c;

		start = strchr(name, ':');
		if (!start)
			continue;
		*start++ = '\0';
		count = strchr(start, ':');
		if (!count)
			continue;
		*count++ = '\0';
		if (strcmp(name, uidtext) && (!user || strcmp(name, user)))
			continue;
		errno = 0;
		s = strtoul(start, &end, 10);
		if (errno || end == start || *end)
			continue;
		c = strtoul(count, &end, 10);
		if (errno || end == count || (*end && *end != '\n') || c == 0)
			continue;
		*ret_start = s;
		*ret_count = c;
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

/* A child that waits for the go byte on fd, then runs argv; -1 when no child. */
static pid_t helper_start(int fd, int close_fd, char *const argv[])
{
	pid_t pid = fork();
	char go;

	if (pid != 0)
		return pid;
	close(close_fd);
	/* The parent may die before it says go: never outlive it. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(fd, &go, 1) != 1 || go != 'g')
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

/* 0 when pid exited with 0. */
static int helper_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPERM;
}

struct subid_plan {
	char pid[24], uid[24], gid[24], ustart[24], ucount[24], gstart[24], gcount[24];
	bool have;
};

static void subid_plan_make(struct subid_plan *p)
{
	unsigned long us, uc, gs, gc, uid = getuid(), gid = getgid();
	struct passwd *pw = getpwuid((uid_t)uid);
	const char *user = pw ? pw->pw_name : NULL;

	p->have = userns_subid_range(SUBUID_FILE, user, uid, &us, &uc) == 0 &&
		  userns_subid_range(SUBGID_FILE, user, uid, &gs, &gc) == 0;
	snprintf(p->pid, sizeof(p->pid), "%ld", (long)getpid());
	snprintf(p->uid, sizeof(p->uid), "%lu", uid);
	snprintf(p->gid, sizeof(p->gid), "%lu", gid);
	if (!p->have)
		return;
	snprintf(p->ustart, sizeof(p->ustart), "%lu", us);
	snprintf(p->ucount, sizeof(p->ucount), "%lu", uc);
	snprintf(p->gstart, sizeof(p->gstart), "%lu", gs);
	snprintf(p->gcount, sizeof(p->gcount), "%lu", gc);
}

/* Map just the caller's ids, by hand.  What the helpers mapped is kept. */
static int map_self(bool uid_done, bool gid_done)
{
	char line[64];
	int r = 0;

	if (!gid_done) {
		r = ns_file_write("/proc/self/setgroups", "deny");
		snprintf(line, sizeof(line), "0 %lu 1\n", (unsigned long)getgid());
		if (r == 0)
			r = ns_file_write("/proc/self/gid_map", line);
	}
	if (r == 0 && !uid_done) {
		snprintf(line, sizeof(line), "0 %lu 1\n", (unsigned long)getuid());
		r = ns_file_write("/proc/self/uid_map", line);
	}
	return r;
}

/*
 * unshare with the helpers (when a range is granted) waiting to map us.
 * Sets *uid_done, *gid_done for what they mapped.  0 or unshare's -errno.
 */
static int unshare_mapped(bool use_subids, bool *uid_done, bool *gid_done)
{
	struct subid_plan p = {0};
	pid_t upid = -1, gpid = -1;
	int pipefd[2] = {-1, -1}, r = 0;

	if (use_subids)
		subid_plan_make(&p);
	if (p.have && pipe2(pipefd, O_CLOEXEC) == 0) {
		char *uargv[] = {"newuidmap", p.pid, "0", p.uid, "1", "1", p.ustart, p.ucount, NULL};
		char *gargv[] = {"newgidmap", p.pid, "0", p.gid, "1", "1", p.gstart, p.gcount, NULL};

		fflush(NULL);
		upid = helper_start(pipefd[0], pipefd[1], uargv);
		gpid = helper_start(pipefd[0], pipefd[1], gargv);
	}
	if (unshare(CLONE_NEWUSER) < 0)
		r = -errno;
	if (pipefd[1] >= 0) {
		/* Two go bytes on success; EOF (no byte) tells them to give up. */
		if (r == 0 && write(pipefd[1], "gg", 2) != 2)
			r = -errno;
		close(pipefd[1]);
		close(pipefd[0]);
	}
	*uid_done = upid > 0 && helper_wait(upid) == 0 && r == 0;
	*gid_done = gpid > 0 && helper_wait(gpid) == 0 && r == 0;
	return r;
}

int userns_enter(bool use_subids, bool *ret_subids, char *err, size_t errlen)
{
	bool uid_done = false, gid_done = false;
	int r;

	*ret_subids = false;
	r = unshare_mapped(use_subids, &uid_done, &gid_done);
	if (r < 0) {
		explain_refusal(r, err, errlen);
		return r;
	}
	r = map_self(uid_done, gid_done);
	if (r < 0) {
		snprintf(err, errlen, "cannot map uid %lu to root in a user namespace: %s",
			 (unsigned long)getuid(), strerror(-r));
		return r;
	}
	*ret_subids = uid_done && gid_done;
	/* The ids just mapped: become them, with the namespace's capabilities. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot become root in the user namespace: %s",
			 strerror(-r));
		return r;
	}
	/*
	 * AppArmor's restriction lets the unshare succeed and strips the
	 * capabilities: the first network namespace is where it shows.  This
	 * one is also where the run then lives, away from the host's network.
	 */
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		explain_refusal(r, err, errlen);
		return r;
	}
	return 0;
}

int userns_read_uid_map(struct userns_map *ret)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	struct userns_range x;

	ret->n = 0;
	if (!f)
		return -errno;
	while (ret->n < USERNS_MAX_RANGES &&
	       fscanf(f, "%lu %lu %lu", &x.inside, &x.outside, &x.count) == 3)
		ret->r[ret->n++] = x;
	fclose(f);
	return 0;
}

bool userns_uid_mapped(const struct userns_map *m, unsigned long uid)
{
	for (size_t i = 0; i < m->n; i++)
		if (uid >= m->r[i].inside && uid - m->r[i].inside < m->r[i].count)
			return true;
	return false;
}

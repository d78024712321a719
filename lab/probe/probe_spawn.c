/* SPDX-License-Identifier: MIT */
/*
 * A real program's process for the `start` family of steps: forked, put in
 * a process group of its own and in the node's network namespace, its
 * identity dropped, execve'd with an argv (no shell), its stdout and stderr
 * in sealed memfds (bounded: a program cannot fill memory), its exit seen
 * through a pidfd.  It dies with reuselab (PR_SET_PDEATHSIG).  Where the
 * run's PID namespace could be made (probe_reaper.c) the program is forked
 * into it, and what it forks and leaves behind goes to the namespace's pid
 * 1, the reaper, which dies with reuselab too, taking every process of the
 * namespace with it: even a SIGKILL of reuselab leaves nothing behind.
 * Else reuselab is a child subreaper, and what the program leaves comes
 * back to us.  Either way it is killed with its group when its case ends:
 * nothing a case started outlives the case.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"
#include "libexecdir.h"

/* What the child sends back when it cannot exec: where, and errno. */
struct spawn_fail {
	int setup; /* 1: before execve (setns, identity); 0: execve itself */
	int err;
	char call[16];
};

/* dir/prog into path when that is an executable regular file. */
static bool try_dir(const char *dir, size_t dlen, const char *prog, char *path, size_t len)
{
	struct stat sb;

	if (!dlen || dir[0] != '/' ||
	    (size_t)snprintf(path, len, "%.*s/%s", (int)dlen, dir, prog) >= len)
		return false;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

int probe_program_path(const char *prog, char *path, size_t len)
{
	char exe[PATH_MAX];
	const char *dirs, *p;
	ssize_t n;

	if (prog[0] == '/')
		return (size_t)snprintf(path, len, "%s", prog) < len ? 0 : -ENAMETOOLONG;
	/* reuselab's own programs: beside the binary (a build tree), then the
	 * installed libexec directory; then PATH's absolute directories. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		p = strrchr(exe, '/');
		if (p && try_dir(exe, (size_t)(p - exe), prog, path, len))
			return 0;
	}
	if (try_dir(REUSELAB_LIBEXECDIR, strlen(REUSELAB_LIBEXECDIR), prog, path, len))
		return 0;
	dirs = getenv("PATH");
	for (p = dirs && *dirs ? dirs : PROBE_DEFAULT_PATH;; p++) {
		size_t dl = strcspn(p, ":");

		if (try_dir(p, dl, prog, path, len))
			return 0;
		p += dl;
		if (!*p)
			break;
	}
	return -ENOENT;
}

static void __attribute__((noreturn)) child_fail(int report, int setup, const char *call)
{
	struct spawn_fail f = {.setup = setup, .err = errno};

	snprintf(f.call, sizeof(f.call), "%s", call);
	(void)!write(report, &f, sizeof(f));
	_exit(127);
}

struct spawn_args {
	const char *path;
	int nsfd, out, err, report;
	char *const *argv, *const *env;
	long uid, gid;
	pid_t parent;
	bool own_pidns; /* forked into the run's PID namespace (probe_reaper.c) */
};

static void __attribute__((noreturn)) spawn_child(const struct spawn_args *a)
{
	sigset_t none;
	int null;

	/* Blocked signals and ignored ones survive execve: start clean. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	setpgid(0, 0);
	/* The parent died before the prctl when it is not the one we had. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != a->parent)
		child_fail(a->report, 1, "prctl");
	if (setns(a->nsfd, CLONE_NEWNET) < 0)
		child_fail(a->report, 1, "setns");
	/*
	 * The node's /sys, as ip netns exec gives, and in the run's PID
	 * namespace a /proc of its own: the host's numbers processes as the
	 * host does, not as getpid() does here (LeakSanitizer, for one, reads
	 * /proc/<getpid()>/task).  Where that cannot be done the program runs
	 * with the host's.
	 */
	(void)ns_own_mounts(a->own_pidns ? NS_OWN_PROC : 0);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(a->out, 1) < 0 || dup2(a->err, 2) < 0 ||
	    chdir("/") < 0)
		child_fail(a->report, 1, "stdio");
	/* The program is that user: no groups, its gid, its uid (as `child ... uid`). */
	if (a->uid >= 0 && (errno = -probe_become_user(a->uid, a->gid)) != 0)
		child_fail(a->report, 1, "setuid");
	/* Nothing of reuselab's (namespaces, sockets, netlink) reaches it;
	 * before 5.11 (no CLOSE_RANGE_CLOEXEC) one descriptor at a time. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 4096; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	execve(a->path, a->argv, a->env);
	child_fail(a->report, 0, "execve");
}

/* A memfd for one output stream: a fixed size, sealed, so that writes past
 * REPORT_OUTPUT_MAX plus a page fail instead of filling memory. */
static int output_fd(void)
{
	int fd = memfd_create("reuselab-output", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, REPORT_OUTPUT_MAX + 4096) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The child's report: 0 it exec'd (EOF), 1 with *f filled. */
static int child_report(int fd, struct spawn_fail *f)
{
	ssize_t n;

	do
		n = read(fd, f, sizeof(*f));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*f) ? 1 : 0;
}

/* After fork: the exec's outcome.  0 with *ret_err, or -errno (R->why). */
static int spawn_settle(struct run *R, struct pproc *p, int report, int *ret_err)
{
	struct spawn_fail f;
	int status;

	setpgid(p->pid, p->pid); /* also here: no race with a signal to the group */
	p->pidfd = pidfd_open(p->pid, 0);
	if (!child_report(report, &f) && p->pidfd >= 0) {
		*ret_err = 0;
		return 0;
	}
	if (p->pidfd < 0)
		f = (struct spawn_fail){.setup = 1, .err = errno, .call = "pidfd_open"};
	kill(p->pid, SIGKILL);
	(void)waitpid(p->pid, &status, 0);
	if (f.setup) {
		snprintf(R->why, sizeof(R->why), "start: %s: %s", f.call, strerror(f.err));
		return -f.err;
	}
	*ret_err = f.err;
	return 0;
}

int probe_spawn(struct run *R, int nsfd, const char *path, char *const argv[], char *const env[],
		long uid, long gid, struct pproc *p, int *ret_err)
{
	struct spawn_args a = {.path = path, .nsfd = nsfd, .argv = argv, .env = env, .uid = uid, .gid = gid,
			       .out = -1, .err = -1};
	const char *call = "prctl(PR_SET_CHILD_SUBREAPER)";
	int rep[2] = {-1, -1}, r = 0;

	*ret_err = 0;
	p->pidfd = p->out_fd = p->err_fd = -1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		r = -errno;
	if (r == 0) {
		call = "the run's PID namespace";
		r = probe_reaper_start(&R->reaper);
		/* From inside the namespace, a parent outside it is pid 0. */
		a.parent = R->reaper.pid > 0 ? 0 : getpid();
		a.own_pidns = R->reaper.pid > 0;
		p->reaper = R->reaper.pid;
	}
	if (r == 0 && (call = "pipe2", pipe2(rep, O_CLOEXEC) < 0))
		r = -errno;
	if (r == 0) {
		call = "the output buffers";
		a.out = p->out_fd = output_fd();
		a.err = p->err_fd = output_fd();
		a.report = rep[1];
		r = p->out_fd < 0 ? p->out_fd : p->err_fd < 0 ? p->err_fd : 0;
	}
	if (r == 0) {
		call = "fork";
		fflush(NULL);
		p->pid = fork();
		r = p->pid < 0 ? -errno : 0;
		R->forks += r == 0;
	}
	if (r < 0) {
		snprintf(R->why, sizeof(R->why), "start %s: %s: %s", path, call, strerror(-r));
		goto out;
	}
	if (p->pid == 0)
		spawn_child(&a);
	close(rep[1]);
	rep[1] = -1;
	r = spawn_settle(R, p, rep[0], ret_err);
out:
	if (rep[0] >= 0)
		close(rep[0]);
	if (rep[1] >= 0)
		close(rep[1]);
	return r;
}

/* Reap p when its pidfd says it exited: 1, else 0. */
static int reap_if_done(struct pproc *p, bool block)
{
	if (p->reaped)
		return 1;
	if (waitpid(p->pid, &p->status, block ? 0 : WNOHANG) != p->pid)
		return 0;
	p->reaped = true;
	return 1;
}

int probe_spawn_wait(struct pproc *p, int ms)
{
	struct pollfd fds[2] = {{.fd = p->pidfd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
	long end = monotonic_ms() + ms;
	sigset_t stop;
	int r = 0;

	if (p->reaped)
		return 1;
	sigstop_set(&stop);
	fds[1].fd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	for (;;) {
		long left = end - monotonic_ms();

		r = poll(fds, 2, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			r = -errno;
		else if (fds[0].revents)
			r = reap_if_done(p, true);
		else if (fds[1].revents)
			r = -EINTR;
		break;
	}
	if (fds[1].fd >= 0)
		close(fds[1].fd);
	return r;
}

/* Kill and reap what is left of process group pgid among our children (the
 * subreaper brings orphans back to us), only while some child is still in
 * the group: the number cannot have been reused then; and kill what the
 * reaper adopted of it. */
static void group_drain(pid_t pgid, pid_t reaper)
{
	int status;

	for (int rounds = 0; rounds < 1000; rounds++) {
		pid_t r = waitpid(-pgid, &status, WNOHANG);

		if (r > 0)
			continue;
		if (r < 0)
			break; /* ECHILD: none left */
		kill(-pgid, SIGKILL);
		(void)waitpid(-pgid, &status, 0);
	}
	probe_adopted_end(reaper, pgid);
}

int probe_spawn_end(struct pproc *p, int sig, int grace_ms)
{
	struct pollfd pf = {.fd = p->pidfd, .events = POLLIN};

	if (!p->reaped) {
		kill(-p->pid, sig); /* the leader is unreaped: the group is still ours */
		if (sig != SIGKILL && poll(&pf, 1, grace_ms) <= 0)
			kill(-p->pid, SIGKILL);
		if (!reap_if_done(p, true))
			return -ECHILD;
	}
	group_drain(p->pid, p->reaper);
	return 0;
}

long probe_spawn_status_value(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *probe_spawn_output(int fd, bool *ret_cut)
{
	unsigned char raw[REPORT_OUTPUT_MAX];
	off_t off = fd >= 0 ? lseek(fd, 0, SEEK_CUR) : 0;
	ssize_t n = 0;
	size_t o = 0;
	char *text;

	*ret_cut = off > REPORT_OUTPUT_MAX;
	if (off > 0)
		n = pread(fd, raw, off < REPORT_OUTPUT_MAX ? (size_t)off : sizeof(raw), 0);
	if (n < 0)
		n = 0;
	text = malloc((size_t)n + 1);
	if (!text)
		return NULL;
	for (size_t i = 0; i < (size_t)n;) {
		size_t k = utf8_char_len(raw + i, (size_t)n - i);

		if (k == 0) { /* a NUL or a byte that is not UTF-8: shown as '?' */
			text[o++] = '?';
			i++;
			continue;
		}
		memcpy(text + o, raw + i, k);
		o += k;
		i += k;
	}
	text[o] = '\0';
	return text;
}



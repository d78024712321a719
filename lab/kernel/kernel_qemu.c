/* SPDX-License-Identifier: MIT */
/*
 * One QEMU guest: spawned with an argv (no shell), tied to our life with
 * PR_SET_PDEATHSIG, its console on the log file, the report channel (the
 * guest's ttyS1) on its stdout, a pipe we poll with a deadline.  A stop
 * signal (blocked, read through a signalfd) or the deadline kills it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"
#include "lab/util/util.h"

#define QEMU "qemu-system-x86_64"

/* Child side: never returns. errfd gets errno when exec fails. */
static void exec_qemu(char **argv, const int fds[3], int errfd, pid_t parent)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int e;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* the parent died before prctl */
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* 0 /dev/null, 1 the channel, 2 the log, 3 the initramfs (/dev/fd/3). */
	if (null < 0 || dup2(null, 0) < 0 || dup2(fds[0], 1) < 0 || dup2(fds[1], 2) < 0)
		goto fail;
	if (fds[2] == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(fds[2], 3) < 0)
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static int spawn(char **argv, int log, int initrd, pid_t *ret_pid, int *ret_chan)
{
	int chan[2] = { -1, -1 }, err[2] = { -1, -1 }, e = 0, r = 0;
	pid_t pid, self = getpid();
	ssize_t n;

	if (pipe2(chan, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0)
		exec_qemu(argv, (const int[3]){ chan[1], log, initrd }, err[1], self);
	close(err[1]);
	err[1] = -1;
	do
		n = read(err[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) { /* exec failed: reap and say why */
		waitpid(pid, NULL, 0);
		r = -e;
		goto out;
	}
	*ret_pid = pid;
	*ret_chan = chan[0];
	chan[0] = -1;
out:
	for (int i = 0; i < 2; i++) {
		if (chan[i] >= 0)
			close(chan[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	return r;
}

static int append(struct kernel_guest_io *io, const char *p, size_t n)
{
	char *nb;

	if (io->len + n + 1 > io->cap) {
		size_t cap = (io->len + n + 1) * 2;

		if (cap > (64u << 20))
			return -EFBIG;
		nb = realloc(io->buf, cap);
		if (!nb)
			return -ENOMEM;
		io->buf = nb;
		io->cap = cap;
	}
	memcpy(io->buf + io->len, p, n);
	io->len += n;
	io->buf[io->len] = '\0';
	return 0;
}

/* Reads the channel until EOF (QEMU exited), the deadline, the boot
 * deadline without a "booted" line, or a stop signal. */
static int collect(int chan, int sfd, struct kernel_guest_io *io, long deadline, long boot_by)
{
	struct pollfd p[2] = { { .fd = chan, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	struct signalfd_siginfo si;
	char buf[65536];
	ssize_t n;
	long left;

	for (;;) {
		if (!io->booted && memmem(io->buf ? io->buf : "", io->len, KERNEL_CHAN_MAGIC " booted",
					  strlen(KERNEL_CHAN_MAGIC) + 7))
			io->booted = 1;
		left = (io->booted || !boot_by ? deadline : boot_by) - monotonic_ms();
		if (left <= 0)
			return io->booted ? -ETIMEDOUT : -EHOSTDOWN;
		if (poll(p, 2, (int)(left > 1000000 ? 1000000 : left)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents & POLLIN && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			io->signo = (int)si.ssi_signo;
			return -EINTR;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(chan, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		if (append(io, buf, (size_t)n) < 0)
			return -EFBIG;
	}
}

int kernel_qemu_run(char **argv, int log, int initrd, int timeout_s, int boot_s, struct kernel_guest_io *io)
{
	sigset_t stop, old;
	int chan = -1, sfd = -1, r, status;
	pid_t pid = -1;
	long start = monotonic_ms();

	sigstop_set(&stop);
	sigprocmask(SIG_BLOCK, &stop, &old);
	sfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		r = -errno;
		goto out;
	}
	r = spawn(argv, log, initrd, &pid, &chan);
	if (r < 0) {
		io->exec_failed = 1;
		goto out;
	}
	r = collect(chan, sfd, io, start + timeout_s * 1000L, boot_s ? start + boot_s * 1000L : 0);
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
out:
	if (chan >= 0)
		close(chan);
	if (sfd >= 0)
		close(sfd);
	/* A stop signal we consumed stays ours to report; the rest are restored. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

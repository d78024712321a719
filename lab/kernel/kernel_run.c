/* SPDX-License-Identifier: MIT */
/*
 * run --kernel: the initramfs and the console log are O_TMPFILE files that
 * QEMU opens through /dev/fd, so nothing is left on disk whatever happens
 * to us (SIGKILL included); the log gets a name only when the user asked
 * for one (--kernel-log) or the guest failed and the user needs to read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"

#define KVM_BOOT_S 3 /* a KVM guest reaches /init in well under a second */

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && t[0] == '/' ? t : "/tmp";
}

static int kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	close(fd);
	return ok;
}

/*
 * --kernel-log FILE: ours, or a regular file of our own emptied, never a
 * FIFO (which would stall the guest) nor another user's file planted where
 * we were told to write (which we would fill while it stays theirs).
 */
static int log_file_problem(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	return st->st_uid == geteuid() ? 0 : -EPERM;
}

static int log_refused(const char *path, int r, char why[KERNEL_WHY_MAX])
{
	snprintf(why, KERNEL_WHY_MAX, "--kernel-log %.160s: %.160s", path,
		 r == -EINVAL  ? "not a regular file"
		 : r == -EPERM ? "another user's file; not written"
			       : strerror(-r));
	return r;
}

int kernel_log_check(const char *path, char why[KERNEL_WHY_MAX])
{
	struct stat st;
	int r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : log_refused(path, -errno, why);
	r = log_file_problem(&st);
	return r < 0 ? log_refused(path, r, why) : 0;
}

static int open_named_log(const char *path, char why[KERNEL_WHY_MAX])
{
	int fd =
	    open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;
	int r;

	if (fd < 0)
		return log_refused(path, -errno, why);
	r = fstat(fd, &st) < 0 ? -errno : log_file_problem(&st);
	if (r == 0 && (ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFL, O_APPEND) < 0))
		r = -errno;
	if (r == 0)
		return fd;
	close(fd);
	return log_refused(path, r, why);
}

static int open_log(const struct kernel_job *job, char why[KERNEL_WHY_MAX])
{
	int fd;

	if (job->log_path)
		return open_named_log(job->log_path, why);
	fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		snprintf(why, KERNEL_WHY_MAX, "%.160s: %.160s", tmp_dir(), strerror(errno));
	return fd < 0 ? -errno : fd;
}

/* Gives the anonymous log a name so the user can read why the guest failed. */
static void keep_log(const struct kernel_job *job, int log, struct kernel_result *ret)
{
	char proc[64];

	if (job->log_path) {
		snprintf(ret->log, sizeof(ret->log), "%s", job->log_path);
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", log);
	snprintf(ret->log, sizeof(ret->log), "%s/reuselab-guest-%s-%d.log", tmp_dir(),
		 job->kernel->release, (int)getpid());
	if (linkat(AT_FDCWD, proc, AT_FDCWD, ret->log, AT_SYMLINK_FOLLOW) < 0)
		snprintf(ret->log, sizeof(ret->log), "(not kept: %s)", strerror(errno));
}

static int boot(const struct kernel_job *job, const char *accel, int log, int initrd,
		struct kernel_guest_io *io)
{
	char cmdline[1024];
	char *argv[] = {
		"qemu-system-x86_64", "-nodefaults", "-no-user-config", "-machine", "pc",
		"-accel", (char *)accel, "-m", "512", "-smp", "1", "-display", "none",
		"-monitor", "none", "-no-reboot", "-kernel", (char *)job->kernel->vmlinuz,
		"-initrd", "/dev/fd/3", "-append",
		cmdline,
		"-chardev", "file,id=con,path=/dev/fd/2,append=on", "-serial", "chardev:con",
		"-chardev", "stdio,id=chan,signal=off", "-serial", "chardev:chan", NULL
	};
	int boot_s = strcmp(accel, "kvm") || job->accel ? 0 : KVM_BOOT_S;

	/* panic=-1 with -no-reboot: a panicking guest ends QEMU at once. */
	if (snprintf(cmdline, sizeof(cmdline), "console=ttyS0 panic=-1 rdinit=/init loglevel=4 %s -- %s",
		     job->append ? job->append : "", KERNEL_GUEST_ARG) >= (int)sizeof(cmdline))
		return -E2BIG;

	free(io->buf);
	memset(io, 0, sizeof(*io));
	return kernel_qemu_run(argv, log, initrd, job->timeout_s, boot_s, io);
}

static int take(const struct kernel_frame *f, struct kernel_result *ret)
{
	char **dst[3] = { &ret->out, &ret->err, &ret->junit };
	size_t *len[3] = { &ret->out_len, &ret->err_len, &ret->junit_len };

	ret->exit_status = f->exit_status;
	snprintf(ret->release, sizeof(ret->release), "%s", f->release);
	for (int i = 0; i < 3; i++) {
		if (i == 2 && !f->len[i])
			continue;
		*dst[i] = malloc(f->len[i] + 1);
		if (!*dst[i])
			return -ENOMEM;
		memcpy(*dst[i], f->part[i], f->len[i]);
		(*dst[i])[f->len[i]] = '\0';
		*len[i] = f->len[i];
	}
	return 0;
}

/* Why the guest gave no report, in one line (the panic's own words when there are some). */
static void explain(int r, const struct kernel_job *job, int log, const struct kernel_result *ret,
		    char why[KERNEL_WHY_MAX])
{
	off_t size = lseek(log, 0, SEEK_END);
	char *text = NULL, *p;

	/* the log's tail holds the panic line; 64 KiB is plenty */
	if (r == -EPROTO && size > 0 && (text = calloc(1, 65537))) {
		off_t from = size > 65536 ? size - 65536 : 0;

		if (pread(log, text, (size_t)(size - from), from) < 0)
			text[0] = '\0';
	}
	if (text && (p = strstr(text, "Kernel panic - not syncing: "))) {
		p[strcspn(p, "\r\n")] = '\0';
		snprintf(why, KERNEL_WHY_MAX, "kernel %.160s: guest panicked (%.160s); console log: %.160s",
			 job->kernel->release, p, ret->log);
	} else if (r == -ETIMEDOUT || r == -EHOSTDOWN) {
		snprintf(why, KERNEL_WHY_MAX, "kernel %.160s: guest did not finish within %d s; killed; "
			 "console log: %.300s", job->kernel->release, job->timeout_s, ret->log);
	} else {
		snprintf(why, KERNEL_WHY_MAX, "kernel %.160s: guest ended without a report (%.160s); "
			 "console log: %.300s", job->kernel->release, strerror(-r), ret->log);
	}
	free(text);
}

int kernel_run(const struct kernel_job *job, struct kernel_result *ret, char why[KERNEL_WHY_MAX])
{
	struct kernel_guest_io io = { 0 };
	struct kernel_frame f;
	const char *accel = job->accel;
	int initrd = -1, log = -1, r;

	memset(ret, 0, sizeof(*ret));
	initrd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (initrd < 0) {
		r = -errno;
		snprintf(why, KERNEL_WHY_MAX, "%.160s: temporary initramfs: %.160s", tmp_dir(), strerror(-r));
		goto out;
	}
	r = kernel_initramfs_write(initrd, job, why);
	if (r < 0)
		goto out;
	log = open_log(job, why);
	if (log < 0) {
		r = log;
		goto out;
	}
	if (!accel)
		accel = kvm_usable() ? "kvm" : "tcg";
	r = boot(job, accel, log, initrd, &io);
	if (r == -EHOSTDOWN && !job->accel && !strcmp(accel, "kvm")) {
		ret->kvm_fell_back = 1;
		accel = "tcg";
		r = boot(job, accel, log, initrd, &io);
	}
	snprintf(ret->accel, sizeof(ret->accel), "%s", accel);
	ret->signo = io.signo;
	if (r == 0 && (r = kernel_chan_parse(io.buf ? io.buf : "", io.len, &f)) == 0)
		r = take(&f, ret);
	if (r == -EINTR) {
		snprintf(why, KERNEL_WHY_MAX, "interrupted by signal %d", io.signo);
	} else if (r < 0 && io.exec_failed) {
		snprintf(why, KERNEL_WHY_MAX, "qemu-system-x86_64: %.160s (run 'make deps-kernels')",
			 strerror(-r));
	} else if (r < 0 && r != -ENOMEM) {
		keep_log(job, log, ret);
		explain(r, job, log, ret, why);
	}
out:
	free(io.buf);
	if (initrd >= 0)
		close(initrd);
	if (log >= 0)
		close(log);
	if (r < 0)
		kernel_result_free(ret);
	return r;
}

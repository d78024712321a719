/* SPDX-License-Identifier: MIT */
/* Inside lab/kernel: the initramfs's layout, shared by the host that writes
 * it and the guest that reads it. */
#ifndef REUSELAB_KERNEL_INT_H
#define REUSELAB_KERNEL_INT_H

#include <stddef.h>

#define KERNEL_GUEST_ARG     "--reuselab-guest"  /* kernel cmdline after "--" */
#define KERNEL_GUEST_TOPO    "/guest/lab.yml"
#define KERNEL_GUEST_ARGS    "/guest/args"       /* NUL-separated options for run */
#define KERNEL_GUEST_MODULES "/guest/modules"    /* .ko paths, one a line, load order */
#define KERNEL_GUEST_CHAN    "/dev/ttyS1"
#define KERNEL_GUEST_OUT     "/tmp/out"
#define KERNEL_GUEST_ERR     "/tmp/err"
#define KERNEL_GUEST_JUNIT   "/tmp/junit.xml"
#define EXIT_SYSTEM_GUEST    3

/* Whole file into a NUL-terminated buffer (up to 64 MiB). 0 or -errno. */
int kernel_read_file(const char *path, char **ret, size_t *ret_len);

struct kernel_job;
/* Writes the initramfs for job into fd (an O_TMPFILE). 0 or -errno + why. */
int kernel_initramfs_write(int fd, const struct kernel_job *job, char why[1024]);

/* What one QEMU run brought back on the report channel. */
struct kernel_guest_io {
	char *buf;
	size_t len, cap;
	int booted;      /* the guest's /init said so */
	int signo;       /* the stop signal that ended the wait, with -EINTR */
	int exec_failed; /* QEMU itself could not be started */
};

/*
 * Runs argv (QEMU), stderr on log, initrd as fd 3, stdout collected into io until QEMU
 * exits.  -ETIMEDOUT past timeout_s, -EHOSTDOWN when boot_s > 0 passed
 * without the guest's "booted" line, -EINTR on SIGINT/SIGTERM/SIGHUP
 * (io->signo); QEMU is killed and reaped on every path.
 */
int kernel_qemu_run(char **argv, int log, int initrd, int timeout_s, int boot_s, struct kernel_guest_io *io);

#endif

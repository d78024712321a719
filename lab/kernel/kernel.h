/* SPDX-License-Identifier: MIT */
/*
 * Other kernels under QEMU: find a bootable kernel, assemble an initramfs
 * (cpio newc written here) with the kernel's own modules, this binary and
 * its libraries and the topology, boot it, and bring back what the guest's
 * `reuselab run` wrote over a second serial port.  Plain C only.
 *
 * Errors: 0 or a negative errno; where the cause needs words, the function
 * fills `why` (one line, no trailing newline) for the command to print.
 */
#ifndef REUSELAB_KERNEL_H
#define REUSELAB_KERNEL_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define KERNEL_CACHE_DEFAULT "/var/cache/reuselab/kernels"
#define KERNEL_WHY_MAX       1024

struct kernel_info {
	char release[128];
	char vmlinuz[PATH_MAX];
	char modules[PATH_MAX]; /* .../lib/modules/RELEASE, "" when none was found */
};

/* Bootable kernels under `cache` (CACHE/REL/boot/vmlinuz-REL) and /boot,
 * sorted by release.  A missing cache is no error (zero kernels). -ENOMEM. */
int kernel_list(const char *cache, struct kernel_info **ret, size_t *ret_n);

/*
 * K as the user gave it: a release that kernel_list() knows, or a path to a
 * vmlinuz whose modules are `modules` when given, else found beside it
 * (DIR/../lib/modules/REL or /lib/modules/REL; REL from the file name
 * vmlinuz-REL).  -ENOENT (why says what is missing).
 */
int kernel_resolve(const char *spec, const char *modules, const char *cache,
		   struct kernel_info *ret, char why[KERNEL_WHY_MAX]);

/* Modules every lab needs: veth, bridge, the sock_diag families. */
extern const char *const kernel_lab_modules[];

/*
 * The .ko files (paths relative to moddir) to load, in order, for `names`:
 * dependencies first, each once; a name in modules.builtin needs none.
 * -ENOENT when moddir has no modules.dep or a name is neither a module nor
 * built in (why names it).  Free with kernel_strv_free.
 */
int kernel_modules_order(const char *moddir, const char *const *names, char ***ret,
			 size_t *ret_n, char why[KERNEL_WHY_MAX]);
void kernel_strv_free(char **v, size_t n);

/* cpio "newc" writer (the format the kernel unpacks as initramfs). */
struct cpio {
	FILE *out;
	unsigned ino;
	int err; /* first write error, as -errno */
};
void cpio_init(struct cpio *c, FILE *out);
int cpio_add_dir(struct cpio *c, const char *name, unsigned mode);
int cpio_add_data(struct cpio *c, const char *name, unsigned mode, const void *data,
		  size_t len);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target);
/* Copies a host file's bytes; mode is the archive's, not the source's. */
int cpio_add_file(struct cpio *c, const char *name, unsigned mode, const char *src);
/* Writes the TRAILER!!! entry and pads to 512 bytes; returns c->err or 0. */
int cpio_finish(struct cpio *c);

/* What the guest is asked to do and what it gives back. */
struct kernel_job {
	const struct kernel_info *kernel;
	const char *topology;   /* the host's topology file */
	char **argv;            /* options for the guest's `reuselab run` */
	int argc;
	const char *accel;      /* "kvm", "tcg" or NULL (kvm if it boots, else tcg) */
	const char *log_path;   /* guest console; NULL: a file in the temp dir, kept on failure */
	const char *append;     /* more kernel parameters, or NULL */
	int timeout_s;          /* whole run, boot included */
};

struct kernel_result {
	int exit_status;        /* the guest's `reuselab run` exit status */
	char *out;              /* its stdout */
	size_t out_len;
	char *err;              /* its stderr */
	size_t err_len;
	char *junit;            /* the --junit file it wrote, NULL when none */
	size_t junit_len;
	char release[128];
	char log[PATH_MAX];     /* where the console log is */
	char accel[8];          /* what booted: "kvm" or "tcg" */
	int kvm_fell_back;      /* KVM was tried and did not boot in time */
	int signo;              /* with -EINTR: the signal */
};
void kernel_result_free(struct kernel_result *r);

/*
 * Boot job->kernel and run the job; 0 with *ret filled when the guest
 * reported (whatever its exit status), else -errno with why: -ETIMEDOUT
 * (guest killed), -EPROTO (guest ended without a report: panic, bad init),
 * -ENOENT (a module, the kernel), -EINTR (SIGINT/SIGTERM; QEMU killed).
 */
/*
 * --kernel-log FILE before anything runs: absent, or a regular file of this
 * user's (kernel_run empties it).  0, or -errno with why (one line).
 */
int kernel_log_check(const char *path, char why[KERNEL_WHY_MAX]);
int kernel_run(const struct kernel_job *job, struct kernel_result *ret,
	       char why[KERNEL_WHY_MAX]);

/* The guest side: true when this process is the initramfs's /init. */
int kernel_is_guest(int argc, char **argv);
/* Runs the guest's job and powers off; returns only on failure to power off. */
int kernel_guest_main(void);

/* Report channel frames (host and guest share the format). */
#define KERNEL_CHAN_MAGIC "reuselab-guest/1"
struct kernel_frame {
	int exit_status;
	char release[128];
	const char *part[3]; /* stdout, stderr, junit */
	size_t len[3];
};
/* Writes a frame to fd: "MAGIC exit N release R lens A B C\n" + parts + "MAGIC end\n". */
int kernel_chan_write(int fd, const struct kernel_frame *f);
/* Finds the last complete frame in buf; pointers into buf.  -EPROTO if none. */
int kernel_chan_parse(const char *buf, size_t len, struct kernel_frame *ret);

#endif

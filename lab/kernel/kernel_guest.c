/* SPDX-License-Identifier: MIT */
/*
 * PID 1 inside the guest (the initramfs's /init is this binary): mount the
 * pseudo filesystems, load the modules the host listed, run
 * `reuselab run /guest/lab.yml ARGS`, send its output and exit status over
 * /dev/ttyS1 (the console is ttyS0, so no kernel message can mix in) and
 * power off.  Every failure still ends in a frame or a power-off, so the
 * host never waits for a guest that gave up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

int kernel_is_guest(int argc, char **argv)
{
	return getpid() == 1 && argc == 2 && !strcmp(argv[1], KERNEL_GUEST_ARG);
}

static void mount_all(void)
{
	static const struct { const char *type, *dir; } m[] = {
		{ "proc", "/proc" }, { "sysfs", "/sys" }, { "devtmpfs", "/dev" },
		{ "tmpfs", "/run" },
	};
	int fd;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (mount(m[i].type, m[i].dir, m[i].type, MS_NOSUID, NULL) < 0)
			fprintf(stderr, "reuselab: guest: mount %s: %s\n", m[i].dir, strerror(errno));
	/* /tmp stays on the initramfs (no tmpfs over it) so a topology from
	 * the host's /tmp sits at its own path; it only needs to be /tmp. */
	if (chmod("/tmp", 01777) < 0)
		fprintf(stderr, "reuselab: guest: chmod /tmp: %s\n", strerror(errno));
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* Appends one line to the stderr the host will print (the guest's own errors). */
static void note(const char *what, const char *path, int err)
{
	FILE *f = fopen(KERNEL_GUEST_ERR, "ae");

	fprintf(stderr, "reuselab: guest: %s %s: %s\n", what, path, strerror(err));
	if (f) {
		fprintf(f, "reuselab: guest: %s %s: %s\n", what, path, strerror(err));
		fclose(f);
	}
}

static int load_modules(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(KERNEL_GUEST_MODULES, "re");
	int fd, r = 0;

	if (!f)
		return 0;
	while (r == 0 && (len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "",
				       strstr(line, ".ko.") ? MODULE_INIT_COMPRESSED_FILE : 0) < 0 &&
			       errno != EEXIST)) {
			r = -errno;
			note("loading", line, errno);
		}
		if (fd >= 0)
			close(fd);
	}
	free(line);
	fclose(f);
	return r;
}

/* argv for the child: "reuselab", "run", then /guest/args (NUL-separated:
 * the topology's path, then the options). */
static char **job_argv(char *buf, size_t len)
{
	size_t n = 2;
	char **v;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	v[0] = "reuselab";
	v[1] = "run";
	n = 2;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		v[n++] = buf + i;
	return v;
}

static int run_job(void)
{
	char *args = NULL, **argv = NULL;
	size_t args_len = 0;
	int status, out, err;
	pid_t pid;

	if (kernel_read_file(KERNEL_GUEST_ARGS, &args, &args_len) < 0 ||
	    !(argv = job_argv(args, args_len))) {
		note("reading", KERNEL_GUEST_ARGS, EIO);
		free(args);
		return EXIT_SYSTEM_GUEST;
	}
	pid = fork();
	if (pid == 0) {
		out = open(KERNEL_GUEST_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		err = open(KERNEL_GUEST_ERR, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(EXIT_SYSTEM_GUEST);
		execv("/bin/reuselab", argv);
		_exit(EXIT_SYSTEM_GUEST);
	}
	free(argv);
	free(args);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return EXIT_SYSTEM_GUEST;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int open_channel(void)
{
	struct termios t;
	int fd = open(KERNEL_GUEST_CHAN, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	/* Raw: no "\n" -> "\r\n", the bytes arrive as written. */
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

static void send_frame(int chan, int status)
{
	struct kernel_frame f = { .exit_status = status };
	static const char *const files[3] = { KERNEL_GUEST_OUT, KERNEL_GUEST_ERR,
					       KERNEL_GUEST_JUNIT };
	char *buf[3] = { NULL, NULL, NULL };
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(f.release, sizeof(f.release), "%s", u.release);
	for (int i = 0; i < 3; i++) {
		if (kernel_read_file(files[i], &buf[i], &f.len[i]) < 0)
			f.len[i] = 0;
		f.part[i] = buf[i] ? buf[i] : "";
	}
	if (kernel_chan_write(chan, &f) < 0)
		fprintf(stderr, "reuselab: guest: writing the report: %s\n", strerror(errno));
	tcdrain(chan);
	for (int i = 0; i < 3; i++)
		free(buf[i]);
}

int kernel_guest_main(void)
{
	int chan, status;

	mount_all();
	chan = open_channel();
	if (chan < 0) {
		fprintf(stderr, "reuselab: guest: %s: %s\n", KERNEL_GUEST_CHAN, strerror(-chan));
	} else {
		if (write(chan, KERNEL_CHAN_MAGIC " booted\n", strlen(KERNEL_CHAN_MAGIC) + 8) < 0)
			fprintf(stderr, "reuselab: guest: channel: %s\n", strerror(errno));
		status = load_modules() < 0 ? EXIT_SYSTEM_GUEST : run_job();
		send_frame(chan, status);
		close(chan);
	}
	sync();
	reboot(RB_POWER_OFF);
	return EXIT_SYSTEM_GUEST;
}

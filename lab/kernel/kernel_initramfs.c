/* SPDX-License-Identifier: MIT */
/*
 * The guest's whole root: this binary as /init (a symlink to /bin/reuselab),
 * the shared objects it runs with (the loader included) at their own paths,
 * the kernel's modules in load order, the topology and the run's options.
 * The libraries are the ones this process has mapped (dl_iterate_phdr), so
 * the guest runs exactly the code the host would.
 */
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/kernel/kernel_int.h"
#include "lab/probe/probe.h"

struct libs {
	char **path;
	size_t n;
	int err;
};

static int add_lib(struct dl_phdr_info *info, size_t size, void *data)
{
	struct libs *l = data;
	char **nv;

	/* "" is the executable, "linux-vdso.so.1" the kernel's: neither is a file. */
	if (!info->dlpi_name || info->dlpi_name[0] != '/' || l->err)
		return 0;
	nv = realloc(l->path, (l->n + 1) * sizeof(*nv));
	if (!nv || !(nv[l->n] = strdup(info->dlpi_name))) {
		if (nv)
			l->path = nv;
		l->err = -ENOMEM;
		return 0;
	}
	l->path = nv;
	l->n++;
	return 0;
}

/* Directory entries for every parent of `path` (the unpacker needs them first). */
static int add_parents(struct cpio *c, const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path[0] == '/' ? path + 1 : path);
	for (char *p = strchr(buf, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		cpio_add_dir(c, buf, 0755);
		*p = '/';
	}
	return c->err;
}

static int add_libs(struct cpio *c, char why[KERNEL_WHY_MAX])
{
	struct libs l = { 0 };
	int r;

	dl_iterate_phdr(add_lib, &l);
	r = l.err;
	for (size_t i = 0; i < l.n && r == 0; i++) {
		r = add_parents(c, l.path[i]);
		if (r == 0)
			r = cpio_add_file(c, l.path[i] + 1, 0755, l.path[i]);
		if (r < 0)
			snprintf(why, KERNEL_WHY_MAX, "initramfs: %.160s: %.160s", l.path[i], strerror(-r));
	}
	kernel_strv_free(l.path, l.n);
	return r;
}

static int add_modules(struct cpio *c, const struct kernel_info *k, char why[KERNEL_WHY_MAX])
{
	char src[2 * PATH_MAX], dst[PATH_MAX], *list = NULL, **ko = NULL;
	size_t n = 0, list_len = 0;
	FILE *f;
	int r;

	r = kernel_modules_order(k->modules, kernel_lab_modules, &ko, &n, why);
	if (r < 0)
		return r;
	f = open_memstream(&list, &list_len);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	cpio_add_dir(c, "guest/ko", 0755);
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *base = strrchr(ko[i], '/');

		base = base ? base + 1 : ko[i];
		if (ko[i][0] == '/' || strstr(ko[i], "..")) {
			r = -EINVAL;
			snprintf(why, KERNEL_WHY_MAX,
				 "initramfs: %.160s/modules.dep names %.160s, outside the tree",
				 k->modules, ko[i]);
			break;
		}
		snprintf(src, sizeof(src), "%s/%s", k->modules, ko[i]);
		snprintf(dst, sizeof(dst), "guest/ko/%.255s", base);
		fprintf(f, "/%s\n", dst);
		r = cpio_add_file(c, dst, 0644, src);
		if (r < 0)
			snprintf(why, KERNEL_WHY_MAX, "initramfs: %.160s: %.160s", src, strerror(-r));
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r == 0)
		r = cpio_add_data(c, KERNEL_GUEST_MODULES + 1, 0644, list, list_len);
out:
	free(list);
	kernel_strv_free(ko, n);
	return r;
}

/*
 * Where the topology goes in the guest: its absolute path on the host (the
 * loader reports that path), so the report's sources read as on the host;
 * /guest/lab.yml for a path on the guest's own files or under a directory
 * the guest mounts over.
 */
static const char *guest_topo_path(const char *host)
{
	static const char *const ours[] = { "bin/reuselab", "init", "guest/", "dev/", "proc/",
					    "sys/", "run/" };
	const char *p = host + strspn(host, "/");

	if (host[0] != '/' || !*p || strstr(host, "..") || strlen(host) > 1024)
		return KERNEL_GUEST_TOPO;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (!strncmp(p, ours[i], strlen(ours[i])))
			return KERNEL_GUEST_TOPO;
	return host;
}

/* The programs labs start (`start daytimed`), beside /bin/reuselab where
 * the guest looks first; one this build lacks is left out (start: ENOENT). */
static int add_programs(struct cpio *c, char why[KERNEL_WHY_MAX])
{
	static const char *const progs[] = {"daytimed"};
	char path[PATH_MAX], dst[64];
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (probe_program_path(progs[i], path, sizeof(path)) < 0)
			continue;
		snprintf(dst, sizeof(dst), "bin/%s", progs[i]);
		r = cpio_add_file(c, dst, 0755, path);
		if (r < 0)
			snprintf(why, KERNEL_WHY_MAX, "initramfs: %.160s: %.160s", path, strerror(-r));
	}
	return r;
}

static int add_job(struct cpio *c, const struct kernel_job *job, char why[KERNEL_WHY_MAX])
{
	char abs[PATH_MAX], *args = NULL;
	const char *topo = guest_topo_path(realpath(job->topology, abs) ? abs : "");
	size_t len = 0;
	FILE *f = open_memstream(&args, &len);
	int r;

	if (!f)
		return -ENOMEM;
	fwrite(topo, 1, strlen(topo) + 1, f);
	for (int i = 0; i < job->argc; i++)
		fwrite(job->argv[i], 1, strlen(job->argv[i]) + 1, f);
	r = fclose(f) == 0 ? 0 : -ENOMEM;
	if (r == 0)
		r = cpio_add_data(c, KERNEL_GUEST_ARGS + 1, 0644, args, len);
	free(args);
	if (r == 0)
		r = add_parents(c, topo);
	if (r == 0) {
		r = cpio_add_file(c, topo + strspn(topo, "/"), 0644, job->topology);
		if (r < 0)
			snprintf(why, KERNEL_WHY_MAX, "%.160s: %.160s", job->topology, strerror(-r));
	}
	return r;
}

int kernel_initramfs_write(int fd, const struct kernel_job *job, char why[KERNEL_WHY_MAX])
{
	static const char *const dirs[] = { "bin", "dev", "proc", "sys", "run", "tmp", "guest" };
	struct cpio c;
	FILE *f;
	int dfd, r;

	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0 || !(f = fdopen(dfd, "w"))) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
		snprintf(why, KERNEL_WHY_MAX, "initramfs: %.160s", strerror(-r));
		return r;
	}
	cpio_init(&c, f);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cpio_add_dir(&c, dirs[i], 0755);
	r = cpio_add_file(&c, "bin/reuselab", 0755, "/proc/self/exe");
	if (r < 0)
		snprintf(why, KERNEL_WHY_MAX, "initramfs: /proc/self/exe: %.160s", strerror(-r));
	if (r == 0)
		r = cpio_add_symlink(&c, "init", "bin/reuselab");
	if (r == 0)
		r = add_programs(&c, why);
	if (r == 0)
		r = add_libs(&c, why);
	if (r == 0)
		r = add_modules(&c, job->kernel, why);
	if (r == 0)
		r = add_job(&c, job, why);
	if (r == 0 && (r = cpio_finish(&c)) < 0)
		snprintf(why, KERNEL_WHY_MAX, "initramfs: %.160s", strerror(-r));
	if (fclose(f) != 0 && r == 0) {
		r = -errno;
		snprintf(why, KERNEL_WHY_MAX, "initramfs: %.160s", strerror(-r));
	}
	return r;
}

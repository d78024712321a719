/* SPDX-License-Identifier: MIT */
/*
 * Bootable kernels: a vmlinuz-RELEASE with a modules tree for RELEASE.
 * Looked for in the cache `make deps-kernels` fills (CACHE/REL/boot and
 * CACHE/REL/lib/modules, as dpkg-deb -x lays a package out) and in /boot.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/kernel/kernel.h"

static int is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add(struct kernel_info **v, size_t *n, const struct kernel_info *k)
{
	struct kernel_info *nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].release, k->release))
			return 0; /* the cache's copy wins over /boot's */
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = *k;
	*v = nv;
	return 0;
}

/* root/boot/vmlinuz-REL with root/lib/modules/REL (or /usr/lib/modules). */
static int probe_root(const char *root, const char *rel, struct kernel_info *k)
{
	static const char *const mod_dirs[] = { "lib/modules", "usr/lib/modules" };

	memset(k, 0, sizeof(*k));
	if (strlen(rel) >= sizeof(k->release) || strchr(rel, '/'))
		return 0;
	snprintf(k->release, sizeof(k->release), "%s", rel);
	snprintf(k->vmlinuz, sizeof(k->vmlinuz), "%s/boot/vmlinuz-%s", root, rel);
	if (!is_file(k->vmlinuz))
		return 0;
	for (size_t i = 0; i < 2; i++) {
		snprintf(k->modules, sizeof(k->modules), "%s/%s/%s", root, mod_dirs[i], rel);
		if (is_dir(k->modules))
			return 1;
	}
	k->modules[0] = '\0';
	return 1;
}

static int scan_cache(const char *cache, struct kernel_info **v, size_t *n)
{
	char root[PATH_MAX];
	struct kernel_info k;
	struct dirent *e;
	DIR *d = opendir(cache);
	int r = 0;

	if (!d)
		return 0;
	while (!r && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(root, sizeof(root), "%s/%s", cache, e->d_name);
		if (probe_root(root, e->d_name, &k))
			r = add(v, n, &k);
	}
	closedir(d);
	return r;
}

static int scan_boot(struct kernel_info **v, size_t *n)
{
	struct kernel_info k;
	struct dirent *e;
	DIR *d = opendir("/boot");
	int r = 0;

	if (!d)
		return 0;
	while (!r && (e = readdir(d))) {
		if (strncmp(e->d_name, "vmlinuz-", 8))
			continue;
		if (probe_root("", e->d_name + 8, &k))
			r = add(v, n, &k);
	}
	closedir(d);
	return r;
}

static int by_release(const void *a, const void *b)
{
	return strverscmp(((const struct kernel_info *)a)->release,
			  ((const struct kernel_info *)b)->release);
}

int kernel_list(const char *cache, struct kernel_info **ret, size_t *ret_n)
{
	struct kernel_info *v = NULL;
	size_t n = 0;
	int r;

	r = scan_cache(cache, &v, &n);
	if (r == 0)
		r = scan_boot(&v, &n);
	if (r < 0) {
		free(v);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_release);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* A vmlinuz path: REL from "vmlinuz-REL", modules beside it or in /lib/modules. */
static int resolve_path(const char *spec, const char *modules, struct kernel_info *k,
			char why[KERNEL_WHY_MAX])
{
	const char *base = strrchr(spec, '/');
	char dir[PATH_MAX];
	size_t dlen;

	base = base ? base + 1 : spec;
	dlen = (size_t)(base - spec);
	if (dlen >= sizeof(dir))
		dlen = 0;
	memcpy(dir, spec, dlen);
	dir[dlen] = '\0';
	if (!is_file(spec)) {
		snprintf(why, KERNEL_WHY_MAX, "--kernel %.160s: no such kernel image (and no release "
			 "of that name; see 'reuselab kernels')", spec);
		return -ENOENT;
	}
	snprintf(k->vmlinuz, sizeof(k->vmlinuz), "%s", spec);
	snprintf(k->release, sizeof(k->release), "%s",
		 !strncmp(base, "vmlinuz-", 8) ? base + 8 : base);
	if (modules)
		snprintf(k->modules, sizeof(k->modules), "%s", modules);
	else if (snprintf(k->modules, sizeof(k->modules), "%s../lib/modules/%s",
			  dlen ? dir : "./", k->release) > 0 && !is_dir(k->modules))
		snprintf(k->modules, sizeof(k->modules), "/lib/modules/%s", k->release);
	if (!is_dir(k->modules)) {
		snprintf(why, KERNEL_WHY_MAX, "--kernel %.160s: no modules directory %.160s (give one "
			 "with --kernel-modules DIR)", spec, k->modules);
		return -ENOENT;
	}
	return 0;
}

int kernel_resolve(const char *spec, const char *modules, const char *cache,
		   struct kernel_info *ret, char why[KERNEL_WHY_MAX])
{
	struct kernel_info *v = NULL;
	size_t n = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!strchr(spec, '/')) {
		r = kernel_list(cache, &v, &n);
		if (r < 0) {
			snprintf(why, KERNEL_WHY_MAX, "listing kernels: %.160s", strerror(-r));
			return r;
		}
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].release, spec))
				continue;
			*ret = v[i];
			free(v);
			if (modules)
				snprintf(ret->modules, sizeof(ret->modules), "%s", modules);
			if (is_dir(ret->modules))
				return 0;
			snprintf(why, KERNEL_WHY_MAX, "--kernel %.160s: no modules directory for it "
				 "(give one with --kernel-modules DIR)", spec);
			return -ENOENT;
		}
		free(v);
		if (!is_file(spec)) {
			snprintf(why, KERNEL_WHY_MAX, "--kernel %.160s: no such kernel (not a release "
				 "'reuselab kernels' lists, nor a file)", spec);
			return -ENOENT;
		}
	}
	return resolve_path(spec, modules, ret, why);
}

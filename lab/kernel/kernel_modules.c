/* SPDX-License-Identifier: MIT */
/*
 * Which .ko files a lab needs on a given kernel, in load order, from the
 * kernel's own modules.dep (written by depmod) and modules.builtin: what
 * `modprobe` would load, without modprobe in the guest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/util/util.h"

/* veth for links, bridge for LANs, the diag families for `expect-sockets`. */
const char *const kernel_lab_modules[] = { "veth", "bridge", "inet_diag", "tcp_diag",
					   "udp_diag", NULL };

struct dep {
	char *path;  /* kernel/net/bridge/bridge.ko */
	char *deps;  /* "kernel/net/802/stp.ko kernel/net/llc/llc.ko" */
};

struct order {
	struct dep *dep;
	size_t n_dep;
	char **out;
	size_t n_out;
};

void kernel_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* "kernel/net/bridge/bridge.ko.xz" names module "bridge"; '-' and '_' are one. */
static int path_is_module(const char *path, const char *name)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; name[i]; i++) {
		char a = base[i] == '-' ? '_' : base[i], b = name[i] == '-' ? '_' : name[i];

		if (a != b)
			return 0;
	}
	return !strncmp(base + i, ".ko", 3) && (base[i + 3] == '\0' || base[i + 3] == '.');
}

/* A regular file of the tree as a stream (a FIFO there is refused, not read). */
static int open_text(const char *path, FILE **ret)
{
	int fd = path_open_regular(path, 0, NULL);

	if (fd < 0)
		return fd;
	*ret = fdopen(fd, "r");
	if (!*ret) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

static int read_deps(const char *moddir, struct order *o)
{
	char path[PATH_MAX], *line = NULL, *colon;
	size_t cap = 0;
	ssize_t len;
	struct dep *nd;
	FILE *f;
	int r = 0;

	snprintf(path, sizeof(path), "%s/modules.dep", moddir);
	r = open_text(path, &f);
	if (r < 0)
		return r;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon++ = '\0';
		nd = realloc(o->dep, (o->n_dep + 1) * sizeof(*nd));
		if (!nd) {
			r = -ENOMEM;
			break;
		}
		o->dep = nd;
		nd[o->n_dep].path = strdup(line);
		nd[o->n_dep].deps = strdup(colon + strspn(colon, " "));
		if (!nd[o->n_dep].path || !nd[o->n_dep].deps) {
			free(nd[o->n_dep].path);
			free(nd[o->n_dep].deps);
			r = -ENOMEM;
			break;
		}
		o->n_dep++;
	}
	free(line);
	fclose(f);
	return r;
}

static int in_builtin(const char *moddir, const char *name)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	if (open_text(path, &f) < 0)
		return 0;
	while (!found && (len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		found = path_is_module(line, name);
	}
	free(line);
	fclose(f);
	return found;
}

static struct dep *find_path(struct order *o, const char *path)
{
	for (size_t i = 0; i < o->n_dep; i++)
		if (!strcmp(o->dep[i].path, path))
			return &o->dep[i];
	return NULL;
}

/* Appends d after its dependencies; depth bounds a (broken) cyclic file. */
static int visit(struct order *o, struct dep *d, int depth)
{
	char *copy, *tok, *save = NULL, **nv;
	struct dep *sub;
	int r = 0;

	for (size_t i = 0; i < o->n_out; i++)
		if (!strcmp(o->out[i], d->path))
			return 0;
	if (depth > 64)
		return -ELOOP;
	copy = strdup(d->deps);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok && !r; tok = strtok_r(NULL, " \t", &save)) {
		sub = find_path(o, tok);
		r = sub ? visit(o, sub, depth + 1) : -ENOENT;
	}
	free(copy);
	if (r < 0)
		return r;
	nv = realloc(o->out, (o->n_out + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	o->out = nv;
	nv[o->n_out] = strdup(d->path);
	if (!nv[o->n_out])
		return -ENOMEM;
	o->n_out++;
	return 0;
}

static struct dep *find_module(struct order *o, const char *name)
{
	for (size_t i = 0; i < o->n_dep; i++)
		if (path_is_module(o->dep[i].path, name))
			return &o->dep[i];
	return NULL;
}

int kernel_modules_order(const char *moddir, const char *const *names, char ***ret,
			 size_t *ret_n, char why[KERNEL_WHY_MAX])
{
	struct order o = { 0 };
	struct dep *d;
	int r;

	r = read_deps(moddir, &o);
	if (r < 0) {
		snprintf(why, KERNEL_WHY_MAX, "%.160s/modules.dep: %.160s%.160s", moddir,
			 r == -EINVAL ? "not a regular file" : strerror(-r),
			 r == -ENOENT ? " (run 'depmod -b ROOT RELEASE' on the tree)" : "");
		goto out;
	}
	for (size_t i = 0; names[i]; i++) {
		d = find_module(&o, names[i]);
		if (!d && in_builtin(moddir, names[i]))
			continue;
		r = d ? visit(&o, d, 0) : -ENOENT;
		if (r < 0) {
			snprintf(why, KERNEL_WHY_MAX, "%.160s: module %.160s %.160s", moddir, names[i],
				 d ? strerror(-r) : "is neither in modules.dep nor built in");
			goto out;
		}
	}
	*ret = o.out;
	*ret_n = o.n_out;
	o.out = NULL;
	o.n_out = 0;
out:
	for (size_t i = 0; i < o.n_dep; i++) {
		free(o.dep[i].path);
		free(o.dep[i].deps);
	}
	free(o.dep);
	kernel_strv_free(o.out, o.n_out);
	return r;
}

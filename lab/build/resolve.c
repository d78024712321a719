// SPDX-License-Identifier: MIT
/*
 * LAB or FILE, as users type it, to a lab name and its topology.  A lab that
 * is up is known by its state, which holds the topology as it was validated
 * at `up`: the file is never read again, so swapping it later changes
 * nothing that root runs in the lab.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/build/build.h"

/* A path-looking argument or an existing regular file is a topology file. */
bool lab_arg_is_file(const char *arg)
{
	struct stat st;

	if (strchr(arg, '/') || strstr(arg, ".yml") || strstr(arg, ".yaml"))
		return true;
	return stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

/* -EINVAL (bad input) or -ENOMEM, with the line in diag. */
static int diag_line(struct topo_diag *diag, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int diag_line(struct topo_diag *diag, int r, const char *fmt, ...)
{
	char buf[1024];
	char **lines;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lines = realloc(diag->lines, (diag->n + 1) * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	diag->lines = lines;
	lines[diag->n] = strdup(buf);
	if (!lines[diag->n])
		return -ENOMEM;
	diag->n++;
	return r;
}

static int load_file(const char *path, struct topology **ret, struct topo_diag *diag)
{
	int r = topo_load(path, ret, diag);

	if (r < 0 && !diag->n)
		return diag_line(diag, r == -ENOMEM ? r : -EINVAL, "%s: error: %s", path,
				 strerror(-r));
	return r < 0 && r != -ENOMEM ? -EINVAL : r;
}

int lab_resolve_file(const char *path, const char *name_override, char *ret_lab, size_t lab_len,
		     struct topology **ret, struct topo_diag *diag)
{
	int r;

	*ret = NULL;
	if (name_override && !topo_name_valid(name_override, TOPO_LAB_NAME_MAX))
		return diag_line(diag, -EINVAL,
				 "reuselab: invalid lab name '%s': use 1-%d of [a-z0-9-], starting "
				 "with a letter or digit",
				 name_override, TOPO_LAB_NAME_MAX);
	r = load_file(path, ret, diag);
	if (r < 0)
		return r;
	snprintf(ret_lab, lab_len, "%s", name_override ? name_override : (*ret)->name);
	return 0;
}

/* The topology kept in the state of lab `lab`, validated again on the way in. */
static int load_from_state(const char *lab, struct topology **ret, struct topo_diag *diag)
{
	struct lab_state st;
	int r;

	r = state_read(lab, &st);
	if (r == -ENOENT)
		return diag_line(diag, -EINVAL,
				 "reuselab: lab '%s' is not up (no state in " STATE_DIR
				 "; see 'reuselab status')",
				 lab);
	/* -EBADMSG: a directory, a FIFO, a huge file or foreign JSON under the name. */
	if (r < 0)
		return diag_line(diag, r, "reuselab: lab '%s': cannot read its state " STATE_DIR
				 "/%s.json: %s", lab, lab,
				 r == -EBADMSG ? "not a state file (a regular file of reuselab's JSON)"
					       : strerror(-r));
	r = state_read_topology(lab, &st);
	if (r == -ENOENT) {
		r = diag_line(diag, -EINVAL,
			      "reuselab: lab '%s': its state holds no topology (made by an older "
			      "reuselab); run 'reuselab down %s' and bring it up again",
			      lab, lab);
		goto out;
	}
	if (r < 0) {
		r = diag_line(diag, r,
			      "reuselab: lab '%s': cannot read its topology " STATE_DIR
			      "/%s" STATE_TOPOLOGY ": %s",
			      lab, lab, r == -EBADMSG ? "not a regular file" : strerror(-r));
		goto out;
	}
	r = topo_load_buffer(st.file, st.text, st.text_len, ret, diag);
	if (r < 0 && r != -ENOMEM)
		r = diag_line(diag, -EINVAL,
			      "reuselab: lab '%s': the topology in its state no longer loads", lab);
out:
	state_clear(&st);
	return r;
}

int lab_resolve(const char *arg, const char *name_override, char *ret_lab, size_t lab_len,
		struct topology **ret_topo, struct topo_diag *diag)
{
	int r;

	*ret_topo = NULL;
	if (lab_arg_is_file(arg))
		return lab_resolve_file(arg, name_override, ret_lab, lab_len, ret_topo, diag);
	if (!topo_name_valid(arg, TOPO_LAB_NAME_MAX))
		return diag_line(diag, -EINVAL,
				 "reuselab: '%s' is neither a topology file nor a valid lab name",
				 arg);
	/* A lab is already named: another name would be silently ignored. */
	if (name_override)
		return diag_line(diag, -EINVAL,
				 "reuselab: --name goes with a FILE; '%s' is a lab name", arg);
	r = load_from_state(arg, ret_topo, diag);
	if (r == 0)
		snprintf(ret_lab, lab_len, "%s", arg);
	return r;
}

static int names_add(char ***names, size_t *n, const char *name)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return 0;
	grown = realloc(*names, (*n + 1) * sizeof(**names));
	if (!grown)
		return -ENOMEM;
	*names = grown;
	(*names)[*n] = strdup(name);
	if (!(*names)[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_names_known(char ***ret, size_t *ret_n)
{
	char **a = NULL, **b = NULL, **all = NULL;
	size_t na = 0, nb = 0, n = 0;
	int r;

	r = state_list(&a, &na);
	if (r < 0)
		goto out;
	r = lab_list_live(&b, &nb);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < na && r >= 0; i++)
		r = names_add(&all, &n, a[i]);
	for (size_t i = 0; i < nb && r >= 0; i++)
		r = names_add(&all, &n, b[i]);
	if (r < 0)
		goto out;
	if (n)
		qsort(all, n, sizeof(*all), cmp_str);
	*ret = all;
	*ret_n = n;
	all = NULL;
	n = 0;
out:
	names_free(a, na);
	names_free(b, nb);
	names_free(all, n);
	return r;
}

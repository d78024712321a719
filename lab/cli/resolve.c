/* SPDX-License-Identifier: MIT */
/* How commands turn what the user typed (LAB or FILE) into a lab and its topology. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/report/report.h"
#include "lab/build/lifecycle.h"
#include "lab/build/state.h"

/* A path-looking argument or an existing regular file is a topology file. */
static int looks_like_file(const char *arg)
{
	struct stat st;

	if (strchr(arg, '/') || strstr(arg, ".yml") || strstr(arg, ".yaml"))
		return 1;
	return stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

int lab_load_file(const char *path, struct topology **ret)
{
	struct topo_diag d = { 0 };
	int r;

	r = topo_load(path, ret, &d);
	if (r < 0) {
		if (d.n) {
			cmd_diag_print(&d);
		} else {
			report_text_put(stderr, path);
			fprintf(stderr, ": error: %s\n", strerror(-r));
		}
		r = r == -ENOMEM ? r : -EINVAL;
	}
	topo_diag_free(&d);
	return r;
}

int lab_resolve(const char *arg, const char *name_override, char *ret_lab, size_t lab_len,
		struct topology **ret_topo)
{
	struct lab_state st;
	int r;

	*ret_topo = NULL;
	if (looks_like_file(arg))
		return lab_resolve_file(arg, name_override, ret_lab, lab_len, ret_topo);
	if (!topo_name_valid(arg, TOPO_LAB_NAME_MAX)) {
		cmd_err("'%s' is neither a topology file nor a valid lab name", arg);
		return -EINVAL;
	}
	r = state_read(arg, &st);
	if (r == -ENOENT) {
		cmd_err("lab '%s' is not up (no state in " STATE_DIR "; see 'reuselab status')",
			arg);
		return -EINVAL;
	}
	if (r < 0) {
		cmd_err("lab '%s': cannot read its state: %s", arg, strerror(-r));
		return r;
	}
	r = lab_load_file(st.file, ret_topo);
	if (r < 0)
		cmd_err("lab '%s': its topology file %s no longer loads", arg, st.file);
	else
		snprintf(ret_lab, lab_len, "%s", arg);
	state_clear(&st);
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

int lab_resolve_file(const char *path, const char *name_override, char *ret_lab, size_t lab_len,
		     struct topology **ret)
{
	int r;

	*ret = NULL;
	if (name_override && !topo_name_valid(name_override, TOPO_LAB_NAME_MAX)) {
		cmd_err("invalid lab name '%s': use 1-%d of [a-z0-9-], starting with a letter or "
			"digit",
			name_override, TOPO_LAB_NAME_MAX);
		return -EINVAL;
	}
	r = lab_load_file(path, ret);
	if (r < 0)
		return r;
	snprintf(ret_lab, lab_len, "%s", name_override ? name_override : (*ret)->name);
	return 0;
}

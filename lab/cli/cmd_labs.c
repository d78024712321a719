/* SPDX-License-Identifier: MIT */
/*
 * The labs that ship with reuselab: where `make install` put them, a bare
 * lab name on the command line (`reuselab run two-nics`) resolved there, and
 * `reuselab labs` listing them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/cli/cmd.h"
#include "lab/topo/topo.h"
#include "topodir.h" /* REUSELAB_TOPODIR, from $(PREFIX) at build time */

#define SHIPPED_MAX 256

const char *cmd_shipped_dir(void)
{
	const char *env = getenv("REUSELAB_TOPOLOGIES");

	return env && *env ? env : REUSELAB_TOPODIR;
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *cmd_topology_path(const char *arg, char *buf, size_t len)
{
	char name[TOPO_LAB_NAME_MAX + 1];
	const char *base = arg;
	size_t n = strlen(arg);

	if (is_file(arg))
		return arg;
	/* The clone's spelling, topologies/NAME.yml, works anywhere too. */
	if (!strncmp(arg, "topologies/", 11) && n > 15 && !strcmp(arg + n - 4, ".yml")) {
		base += 11;
		n -= 15;
	}
	if (n >= sizeof(name))
		return arg;
	memcpy(name, base, n);
	name[n] = 0;
	if (!topo_name_valid(name, TOPO_LAB_NAME_MAX))
		return arg;
	if ((size_t)snprintf(buf, len, "%s/%s.yml", cmd_shipped_dir(), name) >= len ||
	    !is_file(buf))
		return arg;
	return buf;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: reuselab labs\n\n"
		     "List the labs installed with reuselab (in %s,\n"
		     "or $REUSELAB_TOPOLOGIES), each with what it reproduces.  Any command\n"
		     "that takes a topology FILE takes their bare name, e.g.\n"
		     "  reuselab run two-nics\n",
		     REUSELAB_TOPODIR);
}

/* The header comment's first sentence: "# NAME: what it is ... ." */
static void describe(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4096], line[256];
	size_t used = 0;
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "%s/%s.yml", dir, name);
	f = fopen(path, "re");
	if (!f)
		return;
	while (used + 1 < len && fgets(line, sizeof(line), f) && !strncmp(line, "# ", 2)) {
		char *text = line + 2, *stop;

		line[strcspn(line, "\n")] = 0;
		if (!used && !strncmp(text, name, strlen(name)) && text[strlen(name)] == ':')
			text += strlen(name) + 1;
		text += strspn(text, " ");
		stop = strstr(text, ". ");
		if (stop || (*text && text[strlen(text) - 1] == '.')) {
			used += snprintf(buf + used, len - used, "%s%.*s.", used ? " " : "",
					 stop ? (int)(stop - text) : (int)strlen(text) - 1, text);
			break;
		}
		used += snprintf(buf + used, len - used, "%s%s", used ? " " : "", text);
	}
	fclose(f);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of DIR's *.yml files that are valid lab names, sorted. */
static int shipped_names(const char *dir, char ***ret, size_t *ret_n)
{
	char **names = calloc(SHIPPED_MAX, sizeof(*names));
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (!names)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		free(names);
		return -errno;
	}
	while ((e = readdir(d)) && n < SHIPPED_MAX) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".yml"))
			continue;
		names[n] = strndup(e->d_name, l - 4);
		if (!names[n])
			break;
		if (topo_name_valid(names[n], TOPO_LAB_NAME_MAX))
			n++;
		else
			free(names[n]);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	*ret = names;
	*ret_n = n;
	return 0;
}

int cmd_labs(int argc, char **argv)
{
	const char *dir = cmd_shipped_dir();
	char **names = NULL, desc[512];
	size_t n = 0;
	int r;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 1) {
		cmd_err("labs: takes no arguments (try 'reuselab labs --help')");
		return EXIT_USAGE;
	}
	r = shipped_names(dir, &names, &n);
	if (r < 0) {
		cmd_err("labs: %s: %s (is reuselab installed? 'make install' puts the labs there)",
			dir, strerror(-r));
		return r == -ENOMEM ? EXIT_SYSTEM : EXIT_USAGE;
	}
	printf("Labs in %s (run one with 'reuselab run NAME'):\n", dir);
	for (size_t i = 0; i < n; i++) {
		describe(dir, names[i], desc, sizeof(desc));
		printf("  %-16s %s\n", names[i], desc);
		free(names[i]);
	}
	free(names);
	return EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * Option parsing every command shares: getopt_long with one-line errors and
 * a "did you mean" for near misses of a command or option name.
 */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "lab/cli/cmd.h"

/* Bounds the work on a pasted argument; nothing we suggest is this long. */
#define TYPO_WORD_MAX 32

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Edits (insert, delete, substitute, swap two neighbours) from a to b. */
static size_t typo_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[TYPO_WORD_MAX + 1][TYPO_WORD_MAX + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[la][lb];
}

void cmd_nearest_init(struct cmd_nearest *n, const char *word, size_t len)
{
	*n = (struct cmd_nearest){ .word = word, .len = len };
}

void cmd_nearest_offer(struct cmd_nearest *n, const char *candidate)
{
	size_t lc = strlen(candidate), d;

	if (n->len > TYPO_WORD_MAX || lc > TYPO_WORD_MAX || !n->len)
		return;
	d = typo_distance(n->word, n->len, candidate, lc);
	/* Two edits at most, and fewer than the word has letters: "x" is no
	 * typo of "up". */
	if (d > 2 || d >= n->len || (n->best && d >= n->best_d))
		return;
	n->best = candidate;
	n->best_d = d;
}

static const struct option *find_long(const struct option *longopts, const char *name,
				      size_t len)
{
	for (const struct option *o = longopts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static void bad_long(const char *cmd, const char *arg, const struct option *longopts)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	const struct option *o = find_long(longopts, name, len);
	struct cmd_nearest n;

	if (o && name[len] == '=' && o->has_arg == no_argument) {
		cmd_err("%s: option '--%s' takes no value (try 'reuselab %s --help')", cmd, o->name,
			cmd);
		return;
	}
	if (o) {
		cmd_err("%s: option '--%s' needs a value (try 'reuselab %s --help')", cmd, o->name,
			cmd);
		return;
	}
	cmd_nearest_init(&n, name, len);
	for (o = longopts; o && o->name; o++)
		cmd_nearest_offer(&n, o->name);
	if (n.best)
		cmd_err("%s: unknown option '--%.*s'; did you mean '--%s'?", cmd, (int)len, name,
			n.best);
	else
		cmd_err("%s: unknown option '--%.*s' (try 'reuselab %s --help')", cmd, (int)len,
			name, cmd);
}

/*
 * getopt_long reports a failure as '?' and leaves what failed in optopt (a
 * short option) or argv[optind - 1] (a long one); tell the user which.
 */
static void bad_option(int argc, char **argv, const char *shortopts,
		       const struct option *longopts)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const char *cmd = argv[0];

	if (!strncmp(arg, "--", 2) && arg[2]) {
		bad_long(cmd, arg, longopts);
		return;
	}
	if (optopt && strchr(shortopts, optopt))
		cmd_err("%s: option '-%c' needs a value (try 'reuselab %s --help')", cmd, optopt,
			cmd);
	else
		cmd_err("%s: unknown option '-%c' (try 'reuselab %s --help')", cmd,
			optopt ? optopt : '?', cmd);
}

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':')
		bad_option(argc, argv, shortopts, longopts);
	return c == ':' ? '?' : c;
}

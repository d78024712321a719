/* SPDX-License-Identifier: MIT */
/* The topology model's destructors, lookups, name rules and diagnostics list. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/topo/topo.h"
#include "lab/topo/topo_int.h"

void topo_diag_free(struct topo_diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->lines[i]);
	free(d->lines);
	d->lines = NULL;
	d->n = 0;
}

/*
 * User text ends up in messages (quoted names, libyaml's problem strings);
 * escape control bytes so one diagnostic stays one harmless terminal line.
 */
static char *escape_controls(const char *s)
{
	size_t n = 0;
	char *r, *p;

	for (const char *q = s; *q; q++)
		n += ((unsigned char)*q < 0x20 || *q == 0x7f) ? 4 : 1;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	p = r;
	for (const char *q = s; *q; q++) {
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			p += sprintf(p, "\\x%02x", (unsigned char)*q);
		else
			*p++ = *q;
	}
	*p = '\0';
	return r;
}

int topo_diag_add(struct topo_diag *d, const char *file, struct topo_mark m, const char *fmt, ...)
{
	char *msg = NULL, *line = NULL, *clean = NULL, **lines;
	va_list ap;
	int r, k;

	va_start(ap, fmt);
	k = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (k < 0) {
		msg = NULL;
		r = -ENOMEM;
		goto out;
	}
	if (m.line)
		k = asprintf(&line, "%s:%u:%u: error: %s", file, m.line, m.col, msg);
	else
		k = asprintf(&line, "%s: error: %s", file, msg);
	if (k < 0) {
		line = NULL;
		r = -ENOMEM;
		goto out;
	}
	clean = escape_controls(line);
	lines = clean ? realloc(d->lines, (d->n + 1) * sizeof(*lines)) : NULL;
	if (!lines) {
		r = -ENOMEM;
		goto out;
	}
	d->lines = lines;
	d->lines[d->n++] = clean;
	clean = NULL;
	r = -EINVAL;
out:
	free(clean);
	free(line);
	free(msg);
	return r;
}

struct diag_key {
	unsigned long line, col;
	size_t idx;
	char *text;
};

static int diag_key_cmp(const void *a, const void *b)
{
	const struct diag_key *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void topo_diag_sort(struct topo_diag *d, const char *file)
{
	size_t skip = strlen(file) + 1;
	struct diag_key *k;

	if (d->n < 2)
		return;
	k = calloc(d->n, sizeof(*k));
	if (!k)
		return; /* unsorted is still correct, only less tidy */
	for (size_t i = 0; i < d->n; i++) {
		char *p = d->lines[i] + skip, *e;

		k[i].idx = i;
		k[i].text = d->lines[i];
		/* Position-less lines ("FILE: error: ...") sort first. */
		k[i].line = strtoul(p, &e, 10);
		if (e != p && *e == ':')
			k[i].col = strtoul(e + 1, NULL, 10);
		else
			k[i].line = 0;
	}
	qsort(k, d->n, sizeof(*k), diag_key_cmp);
	for (size_t i = 0; i < d->n; i++)
		d->lines[i] = k[i].text;
	free(k);
}

static void steps_free(struct topo_case *c)
{
	for (size_t i = 0; i < c->n_steps; i++) {
		free(c->steps[i].node);
		free(c->steps[i].text);
		free(c->steps[i].expect);
	}
	free(c->steps);
}

void topo_free(struct topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct topo_node *n = &t->nodes[i];

		for (size_t j = 0; j < n->n_ifaces; j++)
			free(n->ifaces[j].addrs);
		free(n->ifaces);
		free(n->loopback.addrs);
		free(n->routes);
		free(n->sysctls);
	}
	free(t->nodes);
	free(t->links);
	for (size_t i = 0; i < t->n_lans; i++)
		free(t->lans[i].members);
	free(t->lans);
	for (size_t i = 0; i < t->n_cases; i++) {
		steps_free(&t->cases[i]);
		free(t->cases[i].claim);
		free(t->cases[i].description);
	}
	free(t->cases);
	free(t->text);
	free(t->file);
	free(t);
}

bool topo_name_valid(const char *s, size_t max)
{
	size_t n;

	if (!s || !*s)
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (n = 0; s[n]; n++) {
		char c = s[n];

		if (n >= max)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/*
 * The kernel's dev_valid_name() plus "lo": every node already has a
 * loopback, and a second one cannot be made.
 */
bool topo_ifname_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (!strcmp(s, ".") || !strcmp(s, "..") || !strcmp(s, "lo"))
		return false;
	for (const char *p = s; *p; p++)
		/* '%' would make the kernel pick a name ("eth%d"), not take ours. */
		if (*p == '/' || *p == ':' || *p == '%' || (unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

int topo_node_find(const struct topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return (int)i;
	return -ENOENT;
}

static int by_name_cmp(const void *a, const void *b, void *arg)
{
	const struct topology *t = arg;

	return strcmp(t->nodes[*(const size_t *)a].name, t->nodes[*(const size_t *)b].name);
}

void topo_by_name_sort(const struct topology *t, size_t *by_name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		by_name[i] = i;
	qsort_r(by_name, t->n_nodes, sizeof(*by_name), by_name_cmp, (void *)t);
}

int topo_by_name_find(const struct topology *t, const size_t *by_name, const char *name)
{
	size_t lo = 0, hi = t->n_nodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->nodes[by_name[mid]].name);

		if (!c)
			return (int)by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -ENOENT;
}

const struct topo_iface *topo_node_iface(const struct topo_node *n, size_t i)
{
	return i < n->n_ifaces ? &n->ifaces[i] : &n->loopback;
}

int topo_iface_find(const struct topo_node *n, const char *name)
{
	for (size_t i = 0; i < n->n_ifaces; i++)
		if (!strcmp(n->ifaces[i].name, name))
			return (int)i;
	return -ENOENT;
}

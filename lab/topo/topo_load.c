/* SPDX-License-Identifier: MIT */
/*
 * YAML -> topology model.  libyaml's event API feeds a small private tree
 * (so aliases are refused the moment they appear, nesting is bounded before
 * anything deep is built, and every node keeps its mark); the tree is then
 * converted into the model.  The loader stops at its first error: shape
 * errors make the rest meaningless.  Semantic rules live in topo_validate.c.
 * No libyaml type leaves this file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <yaml.h>

#include "lab/topo/topo.h"
#include "lab/topo/topo_int.h"
#include "lab/util/util.h"

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };

/* A map's kids alternate key, value; keys are always scalars. */
struct ynode {
	enum ykind kind;
	bool plain;             /* unquoted scalar: may be a null */
	struct topo_mark mark;
	char *str;              /* scalar text */
	size_t len;
	struct ynode *kids;
	size_t n, cap;
};

struct ctx {
	const char *file;
	struct topo_diag *d;
	struct topology *t;
	size_t *by_name;        /* node indexes sorted by name, for endpoints */
};

#define err(c, m, ...) topo_diag_add((c)->d, (c)->file, (m), __VA_ARGS__)

static struct topo_mark ymark(yaml_mark_t m)
{
	return (struct topo_mark){ .line = (unsigned)m.line + 1, .col = (unsigned)m.column + 1 };
}

/* Line and column (in characters, as libyaml counts) of a byte offset. */
static struct topo_mark mark_at(const char *buf, size_t off)
{
	struct topo_mark m = { 1, 1 };

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			m.line++;
			m.col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			m.col++;
		}
	}
	return m;
}

static void ynode_clear(struct ynode *y)
{
	for (size_t i = 0; i < y->n; i++)
		ynode_clear(&y->kids[i]);
	free(y->kids);
	free(y->str);
}

static int yaml_failed(struct ctx *c, const yaml_parser_t *p, const char *buf)
{
	struct topo_mark m;

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR)
		m = mark_at(buf, p->problem_offset);
	else
		m = ymark(p->problem_mark);
	if (p->context)
		return err(c, m, "invalid YAML: %s (%s)", p->problem ? p->problem : "error",
			   p->context);
	return err(c, m, "invalid YAML: %s", p->problem ? p->problem : "error");
}

/* Append a fresh node under `parent` (or make it the root). */
static int tree_add(struct ctx *c, struct ynode *parent, struct ynode **root, enum ykind kind,
		    struct topo_mark m, struct ynode **ret)
{
	struct ynode *y;

	if (!parent) {
		*root = calloc(1, sizeof(**root));
		if (!*root)
			return -ENOMEM;
		y = *root;
	} else {
		if (parent->kind == Y_MAP && parent->n % 2 == 0 && kind != Y_SCALAR)
			return err(c, m, "mapping keys must be plain strings");
		if (parent->n == parent->cap) {
			size_t cap = parent->cap ? parent->cap * 2 : 4;
			struct ynode *k = realloc(parent->kids, cap * sizeof(*k));

			if (!k)
				return -ENOMEM;
			parent->kids = k;
			parent->cap = cap;
		}
		y = &parent->kids[parent->n++];
		memset(y, 0, sizeof(*y));
	}
	y->kind = kind;
	y->mark = m;
	*ret = y;
	return 0;
}

/* The tree being built from parser events. */
struct tree_builder {
	struct ynode *stack[TOPO_DEPTH_MAX];
	size_t depth;
	struct ynode *root;
	unsigned docs;
	bool done;
};

static int tree_scalar(struct ctx *c, struct tree_builder *tb, const yaml_event_t *ev)
{
	struct ynode *y;
	int r;

	r = tree_add(c, tb->depth ? tb->stack[tb->depth - 1] : NULL, &tb->root, Y_SCALAR,
		     ymark(ev->start_mark), &y);
	if (r < 0)
		return r;
	/* "\0" in a double-quoted scalar would cut a C string short. */
	if (strlen((char *)ev->data.scalar.value) != ev->data.scalar.length)
		return err(c, y->mark, "strings must not contain NUL characters");
	y->str = strdup((char *)ev->data.scalar.value);
	if (!y->str)
		return -ENOMEM;
	y->len = ev->data.scalar.length;
	y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return 0;
}

static int tree_open(struct ctx *c, struct tree_builder *tb, const yaml_event_t *ev)
{
	struct ynode *y;
	int r;

	if (tb->depth == TOPO_DEPTH_MAX)
		return err(c, ymark(ev->start_mark), "nesting is deeper than %d levels",
			   TOPO_DEPTH_MAX);
	r = tree_add(c, tb->depth ? tb->stack[tb->depth - 1] : NULL, &tb->root,
		     ev->type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ, ymark(ev->start_mark),
		     &y);
	if (r < 0)
		return r;
	tb->stack[tb->depth++] = y;
	return 0;
}

static int tree_event(struct ctx *c, struct tree_builder *tb, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		tb->done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (tb->docs++)
			return err(c, ymark(ev->start_mark),
				   "only one YAML document is allowed in a topology file");
		return 0;
	case YAML_ALIAS_EVENT:
		return err(c, ymark(ev->start_mark), "aliases are not supported");
	case YAML_SCALAR_EVENT:
		return tree_scalar(c, tb, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return tree_open(c, tb, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		tb->depth--;
		return 0;
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		return 0;
	}
	return 0;
}

static int tree_build(struct ctx *c, const char *buf, size_t len, struct ynode **ret)
{
	static const struct topo_mark start_mark = { 1, 1 };
	struct tree_builder tb = { .depth = 0 };
	yaml_parser_t p;
	yaml_event_t ev;
	int r = 0;

	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!tb.done && r == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = yaml_failed(c, &p, buf);
			break;
		}
		r = tree_event(c, &tb, &ev);
		yaml_event_delete(&ev);
	}
	if (r == 0 && !tb.root)
		r = err(c, start_mark, "empty file: expected a mapping with 'name' and 'nodes'");
	if (r == 0) {
		*ret = tb.root;
		tb.root = NULL;
	}
	yaml_parser_delete(&p);
	if (tb.root) {
		ynode_clear(tb.root);
		free(tb.root);
	}
	return r;
}

/* ---- shape helpers ---- */

static bool is_null(const struct ynode *y)
{
	return y->kind == Y_SCALAR && y->plain &&
	       (!*y->str || !strcmp(y->str, "~") || !strcmp(y->str, "null") ||
		!strcmp(y->str, "Null") || !strcmp(y->str, "NULL"));
}

static const char *kind_name(const struct ynode *y)
{
	if (is_null(y))
		return "empty";
	switch (y->kind) {
	case Y_SCALAR:
		return "a string";
	case Y_SEQ:
		return "a list";
	case Y_MAP:
		return "a mapping";
	}
	return "?";
}

static const char *const kind_want[] = { "a string", "a list", "a mapping" };

/*
 * Check y's kind.  Optional collections may be written empty ("routes:"),
 * which reads as null: *ret_empty then says so.
 */
static int want(struct ctx *c, const struct ynode *y, enum ykind kind, const char *what,
		bool *ret_empty)
{
	if (ret_empty)
		*ret_empty = false;
	if (ret_empty && kind != Y_SCALAR && is_null(y)) {
		*ret_empty = true;
		return 0;
	}
	if (y->kind != kind || (kind == Y_SCALAR && is_null(y)))
		return err(c, y->mark, "%s must be %s, not %s", what, kind_want[kind],
			   kind_name(y));
	return 0;
}

struct keyref {
	const struct ynode *map;
	size_t i;               /* index of the key in map->kids */
};

static int dup_cmp(const void *a, const void *b, void *arg)
{
	const struct ynode *m = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(m->kids[x].str, m->kids[y].str);

	return r ? r : (x < y ? -1 : x > y);
}

/*
 * libyaml keeps duplicate keys; a later "server:" would silently replace
 * the first.  Report the earliest key in the file that repeats one before it.
 */
static int check_dups(struct ctx *c, const struct ynode *map, const char *noun)
{
	size_t n = map->n / 2, *idx, bad = SIZE_MAX, first = 0;
	int r = 0;

	if (n < 2)
		return 0;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		idx[i] = 2 * i;
	qsort_r(idx, n, sizeof(*idx), dup_cmp, (void *)map);
	for (size_t i = 1, g = 0; i < n; i++) {
		if (strcmp(map->kids[idx[i]].str, map->kids[idx[g]].str)) {
			g = i;
			continue;
		}
		if (idx[i] < bad) {
			bad = idx[i];
			first = idx[g];
		}
	}
	if (bad != SIZE_MAX)
		r = err(c, map->kids[bad].mark, "duplicate %s '%.64s' (first at line %u)", noun,
			map->kids[bad].str, map->kids[first].mark.line);
	free(idx);
	return r;
}

/*
 * Pick the known fields of a mapping into vals[] (NULL when absent), in the
 * order of keys[].  Unknown keys are errors that list the allowed ones.
 */
static int fields(struct ctx *c, const struct ynode *map, const char *what,
		  const char *const *keys, size_t nkeys, const struct ynode **vals,
		  struct topo_mark *key_marks)
{
	int r;

	r = want(c, map, Y_MAP, what, NULL);
	if (r < 0)
		return r;
	r = check_dups(c, map, "key");
	if (r < 0)
		return r;
	for (size_t k = 0; k < nkeys; k++)
		vals[k] = NULL;
	for (size_t i = 0; i < map->n; i += 2) {
		const char *key = map->kids[i].str;
		size_t k;

		for (k = 0; k < nkeys && strcmp(key, keys[k]); k++)
			;
		if (k == nkeys) {
			char allowed[256] = "";

			for (size_t j = 0; j < nkeys; j++)
				snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed),
					 "%s%s", j ? ", " : "", keys[j]);
			return err(c, map->kids[i].mark, "unknown key '%.64s' in %s (allowed: %s)",
				   key, what, allowed);
		}
		vals[k] = &map->kids[i + 1];
		if (key_marks)
			key_marks[k] = map->kids[i].mark;
	}
	return 0;
}

static int required(struct ctx *c, const struct ynode *map, const struct ynode *val,
		    const char *key, const char *what)
{
	if (val)
		return 0;
	return err(c, map->mark, "%s needs '%s'", what, key);
}

/* Copy a string scalar into a fixed buffer, refusing what does not fit. */
static int copy_str(struct ctx *c, const struct ynode *y, const char *what, char *buf,
		    size_t size)
{
	int r = want(c, y, Y_SCALAR, what, NULL);

	if (r < 0)
		return r;
	if (y->len >= size)
		return err(c, y->mark, "%s '%.64s' is too long (%zu bytes; the limit is %zu)", what,
			   y->str, y->len, size - 1);
	memcpy(buf, y->str, y->len + 1);
	return 0;
}

static int dup_str(struct ctx *c, const struct ynode *y, const char *what, char **ret)
{
	int r = want(c, y, Y_SCALAR, what, NULL);

	if (r < 0)
		return r;
	if (y->len > TOPO_STRING_MAX)
		return err(c, y->mark, "%s is too long (%zu bytes; the limit is %d)", what, y->len,
			   TOPO_STRING_MAX);
	*ret = strdup(y->str);
	return *ret ? 0 : -ENOMEM;
}

/* A collection's element count against its limit; the error names the first one over. */
static int limit(struct ctx *c, const struct ynode *y, size_t n, size_t max, const char *what)
{
	if (n <= max)
		return 0;
	return err(c, y->kids[y->kind == Y_MAP ? 2 * max : max].mark,
		   "too many %s (the limit is %zu)", what, max);
}

/* ---- values ---- */

static int parse_ip(const char *s, int *family, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* "ADDR/LEN" as `ip addr` takes it: host bits allowed, the length required. */
static int parse_cidr(struct ctx *c, const struct ynode *y, const char *what, int *family,
		      uint8_t *addr, unsigned *plen)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash;
	unsigned long v = 0;
	size_t n;
	int r = want(c, y, Y_SCALAR, what, NULL);

	if (r < 0)
		return r;
	slash = strchr(y->str, '/');
	n = slash ? (size_t)(slash - y->str) : y->len;
	if (n >= sizeof(ip))
		return err(c, y->mark, "invalid %s '%.64s'", what, y->str);
	memcpy(ip, y->str, n);
	ip[n] = '\0';
	if (parse_ip(ip, family, addr) < 0)
		return err(c, y->mark, "invalid %s '%.64s': not an IPv4 or IPv6 address", what,
			   y->str);
	if (!slash)
		return err(c, y->mark, "%s '%.64s' needs a prefix length, e.g. %s/%d", what, y->str,
			   ip, *family == AF_INET ? 24 : 64);
	n = strlen(slash + 1);
	if (n == 0 || n > 3 || strspn(slash + 1, "0123456789") != n)
		return err(c, y->mark, "invalid prefix length in %s '%.64s'", what, y->str);
	v = strtoul(slash + 1, NULL, 10);
	if (v > (*family == AF_INET ? 32u : 128u))
		return err(c, y->mark, "prefix length /%lu of '%.64s' is out of range (0-%d for %s)",
			   v, y->str, *family == AF_INET ? 32 : 128,
			   *family == AF_INET ? "IPv4" : "IPv6");
	*plen = (unsigned)v;
	return 0;
}

/* "node:iface" -> indexes into the model. */
static int parse_endpoint(struct ctx *c, const struct ynode *y, struct topo_endpoint *ep)
{
	const struct topology *t = c->t;
	const char *colon;
	char node[TOPO_NODE_NAME_MAX + 1];
	size_t n;
	int r = want(c, y, Y_SCALAR, "endpoint", NULL), i;

	if (r < 0)
		return r;
	ep->mark = y->mark;
	colon = strchr(y->str, ':');
	if (!colon || colon == y->str || !colon[1] || strchr(colon + 1, ':'))
		return err(c, y->mark, "endpoint '%.64s' must be written NODE:INTERFACE", y->str);
	n = (size_t)(colon - y->str);
	if (n > TOPO_NODE_NAME_MAX)
		return err(c, y->mark, "endpoint '%.64s' names unknown node '%.*s'", y->str,
			   (int)(n > 64 ? 64 : n), y->str);
	memcpy(node, y->str, n);
	node[n] = '\0';
	i = topo_by_name_find(t, c->by_name, node);
	if (i < 0)
		return err(c, y->mark, "endpoint '%.64s' names unknown node '%s'", y->str, node);
	ep->node = (size_t)i;
	if (!strcmp(colon + 1, "lo"))
		return err(c, y->mark, "endpoint '%.64s': lo is the node's own loopback; it cannot "
				       "be linked", y->str);
	i = topo_iface_find(&t->nodes[ep->node], colon + 1);
	if (i < 0)
		return err(c, y->mark, "endpoint '%.64s' names unknown interface '%.32s' of node '%s'",
			   y->str, colon + 1, node);
	ep->iface = (size_t)i;
	return 0;
}

/* ---- sections ---- */

static int load_iface(struct ctx *c, const struct ynode *key, const struct ynode *val,
		      struct topo_iface *ifc)
{
	char what[IFNAMSIZ + 40];
	bool empty;
	int r;

	ifc->mark = key->mark;
	r = copy_str(c, key, "interface name", ifc->name, sizeof(ifc->name));
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "the addresses of interface '%s'", ifc->name);
	r = want(c, val, Y_SEQ, what, &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, val, val->n, TOPO_ADDRS_MAX, "addresses on one interface");
	if (r < 0)
		return r;
	ifc->addrs = calloc(val->n ? val->n : 1, sizeof(*ifc->addrs));
	if (!ifc->addrs)
		return -ENOMEM;
	for (size_t i = 0; i < val->n; i++) {
		struct topo_addr *a = &ifc->addrs[i];

		r = parse_cidr(c, &val->kids[i], "address", &a->family, a->addr, &a->prefixlen);
		if (r < 0)
			return r;
		a->mark = val->kids[i].mark;
		ifc->n_addrs++;
	}
	return 0;
}

static int load_route(struct ctx *c, const struct ynode *y, struct topo_route *rt)
{
	static const char *const keys[] = { "dst", "via", "dev" };
	const struct ynode *v[3];
	int r;

	rt->mark = y->mark;
	r = fields(c, y, "route", keys, 3, v, NULL);
	if (r < 0)
		return r;
	r = required(c, y, v[0], "dst", "a route");
	if (r < 0)
		return r;
	if (v[1]) {
		r = want(c, v[1], Y_SCALAR, "'via'", NULL);
		if (r < 0)
			return r;
		if (parse_ip(v[1]->str, &rt->via_family, rt->via) < 0)
			return err(c, v[1]->mark, "invalid gateway '%.64s': not an IPv4 or IPv6 address",
				   v[1]->str);
		rt->has_via = true;
		rt->via_mark = v[1]->mark;
	}
	if (v[2]) {
		r = copy_str(c, v[2], "route device", rt->dev, sizeof(rt->dev));
		if (r < 0)
			return r;
		rt->dev_mark = v[2]->mark;
	}
	rt->dst_mark = v[0]->mark;
	if (v[0]->kind == Y_SCALAR && !strcmp(v[0]->str, "default")) {
		/* Its family follows the gateway; with only a device it is IPv4. */
		rt->family = rt->has_via ? rt->via_family : AF_INET;
		return 0;
	}
	return parse_cidr(c, v[0], "route destination", &rt->family, rt->dst, &rt->dst_len);
}

static int load_sysctl(struct ctx *c, const struct ynode *key, const struct ynode *val,
		       struct topo_sysctl *s)
{
	int r;

	s->mark = key->mark;
	s->value_mark = val->mark;
	r = copy_str(c, key, "sysctl name", s->key, sizeof(s->key));
	if (r < 0)
		return r;
	return copy_str(c, val, "sysctl value", s->value, sizeof(s->value));
}

static bool is_one_of(const char *s, const char *const *keys, size_t nkeys)
{
	for (size_t k = 0; k < nkeys; k++)
		if (!strcmp(s, keys[k]))
			return true;
	return false;
}

/* Whether a key of map from index `from` on is one of keys[]. */
static bool has_key(const struct ynode *map, size_t from, const char *const *keys,
		    size_t nkeys)
{
	for (size_t i = from; map->kind == Y_MAP && i < map->n; i += 2)
		if (is_one_of(map->kids[i].str, keys, nkeys))
			return true;
	return false;
}

/*
 * A node indented one step too far becomes a key of the node above it: with
 * its body indented too, an unknown key holding node keys; with its body
 * not, a key with no value followed by its keys ("duplicate key
 * 'interfaces'").  Name that mistake instead of its symptoms.
 */
static int swallowed_node(struct ctx *c, const char *node, const struct ynode *map,
			  const char *const *keys, size_t nkeys)
{
	for (size_t i = 0; map->kind == Y_MAP && i < map->n; i += 2) {
		const struct ynode *k = &map->kids[i], *v = &map->kids[i + 1];

		if (is_one_of(k->str, keys, nkeys))
			continue;
		if ((is_null(v) && has_key(map, i + 2, keys, nkeys)) || has_key(v, 0, keys, nkeys))
			return err(c, k->mark,
				   "node '%.64s' is indented under node '%s', which swallowed "
				   "it: indent it like '%s'",
				   k->str, node, node);
	}
	return 0;
}

static int load_ifaces(struct ctx *c, const struct ynode *y, struct topo_node *n)
{
	bool empty;
	int r;

	r = want(c, y, Y_MAP, "'interfaces'", &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, y, y->n / 2, TOPO_IFACES_MAX, "interfaces on one node");
	if (r >= 0)
		r = check_dups(c, y, "interface");
	if (r < 0)
		return r;
	n->ifaces = calloc(y->n / 2 + 1, sizeof(*n->ifaces));
	if (!n->ifaces)
		return -ENOMEM;
	for (size_t i = 0; i < y->n && r >= 0; i += 2)
		if (y->kids[i].str && !strcmp(y->kids[i].str, "lo"))
			r = load_iface(c, &y->kids[i], &y->kids[i + 1], &n->loopback);
		else
			r = load_iface(c, &y->kids[i], &y->kids[i + 1], &n->ifaces[n->n_ifaces++]);
	return r;
}

static int load_routes(struct ctx *c, const struct ynode *y, struct topo_node *n)
{
	bool empty;
	int r;

	r = want(c, y, Y_SEQ, "'routes'", &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, y, y->n, TOPO_ROUTES_MAX, "routes on one node");
	if (r < 0)
		return r;
	n->routes = calloc(y->n + 1, sizeof(*n->routes));
	if (!n->routes)
		return -ENOMEM;
	for (size_t i = 0; i < y->n && r >= 0; i++)
		r = load_route(c, &y->kids[i], &n->routes[n->n_routes++]);
	return r;
}

static int load_sysctls(struct ctx *c, const struct ynode *y, struct topo_node *n)
{
	bool empty;
	int r;

	r = want(c, y, Y_MAP, "'sysctls'", &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, y, y->n / 2, TOPO_SYSCTLS_MAX, "sysctls on one node");
	if (r >= 0)
		r = check_dups(c, y, "sysctl");
	if (r < 0)
		return r;
	n->sysctls = calloc(y->n / 2 + 1, sizeof(*n->sysctls));
	if (!n->sysctls)
		return -ENOMEM;
	for (size_t i = 0; i < y->n && r >= 0; i += 2)
		r = load_sysctl(c, &y->kids[i], &y->kids[i + 1], &n->sysctls[n->n_sysctls++]);
	return r;
}

static int load_node(struct ctx *c, const struct ynode *key, const struct ynode *val,
		     struct topo_node *n)
{
	static const char *const keys[] = { "interfaces", "routes", "sysctls" };
	const struct ynode *v[3];
	char what[TOPO_NODE_NAME_MAX + 16];
	int r;

	n->mark = key->mark;
	r = copy_str(c, key, "node name", n->name, sizeof(n->name));
	if (r < 0)
		return r;
	if (is_null(val))
		return 0;
	snprintf(what, sizeof(what), "node '%s'", n->name);
	r = swallowed_node(c, n->name, val, keys, 3);
	if (r < 0)
		return r;
	r = fields(c, val, what, keys, 3, v, NULL);
	if (r >= 0 && v[0])
		r = load_ifaces(c, v[0], n);
	if (r >= 0 && v[1])
		r = load_routes(c, v[1], n);
	if (r >= 0 && v[2])
		r = load_sysctls(c, v[2], n);
	return r < 0 ? r : 0;
}

static int load_nodes(struct ctx *c, const struct ynode *y)
{
	struct topology *t = c->t;
	bool empty;
	int r;

	r = want(c, y, Y_MAP, "'nodes'", &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, y, y->n / 2, TOPO_NODES_MAX, "nodes");
	if (r >= 0)
		r = check_dups(c, y, "node");
	if (r < 0)
		return r;
	t->nodes = calloc(y->n / 2 + 1, sizeof(*t->nodes));
	c->by_name = calloc(y->n / 2 + 1, sizeof(*c->by_name));
	if (!t->nodes || !c->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < y->n; i += 2) {
		r = load_node(c, &y->kids[i], &y->kids[i + 1], &t->nodes[t->n_nodes]);
		t->n_nodes++;
		if (r < 0)
			return r;
	}
	topo_by_name_sort(t, c->by_name);
	return 0;
}

static int load_links(struct ctx *c, const struct ynode *y)
{
	static const char *const keys[] = { "endpoints" };
	struct topology *t = c->t;
	bool empty;
	int r;

	r = want(c, y, Y_SEQ, "'links'", &empty);
	if (r < 0 || empty)
		return r;
	t->links = calloc(y->n + 1, sizeof(*t->links));
	if (!t->links)
		return -ENOMEM;
	for (size_t i = 0; i < y->n; i++) {
		const struct ynode *it = &y->kids[i], *v[1];
		struct topo_link *l = &t->links[t->n_links++];

		l->mark = it->mark;
		r = fields(c, it, "link", keys, 1, v, NULL);
		if (r >= 0)
			r = required(c, it, v[0], "endpoints", "a link");
		if (r >= 0)
			r = want(c, v[0], Y_SEQ, "'endpoints'", NULL);
		if (r < 0)
			return r;
		if (v[0]->n != 2)
			return err(c, v[0]->mark, "a link needs exactly 2 endpoints, found %zu",
				   v[0]->n);
		r = parse_endpoint(c, &v[0]->kids[0], &l->a);
		if (r >= 0)
			r = parse_endpoint(c, &v[0]->kids[1], &l->b);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_lans(struct ctx *c, const struct ynode *y)
{
	static const char *const keys[] = { "members" };
	struct topology *t = c->t;
	bool empty;
	int r;

	r = want(c, y, Y_MAP, "'lans'", &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, y, y->n / 2, TOPO_LANS_MAX, "lans");
	if (r >= 0)
		r = check_dups(c, y, "lan");
	if (r < 0)
		return r;
	t->lans = calloc(y->n / 2 + 1, sizeof(*t->lans));
	if (!t->lans)
		return -ENOMEM;
	for (size_t i = 0; i < y->n; i += 2) {
		const struct ynode *v[1], *val = &y->kids[i + 1];
		struct topo_lan *lan = &t->lans[t->n_lans++];
		char what[TOPO_LAN_NAME_MAX + 16];

		lan->mark = y->kids[i].mark;
		r = copy_str(c, &y->kids[i], "lan name", lan->name, sizeof(lan->name));
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "lan '%s'", lan->name);
		r = fields(c, val, what, keys, 1, v, NULL);
		if (r >= 0)
			r = required(c, val, v[0], "members", what);
		if (r >= 0)
			r = want(c, v[0], Y_SEQ, "'members'", &empty);
		if (r < 0)
			return r;
		if (empty)
			continue;
		lan->members = calloc(v[0]->n + 1, sizeof(*lan->members));
		if (!lan->members)
			return -ENOMEM;
		for (size_t j = 0; j < v[0]->n; j++) {
			r = parse_endpoint(c, &v[0]->kids[j], &lan->members[lan->n_members++]);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int load_step(struct ctx *c, const struct ynode *y, struct topo_step *s)
{
	static const char *const keys[] = { "on", "do", "expect" };
	const struct ynode *v[3];
	int r;

	s->mark = y->mark;
	r = fields(c, y, "step", keys, 3, v, NULL);
	if (r >= 0)
		r = required(c, y, v[0], "on", "a step");
	if (r >= 0)
		r = required(c, y, v[1], "do", "a step");
	if (r >= 0)
		r = dup_str(c, v[0], "'on'", &s->node);
	if (r >= 0)
		r = dup_str(c, v[1], "'do'", &s->text);
	if (r < 0)
		return r;
	s->node_mark = v[0]->mark;
	s->text_mark = v[1]->mark;
	if (v[2]) {
		s->expect_mark = v[2]->mark;
		r = dup_str(c, v[2], "'expect'", &s->expect);
	}
	return r;
}

static int load_case(struct ctx *c, const struct ynode *y, struct topo_case *k)
{
	static const char *const keys[] = { "id", "claim", "description", "steps" };
	const struct ynode *v[4];
	bool empty;
	int r;

	k->mark = y->mark;
	r = fields(c, y, "case", keys, 4, v, NULL);
	if (r >= 0)
		r = required(c, y, v[0], "id", "a case");
	if (r >= 0)
		r = required(c, y, v[3], "steps", "a case");
	if (r >= 0)
		r = copy_str(c, v[0], "case id", k->id, sizeof(k->id));
	if (r >= 0 && v[1])
		r = dup_str(c, v[1], "'claim'", &k->claim);
	if (r >= 0 && v[2])
		r = dup_str(c, v[2], "'description'", &k->description);
	if (r >= 0)
		r = want(c, v[3], Y_SEQ, "'steps'", &empty);
	if (r < 0)
		return r;
	k->id_mark = v[0]->mark;
	if (empty)
		return 0;
	r = limit(c, v[3], v[3]->n, TOPO_STEPS_MAX, "steps in one case");
	if (r < 0)
		return r;
	k->steps = calloc(v[3]->n + 1, sizeof(*k->steps));
	if (!k->steps)
		return -ENOMEM;
	for (size_t i = 0; i < v[3]->n; i++) {
		r = load_step(c, &v[3]->kids[i], &k->steps[k->n_steps++]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_cases(struct ctx *c, const struct ynode *y)
{
	struct topology *t = c->t;
	bool empty;
	int r;

	r = want(c, y, Y_SEQ, "'cases'", &empty);
	if (r < 0 || empty)
		return r;
	r = limit(c, y, y->n, TOPO_CASES_MAX, "cases");
	if (r < 0)
		return r;
	t->cases = calloc(y->n + 1, sizeof(*t->cases));
	if (!t->cases)
		return -ENOMEM;
	for (size_t i = 0; i < y->n; i++) {
		r = load_case(c, &y->kids[i], &t->cases[t->n_cases++]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_root(struct ctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "name", "nodes", "links", "lans", "cases" };
	const struct ynode *v[5];
	struct topo_mark km[5];
	int r;

	if (root->kind != Y_MAP)
		return err(c, root->mark, "a topology must be a mapping with 'name' and 'nodes', not %s",
			   kind_name(root));
	r = fields(c, root, "the topology", keys, 5, v, km);
	if (r >= 0)
		r = required(c, root, v[0], "name", "the topology");
	if (r >= 0)
		r = required(c, root, v[1], "nodes", "the topology");
	if (r >= 0)
		r = copy_str(c, v[0], "lab name", c->t->name, sizeof(c->t->name));
	if (r < 0)
		return r;
	c->t->name_mark = v[0]->mark;
	c->t->nodes_mark = km[1];
	r = load_nodes(c, v[1]);
	if (r >= 0 && v[2])
		r = load_links(c, v[2]);
	if (r >= 0 && v[3])
		r = load_lans(c, v[3]);
	if (r >= 0 && v[4])
		r = load_cases(c, v[4]);
	return r;
}

int topo_load_buffer(const char *name, const char *buf, size_t len, struct topology **ret,
		     struct topo_diag *d)
{
	struct ctx c = { .file = name, .d = d };
	struct ynode *root = NULL;
	/* Some editors start UTF-8 with a BOM.  libyaml skips one only when it
	 * detects the encoding itself, and tree_build sets UTF-8: skip it here, so
	 * line 1's columns count from after it, as editors show them. */
	const char *body = len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? buf + 3 : buf;
	const char *nul;
	int r;

	*ret = NULL;
	if (len > TOPO_FILE_MAX) {
		r = topo_diag_add(d, name, (struct topo_mark){ 0 },
				  "file is larger than the limit of %u bytes", TOPO_FILE_MAX);
		goto out;
	}
	nul = memchr(buf, '\0', len);
	if (nul) {
		r = err(&c, mark_at(body, (size_t)(nul - body)),
			"NUL bytes are not allowed in a topology file");
		goto out;
	}
	r = tree_build(&c, body, len - (size_t)(body - buf), &root);
	if (r < 0)
		goto out;
	c.t = calloc(1, sizeof(*c.t));
	if (!c.t || !(c.t->file = strdup(name)) || !(c.t->text = malloc(len + 1))) {
		r = -ENOMEM;
		goto out;
	}
	memcpy(c.t->text, buf, len);
	c.t->text[len] = '\0';
	c.t->text_len = len;
	r = load_root(&c, root);
	if (r < 0)
		goto out;
	r = topo_validate(c.t, d);
	if (r < 0)
		goto out;
	*ret = c.t;
	c.t = NULL;
out:
	topo_free(c.t);
	free(c.by_name);
	if (root) {
		ynode_clear(root);
		free(root);
	}
	return r;
}

int topo_load(const char *path, struct topology **ret, struct topo_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*ret = NULL;
	r = path_read_all(path, 0, TOPO_FILE_MAX, &buf, &len);
	if (r == -EFBIG) {
		r = topo_diag_add(d, path, (struct topo_mark){ 0 },
				  "file is larger than the limit of %u bytes", TOPO_FILE_MAX);
		goto out;
	}
	if (r < 0) {
		if (topo_diag_add(d, path, (struct topo_mark){ 0 }, "cannot read: %s",
				  strerror(-r)) == -ENOMEM)
			r = -ENOMEM;
		goto out;
	}
	r = topo_load_buffer(path, buf, len, ret, d);
out:
	free(buf);
	return r;
}

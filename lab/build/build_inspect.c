// SPDX-License-Identifier: MIT
/*
 * lab_inspect: what the kernel holds for a lab, read from its tagged
 * namespaces.  Dumps are fine here: this is status, not the build.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "lab/build/build.h"
#include "lab/labns/labns.h"
#include "netns/netns.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static int link_cb(const struct link_status *l, void *data)
{
	struct lab_view_node *vn = data;
	struct lab_view_iface *v, *nv;

	nv = reallocarray(vn->ifaces, vn->n_ifaces + 1, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	vn->ifaces = nv;
	v = &nv[vn->n_ifaces++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", l->name);
	snprintf(v->kind, sizeof(v->kind), "%s", l->kind);
	v->ifindex = l->ifindex;
	v->up = l->flags & IFF_UP;
	v->lower_up = l->lower_up;
	return 0;
}

static int addr_cb(const struct addr_status *a, void *data)
{
	struct lab_view_node *vn = data;
	struct lab_view_addr *na;
	struct lab_view_iface *v = NULL;
	char text[INET6_ADDRSTRLEN];

	/*
	 * Kernel-made addresses are left out: loopback's (host scope) and IPv6
	 * link-locals, which every interface gets and no topology declares.
	 */
	if (a->scope == RT_SCOPE_HOST || (a->family == AF_INET6 && a->scope == RT_SCOPE_LINK))
		return 0;
	for (size_t i = 0; i < vn->n_ifaces && !v; i++)
		if (vn->ifaces[i].ifindex == a->ifindex)
			v = &vn->ifaces[i];
	if (!v || !inet_ntop(a->family, a->addr, text, sizeof(text)))
		return 0;
	na = reallocarray(v->addrs, v->n_addrs + 1, sizeof(*na));
	if (!na)
		return -ENOMEM;
	v->addrs = na;
	na = &na[v->n_addrs++];
	na->family = a->family;
	snprintf(na->text, sizeof(na->text), "%s/%u", text, a->prefixlen);
	return 0;
}

/* Fill vn from namespace vn->ns; a vanished or untagged namespace is not present. */
static int read_node(struct lab_view_node *vn, const char *lab)
{
	struct ns_sock *s = NULL;
	int r;

	r = lab_ns_open_ours(vn->ns, lab, NULL, &s);
	if (r == -ENOENT || r == -EEXIST)
		return 0;
	if (r < 0)
		return r;
	vn->present = true;
	r = link_dump(s, link_cb, vn);
	if (r == 0)
		r = addr_dump(s, addr_cb, vn);
	ns_sock_close(s);
	return r;
}

static struct lab_view_node *add_node(struct lab_view *v, const char *lab, const char *node)
{
	struct lab_view_node *nv = reallocarray(v->nodes, v->n_nodes + 1, sizeof(*nv));

	if (!nv)
		return NULL;
	v->nodes = nv;
	nv = &nv[v->n_nodes++];
	memset(nv, 0, sizeof(*nv));
	snprintf(nv->name, sizeof(nv->name), "%s", node);
	lab_ns_name(lab, node, nv->ns, sizeof(nv->ns));
	return nv;
}

static int cmp_node(const void *a, const void *b)
{
	const struct lab_view_node *x = a, *y = b;

	/* ".lans" sorts after every node name ('.' is below letters in ASCII). */
	if (x->name[0] == '.' || y->name[0] == '.')
		return (x->name[0] == '.') - (y->name[0] == '.');
	return strcmp(x->name, y->name);
}

int lab_inspect(const char *lab, char *const *expect_nodes, size_t n_expect, struct lab_view **ret)
{
	struct lab_view *v;
	char prefix[NS_NAME_MAX + 1];
	DIR *d = NULL;
	struct dirent *e;
	size_t n_expected, plen;
	int r;

	r = lab_ns_prefix(lab, prefix, sizeof(prefix));
	if (r < 0 || !lab[0] || strchr(lab, '/'))
		return -EINVAL;
	plen = strlen(prefix);
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	snprintf(v->lab, sizeof(v->lab), "%s", lab);
	for (size_t i = 0; expect_nodes && i < n_expect; i++)
		if (!add_node(v, lab, expect_nodes[i])) {
			r = -ENOMEM;
			goto out;
		}
	n_expected = v->n_nodes;
	/* Namespaces the state does not list (e.g. .lans, or a stale state) come after. */
	d = opendir(NS_RUN_DIR);
	while (d && (e = readdir(d))) {
		bool known = false;

		if (strncmp(e->d_name, prefix, plen) != 0 || !e->d_name[plen] ||
		    !ns_name_valid(e->d_name))
			continue;
		for (size_t i = 0; i < v->n_nodes && !known; i++)
			known = strcmp(v->nodes[i].ns, e->d_name) == 0;
		if (!known && !add_node(v, lab, e->d_name + plen)) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (v->n_nodes > n_expected)
		qsort(v->nodes + n_expected, v->n_nodes - n_expected, sizeof(*v->nodes), cmp_node);
	for (size_t i = 0; i < v->n_nodes; i++) {
		r = read_node(&v->nodes[i], lab);
		if (r < 0)
			goto out;
	}
	/* A name under our prefix that is not ours (another lab, a stranger) is dropped. */
	{
		size_t k = n_expected;

		for (size_t i = n_expected; i < v->n_nodes; i++) {
			if (v->nodes[i].present)
				v->nodes[k++] = v->nodes[i];
			else
				free(v->nodes[i].ifaces); /* never filled: not ours */
		}
		v->n_nodes = k;
	}
	*ret = v;
	v = NULL;
	r = 0;
out:
	if (d)
		closedir(d);
	lab_view_free(v);
	return r;
}

void lab_view_free(struct lab_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_nodes; i++) {
		for (size_t j = 0; j < v->nodes[i].n_ifaces; j++)
			free(v->nodes[i].ifaces[j].addrs);
		free(v->nodes[i].ifaces);
	}
	free(v->nodes);
	free(v);
}

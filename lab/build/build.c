// SPDX-License-Identifier: MIT
/*
 * lab_build: run the plan (lab/build_plan.c) against the kernel, one action
 * at a time, journaling the namespaces it creates so any failure (or a
 * pending SIGINT/SIGTERM/SIGHUP) removes them all again.  Everything a lab
 * holds lives inside its namespaces, so removing those undoes every step.
 *
 * Speed (see performance.md): one process, no fork; each namespace is made
 * by unshare() in this thread and keeps its fd and a netlink socket open for
 * the whole build; ifindexes come back in NLM_F_ECHO copies of the create
 * requests, so nothing is ever looked up or dumped while building.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/build/build_int.h"
#include "lab/labns/labns.h"
#include "lab/util/util.h"
#include "netns/netns.h"

struct build_ctx {
	const struct topology *t;
	const struct build_plan *plan;
	char tag[sizeof(LAB_TAG_PREFIX) + TOPO_LAB_NAME_MAX];
	int *ns_fd;		    /* per plan namespace; -1 until made */
	struct ns_sock **sock;	    /* per plan namespace */
	struct ns_file_id *ns_file; /* per plan namespace: the file ns_create made */
	bool *published;	    /* per plan namespace: mounted by NS_PUBLISH */
	uint64_t *mnt_id;	    /* per plan namespace: its mount's id, 0 unknown */
	int name_src;		    /* ns_name_source_open's fd, or < 0 */
	bool ephemeral;		    /* held by fds only: no file, no mount */
	size_t *journal;	    /* plan namespaces this call created, in order */
	size_t n_journal;
	int *ifindex;	      /* per interface (plan->iface_base + iface) */
	int *br_ifindex;      /* per lan */
	int *port_ifindex;    /* per bridge port, in the lans namespace */
	unsigned ops;	      /* kernel operations attempted so far */
	unsigned fault_at;    /* REUSELAB_FAULT_AT, 0 when off */
	unsigned fault_alloc; /* REUSELAB_FAULT_ALLOC: that allocation fails, 0 when off */
	unsigned allocs;      /* allocations of the context so far */
	struct rlimit nofile; /* to restore */
	bool nofile_raised;
	const struct build_progress *progress;
	char *err;
	size_t errlen;
};

static void set_err(struct build_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_err(struct build_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/*
 * Descriptors open now: inherited ones (a parent's leak, a shell's extra
 * redirections) count against the same limit as ours.  Counted from
 * /proc/self/fd; when that cannot be read, the highest possible (the soft
 * limit itself) keeps the budget on the safe side.
 */
static rlim_t fds_open(rlim_t fallback)
{
	struct dirent *e;
	rlim_t n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return fallback;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Each namespace holds two fds for the whole build; a 200+ node lab passes
 * the usual soft limit of 1024.  Raised only as far as needed, restored after.
 */
static int raise_nofile(struct build_ctx *c, size_t n_ns)
{
	struct rlimit nl;
	rlim_t need;

	if (getrlimit(RLIMIT_NOFILE, &c->nofile) < 0)
		return -errno;
	if (c->nofile.rlim_cur == RLIM_INFINITY)
		return 0;
	need = fds_open(c->nofile.rlim_cur) + (rlim_t)n_ns * 2 + 64;
	if (c->nofile.rlim_cur >= need)
		return 0;
	nl.rlim_cur = need;
	nl.rlim_max = c->nofile.rlim_max != RLIM_INFINITY && c->nofile.rlim_max < need
			  ? need
			  : c->nofile.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &nl) < 0)
		return -errno;
	c->nofile_raised = true;
	return 0;
}

static void close_all(struct build_ctx *c)
{
	for (size_t i = 0; c->plan && i < c->plan->n_ns; i++) {
		if (c->sock)
			ns_sock_close(c->sock[i]);
		if (c->ns_fd && c->ns_fd[i] >= 0)
			close(c->ns_fd[i]);
	}
}

/* Undo: remove every namespace this call created, newest first. */
static void rollback(struct build_ctx *c)
{
	/* An ephemeral namespace goes with its last fd: closing is the undo. */
	close_all(c);
	for (size_t i = 0; c->sock && i < c->plan->n_ns; i++) {
		c->sock[i] = NULL;
		c->ns_fd[i] = -1;
	}
	while (c->n_journal > 0) {
		size_t i = c->journal[--c->n_journal];

		/*
		 * Not yet mounted: only the empty file we made is ours, and only
		 * while it is still that file (see ns_publish's -ESTALE).
		 */
		if (c->published[i])
			(void)ns_remove(c->plan->ns[i].name);
		else
			(void)ns_unlink_stale(c->plan->ns[i].name, &c->ns_file[i]);
	}
}

static int fault_from_env(const char *name)
{
#ifdef REUSELAB_TESTING
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 1000000)
		return 0;
	return (int)v;
#else
	return 0;
#endif
}

static int iface_ifindex(const struct build_ctx *c, size_t node, size_t iface)
{
	return c->ifindex[c->plan->iface_base[node] + iface];
}

static void set_iface_ifindex(struct build_ctx *c, size_t node, size_t iface, int ifindex)
{
	c->ifindex[c->plan->iface_base[node] + iface] = ifindex;
}

/* One sysctl of the namespace the thread is in; absent_ok: a missing key is no error. */
struct sysctl_write {
	const char *key, *value;
	bool absent_ok;
};

static int write_sysctl(void *arg)
{
	const struct sysctl_write *w = arg;
	int r = ns_sysctl_write(w->key, w->value);

	return r == -ENOENT && w->absent_ok ? 0 : r;
}

static int do_sysctl(struct build_ctx *c, const struct plan_action *a)
{
	const struct topo_sysctl *s = &c->t->nodes[a->node].sysctls[a->item];
	struct sysctl_write w = {.key = s->key, .value = s->value};

	/* /proc/sys/net is the namespace of the thread that opens it. */
	return ns_run_in(c->ns_fd[a->ns], write_sysctl, &w);
}

static int do_lans_no_ipv6(struct build_ctx *c, const struct plan_action *a)
{
	/* A kernel without IPv6 gives its devices none anyway. */
	struct sysctl_write w = {"net.ipv6.conf.default.disable_ipv6", "1", true};

	return ns_run_in(c->ns_fd[a->ns], write_sysctl, &w);
}

/* Published: the name's file first, journaled for rollback; ephemeral: no name. */
static int do_ns_create(struct build_ctx *c, const struct plan_action *a)
{
	int r;

	if (c->ephemeral)
		return ns_create_anon(&c->ns_fd[a->ns], &c->sock[a->ns]);
	r = ns_create(c->plan->ns[a->ns].name, c->name_src, &c->ns_fd[a->ns], &c->sock[a->ns],
		      &c->ns_file[a->ns]);

	if (r == 0)
		c->journal[c->n_journal++] = a->ns;
	return r;
}

/*
 * Tag before the mount, through the socket ns_create opened inside.  A kill
 * at any point leaves either an empty file or a tagged namespace, both of
 * which lab_teardown removes.
 */
static int do_ns_tag(struct build_ctx *c, const struct plan_action *a)
{
	return link_set_up(c->sock[a->ns], LINK_LOOPBACK_IFINDEX, 0, c->tag);
}

static int do_ns_publish(struct build_ctx *c, const struct plan_action *a)
{
	int r;

	/* Ephemeral: no name to publish under (the step stays, so operation N
	 * means the same in both modes). */
	if (c->ephemeral)
		return 0;
	r = ns_publish(c->plan->ns[a->ns].name, c->ns_fd[a->ns], &c->ns_file[a->ns],
		       &c->mnt_id[a->ns]);

	if (r == 0)
		c->published[a->ns] = true;
	return r;
}

static int do_bridge_add(struct build_ctx *c, const struct plan_action *a)
{
	char name[IFNAMSIZ];

	plan_bridge_name(a->item, name, sizeof(name));
	return link_bridge_add(c->sock[a->ns], name, &c->br_ifindex[a->item]);
}

static int do_bridge_up(struct build_ctx *c, const struct plan_action *a)
{
	return link_set_up(c->sock[a->ns], c->br_ifindex[a->item], 0, NULL);
}

/* A veth from a's namespace with its peer `peer_name` placed in peer_ns. */
static int veth_add(struct build_ctx *c, const struct plan_action *a, const char *name,
		    const char *peer_name, int *ret_ifindex, int *ret_peer)
{
	int r;

	*ret_ifindex = *ret_peer = 0;
	r = link_veth_add(c->sock[a->ns], name, peer_name, c->ns_fd[a->peer_ns], ret_ifindex,
			  ret_peer);
	if (r == 0 && !*ret_peer)
		r = link_ifindex(c->sock[a->peer_ns], peer_name, ret_peer);
	return r;
}

static int do_veth_add(struct build_ctx *c, const struct plan_action *a)
{
	const struct topology *t = c->t;
	const struct topo_link *l = &t->links[a->item];
	int r, ifindex, peer;

	r = veth_add(c, a, t->nodes[l->a.node].ifaces[l->a.iface].name,
		     t->nodes[l->b.node].ifaces[l->b.iface].name, &ifindex, &peer);
	if (r == 0) {
		set_iface_ifindex(c, l->a.node, l->a.iface, ifindex);
		set_iface_ifindex(c, l->b.node, l->b.iface, peer);
	}
	return r;
}

static int do_peer_up(struct build_ctx *c, const struct plan_action *a)
{
	return link_set_up(c->sock[a->ns], iface_ifindex(c, a->node, a->iface), 0, NULL);
}

static int do_lan_port_add(struct build_ctx *c, const struct plan_action *a)
{
	char name[IFNAMSIZ];
	int r, ifindex, peer;

	plan_port_name(a->port, name, sizeof(name));
	r = veth_add(c, a, c->t->nodes[a->node].ifaces[a->iface].name, name, &ifindex, &peer);
	if (r == 0) {
		set_iface_ifindex(c, a->node, a->iface, ifindex);
		c->port_ifindex[a->port] = peer;
	}
	return r;
}

static int do_port_attach(struct build_ctx *c, const struct plan_action *a)
{
	return link_set_up(c->sock[a->ns], c->port_ifindex[a->port], c->br_ifindex[a->item], NULL);
}

static int do_addr_add(struct build_ctx *c, const struct plan_action *a)
{
	const struct topo_node *n = &c->t->nodes[a->node];
	const struct topo_addr *ad = &topo_node_iface(n, a->iface)->addrs[a->item];
	/* lo is ifindex 1 in every namespace (LOOPBACK_IFINDEX) */
	int ifindex = a->iface < n->n_ifaces ? iface_ifindex(c, a->node, a->iface) : 1;

	return addr_add(c->sock[a->ns], ifindex, ad->family, ad->addr, ad->prefixlen);
}

static int do_route_add(struct build_ctx *c, const struct plan_action *a)
{
	const struct topo_node *n = &c->t->nodes[a->node];
	const struct topo_route *rt = &n->routes[a->item];
	int oif = 0;

	/* The validator made sure the device is one of the node's. */
	if (rt->dev[0])
		oif = iface_ifindex(c, a->node, (size_t)topo_iface_find(n, rt->dev));
	return route_add(c->sock[a->ns], rt->family, rt->dst, rt->dst_len,
			 rt->has_via ? rt->via : NULL, oif);
}

/*
 * One handler per plan operation (build_int.h says what each one does), and
 * whether it is a netlink request, whose failure may carry the kernel's
 * message.
 */
/* clang-format off */
static const struct {
	int (*run)(struct build_ctx *c, const struct plan_action *a);
	bool netlink;
} plan_ops[] = {
	[PLAN_NS_CREATE]	= {do_ns_create, false},
	[PLAN_NS_TAG]		= {do_ns_tag, true},
	[PLAN_NS_PUBLISH]	= {do_ns_publish, false},
	[PLAN_LANS_NO_IPV6]	= {do_lans_no_ipv6, false},
	[PLAN_BRIDGE_ADD]	= {do_bridge_add, true},
	[PLAN_VETH_ADD]		= {do_veth_add, true},
	[PLAN_PEER_UP]		= {do_peer_up, true},
	[PLAN_LAN_PORT_ADD]	= {do_lan_port_add, true},
	[PLAN_PORT_ATTACH]	= {do_port_attach, true},
	[PLAN_SYSCTL_SET]	= {do_sysctl, false},
	[PLAN_ADDR_ADD]		= {do_addr_add, true},
	[PLAN_BRIDGE_UP]	= {do_bridge_up, true},
	[PLAN_ROUTE_ADD]	= {do_route_add, true},
};
/* clang-format on */

static int run_plan(struct build_ctx *c)
{
	const struct build_plan *p = c->plan;
	char what[256];
	int r;

	for (size_t i = 0; i < p->n_acts; i++) {
		const struct plan_action *a = &p->acts[i];
		struct ns_sock *s;

		/* The caller blocks these; pending means the user wants out now. */
		if (sigstop_pending()) {
			set_err(c, "interrupted by a signal");
			return -EINTR;
		}
		c->ops++;
		if (c->fault_at && c->ops == c->fault_at) {
			plan_describe(p, c->t, i, what, sizeof(what));
			set_err(c, "%s: %s (injected fault %u)", what, strerror(EIO), c->ops);
			return -EIO;
		}
		r = plan_ops[a->op].run(c, a);
		if (r == 0) {
			if (c->progress && c->progress->fn &&
			    ((i + 1) % 64 == 0 || i + 1 == p->n_acts))
				c->progress->fn(i + 1, p->n_acts, c->progress->data);
			continue;
		}
		plan_describe(p, c->t, i, what, sizeof(what));
		s = plan_ops[a->op].netlink ? c->sock[a->ns] : NULL;
		if (s && ns_sock_ext_msg(s)[0])
			set_err(c, "%s: %s (kernel: %s)", what, strerror(-r), ns_sock_ext_msg(s));
		else if (r == -EEXIST && a->op == PLAN_NS_CREATE)
			set_err(c,
				"%s: %s (another lab or program uses that name; see 'reuselab "
				"status' or 'ip netns list')",
				what, strerror(-r));
		else
			set_err(c, "%s: %s", what, strerror(-r));
		return r;
	}
	return 0;
}

/*
 * The kernel finishes bringing a link up asynchronously (link watch: carrier,
 * qdisc, operstate); a packet sent before that is dropped.  Return only when
 * every interface of every node passes traffic, so the first connect of a
 * probe or a user does not lose its SYN or ARP.  Usually already true: one
 * RTM_GETLINK per interface, no dump.
 */
#define LINK_READY_TIMEOUT_MS 5000

static int wait_links_ready(struct build_ctx *c)
{
	const struct topology *t = c->t;
	struct timespec start, now, pause = {.tv_nsec = 1000000};
	char what[IFNAMSIZ + TOPO_NODE_NAME_MAX + 2];
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (size_t i = 0; i < t->n_nodes; i++) {
		for (size_t j = 0; j < t->nodes[i].n_ifaces; j++) {
			size_t ns = i; /* node namespaces come first, in topology order */

			while ((r = link_oper_up(c->sock[ns], iface_ifindex(c, i, j))) == 0) {
				if (sigstop_pending()) {
					set_err(c, "interrupted by a signal");
					return -EINTR;
				}
				clock_gettime(CLOCK_MONOTONIC, &now);
				if ((now.tv_sec - start.tv_sec) * 1000 +
					(now.tv_nsec - start.tv_nsec) / 1000000 >
				    LINK_READY_TIMEOUT_MS) {
					r = -ETIMEDOUT;
					break;
				}
				nanosleep(&pause, NULL);
			}
			if (r < 0) {
				snprintf(what, sizeof(what), "%s:%s", t->nodes[i].name,
					 t->nodes[i].ifaces[j].name);
				set_err(c, "interface %s: not operational: %s", what, strerror(-r));
				return r;
			}
		}
	}
	return 0;
}

/* Test builds: REUSELAB_FAULT_ALLOC=N makes the Nth allocation of ctx_alloc fail. */
static void *ctx_malloc(struct build_ctx *c, size_t n, size_t size)
{
	if (c->fault_alloc && ++c->allocs == c->fault_alloc)
		return NULL;
	return n > SIZE_MAX / size - 1 ? NULL : malloc((n + 1) * size);
}

static void *ctx_calloc(struct build_ctx *c, size_t n, size_t size)
{
	void *v = ctx_malloc(c, n, size);

	if (v)
		memset(v, 0, (n + 1) * size);
	return v;
}

/*
 * The per-namespace and per-interface tables.  Every ns_fd is -1 before any
 * other allocation can fail: close_all runs on every way out, and must not
 * close a descriptor that is not ours (defect 2).
 */
static int ctx_alloc(struct build_ctx *c)
{
	const struct build_plan *p = c->plan;

	c->ns_fd = ctx_malloc(c, p->n_ns, sizeof(*c->ns_fd));
	if (!c->ns_fd)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_ns; i++)
		c->ns_fd[i] = -1;
	c->sock = ctx_calloc(c, p->n_ns, sizeof(*c->sock));
	c->ns_file = ctx_calloc(c, p->n_ns, sizeof(*c->ns_file));
	c->published = ctx_calloc(c, p->n_ns, sizeof(*c->published));
	c->mnt_id = ctx_calloc(c, p->n_ns, sizeof(*c->mnt_id));
	c->journal = ctx_calloc(c, p->n_ns, sizeof(*c->journal));
	c->ifindex = ctx_calloc(c, p->n_ifaces, sizeof(*c->ifindex));
	c->br_ifindex = ctx_calloc(c, c->t->n_lans, sizeof(*c->br_ifindex));
	c->port_ifindex = ctx_calloc(c, p->n_ports, sizeof(*c->port_ifindex));
	if (!c->sock || !c->ns_file || !c->published || !c->mnt_id || !c->journal || !c->ifindex ||
	    !c->br_ifindex || !c->port_ifindex)
		return -ENOMEM;
	return 0;
}

static void ctx_free(struct build_ctx *c)
{
	close_all(c);
	if (c->name_src >= 0)
		close(c->name_src);
	if (c->nofile_raised)
		(void)setrlimit(RLIMIT_NOFILE, &c->nofile);
	free(c->ns_fd);
	free(c->sock);
	free(c->ns_file);
	free(c->published);
	free(c->mnt_id);
	free(c->journal);
	free(c->ifindex);
	free(c->br_ifindex);
	free(c->port_ifindex);
}

/* Hand the namespace fds of a finished ephemeral build to *ret (ctx_free
 * then closes only the netlink sockets). */
static int keep_fds(struct build_ctx *c, struct lab_fds *ret)
{
	const struct build_plan *p = c->plan;

	ret->n_nodes = c->t->n_nodes;
	ret->lans_fd = -1;
	ret->node_fd = malloc((ret->n_nodes + 1) * sizeof(*ret->node_fd));
	if (!ret->node_fd)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_ns; i++) {
		if (p->ns[i].node == PLAN_NO_NODE)
			ret->lans_fd = c->ns_fd[i];
		else
			ret->node_fd[p->ns[i].node] = c->ns_fd[i];
		c->ns_fd[i] = -1;
	}
	return 0;
}

void lab_mounts_free(struct lab_mounts *m)
{
	free(m->v);
	*m = (struct lab_mounts){0};
}

/* The published build's mounts, by namespace name, for the state. */
static int keep_mounts(struct build_ctx *c, struct lab_mounts *ret)
{
	const struct build_plan *p = c->plan;

	ret->v = calloc(p->n_ns, sizeof(*ret->v));
	if (!ret->v)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_ns; i++) {
		snprintf(ret->v[i].ns, sizeof(ret->v[i].ns), "%s", p->ns[i].name);
		ret->v[i].id = c->mnt_id[i];
	}
	ret->n = p->n_ns;
	return 0;
}

static int build(const struct topology *t, const char *lab, const struct build_progress *progress,
		 struct lab_fds *ret_fds, struct lab_mounts *ret_mounts, char *err, size_t errlen)
{
	struct build_ctx c = {.t = t,
			      .name_src = -1,
			      .progress = progress,
			      .ephemeral = ret_fds != NULL,
			      .err = err,
			      .errlen = errlen};
	struct build_plan *plan = NULL;
	int r;

	if (errlen)
		err[0] = '\0';
	r = plan_make(t, lab, &plan, err, errlen);
	if (r < 0)
		return r;
	c.plan = plan;
	snprintf(c.tag, sizeof(c.tag), LAB_TAG_PREFIX "%s", lab);
	c.fault_at = (unsigned)fault_from_env("REUSELAB_FAULT_AT");
	c.fault_alloc = (unsigned)fault_from_env("REUSELAB_FAULT_ALLOC");

	r = ctx_alloc(&c);
	if (r < 0) {
		set_err(&c, "%s", strerror(-r));
		goto out;
	}
	r = raise_nofile(&c, plan->n_ns);
	if (r < 0) {
		set_err(&c, "cannot raise the open file limit for %zu namespaces: %s", plan->n_ns,
			strerror(-r));
		goto out;
	}
	r = c.ephemeral ? 0 : ns_run_dir_prepare();
	if (r < 0) {
		set_err(&c, "cannot prepare " NS_RUN_DIR ": %s", strerror(-r));
		goto out;
	}
	/* Without it each name is a file of its own: slower, same result. */
	c.name_src = c.ephemeral ? -1 : ns_name_source_open();
	r = run_plan(&c);
	if (r == 0)
		r = wait_links_ready(&c);
	if (r == 0 && c.ephemeral)
		r = keep_fds(&c, ret_fds);
	if (r == 0 && ret_mounts)
		r = keep_mounts(&c, ret_mounts);
	if (r < 0)
		rollback(&c);
out:
	ctx_free(&c);
	plan_free(plan);
	return r;
}

int lab_build(const struct topology *t, const char *lab, const struct build_progress *progress,
	      struct lab_mounts *ret_mounts, char *err, size_t errlen)
{
	if (ret_mounts)
		*ret_mounts = (struct lab_mounts){0};
	return build(t, lab, progress, NULL, ret_mounts, err, errlen);
}

int lab_build_ephemeral(const struct topology *t, const char *lab, struct lab_fds *ret, char *err,
			size_t errlen)
{
	*ret = (struct lab_fds){.lans_fd = -1};
	return build(t, lab, NULL, ret, NULL, err, errlen);
}

void lab_fds_close(struct lab_fds *h)
{
	for (size_t i = 0; h->node_fd && i < h->n_nodes; i++)
		if (h->node_fd[i] >= 0)
			close(h->node_fd[i]);
	if (h->lans_fd >= 0)
		close(h->lans_fd);
	free(h->node_fd);
	*h = (struct lab_fds){.lans_fd = -1};
}

int lab_build_count_ops(const struct topology *t)
{
	struct build_plan *p = NULL;
	char err[256];
	int r;

	/* The count does not depend on the lab name; any valid one will do. */
	r = plan_make(t, t->name[0] ? t->name : "count", &p, err, sizeof(err));
	if (r < 0)
		return r;
	r = p->n_acts > 0x7fffffff ? -EOVERFLOW : (int)p->n_acts;
	plan_free(p);
	return r;
}

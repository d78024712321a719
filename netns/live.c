// SPDX-License-Identifier: MIT
/*
 * Live namespace state through libnl-route-3 caches (see netns.h for why the
 * read side uses libnl and the write side libmnl).  libnl reports -NLE_*
 * codes; the kernel's errno is kept by an error callback on the socket, and
 * the few NLE_* codes that are not the kernel's are mapped back by a table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "netns/netns.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct live_conn {
	struct nl_sock *sk;
	int kernel_err; /* -errno of the last NLMSG_ERROR, 0 when none */
};

static const int nle_errno[] = {
    [NLE_FAILURE] = EIO,
    [NLE_INTR] = EINTR,
    [NLE_BAD_SOCK] = EBADF,
    [NLE_AGAIN] = EAGAIN,
    [NLE_NOMEM] = ENOMEM,
    [NLE_EXIST] = EEXIST,
    [NLE_INVAL] = EINVAL,
    [NLE_RANGE] = ERANGE,
    [NLE_MSGSIZE] = EMSGSIZE,
    [NLE_OPNOTSUPP] = EOPNOTSUPP,
    [NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
    [NLE_OBJ_NOTFOUND] = ENOENT,
    [NLE_NOATTR] = ENODATA,
    [NLE_MISSING_ATTR] = EBADMSG,
    [NLE_AF_MISMATCH] = EAFNOSUPPORT,
    [NLE_SEQ_MISMATCH] = EILSEQ,
    [NLE_MSG_OVERFLOW] = EOVERFLOW,
    [NLE_MSG_TRUNC] = EMSGSIZE,
    [NLE_NOADDR] = EADDRNOTAVAIL,
    [NLE_MSG_TOOSHORT] = EBADMSG,
    [NLE_MSGTYPE_NOSUPPORT] = EOPNOTSUPP,
    [NLE_BUSY] = EBUSY,
    [NLE_PROTO_MISMATCH] = EPROTONOSUPPORT,
    [NLE_NOACCESS] = EACCES,
    [NLE_PERM] = EPERM,
    [NLE_PARSE_ERR] = EBADMSG,
    [NLE_NODEV] = ENODEV,
    [NLE_DUMP_INTR] = EINTR,
    [NLE_ATTRSIZE] = EBADMSG,
};

/* -errno for a libnl return: the kernel's own when it sent one. */
static int live_errno(const struct live_conn *c, int nle)
{
	int e = nle < 0 ? -nle : nle;

	if (c && c->kernel_err)
		return c->kernel_err;
	if (e > 0 && (size_t)e < sizeof(nle_errno) / sizeof(nle_errno[0]) && nle_errno[e])
		return -nle_errno[e];
	return -EIO;
}

static int on_kernel_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct live_conn *c = arg;

	c->kernel_err = e->error < 0 ? e->error : -EPROTO;
	return NL_STOP;
}

/* Runs inside the node's namespace: libnl binds the socket to the caller's. */
static int connect_here(void *arg)
{
	struct live_conn *c = arg;
	int r;

	errno = 0;
	r = nl_connect(c->sk, NETLINK_ROUTE);
	if (r < 0)
		return errno ? -errno : live_errno(NULL, r);
	return 0;
}

int live_open(int netns_fd, struct live_conn **ret)
{
	struct live_conn *c = calloc(1, sizeof(*c));
	int r, one = 1;

	if (!c)
		return -ENOMEM;
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		r = -ENOMEM;
		goto out;
	}
	r = nl_socket_modify_err_cb(c->sk, NL_CB_CUSTOM, on_kernel_error, c);
	if (r < 0) {
		r = live_errno(NULL, r);
		goto out;
	}
	r = ns_run_in(netns_fd, connect_here, c);
	if (r < 0)
		goto out;
	/* Dumps are read, never sent: an ext-ack only sharpens an error's text. */
	(void)setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	*ret = c;
	c = NULL;
out:
	live_close(c);
	return r;
}

void live_close(struct live_conn *c)
{
	if (!c)
		return;
	nl_socket_free(c->sk); /* closes the fd; NULL is fine */
	free(c);
}

/* Binary address of a into buf (16 bytes); its length, or 0 when not IP. */
static size_t addr_bytes(struct nl_addr *a, uint8_t *buf)
{
	size_t len = a ? nl_addr_get_len(a) : 0;

	memset(buf, 0, 16);
	if (len != 4 && len != 16)
		return 0;
	memcpy(buf, nl_addr_get_binary_addr(a), len);
	return len;
}

static void format_mac(struct nl_addr *a, char *buf, size_t len)
{
	const uint8_t *m = a ? nl_addr_get_binary_addr(a) : NULL;

	buf[0] = '\0';
	if (m && nl_addr_get_len(a) == 6)
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
			 m[5]);
}

static void fill_link(struct live_link *l, struct rtnl_link *o)
{
	const char *name = rtnl_link_get_name(o), *kind = rtnl_link_get_type(o);
	int32_t nsid;

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name ? name : "");
	l->ifindex = rtnl_link_get_ifindex(o);
	l->flags = rtnl_link_get_flags(o);
	if (!kind && (l->flags & IFF_LOOPBACK))
		kind = "loopback";
	snprintf(l->kind, sizeof(l->kind), "%s", kind ? kind : "");
	l->up = l->flags & IFF_UP;
	l->lower_up = l->flags & IFF_LOWER_UP;
	l->mtu = rtnl_link_get_mtu(o);
	format_mac(rtnl_link_get_addr(o), l->mac, sizeof(l->mac));
	l->master = rtnl_link_get_master(o);
	l->link = rtnl_link_get_link(o);
	l->link_nsid = rtnl_link_get_link_netnsid(o, &nsid) == 0 ? nsid : LIVE_NSID_NONE;
}

static int read_links(struct live_conn *c, struct live_ns *n)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r;

	r = rtnl_link_alloc_cache(c->sk, AF_UNSPEC, &cache);
	if (r < 0)
		return live_errno(c, r);
	n->links = calloc(nl_cache_nitems(cache) + 1, sizeof(*n->links));
	if (!n->links) {
		r = -ENOMEM;
		goto out;
	}
	for (o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
		fill_link(&n->links[n->n_links++], (struct rtnl_link *)o);
out:
	nl_cache_free(cache);
	return r < 0 ? r : 0;
}

static int add_addr(struct live_ns *n, struct rtnl_addr *o)
{
	struct live_link *l = (struct live_link *)live_link_by_index(n, rtnl_addr_get_ifindex(o));
	struct live_addr *a;
	char text[INET6_ADDRSTRLEN];

	if (!l)
		return 0; /* its link vanished between the two dumps */
	a = reallocarray(l->addrs, l->n_addrs + 1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	l->addrs = a;
	a = &a[l->n_addrs];
	memset(a, 0, sizeof(*a));
	a->family = rtnl_addr_get_family(o);
	if (!addr_bytes(rtnl_addr_get_local(o), a->addr) ||
	    !inet_ntop(a->family, a->addr, text, sizeof(text)))
		return 0;
	a->prefixlen = rtnl_addr_get_prefixlen(o);
	a->scope = rtnl_addr_get_scope(o);
	snprintf(a->text, sizeof(a->text), "%s/%u", text, a->prefixlen);
	l->n_addrs++;
	return 0;
}

static int read_addrs(struct live_conn *c, struct live_ns *n)
{
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int r;

	r = rtnl_addr_alloc_cache(c->sk, &cache);
	if (r < 0)
		return live_errno(c, r);
	for (o = nl_cache_get_first(cache); o && r >= 0; o = nl_cache_get_next(o))
		r = add_addr(n, (struct rtnl_addr *)o);
	nl_cache_free(cache);
	return r < 0 ? r : 0;
}

static void format_route(struct live_route *rt, const struct live_ns *n)
{
	const struct live_link *dev = live_link_by_index(n, rt->oif);
	char dst[INET6_ADDRSTRLEN] = "default", gw[INET6_ADDRSTRLEN] = "";
	int len;

	if (rt->dst_len) {
		inet_ntop(rt->family, rt->dst, dst, sizeof(dst));
		len = strlen(dst);
		snprintf(dst + len, sizeof(dst) - len, "/%u", rt->dst_len);
	}
	if (rt->has_gw)
		inet_ntop(rt->family, rt->gw, gw, sizeof(gw));
	snprintf(rt->text, sizeof(rt->text), "%s%s%s%s%s", dst, gw[0] ? " via " : "", gw,
		 dev ? " dev " : "", dev ? dev->name : "");
}

/* One live_route per next hop (an RTA_MULTIPATH route has several). */
static void fill_route(struct live_route *rt, struct rtnl_route *o, struct rtnl_nexthop *nh)
{
	memset(rt, 0, sizeof(*rt));
	rt->family = rtnl_route_get_family(o);
	addr_bytes(rtnl_route_get_dst(o), rt->dst);
	rt->dst_len = rtnl_route_get_dst(o) ? nl_addr_get_prefixlen(rtnl_route_get_dst(o)) : 0;
	if (nh) {
		rt->has_gw = addr_bytes(rtnl_route_nh_get_gateway(nh), rt->gw) != 0;
		rt->oif = rtnl_route_nh_get_ifindex(nh);
	}
	rt->protocol = rtnl_route_get_protocol(o);
	rt->scope = rtnl_route_get_scope(o);
	rt->type = rtnl_route_get_type(o);
}

static bool main_ip_route(struct rtnl_route *o)
{
	int family = rtnl_route_get_family(o);

	return rtnl_route_get_table(o) == RT_TABLE_MAIN &&
	       (family == AF_INET || family == AF_INET6);
}

struct route_acc {
	struct live_ns *n;
	size_t cap;
	int err; /* -ENOMEM once growing failed */
};

static void take_route(struct nl_object *o, void *arg)
{
	struct rtnl_route *ro = (struct rtnl_route *)o;
	struct route_acc *a = arg;
	struct live_ns *n = a->n;
	int nhs = rtnl_route_get_nnexthops(ro);

	if (a->err || !main_ip_route(ro))
		return;
	for (int i = 0; i < (nhs ? nhs : 1); i++) {
		if (n->n_routes + 1 >= a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			struct live_route *nr = realloc(n->routes, cap * sizeof(*nr));

			if (!nr) {
				a->err = -ENOMEM;
				return;
			}
			n->routes = nr;
			a->cap = cap;
		}
		fill_route(&n->routes[n->n_routes], ro, nhs ? rtnl_route_nexthop_n(ro, i) : NULL);
		format_route(&n->routes[n->n_routes++], n);
	}
}

static int on_route_msg(struct nl_msg *msg, void *arg)
{
	struct route_acc *a = arg;
	int r = nl_msg_parse(msg, take_route, a);

	if (r < 0 && !a->err)
		a->err = r == -NLE_NOMEM ? -ENOMEM : -EBADMSG;
	return NL_OK;
}

/*
 * A plain dump parsed message by message, not a route cache: the cache keys
 * routes by (family, tos, table, dst, priority), so the kernel's per-device
 * IPv6 routes with one prefix (fe80::/64 on every interface) would collapse
 * into whichever came last.
 */
static int read_routes(struct live_conn *c, struct live_ns *n)
{
	struct route_acc a = {.n = n};
	struct nl_cb *cb, *sock_cb;
	int r;

	r = nl_rtgen_request(c->sk, RTM_GETROUTE, AF_UNSPEC, NLM_F_DUMP);
	if (r < 0)
		return live_errno(c, r);
	sock_cb = nl_socket_get_cb(c->sk);
	cb = nl_cb_clone(sock_cb);
	nl_cb_put(sock_cb);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_route_msg, &a);
	r = nl_recvmsgs(c->sk, cb);
	nl_cb_put(cb);
	if (r < 0)
		return live_errno(c, r);
	return a.err;
}

int live_read(struct live_conn *c, struct live_ns **ret)
{
	struct live_ns *n = calloc(1, sizeof(*n));
	int r;

	if (!n)
		return -ENOMEM;
	c->kernel_err = 0;
	r = read_links(c, n);
	if (r == 0)
		r = read_addrs(c, n);
	if (r == 0)
		r = read_routes(c, n);
	if (r < 0) {
		live_ns_free(n);
		return r;
	}
	*ret = n;
	return 0;
}

void live_ns_free(struct live_ns *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_links; i++)
		free(n->links[i].addrs);
	free(n->links);
	free(n->routes);
	free(n);
}

const struct live_link *live_link_by_index(const struct live_ns *n, int ifindex)
{
	for (size_t i = 0; n && ifindex > 0 && i < n->n_links; i++)
		if (n->links[i].ifindex == ifindex)
			return &n->links[i];
	return NULL;
}

static int on_nsid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	int *nsid = arg;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) == 0 &&
	    tb[NETNSA_NSID])
		*nsid = nla_get_s32(tb[NETNSA_NSID]);
	return NL_OK;
}

int live_nsid(struct live_conn *c, int other_fd, int *ret_nsid)
{
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, 0);
	struct nl_cb *cb = NULL, *sock_cb;
	int r, nsid = LIVE_NSID_NONE;

	c->kernel_err = 0;
	if (!msg)
		return -ENOMEM;
	r = nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO);
	if (r == 0)
		r = nla_put_u32(msg, NETNSA_FD, other_fd);
	if (r == 0)
		r = nl_send_auto(c->sk, msg);
	if (r < 0)
		goto out;
	sock_cb = nl_socket_get_cb(c->sk);
	cb = nl_cb_clone(sock_cb);
	nl_cb_put(sock_cb);
	if (!cb) {
		r = -NLE_NOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_nsid, &nsid);
	/* The reply, then the ack libnl asked for. */
	r = nl_recvmsgs(c->sk, cb);
	if (r >= 0 && !c->kernel_err)
		r = nl_wait_for_ack(c->sk);
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	if (r < 0 || c->kernel_err)
		return live_errno(c, r);
	*ret_nsid = nsid;
	return 0;
}

// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <libmnl/libmnl.h>
#include <linux/if.h> /* IF_OPER_UP; after net/if.h, which it defers to */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "netns/netns_int.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* An RTM_NEWLINK/GETLINK header with an ifinfomsg, in buf. */
static struct nlmsghdr *link_msg(char *buf, int type, unsigned flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static void ifi_up(struct nlmsghdr *nlh)
{
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
}

struct echo {
	const char *name;
	int ifindex;
	int link; /* IFLA_LINK, -1 when absent */
};

static int echo_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = a;
	else if ((type == IFLA_LINK || type == IFLA_MASTER) &&
		 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

/* The NLM_F_ECHO copy of the link we created: its ifindex and its peer's. */
static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct echo *e = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_parse(nlh, sizeof(*ifi), echo_attr_cb, tb);
	if (!tb[IFLA_IFNAME] || strcmp(mnl_attr_get_str(tb[IFLA_IFNAME]), e->name) != 0)
		return 0;
	e->ifindex = ifi->ifi_index;
	/*
	 * The kernel omits IFLA_LINK exactly when it equals the link's own
	 * ifindex (nla_put_iflink), which for a veth whose peer lives in another
	 * namespace happens often (both are 2 in fresh namespaces).
	 */
	e->link = tb[IFLA_LINK] ? (int)mnl_attr_get_u32(tb[IFLA_LINK]) : ifi->ifi_index;
	return 0;
}

/*
 * Kernels before 6.3 do not echo a new link back: look ours up by name
 * (one request), and report the peer's index as unknown (0).
 */
static int echo_or_lookup(struct ns_sock *s, const char *name, struct echo *e)
{
	int r;

	if (e->ifindex > 0)
		return 0;
	r = link_ifindex(s, name, &e->ifindex);
	e->link = 0;
	return r;
}

/*
 * Start an RTM_NEWLINK that creates `name`, up, asking for the kernel's echo
 * so the new ifindex needs no lookup.  NULL when name does not fit.
 */
static struct nlmsghdr *new_link_msg(char *buf, size_t len, const char *name)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, 0);

	ifi_up(nlh);
	return mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, name) ? nlh : NULL;
}

/* Send it; the new link's ifindex (and its peer's, 0 when unknown) come back. */
static int new_link_send(struct ns_sock *s, struct nlmsghdr *nlh, const char *name,
			 int *ret_ifindex, int *ret_peer_ifindex)
{
	struct echo e = {.name = name, .ifindex = 0, .link = -1};
	int r;

	r = ns_sock_request(s, nlh, echo_cb, &e);
	if (r == 0)
		r = echo_or_lookup(s, name, &e);
	if (r < 0)
		return r;
	if (ret_ifindex)
		*ret_ifindex = e.ifindex;
	if (ret_peer_ifindex)
		*ret_peer_ifindex = e.link;
	return 0;
}

int link_veth_add(struct ns_sock *s, const char *name, const char *peer_name, int peer_nsfd,
		  int *ret_ifindex, int *ret_peer_ifindex)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;
	struct nlattr *info, *data, *peer;
	struct ifinfomsg *pifi;

	nlh = new_link_msg(buf, sizeof(buf), name);
	if (!nlh)
		return -EMSGSIZE;
	/*
	 * One queue each way: the kernel otherwise makes one per CPU and then
	 * trims to one, paying an RCU grace period per veth (see
	 * docs/performance.md).
	 */
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/*
	 * The peer's own ifinfomsg stays without IFF_UP: the kernel opens the
	 * peer before pairing it, and veth_open then fails with ENOTCONN.
	 */
	pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	memset(pifi, 0, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, peer_name))
		return -EMSGSIZE;
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return new_link_send(s, nlh, name, ret_ifindex, ret_peer_ifindex);
}

int link_bridge_add(struct ns_sock *s, const char *name, int *ret_ifindex)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;
	struct nlattr *info, *data;
	struct ifinfomsg *ifi;

	nlh = new_link_msg(buf, sizeof(buf), name);
	if (!nlh)
		return -EMSGSIZE;
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = 0; /* down: see netns.h */
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return new_link_send(s, nlh, name, ret_ifindex, NULL);
}

int link_set_up(struct ns_sock *s, int ifindex, int master_ifindex, const char *alias)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;

	nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
	ifi_up(nlh);
	if (master_ifindex > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_ifindex);
	if (alias && !mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFALIAS, alias))
		return -EMSGSIZE;
	return ns_sock_request(s, nlh, NULL, NULL);
}

struct get {
	int ifindex;
	char *alias;
	size_t alias_len;
	int operstate; /* IF_OPER_*, -1 when absent */
};

static int get_attr_cb(const struct nlattr *a, void *data)
{
	struct get *g = data;

	if (mnl_attr_get_type(a) == IFLA_IFALIAS && g->alias &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(g->alias, g->alias_len, "%s", mnl_attr_get_str(a));
	if (mnl_attr_get_type(a) == IFLA_OPERSTATE && mnl_attr_validate(a, MNL_TYPE_U8) == 0)
		g->operstate = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct get *g = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	g->ifindex = ifi->ifi_index;
	mnl_attr_parse(nlh, sizeof(*ifi), get_attr_cb, g);
	return 0;
}

/* RTM_GETLINK for one link, by index or (ifindex 0) by name. */
static int link_get(struct ns_sock *s, int ifindex, const char *name, struct get *g)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;

	nlh = link_msg(buf, RTM_GETLINK, 0, ifindex);
	if (name && !mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, name))
		return -EMSGSIZE;
	/* Skip statistics: we only want names and the alias. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return ns_sock_request(s, nlh, get_cb, g);
}

int link_ifindex(struct ns_sock *s, const char *name, int *ret_ifindex)
{
	struct get g = {.operstate = -1};
	int r = link_get(s, 0, name, &g);

	if (r < 0)
		return r;
	if (g.ifindex <= 0)
		return -ENODEV;
	*ret_ifindex = g.ifindex;
	return 0;
}

int link_oper_up(struct ns_sock *s, int ifindex)
{
	struct get g = {.operstate = -1};
	int r = link_get(s, ifindex, NULL, &g);

	return r < 0 ? r : g.operstate == IF_OPER_UP;
}

int link_alias(struct ns_sock *s, int ifindex, char *buf, size_t len)
{
	struct get g = {.alias = buf, .alias_len = len};

	if (len)
		buf[0] = '\0';
	return link_get(s, ifindex, NULL, &g);
}

struct dump {
	link_dump_cb cb;
	void *data;
};

static int dump_attr_cb(const struct nlattr *a, void *data)
{
	struct link_status *l = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_LINKINFO: {
		const struct nlattr *k;

		mnl_attr_for_each_nested(k, a) if (mnl_attr_get_type(k) == IFLA_INFO_KIND &&
						   mnl_attr_validate(k, MNL_TYPE_NUL_STRING) == 0)
		    snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(k));
		break;
	}
	default:
		break;
	}
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct dump *d = data;
	struct link_status l = {0};

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	l.ifindex = ifi->ifi_index;
	l.flags = ifi->ifi_flags;
	l.lower_up = ifi->ifi_flags & IFF_LOWER_UP;
	mnl_attr_parse(nlh, sizeof(*ifi), dump_attr_cb, &l);
	if (!l.kind[0] && ifi->ifi_type == ARPHRD_LOOPBACK)
		snprintf(l.kind, sizeof(l.kind), "loopback");
	return d->cb(&l, d->data);
}

int link_dump(struct ns_sock *s, link_dump_cb cb, void *data)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;
	struct dump d = {cb, data};

	nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return ns_sock_dump(s, nlh, dump_cb, &d);
}

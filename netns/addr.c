// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netns/netns_int.h"

size_t addr_family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int addr_add(struct ns_sock *s, int ifindex, int family, const uint8_t *addr, unsigned prefixlen)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t alen = addr_family_len(family);

	if (!alen || prefixlen > alen * 8)
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefixlen;
	/* 127/8 is host scope, as ip(8) gives it; the kernel refuses another */
	ifa->ifa_scope = family == AF_INET && addr[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	/* IFA_LOCAL and IFA_ADDRESS equal: a plain (not point-to-point) address. */
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	if (family == AF_INET6) {
		/* Tentative addresses fail bind() with EADDRNOTAVAIL for ~2 s. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return ns_sock_request(s, nlh, NULL, NULL);
}

struct dump {
	addr_dump_cb cb;
	void *data;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *local = NULL, *address = NULL;
	struct addr_status st = {0};
	struct dump *d = data;
	size_t alen = addr_family_len(ifa->ifa_family);

	if (nlh->nlmsg_type != RTM_NEWADDR || !alen)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
	{
		if (mnl_attr_get_payload_len(a) != alen)
			continue;
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			address = a;
	}
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS a p2p peer's. */
	a = local ? local : address;
	if (!a)
		return 0;
	st.ifindex = (int)ifa->ifa_index;
	st.family = ifa->ifa_family;
	st.prefixlen = ifa->ifa_prefixlen;
	st.scope = ifa->ifa_scope;
	memcpy(st.addr, mnl_attr_get_payload(a), alen);
	return d->cb(&st, d->data);
}

int addr_dump(struct ns_sock *s, addr_dump_cb cb, void *data)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct dump d = {cb, data};

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	return ns_sock_dump(s, nlh, dump_cb, &d);
}

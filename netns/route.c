// SPDX-License-Identifier: MIT
#include <errno.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "netns/netns_int.h"

int route_add(struct ns_sock *s, int family, const uint8_t *dst, unsigned dst_len,
	      const uint8_t *gw, int oif)
{
	char buf[NS_SOCK_TXBUF] = { 0 }; /* libmnl leaves attribute padding unset */
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t alen = addr_family_len(family);

	if (!alen || dst_len > alen * 8 || (!gw && oif <= 0))
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* Without a gateway the destination is on the link (what `ip route` picks). */
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst_len)
		mnl_attr_put(nlh, RTA_DST, alen, dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
	if (oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return ns_sock_request(s, nlh, NULL, NULL);
}

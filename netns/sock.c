// SPDX-License-Identifier: MIT
/*
 * Netlink transport for netns/.  Raw libmnl rather than libnl-route-3: we need
 * the exact errno (libnl maps it lossily to NLE_*) and the extended-ack text
 * (libnl never enables NETLINK_EXT_ACK), and the requests we send are a few
 * fixed shapes (a veth with a peer placed by namespace fd, an alias, an
 * address, a route) that are shorter to build directly than through libnl
 * objects.  Batching was measured to buy nothing here (one request, one ack).
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "netns/sock.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct ns_sock {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char ext[256];
};

int ns_sock_open(struct ns_sock **ret)
{
	struct ns_sock *s;
	int one = 1, r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!s->nl) {
		r = -errno;
		goto out;
	}
	/* Without EXT_ACK the kernel's reason ("Invalid prefix ...") is lost;
	 * CAP_ACK keeps acks small since we never need our request echoed back. */
	if (mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = 1;
	*ret = s;
	s = NULL;
	r = 0;
out:
	ns_sock_close(s);
	return r;
}

int ns_sock_open_in(int nsfd, int orig_fd, struct ns_sock **ret)
{
	int r;

	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	r = ns_sock_open(ret);
	/* A failed return would leave us working in the wrong namespace. */
	if (setns(orig_fd, CLONE_NEWNET) < 0) {
		int e = -errno;

		if (r == 0) {
			ns_sock_close(*ret);
			*ret = NULL;
		}
		return e;
	}
	return r;
}

void ns_sock_close(struct ns_sock *s)
{
	if (!s)
		return;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s);
}

const char *ns_sock_ext_msg(const struct ns_sock *s)
{
	return s ? s->ext : "";
}

static int ext_attr_cb(const struct nlattr *a, void *data)
{
	struct ns_sock *s = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
		size_t n = strnlen(mnl_attr_get_str(a), mnl_attr_get_payload_len(a));

		if (n >= sizeof(s->ext))
			n = sizeof(s->ext) - 1;
		memcpy(s->ext, mnl_attr_get_str(a), n);
		s->ext[n] = '\0';
	}
	return MNL_CB_OK;
}

/* Error code of an NLMSG_ERROR (or NLMSG_DONE) message, keeping its ext-ack text. */
static int ack_error(struct ns_sock *s, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int)))
		return -EBADMSG;
	if (nlh->nlmsg_type == NLMSG_DONE)
		return *(const int *)mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	if (e->error && (nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		/* TLVs follow the original request, or only its header when capped. */
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, ext_attr_cb, s);
	}
	return e->error;
}

/*
 * Read replies for sequence number seq until the ack (or NLMSG_DONE when
 * `dump`).  Messages of other sequence numbers are stale and skipped.
 */
static int recv_replies(struct ns_sock *s, unsigned seq, bool dump, ns_sock_cb cb, void *data)
{
	char buf[NS_SOCK_RXBUF] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != s->portid)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ack_error(s, nlh);
			if (nlh->nlmsg_type == NLMSG_DONE && dump)
				return ack_error(s, nlh);
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !cb)
				continue;
			int r = cb(nlh, data);
			if (r < 0)
				return r;
		}
	}
}

static int send_msg(struct ns_sock *s, struct nlmsghdr *nlh)
{
	nlh->nlmsg_seq = ++s->seq;
	s->ext[0] = '\0';
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

int ns_sock_request(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data)
{
	int r;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r = send_msg(s, nlh);
	if (r < 0)
		return r;
	return recv_replies(s, nlh->nlmsg_seq, false, cb, data);
}

int ns_sock_dump(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data)
{
	int r;

	/* No NLM_F_ACK: a dump ends with NLMSG_DONE, which carries its error. */
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	r = send_msg(s, nlh);
	if (r < 0)
		return r;
	return recv_replies(s, nlh->nlmsg_seq, true, cb, data);
}

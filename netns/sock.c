// SPDX-License-Identifier: MIT
/*
 * Netlink transport for netns/.  Raw libmnl rather than libnl-route-3: we need
 * the exact errno (libnl maps it lossily to NLE_*) and the extended-ack text
 * (libnl never enables NETLINK_EXT_ACK), and the requests we send are a few
 * fixed shapes (a veth with a peer placed by namespace fd, an alias, an
 * address, a route) that are shorter to build directly than through libnl
 * objects.  Batching was measured to buy nothing here (one request, one ack).
 *
 * libmnl builds and parses the messages; the receive loop is ours, because
 * it must wait bounded (poll), size each read to the datagram (MSG_PEEK |
 * MSG_TRUNC), keep the ext-ack text of errors, warnings and NLMSG_DONE, and
 * restart a dump the kernel marks inconsistent (NLM_F_DUMP_INTR).  Every
 * reply of one request is collected before any is handed to the caller, so a
 * caller never sees half of a dump that is then thrown away.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>

#include "netns/netns_int.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct ns_sock {
	int fd;
	uint32_t portid;
	uint32_t seq;
	int timeout_ms;
	char ext[256];
};

/* The datagrams answering one request, back to back at aligned offsets. */
struct replies {
	char *buf;
	size_t len, cap;
	bool intr; /* some message carried NLM_F_DUMP_INTR */
};

int ns_sock_wrap(int fd, uint32_t portid, uint32_t seq, int timeout_ms, struct ns_sock **ret)
{
	struct ns_sock *s = calloc(1, sizeof(*s));

	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	*s = (struct ns_sock){.fd = fd, .portid = portid, .seq = seq, .timeout_ms = timeout_ms};
	*ret = s;
	return 0;
}

int ns_sock_open(int protocol, struct ns_sock **ret)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	socklen_t salen = sizeof(sa);
	int fd, one = 1, r;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	/* Without EXT_ACK the kernel's reason ("Invalid prefix ...") is lost;
	 * CAP_ACK keeps acks small since we never need our request echoed back. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return ns_sock_wrap(fd, sa.nl_pid, 1, NS_SOCK_TIMEOUT_MS, ret);
}

struct open_in {
	int protocol;
	struct ns_sock **ret;
};

static int open_here(void *arg)
{
	struct open_in *o = arg;

	return ns_sock_open(o->protocol, o->ret);
}

int ns_sock_open_in(int nsfd, int protocol, struct ns_sock **ret)
{
	struct open_in o = {protocol, ret};

	/* A netlink socket stays in the namespace it was opened in. */
	return ns_run_in(nsfd, open_here, &o);
}

void ns_sock_close(struct ns_sock *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
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

/* A kernel errno as a negative number, whatever sign it came with. */
static int neg_errno(int e)
{
	if (e == 0)
		return 0;
	if (e == INT_MIN)
		return -EPROTO;
	return e < 0 ? e : -e;
}

/*
 * The error code that ends a reply (NLMSG_ERROR: an ack when 0; NLMSG_DONE:
 * the end of a dump), keeping its ext-ack text, which a successful reply can
 * carry too (a warning).
 */
static int ack_error(struct ns_sock *s, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off;
	int err;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* The kernel always sends the int; a bare DONE is a plain end. */
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return 0;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		off = sizeof(int);
	} else {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
			return -EBADMSG;
		err = e->error;
		/* TLVs follow the original request, or only its header when capped. */
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, (unsigned)off, ext_attr_cb, s);
	return neg_errno(err);
}

/* Replies to other requests (one that timed out earlier) are stale. */
static bool is_ours(const struct ns_sock *s, const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_seq == s->seq && nlh->nlmsg_pid == s->portid;
}

static bool ends_reply(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE;
}

/*
 * Wait (bounded by the socket's timeout, signals or not) for the next
 * datagram and return its full size without reading it, or -errno
 * (-ETIMEDOUT).
 */
static ssize_t next_size(struct ns_sock *s)
{
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	struct timespec t0, now;
	ssize_t n;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = s->timeout_ms -
		       ((now.tv_sec - t0.tv_sec) * 1000L + (now.tv_nsec - t0.tv_nsec) / 1000000L);
		if (left < 0)
			left = 0;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0)
			continue;
		/* MSG_TRUNC: the datagram's real length, not what fits in 0 bytes. */
		n = recv(s->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
}

/* Read the next datagram onto the end of rp; its offset and length. 0 or -errno. */
static int recv_datagram(struct ns_sock *s, struct replies *rp, size_t *ret_off, size_t *ret_len)
{
	size_t off = NLMSG_ALIGN(rp->len);
	ssize_t want = next_size(s), n;

	if (want < 0)
		return (int)want;
	if (off + (size_t)want + NLMSG_ALIGNTO > rp->cap) {
		size_t cap = (off + (size_t)want + NLMSG_ALIGNTO) * 2;
		char *nb = realloc(rp->buf, cap);

		if (!nb)
			return -ENOMEM;
		rp->buf = nb;
		rp->cap = cap;
	}
	memset(rp->buf + rp->len, 0, off - rp->len);
	do
		n = recv(s->fd, rp->buf + off, rp->cap - off, MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n > rp->cap - off)
		return -EMSGSIZE; /* grew between the peek and the read: not ours to guess */
	rp->len = off + (size_t)n;
	*ret_off = off;
	*ret_len = (size_t)n;
	return 0;
}

/*
 * Check one datagram: 1 and the reply's error code in *ret_err when it holds
 * the message that ends the reply, 0 when more follow, -EBADMSG when a
 * message is cut short.
 */
static int scan_datagram(struct ns_sock *s, struct replies *rp, size_t off, size_t n, int *ret_err)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(rp->buf + off);
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!is_ours(s, nlh))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			rp->intr = true;
		if (ends_reply(nlh)) {
			*ret_err = ack_error(s, nlh);
			return 1;
		}
	}
	return len > 0 ? -EBADMSG : 0;
}

/* Send nlh under the next sequence number and collect every reply to it. */
static int exchange(struct ns_sock *s, struct nlmsghdr *nlh, struct replies *rp)
{
	size_t off = 0, n = 0;
	ssize_t sent;
	int r, err = 0;

	nlh->nlmsg_seq = ++s->seq;
	s->ext[0] = '\0';
	rp->len = 0;
	rp->intr = false;
	do
		sent = send(s->fd, nlh, nlh->nlmsg_len, 0);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -errno;
	if ((size_t)sent != nlh->nlmsg_len)
		return -EMSGSIZE;
	do {
		r = recv_datagram(s, rp, &off, &n);
		if (r == 0)
			r = scan_datagram(s, rp, off, n, &err);
	} while (r == 0);
	return r < 0 ? r : err;
}

/* Hand every collected data message to cb, up to the one that ended the reply. */
static int deliver(const struct ns_sock *s, const struct replies *rp, ns_sock_cb cb, void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)rp->buf;
	int len = (int)rp->len, r;

	for (; cb && mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!is_ours(s, nlh))
			continue;
		if (ends_reply(nlh))
			break;
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue; /* NLMSG_NOOP, NLMSG_OVERRUN */
		r = cb(nlh, data);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One request (tries 1) or dump (retried while the kernel marks it interrupted). */
static int transact(struct ns_sock *s, struct nlmsghdr *nlh, unsigned tries, ns_sock_cb cb,
		    void *data)
{
	struct replies rp = {0};
	int r = -EAGAIN;

	for (unsigned i = 0; i < tries; i++) {
		r = exchange(s, nlh, &rp);
		if (r < 0)
			break;
		if (!rp.intr) {
			r = deliver(s, &rp, cb, data);
			break;
		}
		r = -EAGAIN;
	}
	free(rp.buf);
	return r;
}

int ns_sock_request(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return transact(s, nlh, 1, cb, data);
}

int ns_sock_dump(struct ns_sock *s, struct nlmsghdr *nlh, ns_sock_cb cb, void *data)
{
	/* No NLM_F_ACK: a dump ends with NLMSG_DONE, which carries its error. */
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	return transact(s, nlh, NS_SOCK_DUMP_TRIES, cb, data);
}

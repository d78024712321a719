/* SPDX-License-Identifier: MIT */
/*
 * The netlink transport's receive loop against canned kernel replies (and
 * once against the real kernel, in a namespace of its own).  The
 * test plays the kernel on the other end of an AF_UNIX datagram socketpair:
 * it queues the replies, then the transport sends its request (which the
 * test can read back) and reads them, exactly as from a netlink socket.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cmocka.h>

#include "netns/netns_int.h"

#define PORTID 4242u
#define SEQ0   100u /* the first request goes out as SEQ0 + 1 */
#define SEQ    (SEQ0 + 1)

struct fixture {
	int kernel; /* our end: the "kernel" */
	struct ns_sock *s;
	char buf[1 << 17] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len; /* of the datagram being built in buf */
};

struct seen {
	unsigned n;
	unsigned types[8];
	size_t last_len;
};

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *sn = data;

	if (sn->n < 8)
		sn->types[sn->n] = nlh->nlmsg_type;
	sn->n++;
	sn->last_len = nlh->nlmsg_len;
	return 0;
}

static int fail_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return -ENOSPC;
}

static int setup_timeout(void **state, int timeout_ms)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int sv[2];

	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	f->kernel = sv[1];
	assert_int_equal(ns_sock_wrap(sv[0], PORTID, SEQ0, timeout_ms, &f->s), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_timeout(state, 2000);
}

static int setup_short(void **state)
{
	return setup_timeout(state, 30);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ns_sock_close(f->s);
	close(f->kernel);
	free(f);
	return 0;
}

/* Start a message at the end of the datagram being built. */
static struct nlmsghdr *msg(struct fixture *f, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->buf + f->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	return nlh;
}

/* The message started last is complete: account for it. */
static void done_msg(struct fixture *f, struct nlmsghdr *nlh)
{
	f->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void data_msg(struct fixture *f, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = msg(f, RTM_NEWLINK, flags, seq);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = 7;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	done_msg(f, nlh);
}

/* NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK, text attached when given. */
static void error_msg(struct fixture *f, int error, const char *text, uint32_t seq)
{
	struct nlmsghdr *nlh = msg(f, NLMSG_ERROR, NLM_F_CAPPED, seq);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg.nlmsg_len = 64; /* the request's length; capped, so not copied */
	e->msg.nlmsg_seq = seq;
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	}
	done_msg(f, nlh);
}

static void dump_end(struct fixture *f, int error, const char *text, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = msg(f, NLMSG_DONE, NLM_F_MULTI | flags, seq);
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	*e = error;
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	}
	done_msg(f, nlh);
}

/* Queue the datagram built so far for the transport to read. */
static void flush(struct fixture *f)
{
	assert_int_equal(send(f->kernel, f->buf, f->len, 0), (ssize_t)f->len);
	f->len = 0;
}

static struct nlmsghdr *request(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 7;
	return nlh;
}

static int do_request(struct fixture *f, ns_sock_cb cb, void *data)
{
	char buf[NS_SOCK_TXBUF] __attribute__((aligned(NLMSG_ALIGNTO))) = {0};

	return ns_sock_request(f->s, request(buf), cb, data);
}

static int do_dump(struct fixture *f, ns_sock_cb cb, void *data)
{
	char buf[NS_SOCK_TXBUF] __attribute__((aligned(NLMSG_ALIGNTO))) = {0};

	return ns_sock_dump(f->s, request(buf), cb, data);
}

static void test_ack(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *sent = (struct nlmsghdr *)f->buf;
	struct seen sn = {0};

	error_msg(f, 0, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, count_cb, &sn), 0);
	assert_int_equal(sn.n, 0);
	assert_string_equal(ns_sock_ext_msg(f->s), "");
	/* What went out: our request, numbered, asking for an ack. */
	assert_true(recv(f->kernel, f->buf, sizeof(f->buf), 0) > 0);
	assert_int_equal(sent->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(sent->nlmsg_seq, SEQ);
	assert_true(sent->nlmsg_flags & NLM_F_REQUEST);
	assert_true(sent->nlmsg_flags & NLM_F_ACK);
}

static void test_error_plain(void **state)
{
	struct fixture *f = *state;

	error_msg(f, -EEXIST, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), -EEXIST);
	assert_string_equal(ns_sock_ext_msg(f->s), "");
}

static void test_error_ext_ack(void **state)
{
	struct fixture *f = *state;

	error_msg(f, -EINVAL, "Invalid prefix for given prefix length", SEQ);
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), -EINVAL);
	assert_string_equal(ns_sock_ext_msg(f->s), "Invalid prefix for given prefix length");
}

/* Without NETLINK_CAP_ACK the request's payload sits between the error and the TLVs. */
static void test_error_ext_ack_uncapped(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = msg(f, NLMSG_ERROR, NLM_F_ACK_TLVS, SEQ);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + 16);

	e->error = -ENODEV;
	e->msg.nlmsg_len = NLMSG_HDRLEN + 16;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no such device");
	done_msg(f, nlh);
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), -ENODEV);
	assert_string_equal(ns_sock_ext_msg(f->s), "no such device");
}

static void test_ack_with_warning(void **state)
{
	struct fixture *f = *state;

	error_msg(f, 0, "warning: vlan filtering ignored", SEQ);
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), 0);
	assert_string_equal(ns_sock_ext_msg(f->s), "warning: vlan filtering ignored");
}

/* A kernel errno with the wrong sign still comes out negative. */
static void test_positive_errno(void **state)
{
	struct fixture *f = *state;

	error_msg(f, EPERM, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), -EPERM);
}

static void test_echo_then_ack(void **state)
{
	struct fixture *f = *state;
	struct seen sn = {0};

	data_msg(f, 0, SEQ);
	flush(f);
	error_msg(f, 0, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, count_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.types[0], RTM_NEWLINK);
}

static void test_cb_error(void **state)
{
	struct fixture *f = *state;

	data_msg(f, 0, SEQ);
	error_msg(f, 0, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, fail_cb, NULL), -ENOSPC);
}

/* A failed request hands nothing to cb, even what came before the error. */
static void test_error_hides_replies(void **state)
{
	struct fixture *f = *state;
	struct seen sn = {0};

	data_msg(f, 0, SEQ);
	error_msg(f, -EBUSY, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, count_cb, &sn), -EBUSY);
	assert_int_equal(sn.n, 0);
}

static void test_dump_multipart(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *sent = (struct nlmsghdr *)f->buf;
	struct seen sn = {0};

	data_msg(f, NLM_F_MULTI, SEQ);
	data_msg(f, NLM_F_MULTI, SEQ);
	flush(f);
	data_msg(f, NLM_F_MULTI, SEQ);
	flush(f);
	dump_end(f, 0, NULL, 0, SEQ);
	flush(f);
	assert_int_equal(do_dump(f, count_cb, &sn), 0);
	assert_int_equal(sn.n, 3);
	assert_true(recv(f->kernel, f->buf, sizeof(f->buf), 0) > 0);
	assert_true(sent->nlmsg_flags & NLM_F_DUMP);
	assert_false(sent->nlmsg_flags & NLM_F_ACK);
}

static void test_dump_done_error(void **state)
{
	struct fixture *f = *state;
	struct seen sn = {0};

	data_msg(f, NLM_F_MULTI, SEQ);
	dump_end(f, -ENOBUFS, "dump too large", 0, SEQ);
	flush(f);
	assert_int_equal(do_dump(f, count_cb, &sn), -ENOBUFS);
	assert_int_equal(sn.n, 0);
	assert_string_equal(ns_sock_ext_msg(f->s), "dump too large");
}

/* A dump that fails at once answers NLMSG_ERROR instead of NLMSG_DONE. */
static void test_dump_error(void **state)
{
	struct fixture *f = *state;

	error_msg(f, -ENOENT, NULL, SEQ);
	flush(f);
	assert_int_equal(do_dump(f, NULL, NULL), -ENOENT);
}

/* An interrupted dump is thrown away and asked again; cb sees only the clean one. */
static void test_dump_intr_retried(void **state)
{
	struct fixture *f = *state;
	struct seen sn = {0};

	data_msg(f, NLM_F_MULTI, SEQ);
	data_msg(f, NLM_F_MULTI | NLM_F_DUMP_INTR, SEQ);
	dump_end(f, 0, NULL, NLM_F_DUMP_INTR, SEQ);
	flush(f);
	data_msg(f, NLM_F_MULTI, SEQ + 1);
	dump_end(f, 0, NULL, 0, SEQ + 1);
	flush(f);
	assert_int_equal(do_dump(f, count_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
}

static void test_dump_intr_gives_up(void **state)
{
	struct fixture *f = *state;
	struct seen sn = {0};

	for (unsigned i = 0; i < NS_SOCK_DUMP_TRIES; i++) {
		data_msg(f, NLM_F_MULTI | NLM_F_DUMP_INTR, SEQ + i);
		dump_end(f, 0, NULL, 0, SEQ + i);
		flush(f);
	}
	assert_int_equal(do_dump(f, count_cb, &sn), -EAGAIN);
	assert_int_equal(sn.n, 0);
}

/* A message whose header claims more than the datagram holds. */
static void test_truncated(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh;

	data_msg(f, 0, SEQ);
	nlh = (struct nlmsghdr *)f->buf;
	nlh->nlmsg_len += 64;
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), -EBADMSG);
}

static void test_short_error(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = msg(f, NLMSG_ERROR, 0, SEQ);

	mnl_nlmsg_put_extra_header(nlh, 4); /* an int, no request header */
	done_msg(f, nlh);
	flush(f);
	assert_int_equal(do_request(f, NULL, NULL), -EBADMSG);
}

/* Replies to an earlier request, or to another port, are skipped. */
static void test_seq_mismatch(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh;
	struct seen sn = {0};

	data_msg(f, 0, SEQ - 1);
	error_msg(f, -EEXIST, "stale", SEQ - 1);
	flush(f);
	data_msg(f, 0, SEQ);
	nlh = (struct nlmsghdr *)f->buf;
	nlh->nlmsg_pid = PORTID + 1;
	error_msg(f, 0, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, count_cb, &sn), 0);
	assert_int_equal(sn.n, 0);
	assert_string_equal(ns_sock_ext_msg(f->s), "");
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(do_request(f, NULL, NULL), -ETIMEDOUT);
}

/* A datagram far larger than any fixed buffer arrives whole. */
static void test_large_datagram(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = msg(f, RTM_NEWLINK, 0, SEQ);
	struct seen sn = {0};
	size_t big = 96 * 1024;

	memset(mnl_nlmsg_put_extra_header(nlh, big), 0xab, big);
	done_msg(f, nlh);
	error_msg(f, 0, NULL, SEQ);
	flush(f);
	assert_int_equal(do_request(f, count_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.last_len, NLMSG_HDRLEN + big);
}

static int find_lo(const struct link_status *l, void *data)
{
	if (!strcmp(l->name, "lo"))
		*(int *)data = l->ifindex;
	return 0;
}

/*
 * The same loop against the real kernel, in a namespace of our own (freed
 * when its socket closes; nothing of the host is touched): a dump, an ack,
 * an error with its errno, and the kernel's ext-ack text.
 */
static void test_real_kernel(void **state)
{
	static const uint8_t a[4] = {10, 9, 9, 1}, far[4] = {192, 0, 2, 1}, dst[4] = {0};
	struct ns_scope sc = NS_SCOPE_INIT;
	struct ns_sock *s = NULL;
	int lo = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(ns_scope_enter_new(&sc), 0);
	assert_int_equal(ns_sock_open(NETLINK_ROUTE, &s), 0);
	ns_scope_leave(&sc);
	assert_int_equal(link_dump(s, find_lo, &lo), 0);
	assert_int_equal(lo, LINK_LOOPBACK_IFINDEX);
	assert_int_equal(link_set_up(s, lo, 0, NULL), 0);
	assert_int_equal(addr_add(s, lo, AF_INET, a, 24), 0);
	assert_int_equal(addr_add(s, lo, AF_INET, a, 24), -EEXIST);
	/* A gateway on no connected subnet: the kernel says why. */
	assert_int_equal(route_add(s, AF_INET, dst, 0, far, lo), -ENETUNREACH);
	assert_true(ns_sock_ext_msg(s)[0] != '\0');
	ns_sock_close(s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_ack),
	    T(test_error_plain),
	    T(test_error_ext_ack),
	    T(test_error_ext_ack_uncapped),
	    T(test_ack_with_warning),
	    T(test_positive_errno),
	    T(test_echo_then_ack),
	    T(test_cb_error),
	    T(test_error_hides_replies),
	    T(test_dump_multipart),
	    T(test_dump_done_error),
	    T(test_dump_error),
	    T(test_dump_intr_retried),
	    T(test_dump_intr_gives_up),
	    T(test_truncated),
	    T(test_short_error),
	    T(test_seq_mismatch),
	    cmocka_unit_test_setup_teardown(test_timeout, setup_short, teardown),
	    T(test_large_datagram),
	    cmocka_unit_test(test_real_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

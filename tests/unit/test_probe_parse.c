/* SPDX-License-Identifier: MIT */
/*
 * The probe step language, expectations, the catalog's own consistency,
 * role resolution on two-nics, and user-case compilation (`check`).  No
 * root, no namespace: pure parsing.  Run from the repository root.
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

#include <cmocka.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/topo/topo.h"

static struct probe_step parse_ok(const char *text, bool user)
{
	struct probe_step st;
	char err[256] = "";
	size_t off = 0;
	int r = probe_step_parse(text, user, &st, err, sizeof(err), &off);

	if (r != 0)
		fail_msg("'%s' did not parse: %s (at %zu)", text, err, off);
	return st;
}

/* Parse must fail with a message containing `want` at byte offset `at`. */
static void parse_bad(const char *text, bool user, const char *want, size_t at)
{
	struct probe_step st;
	char err[256] = "";
	size_t off = 999;

	assert_int_equal(probe_step_parse(text, user, &st, err, sizeof(err), &off), -EINVAL);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", text, err, want);
	assert_int_equal(off, at);
}

static void test_socket_and_options(void **state)
{
	struct probe_step st;

	(void)state;
	st = parse_ok("s = socket tcp4", true);
	assert_int_equal(st.op, PROBE_SOCKET);
	assert_string_equal(st.lhs, "s");
	assert_int_equal(st.family, AF_INET);
	assert_int_equal(st.type, SOCK_STREAM);
	st = parse_ok("  u_6  =   socket udp6  ", true);
	assert_string_equal(st.lhs, "u_6");
	assert_int_equal(st.family, AF_INET6);
	assert_int_equal(st.type, SOCK_DGRAM);

	st = parse_ok("setsockopt s SO_REUSEADDR 1", true);
	assert_int_equal(st.op, PROBE_SETSOCKOPT);
	assert_int_equal(st.opt, PROBE_OPT_REUSEADDR);
	assert_int_equal(st.num, 1);
	assert_string_equal(st.socks[0], "s");
	st = parse_ok("setsockopt s SO_REUSEPORT 0", true);
	assert_int_equal(st.opt, PROBE_OPT_REUSEPORT);
	assert_int_equal(st.num, 0);
	st = parse_ok("setsockopt s IPV6_V6ONLY 1", true);
	assert_int_equal(st.opt, PROBE_OPT_V6ONLY);
	st = parse_ok("setsockopt s SO_BINDTODEVICE eth0", true);
	assert_int_equal(st.opt, PROBE_OPT_BINDTODEVICE);
	assert_string_equal(st.arg, "eth0");
	st = parse_ok("setsockopt s IP_MULTICAST_IF 10.0.1.3", true);
	assert_int_equal(st.opt, PROBE_OPT_MULTICAST_IF);
	st = parse_ok("setsockopt s SO_BINDTODEVICE $IFA", false);
	assert_string_equal(st.arg, "$IFA");

	parse_bad("s = socket sctp4", true, "unknown socket kind 'sctp4'", 11);
	parse_bad("setsockopt s SO_FOO 1", true, "unknown option 'SO_FOO'", 13);
	parse_bad("setsockopt s SO_REUSEADDR yes", true, "must be a number", 26);
	parse_bad("setsockopt s SO_REUSEADDR", true, "usage: setsockopt S SO_REUSEADDR VALUE", 25);
	parse_bad("setsockopt s SO_REUSEADDR 1 2", true, "usage: setsockopt S SO_REUSEADDR VALUE",
		  28);
	parse_bad("setsockopt s SO_TYPE 1", true, "SO_TYPE can only be read (getsockopt)", 13);
	parse_bad("getsockopt s SO_DETACH_FILTER", true, "can only be set (setsockopt)", 13);
	parse_bad("getsockopt s SO_FOO", true, "unknown option 'SO_FOO' (SO_REUSEADDR,", 13);
	parse_bad("socket tcp4", true, "needs a name", 0);
	parse_bad("1s = socket tcp4", true, "bad socket name '1s'", 0);
	parse_bad("averyveryverylongname = socket tcp4", true, "bad socket name", 0);
	parse_bad("s = bind x", true, "does not make a socket", 4);
	parse_bad("s =", true, "missing call", 3);
}

static void test_endpoints(void **state)
{
	struct probe_step st;

	(void)state;
	st = parse_ok("bind s 10.0.1.1:$P", true);
	assert_int_equal(st.op, PROBE_BIND);
	assert_string_equal(st.endpoint, "10.0.1.1:$P");
	st = parse_ok("bind s *:$P9", true);
	assert_string_equal(st.endpoint, "*:$P9");
	st = parse_ok("bind s [fd00:1::1]:80", true);
	assert_string_equal(st.endpoint, "[fd00:1::1]:80");
	st = parse_ok("connect s [$A6]:$P2", false);
	assert_int_equal(st.op, PROBE_CONNECT);
	st = parse_ok("connect s $A:10013", false);
	assert_string_equal(st.endpoint, "$A:10013");

	parse_bad("bind s fd00::1:80", true, "needs brackets", 7);
	parse_bad("bind s 10.0.1.1", true, "want ADDR:PORT", 7);
	parse_bad("bind s 10.0.1.1:70000", true, "bad port '70000'", 7);
	parse_bad("bind s 10.0.1.1:$Q", true, "unknown port variable '$Q'", 7);
	parse_bad("bind s 10.0.1.1:$P1", true, "unknown port variable", 7);
	parse_bad("bind s 10.0.1.300:1", true, "bad address '10.0.1.300'", 7);
	parse_bad("bind s [zz::1]:1", true, "bad IPv6 address", 7);
	parse_bad("bind s [::1]", true, "want [ADDR6]:PORT", 7);
	/* role variables are the catalog's; user cases use literal addresses */
	parse_bad("bind s $A:$P", true, "only for the built-in catalog", 7);
	parse_bad("bind s $NOPE:$P", false, "unknown variable '$NOPE'", 7);
	parse_bad("bind s $P:$P", false, "is a port variable", 7);
	parse_bad("bind s", true, "usage: bind S ENDPOINT", 6);
	parse_bad("bind s 1.2.3.4:5 extra", true, "usage: bind S ENDPOINT", 17);
}

static void test_other_steps(void **state)
{
	struct probe_step st;

	(void)state;
	st = parse_ok("listen s", true);
	assert_int_equal(st.op, PROBE_LISTEN);
	assert_int_equal(st.num, 128);
	st = parse_ok("listen s 5", true);
	assert_int_equal(st.num, 5);
	st = parse_ok("c2 = accept s", true);
	assert_int_equal(st.op, PROBE_ACCEPT);
	assert_string_equal(st.lhs, "c2");
	assert_string_equal(st.socks[0], "s");
	st = parse_ok("accept-all l", true);
	assert_int_equal(st.op, PROBE_ACCEPT_ALL);
	st = parse_ok("burst 10.0.1.1:$P 30", true);
	assert_int_equal(st.op, PROBE_BURST);
	assert_int_equal(st.num, 30);
	st = parse_ok("send u 239.1.1.1:$P 3", true);
	assert_int_equal(st.op, PROBE_SEND);
	assert_int_equal(st.num, 3);
	st = parse_ok("send u 10.0.1.1:$P", true);
	assert_int_equal(st.num, 1);
	st = parse_ok("recv a b c", true);
	assert_int_equal(st.op, PROBE_RECV);
	assert_int_equal(st.n_socks, 3);
	assert_string_equal(st.socks[2], "c");
	st = parse_ok("read c", true);
	assert_int_equal(st.op, PROBE_READ);
	st = parse_ok("close c", true);
	assert_int_equal(st.op, PROBE_CLOSE);
	st = parse_ok("as-user 65534", true);
	assert_int_equal(st.op, PROBE_AS_USER);
	assert_int_equal(st.num, 65534);
	st = parse_ok("join s 239.1.1.1 eth0", true);
	assert_int_equal(st.op, PROBE_JOIN);
	assert_string_equal(st.arg, "239.1.1.1");
	assert_string_equal(st.arg2, "eth0");
	st = parse_ok("join s ff02::1:3 eth0", true);
	assert_string_equal(st.arg, "ff02::1:3");
	st = parse_ok("fork-daytime l a", true);
	assert_int_equal(st.op, PROBE_FORK_DAYTIME);
	assert_string_equal(st.socks[1], "a");
	st = parse_ok("wait-timewait $P", true);
	assert_int_equal(st.op, PROBE_WAIT_TIMEWAIT);
	assert_string_equal(st.arg, "$P");
	st = parse_ok("wait-timewait 10013", true);
	st = parse_ok("show", true);
	assert_int_equal(st.op, PROBE_SHOW);

	st =
	    parse_ok("s2 = child tcp4 reuseaddr reuseport uid 65534 bind 10.0.1.1:$P listen", true);
	assert_int_equal(st.op, PROBE_CHILD);
	assert_true(st.child_reuseaddr);
	assert_true(st.child_reuseport);
	assert_true(st.child_listen);
	assert_int_equal(st.child_uid, 65534);
	assert_string_equal(st.endpoint, "10.0.1.1:$P");
	st = parse_ok("r = child udp4 bind *:$P", true);
	assert_false(st.child_listen);
	assert_int_equal(st.child_uid, -1);

	parse_bad("", true, "empty step", 0);
	parse_bad("   ", true, "empty step", 0);
	parse_bad("bnd s 1.2.3.4:5", true, "unknown step 'bnd'", 0);
	parse_bad("show me", true, "usage: show", 5);
	parse_bad("burst 1.2.3.4:5 0", true, "1..256", 16);
	st = parse_ok("recv a b c d e", true);
	assert_int_equal(st.n_socks, 5);
	parse_bad("as-user root", true, "bad uid", 8);
	parse_bad("r = child udp4 bind *:$P listen", true, "needs a TCP socket", 25);
	parse_bad("r = child tcp4 reuseaddr", true, "needs 'bind ENDPOINT'", 24);
	parse_bad("r = child tcp4 bind", true, "needs an endpoint", 19);
	parse_bad("r = child tcp4 sideways bind *:1", true, "unknown child word", 15);
	parse_bad("join s 239.1.1.1", true, "usage: join", 16);
	parse_bad("join s 239.1.1.x eth0", true, "bad address", 7);
	parse_bad("setsockopt s SO_BINDTODEVICE averyveryverylongifname", true, "too long", 29);
	/* Defect 1: one socket as both operands crashed the runner. */
	parse_bad("fork-daytime a a", true, "must be two sockets", 15);
	parse_bad("recv a b a", true, "socket 'a' named twice", 9);
}

/* One valid use of every step; the table test checks none is missing. */
static const char *const step_samples[] = {
    "s = socket tcp4",
    "setsockopt s SO_REUSEADDR 1",
    "join s 239.1.1.1 eth0",
    "bind s 10.0.1.1:$P",
    "listen s",
    "connect s 10.0.1.1:$P",
    "c = accept s",
    "accept-all s",
    "burst 10.0.1.1:$P 3",
    "send s 10.0.1.1:$P",
    "recv s",
    "read s",
    "close s",
    "as-user 65534",
    "c = child tcp4 bind *:$P",
    "fork-daytime l c",
    "wait-timewait $P",
    "show",
    "getsockopt s SO_REUSEPORT",
    "getsockname s",
    "getpeername s",
    "shutdown s wr",
    "sleep 10",
    "owner 65534",
    "d = start user 65534:65534 env A=b daytimed -p $P",
    "wait-listen d $P",
    "wait-bound d $P",
    "holds d $P",
    "signal d USR1",
    "wait-exit d",
    "stop d",
};

/* The step table: every step is found by its name and in op order, has a
 * synopsis and help for the reference, and a sample of it parses to it. */
static void test_step_table(void **state)
{
	const char *syn, *help;
	size_t n = 0;

	(void)state;
	assert_int_equal(probe_n_step_defs, sizeof(step_samples) / sizeof(step_samples[0]));
	for (size_t i = 0; i < probe_n_step_defs; i++) {
		const struct probe_step_def *def = &probe_step_defs[i];
		struct probe_step st = parse_ok(step_samples[i], true);

		assert_int_equal(def->op, i);
		assert_ptr_equal(probe_step_def_find(def->name), def);
		assert_ptr_equal(probe_step_def_of(def->op), def);
		assert_string_equal(probe_op_name(def->op), def->name);
		if (st.op != def->op)
			fail_msg("'%s' parsed as %s, not %s", step_samples[i], probe_op_name(st.op),
				 def->name);
		assert_true(def->min_args <= def->max_args);
		/* the reference's example is a step of this kind, and its expect parses */
		st = parse_ok(def->example, true);
		assert_int_equal(st.op, def->op);
		if (def->example_expect) {
			struct probe_expect e;

			assert_int_equal(probe_expect_parse(def->example_expect, &e), 0);
		}
		assert_non_null(def->parse);
		assert_non_null(def->run);
	}
	while (probe_step_doc(n, &syn, &help)) {
		assert_non_null(strstr(syn, probe_step_defs[n].name));
		assert_true(strlen(help) > 0);
		n++;
	}
	assert_int_equal(n, probe_n_step_defs);
	assert_null(probe_step_def_find("bnd"));
}

/* Too few and too many words: "usage: SYNOPSIS" at the end of the text or
 * at the first word too many, for every step of the table. */
static void test_step_arity(void **state)
{
	(void)state;
	for (size_t i = 0; i < probe_n_step_defs; i++) {
		const struct probe_step_def *def = &probe_step_defs[i];
		char text[256], want[160];
		size_t len;

		snprintf(want, sizeof(want), "usage: %s", def->synopsis);
		len = (size_t)snprintf(text, sizeof(text), "%s%s", def->makes_socket ? "x = " : "",
				       def->name);
		if (def->min_args > 0)
			parse_bad(text, true, want, len);
		if (def->max_args >= PROBE_MAX_WORDS || def->max_args == PROBE_MAX_SOCKS)
			continue; /* test_many_sockets */
		for (size_t k = 0; k <= def->max_args; k++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, " w");
		parse_bad(text, true, want, len - 1);
	}
}

static void test_expect(void **state)
{
	struct probe_expect e;

	(void)state;
	assert_int_equal(probe_expect_parse("ok", &e), 0);
	assert_int_equal(e.want, PROBE_WANT_OK);
	assert_true(probe_expect_met(&e, 0, 7));
	assert_false(probe_expect_met(&e, EADDRINUSE, 0));
	assert_false(probe_expect_met(&e, STEP_TIMEOUT, 0));

	assert_int_equal(probe_expect_parse("EADDRINUSE", &e), 0);
	assert_int_equal(e.want, PROBE_WANT_ERRNO);
	assert_int_equal(e.err, EADDRINUSE);
	assert_true(probe_expect_met(&e, EADDRINUSE, 0));
	assert_false(probe_expect_met(&e, EADDRNOTAVAIL, 0));
	assert_false(probe_expect_met(&e, 0, 0));

	assert_int_equal(probe_expect_parse("fail", &e), 0);
	assert_true(probe_expect_met(&e, ECONNREFUSED, 0));
	assert_true(probe_expect_met(&e, STEP_TIMEOUT, 0));
	assert_false(probe_expect_met(&e, 0, 0));

	assert_int_equal(probe_expect_parse("timeout", &e), 0);
	assert_true(probe_expect_met(&e, STEP_TIMEOUT, 0));
	assert_false(probe_expect_met(&e, ETIMEDOUT, 0));

	assert_int_equal(probe_expect_parse("*", &e), 0);
	assert_true(probe_expect_met(&e, EINVAL, 0));

	assert_int_equal(probe_expect_parse("ok =2", &e), 0);
	assert_int_equal(e.cmp, '=');
	assert_true(probe_expect_met(&e, 0, 2));
	assert_false(probe_expect_met(&e, 0, 1));
	assert_int_equal(probe_expect_parse("ok>0", &e), 0);
	assert_true(probe_expect_met(&e, 0, 1));
	assert_false(probe_expect_met(&e, 0, 0));
	assert_int_equal(probe_expect_parse("ok <3", &e), 0);
	assert_true(probe_expect_met(&e, 0, 2));

	assert_int_equal(probe_expect_parse("", &e), -EINVAL);
	assert_int_equal(probe_expect_parse("EWHATEVER", &e), -EINVAL);
	assert_int_equal(probe_expect_parse("ok =", &e), -EINVAL);
	assert_int_equal(probe_expect_parse("ok >1x", &e), -EINVAL);
	assert_int_equal(probe_expect_parse("ok <eth0", &e), -EINVAL);
	assert_int_equal(probe_expect_parse("ok =a b", &e), -EINVAL);
	assert_int_equal(probe_expect_parse("ok ~1", &e), -EINVAL);

	/* Expectations spell errnos as the reports do (report_errno_*). */
	assert_string_equal(report_errno_name(0), "ok");
	assert_string_equal(report_errno_name(STEP_TIMEOUT), "timeout");
	assert_string_equal(report_errno_name(EADDRNOTAVAIL), "EADDRNOTAVAIL");
	assert_int_equal(report_errno_parse("ECONNREFUSED"), ECONNREFUSED);
	assert_int_equal(report_errno_parse("nope"), -EINVAL);
	assert_int_equal(probe_expect_parse("ECONNREFUSED", &e), 0);
	assert_int_equal(e.want, PROBE_WANT_ERRNO);
	assert_int_equal(e.err, ECONNREFUSED);
	/* a step's result "error" is no errno an expectation can name */
	assert_int_equal(probe_expect_parse("error", &e), -EINVAL);
}

/* An expectation as the step records keep it: what was parsed, spaced one way. */
static void test_expect_format(void **state)
{
	static const char *const in[][2] = {
	    {"ok", "ok"},	    {"ok=3", "ok =3"},
	    {"ok >0", "ok >0"},	    {"ok <-1", "ok <-1"},
	    {"fail", "fail"},	    {"*", "*"},
	    {"timeout", "timeout"}, {"eaddrinuse", "EADDRINUSE"},
	    {"ok =$x", "ok =$x"},   {"ok =SOCK_STREAM", "ok =SOCK_STREAM"},
	};
	struct probe_expect e;
	char buf[112];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(probe_expect_parse(in[i][0], &e), 0);
		probe_expect_format(&e, buf, sizeof(buf));
		assert_string_equal(buf, in[i][1]);
	}
}

/* Every catalog step parses, every prediction parses, ids are unique and
 * every claim C1..C12 has a case. */
static void test_catalog(void **state)
{
	static const char *const claims[] = {"C1", "C2", "C3", "C4",  "C5",  "C6",
					     "C7", "C8", "C9", "C10", "C11", "C12"};

	(void)state;
	assert_true(catalog_n_cases >= 50);
	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];
		size_t deciding = 0;

		assert_non_null(cc->id);
		assert_true(strlen(cc->id) <= TOPO_CASE_ID_MAX);
		assert_non_null(cc->claim);
		assert_non_null(cc->title);
		assert_non_null(cc->source);
		assert_non_null(cc->predicted);
		for (size_t k = i + 1; k < catalog_n_cases; k++)
			if (!strcmp(cc->id, catalog_cases[k].id))
				fail_msg("duplicate case id %s", cc->id);
		for (const struct catalog_step *s = cc->steps; s->text; s++) {
			struct probe_expect e;

			parse_ok(s->text, false);
			assert_true(!strcmp(s->role, "srv") || !strcmp(s->role, "cli") ||
				    !strcmp(s->role, "cli2"));
			if (s->predict && strcmp(s->predict, "*") && strcmp(s->predict, "~")) {
				deciding++;
				if (probe_expect_parse(s->predict, &e) < 0)
					fail_msg("%s: bad prediction '%s'", cc->id, s->predict);
			}
		}
		if (!deciding)
			fail_msg("%s has no deciding step", cc->id);
	}
	for (size_t c = 0; c < sizeof(claims) / sizeof(claims[0]); c++) {
		bool found = false;

		for (size_t i = 0; i < catalog_n_cases; i++)
			found |= !strcmp(catalog_cases[i].claim, claims[c]);
		if (!found)
			fail_msg("no case for claim %s", claims[c]);
	}
}

static void test_filters(void **state)
{
	const char *ids[] = {"restart-*"};
	const char *claims[] = {"c3"};
	struct probe_opts o = {.case_ids = ids, .n_case_ids = 1};

	(void)state;
	assert_true(probe_case_selected(NULL, "x", "C1"));
	assert_true(probe_case_selected(&o, "restart-tw-reuse-none", "C3"));
	assert_false(probe_case_selected(&o, "dup-udp-none", "C6"));
	o.claims = claims;
	o.n_claims = 1;
	assert_true(probe_case_selected(&o, "restart-tw-reuse-none", "C3"));
	assert_false(probe_case_selected(&o, "restart-tw-reuse-both", "C10"));
}

static struct topology *load(const char *name, const char *text)
{
	struct topo_diag d = {0};
	struct topology *t = NULL;
	int r = topo_load_buffer(name, text, strlen(text), &t, &d);

	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	topo_diag_free(&d);
	assert_int_equal(r, 0);
	return t;
}

static void test_roles_two_nics(void **state)
{
	struct topo_diag d = {0};
	struct topology *t = NULL;
	struct probe_roles r;

	(void)state;
	assert_int_equal(topo_load("topologies/two-nics.yml", &t, &d), 0);
	probe_roles_resolve(t, &r);
	assert_string_equal(t->nodes[r.srv].name, "server");
	assert_string_equal(t->nodes[r.cli].name, "client-b");
	assert_string_equal(t->nodes[r.cli2].name, "client-c");
	assert_string_equal(probe_roles_var(&r, "A"), "10.0.1.1");
	assert_string_equal(probe_roles_var(&r, "A2"), "10.0.1.2");
	assert_string_equal(probe_roles_var(&r, "B"), "10.0.2.1");
	assert_string_equal(probe_roles_var(&r, "C"), "10.0.1.3");
	assert_string_equal(probe_roles_var(&r, "D"), "10.0.2.3");
	assert_string_equal(probe_roles_var(&r, "A6"), "fd00:1::1");
	assert_string_equal(probe_roles_var(&r, "IFA"), "eth0");
	assert_string_equal(probe_roles_var(&r, "IFB"), "eth1");
	assert_string_equal(probe_roles_var(&r, "G"), "239.1.1.1");
	assert_int_equal(probe_roles_node(&r, "cli2"), r.cli2);
	assert_null(probe_roles_var(&r, "NOPE"));
	topo_free(t);
	topo_diag_free(&d);
}

static void test_roles_missing(void **state)
{
	struct topology *t;
	struct probe_roles r;

	(void)state;
	/* one link, no alias, no second NIC: no A2, no cli2 */
	t = load("small.yml", "name: small\n"
			      "nodes:\n"
			      "  s: {interfaces: {eth0: [10.1.0.1/24]}}\n"
			      "  c: {interfaces: {eth0: [10.1.0.2/24]}}\n"
			      "links:\n"
			      "  - endpoints: [s:eth0, c:eth0]\n");
	probe_roles_resolve(t, &r);
	assert_true(r.srv >= 0);
	assert_true(r.cli >= 0);
	assert_int_equal(r.cli2, -1);
	assert_null(probe_roles_var(&r, "A2"));
	assert_null(probe_roles_var(&r, "B"));
	assert_non_null(probe_roles_var(&r, "A"));
	topo_free(t);
}

/* Two nodes on one link; user cases are appended. */
static const char base[] = "name: u\n"
			   "nodes:\n"
			   "  a: {interfaces: {eth0: [10.1.0.1/24]}}\n"
			   "  b: {interfaces: {eth0: [10.1.0.2/24]}}\n"
			   "links:\n"
			   "  - endpoints: [a:eth0, b:eth0]\n"
			   "cases:\n";

static void test_check_user_cases(void **state)
{
	struct topo_diag d = {0};
	struct topology *t;
	char buf[2048];

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", base,
		 "  - id: good\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\", expect: ok}\n"
		 "      - {on: a, do: \"bind s 10.1.0.1:$P\", expect: EADDRINUSE}\n"
		 "      - {on: b, do: \"c = socket tcp4\"}\n"
		 "      - {on: b, do: \"close c\"}\n");
	t = load("good.yml", buf);
	assert_int_equal(probe_check_user_cases(t, &d), 0);
	assert_int_equal(d.n, 0);
	topo_free(t);

	snprintf(buf, sizeof(buf), "%s%s", base,
		 "  - id: bad1\n"
		 "    steps:\n"
		 "      - {on: a, do: \"bnd s 1.2.3.4:5\"}\n"
		 "  - id: bad2\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\", expect: EWHAT}\n"
		 "  - id: bad3\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\"}\n"
		 "      - {on: a, do: \"close s\"}\n"
		 "      - {on: a, do: \"listen s\"}\n"
		 "  - id: bad4\n"
		 "    steps:\n"
		 "      - {on: a, do: \"bind s $A:$P\"}\n");
	t = load("bad.yml", buf);
	assert_int_equal(probe_check_user_cases(t, &d), -EINVAL);
	assert_int_equal(d.n, 4);
	assert_non_null(strstr(d.lines[0], "bad.yml:10:"));
	assert_non_null(strstr(d.lines[0], ": error: case 'bad1': unknown step 'bnd'"));
	assert_non_null(strstr(d.lines[1], "bad.yml:13:"));
	assert_non_null(strstr(d.lines[1], "bad expect 'EWHAT'"));
	assert_non_null(strstr(d.lines[2], "bad.yml:18:"));
	assert_non_null(strstr(d.lines[2], "socket 's' is used before it is made"));
	assert_non_null(strstr(d.lines[3], "bad.yml:21:"));
	assert_non_null(strstr(d.lines[3], "only for the built-in catalog"));
	topo_free(t);
	topo_diag_free(&d);
}

/* An unknown step is answered with every step name, the last ones too (the
 * list was cut at 256 bytes: "..., holds, si"), and the step it was in. */
static void test_unknown_step_lists_all(void **state)
{
	struct topo_diag d = {0};
	struct topology *t;
	char buf[2048], word[64];
	const char *line;

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", base,
		 "  - id: typo\n"
		 "    steps:\n"
		 "      - {on: a, do: \"frobnicate s\"}\n");
	t = load("typo.yml", buf);
	assert_int_equal(probe_check_user_cases(t, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	line = d.lines[0];
	for (size_t i = 0; i < probe_n_step_defs; i++) {
		snprintf(word, sizeof(word), "%s%s%s", i ? ", " : "(", probe_step_defs[i].name,
			 i + 1 < probe_n_step_defs ? "," : ")");
		if (!strstr(line, word))
			fail_msg("'%s' lacks '%s'", line, word);
	}
	assert_non_null(
	    strstr(line, ", signal, wait-exit, stop) (in step \"frobnicate s\", at byte 1)"));
	topo_free(t);
	topo_diag_free(&d);
}

/* getsockopt, the new options, and capturing a value into $x. */
static void test_options_and_captures(void **state)
{
	struct probe_step st;

	(void)state;
	st = parse_ok("getsockopt s SO_TYPE", true);
	assert_int_equal(st.op, PROBE_GETSOCKOPT);
	assert_int_equal(st.opt, PROBE_OPT_TYPE);
	assert_string_equal(probe_opt_name(st.opt), "SO_TYPE");
	st = parse_ok("setsockopt s IP_TRANSPARENT 1", true);
	assert_int_equal(st.opt, PROBE_OPT_TRANSPARENT);
	st = parse_ok("setsockopt s IP_BIND_ADDRESS_NO_PORT 1", true);
	assert_int_equal(st.opt, PROBE_OPT_BIND_ADDRESS_NO_PORT);
	st = parse_ok("setsockopt s SO_INCOMING_CPU 1", true);
	assert_int_equal(st.opt, PROBE_OPT_INCOMING_CPU);
	st = parse_ok("setsockopt s IP_FREEBIND 1", true);
	assert_int_equal(st.opt, PROBE_OPT_FREEBIND);
	st = parse_ok("setsockopt s SO_ATTACH_REUSEPORT_CBPF cpu", true);
	assert_string_equal(st.arg, "cpu");
	st = parse_ok("setsockopt s SO_ATTACH_REUSEPORT_CBPF index 2", true);
	assert_string_equal(st.arg, "index");
	assert_int_equal(st.num, 2);
	st = parse_ok("setsockopt s SO_DETACH_FILTER", true);
	assert_int_equal(st.opt, PROBE_OPT_DETACH_FILTER);
	parse_bad("setsockopt s SO_ATTACH_REUSEPORT_CBPF hash", true, "cpu, or index N", 38);
	parse_bad("setsockopt s SO_ATTACH_REUSEPORT_CBPF index x", true, "cpu, or index N", 38);
	parse_bad("setsockopt s SO_DETACH_FILTER 1", true, "takes no value", 30);

	st = parse_ok("$me = getsockname c", true);
	assert_int_equal(st.op, PROBE_GETSOCKNAME);
	assert_string_equal(st.capture, "me");
	assert_string_equal(st.lhs, "");
	st = parse_ok("$port_2 = connect c 10.0.1.1:$P", true);
	assert_string_equal(st.capture, "port_2");
	st = parse_ok("bind d $me", true);
	assert_string_equal(st.endpoint, "$me");
	st = parse_ok("bind d 10.0.1.3:$me.port", true);
	st = parse_ok("bind d $me.addr:$P", true);
	st = parse_ok("bind d [$me.addr]:$me.port", true);
	st = parse_ok("setsockopt s IP_MULTICAST_IF $m", true);
	parse_bad("$Me = getsockname c", true, "bad variable name '$Me'", 0);
	parse_bad("$me = bind c 10.0.1.1:1", true, "'bind' has no value to capture (connect,", 6);
	parse_bad("$me = socket tcp4", true, "'socket' has no value to capture", 6);
	parse_bad("$me =", true, "missing call", 5);
	parse_bad("bind d $me.addr", true, "want ADDR:PORT, or $x", 7);
	parse_bad("bind d $me.port:1", true, "'$me.port' is a port, not an address", 7);
	parse_bad("bind d 10.0.1.1:$me.addr", true, "unknown port variable '$me.addr'", 7);
	parse_bad("bind d 10.0.1.1:$me.host", true, "unknown port variable", 7);
}

/* Expectations on a text value: "ok =SOCK_STREAM", "ok =$x". */
static void test_expect_text(void **state)
{
	struct probe_expect e;

	(void)state;
	assert_int_equal(probe_expect_parse("ok =SOCK_STREAM", &e), 0);
	assert_string_equal(e.text, "SOCK_STREAM");
	assert_true(probe_expect_met_text(&e, 0, 1, "SOCK_STREAM"));
	assert_false(probe_expect_met_text(&e, 0, 1, "SOCK_DGRAM"));
	assert_false(probe_expect_met_text(&e, EBADF, 0, "SOCK_STREAM"));
	assert_false(probe_expect_met(&e, 0, 1)); /* no text: not met */
	assert_int_equal(probe_expect_parse("ok =10.0.1.3:40000", &e), 0);
	assert_true(probe_expect_met_text(&e, 0, 40000, "10.0.1.3:40000"));
	assert_int_equal(probe_expect_parse("ok =1", &e), 0);
	assert_string_equal(e.text, "");
	assert_true(probe_expect_met_text(&e, 0, 1, "SOCK_STREAM"));
	assert_int_equal(probe_expect_parse("ok = $me", &e), 0);
	assert_string_equal(e.text, "$me");
}

/* check: a $x used before the step that captures it, in a step or an
 * expect, is a FILE:LINE:COL error; captured ones pass. */
static void test_check_captures(void **state)
{
	struct topo_diag d = {0};
	struct topology *t;
	char buf[2048];

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s", base,
		 "  - id: good\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\"}\n"
		 "      - {on: a, do: \"bind s 10.1.0.1:0\"}\n"
		 "      - {on: a, do: \"$srv = getsockname s\", expect: ok >0}\n"
		 "      - {on: b, do: \"c = socket tcp4\"}\n"
		 "      - {on: b, do: \"connect c $srv\", expect: timeout}\n"
		 "      - {on: b, do: \"getpeername c\", expect: ok =$srv}\n"
		 "      - {on: a, do: \"t = socket tcp4\"}\n"
		 "      - {on: a, do: \"bind t 10.1.0.1:$srv.port\", expect: EADDRINUSE}\n");
	t = load("good.yml", buf);
	assert_int_equal(probe_check_user_cases(t, &d), 0);
	assert_int_equal(d.n, 0);
	topo_free(t);

	snprintf(buf, sizeof(buf), "%s%s", base,
		 "  - id: early\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\"}\n"
		 "      - {on: a, do: \"bind s 10.1.0.1:$srv.port\"}\n"
		 "      - {on: a, do: \"$srv = getsockname s\"}\n"
		 "  - id: in-expect\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\"}\n"
		 "      - {on: a, do: \"getsockname s\", expect: ok =$other}\n"
		 "  - id: other-case\n"
		 "    steps:\n"
		 "      - {on: a, do: \"s = socket tcp4\"}\n"
		 "      - {on: a, do: \"connect s $srv\"}\n");
	t = load("bad.yml", buf);
	assert_int_equal(probe_check_user_cases(t, &d), -EINVAL);
	assert_int_equal(d.n, 3);
	assert_non_null(strstr(d.lines[0], "bad.yml:11:"));
	assert_non_null(strstr(d.lines[0], "variable '$srv' is used before a step captures it"));
	assert_non_null(strstr(d.lines[1], "bad.yml:16:"));
	assert_non_null(strstr(d.lines[1], "variable '$other' is used before"));
	/* scope: one case's variables are not another's */
	assert_non_null(strstr(d.lines[2], "bad.yml:20:"));
	assert_non_null(strstr(d.lines[2], "variable '$srv' is used before"));
	topo_free(t);
	topo_diag_free(&d);
}

/* recv and accept-all take up to PROBE_MAX_SOCKS (64) sockets; one more is
 * an error that says so, not a usage line. */
static void test_many_sockets(void **state)
{
	char text[PROBE_MAX_SOCKS * 5 + 32], want[64];
	const char *steps[] = {"recv", "accept-all"};
	struct probe_step st;
	size_t len;

	(void)state;
	assert_true(PROBE_MAX_SOCKS >= 64);
	for (size_t k = 0; k < 2; k++) {
		len = (size_t)snprintf(text, sizeof(text), "%s", steps[k]);
		for (int i = 0; i < PROBE_MAX_SOCKS; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, " s%d", i);
		st = parse_ok(text, true);
		assert_int_equal(st.n_socks, PROBE_MAX_SOCKS);
		assert_string_equal(st.socks[PROBE_MAX_SOCKS - 1], "s63");
		snprintf(text + len, sizeof(text) - len, " s64");
		snprintf(want, sizeof(want), "%s takes at most %d sockets", steps[k], PROBE_MAX_SOCKS);
		parse_bad(text, true, want, len + 1);
	}
}

/* shutdown, connect S unspec, sleep and its bound. */
static void test_conn_steps(void **state)
{
	struct probe_step st;

	(void)state;
	st = parse_ok("shutdown c rdwr", true);
	assert_int_equal(st.op, PROBE_SHUTDOWN);
	assert_int_equal(st.num, SHUT_RDWR);
	assert_int_equal(parse_ok("shutdown c rd", true).num, SHUT_RD);
	parse_bad("shutdown c both", true, "rd, wr or rdwr, not 'both'", 11);
	st = parse_ok("connect u unspec", true);
	assert_int_equal(st.op, PROBE_CONNECT);
	assert_string_equal(st.endpoint, "unspec");
	parse_bad("bind u unspec", true, "bad endpoint 'unspec'", 7);
	st = parse_ok("sleep 5000", true);
	assert_int_equal(st.num, PROBE_SLEEP_MAX_MS);
	parse_bad("sleep 5001", true, "sleep takes milliseconds, 0..5000", 6);
	parse_bad("sleep 1s", true, "milliseconds", 6);
	/* the reference states the bound the parser holds */
	{
		char bound[16];

		snprintf(bound, sizeof(bound), "%d", PROBE_SLEEP_MAX_MS);
		assert_non_null(strstr(probe_step_def_of(PROBE_SLEEP)->help, bound));
	}
	/* as-user's help names every step that may follow it, and only those */
	{
		const char *list = strstr(probe_step_def_of(PROBE_AS_USER)->help, "one of: ");
		char want[256] = "";
		size_t o = 0;

		assert_non_null(list);
		for (size_t i = 0; i < probe_n_step_defs; i++)
			if (probe_as_user_op(probe_step_defs[i].op))
				o += (size_t)snprintf(want + o, sizeof(want) - o, "%s%s", o ? "," : "",
						      probe_step_defs[i].name);
		for (const char *name = strtok(strcpy((char[256]){0}, list + 8), ", "); name;
		     name = strtok(NULL, ", ")) {
			char *at = strstr(want, name);

			if (!at)
				fail_msg("as-user's help names '%s', which cannot run as-user", name);
			memset(at, '#', strlen(name));
		}
		if (strpbrk(want, "abcdefghijklmnopqrstuvwxyz"))
			fail_msg("as-user's help lacks some of: %s", want);
	}
	st = parse_ok("send c 10.0.1.1:80 fastopen", true);
	assert_string_equal(st.arg, "fastopen");
	assert_int_equal(st.num, 1);
	st = parse_ok("send c 10.0.1.1:80 3 fastopen", true);
	assert_int_equal(st.num, 3);
	assert_string_equal(parse_ok("send c 10.0.1.1:80 3", true).arg, "");
	parse_bad("send c 10.0.1.1:80 3 4", true, "usage: send S ENDPOINT [N] [fastopen]", 21);
	parse_bad("send c 10.0.1.1:80 fast", true, "datagram count must be 1..1000", 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_socket_and_options),
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_other_steps),
	    cmocka_unit_test(test_step_table),
	    cmocka_unit_test(test_step_arity),
	    cmocka_unit_test(test_expect),
	    cmocka_unit_test(test_expect_format),
	    cmocka_unit_test(test_catalog),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_roles_two_nics),
	    cmocka_unit_test(test_roles_missing),
	    cmocka_unit_test(test_check_user_cases),
	    cmocka_unit_test(test_unknown_step_lists_all),
	    cmocka_unit_test(test_options_and_captures),
	    cmocka_unit_test(test_expect_text),
	    cmocka_unit_test(test_check_captures),
	    cmocka_unit_test(test_many_sockets),
	    cmocka_unit_test(test_conn_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

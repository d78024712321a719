/* SPDX-License-Identifier: MIT */
/* Reporters: JSON round trip through json-c, table lines, JUnit escaping, errno names. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

/* A report with one case of each verdict, built by hand as the probe runner would. */
static void build(struct report *r)
{
	struct case_result *c;
	struct step_result *st;

	memset(r, 0, sizeof(*r));
	snprintf(r->kernel, sizeof(r->kernel), "6.1.0-test");
	snprintf(r->lab, sizeof(r->lab), "unit");
	snprintf(r->sysctls[0].key, sizeof(r->sysctls[0].key), "net.ipv6.bindv6only");
	snprintf(r->sysctls[0].value, sizeof(r->sysctls[0].value), "0");
	snprintf(r->sysctls[1].key, sizeof(r->sysctls[1].key), "net.ipv4.ip_local_port_range");
	snprintf(r->sysctls[1].value, sizeof(r->sysctls[1].value), "32768\t60999");
	r->n_sysctls = 2;
	r->n_cases = 5;
	r->cases = calloc(5, sizeof(*r->cases));
	assert_non_null(r->cases);

	c = &r->cases[0];
	c->id = strdup("restart-tw-none");
	c->claim = strdup("C3");
	c->title = strdup("restart over TIME-WAIT without SO_REUSEADDR");
	c->source = strdup("Stevens UNP 7.5");
	c->predicted = strdup("EADDRINUSE");
	c->observed = strdup("EADDRINUSE");
	c->verdict = VERDICT_HOLDS;
	c->n_nodes = 2;
	c->nodes = calloc(2, sizeof(char *));
	c->nodes[0] = strdup("server");
	c->nodes[1] = strdup("client-b");
	c->n_steps = 2;
	c->steps = calloc(2, sizeof(*c->steps));
	st = &c->steps[0];
	snprintf(st->node, sizeof(st->node), "server");
	snprintf(st->call, sizeof(st->call), "listen");
	snprintf(st->args, sizeof(st->args), "tcp 0.0.0.0:10013");
	st->expect = -2;
	st->n_seen = 1;
	st->seen = calloc(1, sizeof(*st->seen));
	snprintf(st->seen[0].proto, 4, "tcp");
	snprintf(st->seen[0].state, 16, "TIME-WAIT");
	snprintf(st->seen[0].local, 64, "10.0.1.1:10013");
	snprintf(st->seen[0].remote, 64, "10.0.1.3:40012");
	st->seen[0].uid = 0;
	st = &c->steps[1];
	snprintf(st->node, sizeof(st->node), "server");
	snprintf(st->call, sizeof(st->call), "bind");
	snprintf(st->args, sizeof(st->args), "tcp 0.0.0.0:10013");
	st->err = EADDRINUSE;
	st->expect = EADDRINUSE;
	st->value = 0;

	c = &r->cases[1];
	c->id = strdup("dup-tcp-reuseaddr");
	c->claim = strdup("C6");
	c->title = strdup("duplicate TCP binding");
	c->predicted = strdup("EADDRINUSE");
	c->observed = strdup("ok");
	c->verdict = VERDICT_DIFFERS;
	c->n_steps = 1;
	c->steps = calloc(1, sizeof(*c->steps));
	snprintf(c->steps[0].node, sizeof(c->steps[0].node), "server");
	snprintf(c->steps[0].call, sizeof(c->steps[0].call), "recv");
	c->steps[0].expect = -2;
	c->steps[0].value = 3;

	c = &r->cases[2];
	c->id = strdup("user-<case>&\"1\"");
	c->title = strdup("a title with <xml> & 'quotes'\x01");
	c->predicted = strdup("ok");
	c->observed = strdup("timeout");
	c->verdict = VERDICT_EXPECT_FAILED;
	c->n_steps = 1;
	c->steps = calloc(1, sizeof(*c->steps));
	snprintf(c->steps[0].node, sizeof(c->steps[0].node), "client");
	snprintf(c->steps[0].call, sizeof(c->steps[0].call), "connect");
	snprintf(c->steps[0].args, sizeof(c->steps[0].args), "10.0.1.1:<80>");
	c->steps[0].err = STEP_TIMEOUT;
	c->steps[0].expect = 0;

	c = &r->cases[3];
	c->id = strdup("broken");
	c->verdict = VERDICT_ERROR;
	c->error = strdup("setns rl-unit-server: No such file or directory");

	c = &r->cases[4];
	c->id = strdup("c1-two-servers-none");
	c->claim = strdup("C1");
	c->predicted = strdup("2nd bind of the port fails");
	c->verdict = VERDICT_SKIPPED;
	c->skip_reason = strdup("the lab has no node for role 'cli2'");
}

static char *capture(int (*fn)(const struct report *, FILE *, bool), const struct report *r,
		     bool color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(r, f, color), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int write_json_b(const struct report *r, FILE *f, bool unused)
{
	(void)unused;
	return report_write_json(r, f);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static void test_json_round_trip(void **state)
{
	struct report r;
	struct json_object *root, *cases, *c, *steps, *st, *socks, *v;
	char *text;

	(void)state;
	build(&r);
	text = capture(write_json_b, &r, false);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_string_equal(jstr(root, "schema"), "reuselab-report/1");
	assert_string_equal(jstr(root, "kernel"), "6.1.0-test");
	assert_string_equal(jstr(root, "lab"), "unit");
	assert_true(json_object_object_get_ex(root, "sysctls", &v));
	assert_string_equal(jstr(v, "net.ipv6.bindv6only"), "0");
	assert_string_equal(jstr(v, "net.ipv4.ip_local_port_range"), "32768\t60999");

	assert_true(json_object_object_get_ex(root, "cases", &cases));
	assert_int_equal(json_object_array_length(cases), 5);
	c = json_object_array_get_idx(cases, 0);
	assert_string_equal(jstr(c, "id"), "restart-tw-none");
	assert_string_equal(jstr(c, "claim"), "C3");
	assert_string_equal(jstr(c, "source"), "Stevens UNP 7.5");
	assert_string_equal(jstr(c, "predicted"), "EADDRINUSE");
	assert_string_equal(jstr(c, "observed"), "EADDRINUSE");
	assert_string_equal(jstr(c, "verdict"), "holds");
	assert_false(json_object_object_get_ex(c, "error", NULL));
	assert_false(json_object_object_get_ex(c, "skip_reason", NULL));
	assert_true(json_object_object_get_ex(c, "nodes", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)), "client-b");
	assert_true(json_object_object_get_ex(c, "steps", &steps));
	assert_int_equal(json_object_array_length(steps), 2);
	st = json_object_array_get_idx(steps, 0);
	assert_string_equal(jstr(st, "call"), "listen");
	assert_string_equal(jstr(st, "result"), "ok");
	assert_false(json_object_object_get_ex(st, "expect", NULL));
	assert_false(json_object_object_get_ex(st, "value", NULL));
	assert_true(json_object_object_get_ex(st, "sockets", &socks));
	assert_int_equal(json_object_array_length(socks), 1);
	v = json_object_array_get_idx(socks, 0);
	assert_string_equal(jstr(v, "state"), "TIME-WAIT");
	assert_string_equal(jstr(v, "local"), "10.0.1.1:10013");
	assert_string_equal(jstr(v, "remote"), "10.0.1.3:40012");
	assert_true(json_object_object_get_ex(v, "uid", &v));
	assert_int_equal(json_object_get_int(v), 0);
	st = json_object_array_get_idx(steps, 1);
	assert_string_equal(jstr(st, "result"), "EADDRINUSE");
	assert_string_equal(jstr(st, "expect"), "EADDRINUSE");

	c = json_object_array_get_idx(cases, 1);
	assert_string_equal(jstr(c, "verdict"), "differs");
	assert_true(json_object_object_get_ex(c, "source", &v));
	assert_null(v); /* NULL strings are JSON null */
	st = json_object_array_get_idx(json_object_object_get(c, "steps"), 0);
	assert_true(json_object_object_get_ex(st, "value", &v));
	assert_int_equal(json_object_get_int(v), 3);

	c = json_object_array_get_idx(cases, 2);
	assert_string_equal(jstr(c, "id"), "user-<case>&\"1\"");
	assert_string_equal(jstr(c, "verdict"), "failed");
	st = json_object_array_get_idx(json_object_object_get(c, "steps"), 0);
	assert_string_equal(jstr(st, "result"), "timeout");
	assert_string_equal(jstr(st, "expect"), "ok");

	c = json_object_array_get_idx(cases, 3);
	assert_string_equal(jstr(c, "verdict"), "error");
	assert_string_equal(jstr(c, "error"), "setns rl-unit-server: No such file or directory");
	assert_false(json_object_object_get_ex(c, "skip_reason", NULL));

	c = json_object_array_get_idx(cases, 4);
	assert_string_equal(jstr(c, "id"), "c1-two-servers-none");
	assert_string_equal(jstr(c, "verdict"), "skipped");
	assert_string_equal(jstr(c, "skip_reason"), "the lab has no node for role 'cli2'");
	assert_string_equal(jstr(c, "predicted"), "2nd bind of the port fails");
	assert_true(json_object_object_get_ex(c, "observed", &v));
	assert_null(v); /* nothing ran, nothing observed */
	assert_int_equal(json_object_array_length(json_object_object_get(c, "steps")), 0);
	assert_false(json_object_object_get_ex(c, "error", NULL));

	assert_true(json_object_object_get_ex(root, "summary", &v));
	assert_int_equal(json_object_get_int(json_object_object_get(v, "cases")), 5);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "holds")), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "differs")), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "failed")), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "error")), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "skipped")), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "exit_status")), 3);

	json_object_put(root);
	free(text);
	report_free_cases(&r);
	assert_null(r.cases);
	assert_int_equal(r.n_cases, 0);
}

static void test_json_sysctls_json(void **state)
{
	struct report r = {0};
	struct json_object *root, *v;
	char *text;

	(void)state;
	r.sysctls_json = (char *)"{\"net.ipv4.ip_autobind_reuse\":\"0\"}";
	text = capture(write_json_b, &r, false);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "sysctls", &v));
	assert_string_equal(jstr(v, "net.ipv4.ip_autobind_reuse"), "0");
	assert_true(json_object_object_get_ex(root, "cases", &v));
	assert_int_equal(json_object_array_length(v), 0);
	json_object_put(root);
	free(text);
}

static void test_table(void **state)
{
	struct report r;
	char *text;

	(void)state;
	build(&r);
	text = capture(report_write_table, &r, false);
	assert_non_null(strstr(text, "case"));
	assert_non_null(strstr(text, "verdict\n"));
	assert_non_null(strstr(text, "restart-tw-none"));
	assert_non_null(strstr(text, "    server: TIME-WAIT 10.0.1.1:10013 10.0.1.3:40012\n"));
	assert_non_null(strstr(text, "  differs\n"));
	assert_non_null(strstr(text, "  FAILED\n"));
	assert_non_null(
	    strstr(text, "    error: setns rl-unit-server: No such file or directory\n"));
	assert_non_null(strstr(text, "  skipped\n"));
	assert_non_null(strstr(text, "    skipped: the lab has no node for role 'cli2'\n"));
	assert_non_null(
	    strstr(text, "5 cases: 1 holds, 1 differs, 1 FAILED, 1 error, 1 skipped\n"));
	assert_null(strchr(text, '\033')); /* no colour unless asked */
	free(text);
	text = capture(report_write_table, &r, true);
	assert_non_null(strstr(text, "\033[32mholds\033[0m"));
	free(text);
	/* No skipped case: the summary reads as it always did. */
	report_case_clear(&r.cases[4]);
	r.n_cases = 4;
	text = capture(report_write_table, &r, false);
	assert_non_null(strstr(text, "4 cases: 1 holds, 1 differs, 1 FAILED, 1 error\n"));
	assert_null(strstr(text, "skipped"));
	free(text);
	r.n_cases = 5;
	report_free_cases(&r);
}

/* r's JUnit, written to a file of its own as report_write_junit does, into buf. */
static void junit_text(const struct report *r, char *buf, size_t len)
{
	char path[] = "/tmp/reuselab-junit-XXXXXX";
	int fd = mkstemp(path);
	size_t n;
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(report_write_junit(r, path), 0);
	f = fopen(path, "re");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
}

static void test_junit(void **state)
{
	struct report r;
	char buf[16384];

	(void)state;
	build(&r);
	junit_text(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
	assert_non_null(strstr(buf, "tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"1\""));
	assert_non_null(
	    strstr(buf, "<skipped message=\"the lab has no node for role &apos;cli2&apos;\"/>"));
	assert_non_null(strstr(buf, "<property name=\"kernel\" value=\"6.1.0-test\"/>"));
	assert_non_null(strstr(buf, "value=\"32768&#9;60999\""));
	assert_non_null(strstr(buf, "name=\"user-&lt;case&gt;&amp;&quot;1&quot;: a title with "
				    "&lt;xml&gt; &amp; &apos;quotes&apos;?\""));
	assert_non_null(strstr(buf, "<failure type=\"expectation\""));
	assert_non_null(strstr(buf, "10.0.1.1:&lt;80&gt; -&gt; timeout (expected ok)"));
	assert_non_null(strstr(buf, "<error type=\"system\" message=\"setns rl-unit-server"));
	assert_non_null(strstr(buf, "<system-out>differs: the claim predicts EADDRINUSE, "
				    "Linux did ok"));
	/* Nothing unescaped: no raw control characters and no stray '<' in the user strings. */
	assert_null(strchr(buf, '\x01'));
	assert_null(strstr(buf, "<case>"));
	assert_null(strstr(buf, "<xml>"));
	assert_int_equal(report_write_junit(&r, "/nonexistent-dir/x.xml"), -ENOENT);
	report_free_cases(&r);
}

/* A step's expectation in full and a step in error: in the JSON, read back
 * (a guest's report), and in JUnit's lines from what was read. */
static void test_step_expectation_and_error(void **state)
{
	char buf[8192], *text;
	struct report r, back;
	struct step_result *st;

	(void)state;
	build(&r);
	st = &r.cases[2].steps[0]; /* a failed expectation that compares a value */
	st->err = 0;
	st->value = 2;
	snprintf(st->expectation, sizeof(st->expectation), "ok =3");
	r.cases[3].n_steps = 1;
	r.cases[3].steps = calloc(1, sizeof(*st));
	st = &r.cases[3].steps[0];
	snprintf(st->node, sizeof(st->node), "server");
	snprintf(st->call, sizeof(st->call), "wait-exit");
	snprintf(st->args, sizeof(st->args), "wait-exit d");
	st->err = STEP_ERROR;
	st->error = strdup("no program named 'd'");
	st->expect = 0;
	snprintf(st->expectation, sizeof(st->expectation), "ok =0");
	text = capture(write_json_b, &r, false);
	report_free_cases(&r);
	assert_int_equal(report_read_json(text, strlen(text), &back, buf, sizeof(buf)), 0);
	free(text);
	assert_string_equal(back.cases[2].steps[0].expectation, "ok =3");
	assert_null(back.cases[2].steps[0].error);
	assert_int_equal(back.cases[3].steps[0].err, STEP_ERROR);
	assert_string_equal(back.cases[3].steps[0].error, "no program named 'd'");
	junit_text(&back, buf, sizeof(buf));
	report_free_cases(&back);
	assert_non_null(strstr(buf, "10.0.1.1:&lt;80&gt; -&gt; ok =2 (expected ok =3)\n"));
	assert_non_null(strstr(buf, "1. server: wait-exit d -&gt; error: no program named "
				    "&apos;d&apos; (expected ok =0)\n"));
}

static void test_errno_table(void **state)
{
	static const int errs[] = {
	    EADDRINUSE,	  EADDRNOTAVAIL, ECONNREFUSED, EINVAL, EACCES,	   EPERM,
	    EAFNOSUPPORT, EISCONN,	 ENOTCONN,     EAGAIN, ETIMEDOUT,  ENETUNREACH,
	    EHOSTUNREACH, ECONNRESET,	 ENOPROTOOPT,  ENODEV, EOPNOTSUPP, EALREADY,
	    EINPROGRESS,  ENOBUFS,	 EMFILE};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		const char *name = report_errno_name(errs[i]);

		assert_non_null(name);
		assert_int_equal(name[0], 'E');
		assert_int_equal(report_errno_parse(name), errs[i]);
	}
	/* Every number 1..200 that has a name maps back to itself. */
	for (int e = 1; e < 200; e++) {
		const char *name = report_errno_name(e);

		if (name)
			assert_int_equal(report_errno_parse(name), e);
		assert_int_equal(report_errno_parse(report_result_text(e, buf, sizeof(buf))), e);
	}
	assert_string_equal(report_errno_name(EADDRINUSE), "EADDRINUSE");
	assert_string_equal(report_errno_name(0), "ok");
	assert_string_equal(report_errno_name(STEP_TIMEOUT), "timeout");
	assert_null(report_errno_name(4000));
	assert_string_equal(report_result_text(4000, buf, sizeof(buf)), "errno-4000");
	assert_int_equal(report_errno_parse("ok"), 0);
	assert_int_equal(report_errno_parse("timeout"), STEP_TIMEOUT);
	assert_string_equal(report_errno_name(STEP_ERROR), "error");
	assert_int_equal(report_errno_parse("error"), STEP_ERROR);
	assert_int_equal(report_errno_parse("eaddrinuse"), EADDRINUSE);
	assert_int_equal(report_errno_parse("EWHATEVER"), -EINVAL);
	assert_int_equal(report_errno_parse(""), -EINVAL);
	assert_int_equal(report_errno_parse(NULL), -EINVAL);
	assert_int_equal(report_errno_parse("errno-0"), -EINVAL);
	assert_int_equal(report_errno_parse("errno-12x"), -EINVAL);
}

static void test_exit_status(void **state)
{
	struct case_result cs[2] = {{.verdict = VERDICT_HOLDS}, {.verdict = VERDICT_DIFFERS}};
	struct report r = {.cases = cs, .n_cases = 2};

	(void)state;
	assert_int_equal(report_exit_status(&r), 0);
	cs[1].verdict = VERDICT_EXPECT_FAILED;
	assert_int_equal(report_exit_status(&r), 1);
	cs[0].verdict = VERDICT_ERROR;
	assert_int_equal(report_exit_status(&r), 3);
	cs[0].verdict = VERDICT_SKIPPED; /* skipped never fails */
	cs[1].verdict = VERDICT_HOLDS;
	assert_int_equal(report_exit_status(&r), 0);
	r.n_cases = 0;
	assert_int_equal(report_exit_status(&r), 0);
	assert_string_equal(report_verdict_name(VERDICT_EXPECT_FAILED), "FAILED");
	assert_string_equal(report_verdict_json(VERDICT_EXPECT_FAILED), "failed");
	assert_string_equal(report_verdict_name(VERDICT_SKIPPED), "skipped");
	assert_string_equal(report_verdict_json(VERDICT_SKIPPED), "skipped");
	report_free_cases(NULL);
}

static void test_case_clear(void **state)
{
	struct report r;

	(void)state;
	build(&r);
	for (size_t i = 0; i < r.n_cases; i++) {
		report_case_clear(&r.cases[i]);
		assert_null(r.cases[i].id);
		assert_null(r.cases[i].steps);
		assert_null(r.cases[i].skip_reason);
		assert_int_equal(r.cases[i].n_steps, 0);
	}
	report_case_clear(&r.cases[0]); /* twice is harmless */
	report_case_clear(NULL);
	report_free_cases(&r);
}

static void test_xml_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	report_xml_escape(f, "a<b>&\"c\" 'd'\te\nf\rg\x01\x7f");
	report_xml_escape(f, NULL);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#9;e&#10;f&#13;g??");
	free(buf);
}

static void test_text_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	/* CSI colour, a title sequence, tab, newline, DEL; UTF-8 text kept; C1
	 * CSI as UTF-8 and as a raw byte; a truncated sequence. */
	assert_int_equal(report_text_put(f, "\033[31mred\033]0;t\007\t\n\177"), 35);
	assert_int_equal(report_text_put(f, " caf\xc3\xa9 \xe2\x9c\x93 \xc2\x9b\x9b\xe2\x9c"), 31);
	assert_int_equal(report_text_put(f, NULL), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf, "\\x1b[31mred\\x1b]0;t\\x07\\x09\\x0a\\x7f"
				 " caf\xc3\xa9 \xe2\x9c\x93 \\xc2\\x9b\\x9b\\xe2\\x9c");
	assert_int_equal(report_text_put(NULL, "a\033b"), 6);
	free(buf);
}

/* Defect 11: case text with terminal escapes was printed raw in the table. */
static void test_table_escapes(void **state)
{
	struct report r;
	char *text;

	(void)state;
	build(&r);
	free(r.cases[0].id);
	r.cases[0].id = strdup("evil\033[2J");
	free(r.cases[3].error);
	r.cases[3].error = strdup("step 'bind s \033]0;pwned\007' failed");
	free(r.cases[1].observed);
	r.cases[1].observed = strdup("\x9b" "31m");
	text = capture(report_write_table, &r, false);
	assert_null(strchr(text, '\033'));
	assert_null(strchr(text, '\007'));
	assert_null(strchr(text, '\x9b'));
	assert_non_null(strstr(text, "evil\\x1b[2J  "));
	assert_non_null(strstr(text, "    error: step 'bind s \\x1b]0;pwned\\x07' failed\n"));
	/* the column after an escaped cell still lines up with the header */
	assert_int_equal(strstr(text, "claim") - strstr(text, "case"),
			 strstr(strstr(text, "evil"), "C3") - strstr(text, "evil"));
	free(text);
	report_free_cases(&r);
}

static int write_text(FILE *out, const void *arg)
{
	fputs(arg, out);
	return 0;
}

static int write_then_fail(FILE *out, const void *arg)
{
	fputs(arg, out);
	return -EIO;
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* Defect 10: a symlink at the output path is replaced, its target untouched;
 * a failed writer leaves the old file and no temporary file. */
static void test_write_file(void **state)
{
	char dir[] = "/tmp/reuselab-out-XXXXXX", victim[64], out[64], slash[64], buf[64];
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(out, sizeof(out), "%s/out.xml", dir);
	snprintf(slash, sizeof(slash), "%s/", dir);
	f = fopen(victim, "we");
	assert_non_null(f);
	fputs("victim\n", f);
	fclose(f);
	assert_int_equal(symlink(victim, out), 0);
	assert_int_equal(report_write_file(out, write_text, "new\n"), 0);
	slurp(victim, buf, sizeof(buf));
	assert_string_equal(buf, "victim\n");
	assert_int_equal(lstat(out, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	slurp(out, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(report_write_file(out, write_then_fail, "half"), -EIO);
	slurp(out, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(entries(dir), 2);
	assert_int_equal(report_write_file(slash, write_text, "x"), -EISDIR);
	assert_int_equal(report_write_file(dir, write_text, "x"), -EISDIR);
	assert_int_equal(entries(dir), 2);
	/* the same failures, found before the work: nothing is created */
	assert_int_equal(report_output_check(out, buf, sizeof(buf)), 0);
	assert_string_equal(buf, dir);
	assert_int_equal(report_output_check("bare.xml", buf, sizeof(buf)), 0);
	assert_string_equal(buf, ".");
	assert_int_equal(report_output_check("-", buf, sizeof(buf)), 0);
	assert_int_equal(report_output_check("", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(report_output_check(slash, buf, sizeof(buf)), -EISDIR);
	assert_int_equal(report_output_check(dir, buf, sizeof(buf)), -EISDIR);
	snprintf(slash, sizeof(slash), "%s/none/x.xml", dir);
	assert_int_equal(report_output_check(slash, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(strncmp(buf, dir, strlen(dir)), 0);
	assert_string_equal(buf + strlen(dir), "/none");
	snprintf(slash, sizeof(slash), "%s/victim/x.xml", dir);
	assert_int_equal(report_output_check(slash, buf, sizeof(buf)), -ENOTDIR);
	assert_int_equal(report_output_check("/x.xml", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/");
	assert_int_equal(entries(dir), 2);
	unlink(victim);
	unlink(out);
	rmdir(dir);
}

static void collect_change(const struct report_change *c, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 1024 - n, "%d %s %s %s %s|", (int)c->kind, c->key,
		 c->from ? c->from : "-", c->to ? c->to : "-", c->detail ? c->detail : "-");
}

static void write_json_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_diff(void **state)
{
	char a[] = "/tmp/reuselab-diff-a-XXXXXX", b[] = "/tmp/reuselab-diff-b-XXXXXX";
	char changes[1024] = "", err[256] = "";

	(void)state;
	close(mkstemp(a));
	close(mkstemp(b));
	write_json_file(a, "{\"schema\":\"reuselab-report/1\",\"cases\":["
			   "{\"id\":\"one\",\"observed\":\"ok\",\"verdict\":\"holds\",\"steps\":"
			   "[{\"args\":\"s 1:80\",\"result\":\"ok\"}]},"
			   "{\"id\":\"gone\",\"observed\":\"ok\",\"verdict\":\"holds\"}]}");
	write_json_file(b, "{\"schema\":\"reuselab-report/1\",\"cases\":["
			   "{\"id\":\"one\",\"observed\":\"ok\",\"verdict\":\"holds\",\"steps\":"
			   "[{\"args\":\"s 1:80\",\"result\":\"EADDRINUSE\"}]},"
			   "{\"id\":\"new\",\"observed\":\"ok\",\"verdict\":\"holds\"}]}");
	assert_int_equal(report_diff_files(a, a, collect_change, changes, err, sizeof(err)), 0);
	assert_string_equal(changes, "");
	assert_int_equal(report_diff_files(a, b, collect_change, changes, err, sizeof(err)), 1);
	assert_non_null(strstr(changes, "4 one - - -|5 one ok EADDRINUSE s 1:80|"));
	assert_non_null(strstr(changes, "0 gone - - "));
	assert_non_null(strstr(changes, "0 new - - "));
	write_json_file(b, "{\"schema\":\"reuselab-matrix/1\",\"cells\":[]}");
	assert_int_equal(report_diff_files(a, b, collect_change, changes, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "is a reuselab-report/1 but"));
	write_json_file(b, "{\"schema\":");
	assert_int_equal(report_diff_files(a, b, collect_change, changes, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ":1: not JSON: "));
	unlink(b);
	assert_int_equal(report_diff_files(a, b, collect_change, changes, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "cannot read: No such file or directory"));
	unlink(a);
}

/* report_json_string: what json-c parses back is the string we wrote. */
static void test_json_string(void **state)
{
	static const char *const in[] = {"plain", "q\"b\\s/", "\x01\x1f\b\f\n\r\t\x7f", "Grüße ✓",
					 ""};
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		FILE *f = open_memstream(&buf, &len);
		struct json_object *o;

		assert_non_null(f);
		report_json_string(f, in[i]);
		assert_int_equal(fclose(f), 0);
		assert_null(strpbrk(buf, "\x01\x1f\b\f\n\r\t"));
		o = json_tokener_parse(buf);
		assert_non_null(o);
		assert_string_equal(json_object_get_string(o), in[i]);
		json_object_put(o);
		free(buf);
		buf = NULL;
	}
	{
		FILE *f = open_memstream(&buf, &len);

		report_json_string(f, NULL);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(buf, "null");
		free(buf);
	}
}

/* The readers report_read.c, report_claims.c and report_programs.c share:
 * a member of another type counts as missing (jsonr_bool converts). */
static void test_json_readers(void **state)
{
	struct json_object *o = json_tokener_parse(
	    "{\"s\": \"text\", \"i\": 42, \"neg\": -7, \"f\": 1.5, \"t\": true, \"z\": false,"
	    " \"n\": null, \"si\": \"12\", \"o\": {}}");
	char buf[3], *dup;

	(void)state;
	assert_non_null(o);
	assert_string_equal(jsonr_str(o, "s"), "text");
	assert_null(jsonr_str(o, "i"));
	assert_null(jsonr_str(o, "n"));
	assert_null(jsonr_str(o, "absent"));

	jsonr_copy(o, "s", buf, sizeof(buf));
	assert_string_equal(buf, "te"); /* cut to the buffer */
	jsonr_copy(o, "i", buf, sizeof(buf));
	assert_string_equal(buf, "");

	assert_int_equal(jsonr_dup(o, "s", &dup), 0);
	assert_string_equal(dup, "text");
	free(dup);
	assert_int_equal(jsonr_dup(o, "absent", &dup), 0);
	assert_string_equal(dup, "");
	free(dup);

	assert_int_equal(jsonr_int(o, "i", -1), 42);
	assert_int_equal(jsonr_int(o, "neg", 0), -7);
	assert_int_equal(jsonr_int(o, "f", -1), -1);
	assert_int_equal(jsonr_int(o, "si", -1), -1);
	assert_int_equal(jsonr_int(o, "n", -1), -1);
	assert_int_equal(jsonr_int(o, "absent", 5), 5);

	assert_true(jsonr_bool(o, "t"));
	assert_false(jsonr_bool(o, "z"));
	assert_true(jsonr_bool(o, "i"));
	assert_false(jsonr_bool(o, "n"));
	assert_false(jsonr_bool(o, "absent"));
	json_object_put(o);
}

/* A case's programs written as JSON read back the same; an entry with
 * nothing in it reads as no exit code, no signal, empty texts. */
static void test_programs_round_trip(void **state)
{
	struct program_result p[2] = {{.name = "d", .node = "server", .pid = 4242, .exit_code = -1,
				       .signal = 15, .out_cut = true}};
	struct case_result in = {.programs = p, .n_programs = 1}, back = {0};
	struct json_object *arr;

	(void)state;
	p[0].command = "/usr/bin/daytimed -p 13";
	p[0].out = "listening\n";
	p[0].err = NULL;
	arr = report_programs_json(&in);
	assert_non_null(arr);
	assert_int_equal(json_object_array_add(arr, json_object_new_object()), 0);
	assert_int_equal(report_programs_read(arr, &back), 0);
	assert_int_equal(back.n_programs, 2);
	assert_string_equal(back.programs[0].name, "d");
	assert_string_equal(back.programs[0].node, "server");
	assert_string_equal(back.programs[0].command, "/usr/bin/daytimed -p 13");
	assert_int_equal(back.programs[0].pid, 4242);
	assert_int_equal(back.programs[0].exit_code, -1);
	assert_int_equal(back.programs[0].signal, 15);
	assert_string_equal(back.programs[0].out, "listening\n");
	assert_string_equal(back.programs[0].err, "");
	assert_true(back.programs[0].out_cut);
	assert_false(back.programs[0].err_cut);
	assert_string_equal(back.programs[1].name, "");
	assert_string_equal(back.programs[1].command, "");
	assert_int_equal(back.programs[1].pid, 0);
	assert_int_equal(back.programs[1].exit_code, -1);
	assert_int_equal(back.programs[1].signal, 0);
	assert_false(back.programs[1].out_cut);
	report_programs_free(&back);
	assert_null(back.programs);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_json_sysctls_json),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_junit),
	    cmocka_unit_test(test_errno_table),
	    cmocka_unit_test(test_exit_status),
	    cmocka_unit_test(test_case_clear),
	    cmocka_unit_test(test_xml_escape),
	    cmocka_unit_test(test_text_escape),
	    cmocka_unit_test(test_table_escapes),
	    cmocka_unit_test(test_write_file),
	    cmocka_unit_test(test_diff),
	    cmocka_unit_test(test_json_string),
	    cmocka_unit_test(test_json_readers),
	    cmocka_unit_test(test_programs_round_trip),
	    cmocka_unit_test(test_step_expectation_and_error),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}

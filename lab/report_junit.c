/* SPDX-License-Identifier: MIT */
/*
 * JUnit XML for CI: one <testsuite>, one <testcase> per case.  A failed
 * expectation is a <failure>, a system error an <error>; "differs" is a
 * finding about Linux, not a test failure, so it passes with a
 * <system-out> note.  Every string is escaped; characters XML 1.0 cannot
 * carry at all (C0 controls but tab, LF, CR) become '?'.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/report.h"

static void xml_escape(FILE *out, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		case '\t':
			fputs("&#9;", out);
			break;
		case '\n':
			fputs("&#10;", out);
			break;
		case '\r':
			fputs("&#13;", out);
			break;
		default:
			fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
		}
	}
}

static void write_steps(FILE *out, const struct case_result *c)
{
	char res[32], exp[32];

	for (size_t i = 0; i < c->n_steps; i++) {
		const struct step_result *st = &c->steps[i];

		fprintf(out, "%zu. ", i + 1);
		xml_escape(out, st->node);
		fputs(": ", out);
		xml_escape(out, st->call);
		fputc(' ', out);
		xml_escape(out, st->args);
		fprintf(out, " -&gt; %s", report_result_text(st->err, res, sizeof(res)));
		if (st->expect != -2)
			fprintf(out, " (expected %s)",
				report_result_text(st->expect, exp, sizeof(exp)));
		fputc('\n', out);
		for (size_t k = 0; k < st->n_seen; k++) {
			fputs("   ", out);
			xml_escape(out, st->seen[k].proto);
			fputc(' ', out);
			xml_escape(out, st->seen[k].state);
			fputc(' ', out);
			xml_escape(out, st->seen[k].local);
			fputc(' ', out);
			xml_escape(out, st->seen[k].remote);
			fprintf(out, " uid %u\n", st->seen[k].uid);
		}
	}
}

static void write_case(FILE *out, const struct report *r, const struct case_result *c)
{
	fputs("  <testcase classname=\"reuselab.", out);
	xml_escape(out, r->lab[0] ? r->lab : "lab");
	fputs("\" name=\"", out);
	xml_escape(out, c->id);
	if (c->title && *c->title) {
		fputs(": ", out);
		xml_escape(out, c->title);
	}
	fputs("\">\n", out);
	switch (c->verdict) {
	case VERDICT_HOLDS:
		break;
	case VERDICT_DIFFERS:
		fputs("    <system-out>differs: the claim predicts ", out);
		xml_escape(out, c->predicted);
		fputs(", Linux did ", out);
		xml_escape(out, c->observed);
		fputs("\n", out);
		write_steps(out, c);
		fputs("</system-out>\n", out);
		break;
	case VERDICT_EXPECT_FAILED:
		fputs("    <failure type=\"expectation\" message=\"predicted ", out);
		xml_escape(out, c->predicted);
		fputs(", observed ", out);
		xml_escape(out, c->observed);
		fputs("\">", out);
		write_steps(out, c);
		fputs("</failure>\n", out);
		break;
	case VERDICT_ERROR:
		fputs("    <error type=\"system\" message=\"", out);
		xml_escape(out, c->error ? c->error : "error");
		fputs("\">", out);
		write_steps(out, c);
		fputs("</error>\n", out);
		break;
	}
	fputs("  </testcase>\n", out);
}

/* path "-" writes to stdout. */
int report_write_junit(const struct report *r, const char *path)
{
	size_t failures = 0, errors = 0;
	FILE *out = NULL;
	int ret = 0;

	if (!strcmp(path, "-")) {
		out = stdout;
	} else {
		out = fopen(path, "we");
		if (!out)
			return -errno;
	}
	for (size_t i = 0; i < r->n_cases; i++) {
		failures += r->cases[i].verdict == VERDICT_EXPECT_FAILED;
		errors += r->cases[i].verdict == VERDICT_ERROR;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fputs("<testsuite name=\"reuselab", out);
	if (r->lab[0]) {
		fputc(' ', out);
		xml_escape(out, r->lab);
	}
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n",
		r->n_cases, failures, errors);
	fputs("  <properties>\n    <property name=\"kernel\" value=\"", out);
	xml_escape(out, r->kernel);
	fputs("\"/>\n", out);
	for (size_t i = 0; i < r->n_sysctls && i < sizeof(r->sysctls) / sizeof(r->sysctls[0]);
	     i++) {
		fputs("    <property name=\"", out);
		xml_escape(out, r->sysctls[i].key);
		fputs("\" value=\"", out);
		xml_escape(out, r->sysctls[i].value);
		fputs("\"/>\n", out);
	}
	fputs("  </properties>\n", out);
	for (size_t i = 0; i < r->n_cases; i++)
		write_case(out, r, &r->cases[i]);
	fputs("</testsuite>\n", out);
	if (fflush(out) == EOF || ferror(out))
		ret = -EIO;
	if (out != stdout && fclose(out) == EOF && !ret)
		ret = -EIO;
	return ret;
}

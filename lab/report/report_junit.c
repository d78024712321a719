/* SPDX-License-Identifier: MIT */
/*
 * JUnit XML for CI: one <testsuite>, one <testcase> per case, each with the
 * seconds it ran (the suite's time is their sum).  A failed
 * expectation is a <failure>, a system error an <error>, a case the lab
 * cannot host <skipped>; "differs" is a finding about Linux, not a test
 * failure, so it passes with a <system-out> note (as does a case whose
 * programs wrote something: their output).  Every string goes through
 * report_xml_escape().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

/* What a step gave, in the terms of its expectation: the value or text too
 * when the expectation compares one ("ok =2" against "ok =3"), and why a
 * step that did not run or finish failed. */
static void write_outcome(FILE *out, const struct step_result *st)
{
	const char *cmp = strpbrk(st->expectation, "=<>");
	char res[32], *end;

	fprintf(out, " -&gt; %s", report_result_text(st->err, res, sizeof(res)));
	if (st->err == STEP_ERROR && st->error) {
		fputs(": ", out);
		report_xml_escape(out, st->error);
	} else if (cmp) {
		/* a number after the comparison is compared with the value, a word
		 * with the text (probe_expect_met_text) */
		strtol(cmp + 1, &end, 10);
		if (end != cmp + 1 && !*end)
			fprintf(out, " =%ld", st->value);
		else {
			fputs(" =", out);
			report_xml_escape(out, st->text);
		}
	}
	if (st->expectation[0]) {
		fputs(" (expected ", out);
		report_xml_escape(out, st->expectation);
		fputc(')', out);
	} else if (st->expect != -2) { /* a report from before "expectation" */
		fprintf(out, " (expected %s)", report_result_text(st->expect, res, sizeof(res)));
	}
}

static void write_steps(FILE *out, const struct case_result *c)
{
	for (size_t i = 0; i < c->n_steps; i++) {
		const struct step_result *st = &c->steps[i];

		fprintf(out, "%zu. ", i + 1);
		report_xml_escape(out, st->node);
		fputs(": ", out);
		/* args is the step as written ("bind l *:25596"), verb included */
		report_xml_escape(out, st->args[0] ? st->args : st->call);
		write_outcome(out, st);
		fputc('\n', out);
		for (size_t k = 0; k < st->n_seen; k++) {
			fputs("   ", out);
			report_xml_escape(out, st->seen[k].proto);
			fputc(' ', out);
			report_xml_escape(out, st->seen[k].state);
			fputc(' ', out);
			report_xml_escape(out, st->seen[k].local);
			fputc(' ', out);
			report_xml_escape(out, st->seen[k].remote);
			fprintf(out, " uid %u\n", st->seen[k].uid);
		}
	}
	report_programs_junit(out, c);
}

static void write_case(FILE *out, const struct report *r, const struct case_result *c)
{
	fputs("  <testcase classname=\"reuselab.", out);
	report_xml_escape(out, r->lab[0] ? r->lab : "lab");
	fputs("\" name=\"", out);
	report_xml_escape(out, c->id);
	if (c->title && *c->title) {
		fputs(": ", out);
		report_xml_escape(out, c->title);
	}
	fprintf(out, "\" time=\"%ld.%03ld\">\n", c->wall_us / 1000000, c->wall_us / 1000 % 1000);
	switch (c->verdict) {
	case VERDICT_HOLDS:
		if (!c->n_programs) /* what the case's programs wrote */
			break;
		fputs("    <system-out>", out);
		report_programs_junit(out, c);
		fputs("</system-out>\n", out);
		break;
	case VERDICT_DIFFERS:
		fputs("    <system-out>differs: the claim predicts ", out);
		report_xml_escape(out, c->predicted);
		fputs(", Linux did ", out);
		report_xml_escape(out, c->observed);
		fputs("\n", out);
		write_steps(out, c);
		fputs("</system-out>\n", out);
		break;
	case VERDICT_EXPECT_FAILED:
		fputs("    <failure type=\"expectation\" message=\"predicted ", out);
		report_xml_escape(out, c->predicted);
		fputs(", observed ", out);
		report_xml_escape(out, c->observed);
		fputs("\">", out);
		write_steps(out, c);
		fputs("</failure>\n", out);
		break;
	case VERDICT_ERROR:
		fputs("    <error type=\"system\" message=\"", out);
		report_xml_escape(out, c->error ? c->error : "error");
		fputs("\">", out);
		write_steps(out, c);
		fputs("</error>\n", out);
		break;
	case VERDICT_SKIPPED:
		fputs("    <skipped message=\"", out);
		report_xml_escape(out, c->skip_reason ? c->skip_reason : "skipped");
		fputs("\"/>\n", out);
		break;
	}
	fputs("  </testcase>\n", out);
}

static int write_junit(FILE *out, const void *arg)
{
	const struct report *r = arg;
	size_t n[REPORT_N_VERDICTS];
	long ms = 0;

	report_count_verdicts(r, n);
	for (size_t i = 0; i < r->n_cases; i++) /* the sum of the times the cases show */
		ms += r->cases[i].wall_us / 1000;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fputs("<testsuite name=\"reuselab", out);
	if (r->lab[0]) {
		fputc(' ', out);
		report_xml_escape(out, r->lab);
	}
	fprintf(out,
		"\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
		"time=\"%ld.%03ld\">\n",
		r->n_cases, n[VERDICT_EXPECT_FAILED], n[VERDICT_ERROR], n[VERDICT_SKIPPED],
		ms / 1000, ms % 1000);
	fputs("  <properties>\n    <property name=\"kernel\" value=\"", out);
	report_xml_escape(out, r->kernel);
	fputs("\"/>\n", out);
	for (size_t i = 0; i < r->n_sysctls && i < sizeof(r->sysctls) / sizeof(r->sysctls[0]);
	     i++) {
		fputs("    <property name=\"", out);
		report_xml_escape(out, r->sysctls[i].key);
		fputs("\" value=\"", out);
		report_xml_escape(out, r->sysctls[i].value);
		fputs("\"/>\n", out);
	}
	fprintf(out, "    <property name=\"ephemeral\" value=\"%s\"/>\n",
		r->ephemeral ? "true" : "false");
	fprintf(out, "    <property name=\"rootless\" value=\"%s\"/>\n",
		r->rootless ? "true" : "false");
	fputs("    <property name=\"uid_map\" value=\"", out);
	for (size_t i = 0; i < r->n_uid_map; i++)
		fprintf(out, "%s%lu %lu %lu", i ? ", " : "", r->uid_map[i].inside,
			r->uid_map[i].outside, r->uid_map[i].count);
	fputs("\"/>\n  </properties>\n", out);
	for (size_t i = 0; i < r->n_cases; i++)
		write_case(out, r, &r->cases[i]);
	fputs("</testsuite>\n", out);
	return report_flush(out);
}

int report_write_junit(const struct report *r, const char *path)
{
	return report_write_file(path, write_junit, r);
}

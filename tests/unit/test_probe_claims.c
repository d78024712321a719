/* SPDX-License-Identifier: MIT */
/*
 * Claim verdicts (lab/probe/probe_claims.c) are computed from the cases'
 * verdicts: feed the judge the catalog with chosen case verdicts and check
 * that a claim's verdict and conditions follow them.  No root, no namespace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lab/probe/probe.h"
#include "lab/report/report.h"

/* One result per catalog case, every one with verdict v. */
static struct case_result *catalog_results(enum verdict v)
{
	struct case_result *c = calloc(catalog_n_cases, sizeof(*c));

	assert_non_null(c);
	for (size_t i = 0; i < catalog_n_cases; i++) {
		c[i].id = (char *)catalog_cases[i].id;
		c[i].claim = (char *)catalog_cases[i].claim;
		c[i].verdict = v;
	}
	return c;
}

static void set_verdict(struct case_result *c, const char *id, enum verdict v)
{
	for (size_t i = 0; i < catalog_n_cases; i++)
		if (!strcmp(c[i].id, id)) {
			c[i].verdict = v;
			return;
		}
	fail_msg("no catalog case %s", id);
}

static const struct claim_result *claim_of(const struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n_claims; i++)
		if (!strcmp(r->claims[i].id, id))
			return &r->claims[i];
	return NULL;
}

static const struct claim_condition *cond_of(const struct claim_result *c, const char *case_id)
{
	for (size_t i = 0; i < c->n_conds; i++)
		if (!strcmp(c->conds[i].case_id, case_id))
			return &c->conds[i];
	return NULL;
}

/* Every case the claim table names is a catalog case of that claim (so
 * `--claim C` runs all that judging C needs); every claim has one. */
static void test_table_names_catalog_cases(void **state)
{
	const char *claim, *case_id;
	size_t n_claims = 0;

	for (size_t i = 0; probe_claim_case(i, 0, &claim, &case_id); i++, n_claims++)
		for (size_t k = 0; probe_claim_case(i, k, &claim, &case_id); k++) {
			const struct catalog_case *found = NULL;

			for (size_t j = 0; j < catalog_n_cases && !found; j++)
				if (!strcmp(catalog_cases[j].id, case_id))
					found = &catalog_cases[j];
			if (!found)
				fail_msg("claim %s names %s, not a catalog case", claim, case_id);
			if (strcmp(found->claim, claim))
				fail_msg("claim %s names %s, a case of %s", claim, case_id,
					 found->claim);
		}
	assert_int_equal(n_claims, 12);
}

static void test_all_hold(void **state)
{
	struct case_result *c = catalog_results(VERDICT_HOLDS);
	struct report r = {0};

	assert_int_equal(probe_claims_judge(c, catalog_n_cases, &r), 0);
	assert_int_equal(r.n_claims, 12);
	for (size_t i = 0; i < r.n_claims; i++) {
		assert_int_equal(r.claims[i].verdict, CLAIM_HOLDS);
		assert_true(r.claims[i].n_conds > 0);
	}
	assert_string_equal(r.claims[2].id, "C3");
	report_free_claims(&r);
	free(c);
}

/* C3 as Linux does it: the article's restart holds, the new socket's option
 * alone differs; then the article's own restart differing makes it differ. */
static void test_c3_follows_cases(void **state)
{
	struct case_result *c = catalog_results(VERDICT_HOLDS);
	struct report r = {0};
	const struct claim_result *c3;

	set_verdict(c, "restart-tw-reuse-new", VERDICT_DIFFERS);
	assert_int_equal(probe_claims_judge(c, catalog_n_cases, &r), 0);
	c3 = claim_of(&r, "C3");
	assert_non_null(c3);
	assert_int_equal(c3->verdict, CLAIM_HOLDS_WITH_CONDITIONS);
	assert_false(cond_of(c3, "restart-tw-reuse-new")->holds);
	assert_false(cond_of(c3, "restart-tw-reuse-new")->article);
	assert_true(cond_of(c3, "restart-tw-same-program")->holds);
	assert_true(cond_of(c3, "restart-tw-same-program")->article);

	set_verdict(c, "restart-tw-same-program", VERDICT_DIFFERS);
	assert_int_equal(probe_claims_judge(c, catalog_n_cases, &r), 0);
	assert_int_equal(claim_of(&r, "C3")->verdict, CLAIM_DIFFERS);
	report_free_claims(&r);
	free(c);
}

/* Skipped and errored cases decide nothing; a claim one of whose article
 * cases did not run is not judged; one that lacks only another condition
 * is judged without it, and names it as not run; results past n (user
 * cases) are not read. */
static void test_unjudged(void **state)
{
	struct case_result *c = catalog_results(VERDICT_HOLDS);
	struct report r = {0};
	const struct claim_result *c4;

	set_verdict(c, "mcast-reuseport", VERDICT_ERROR);
	set_verdict(c, "restart-tw-same-program", VERDICT_SKIPPED);
	set_verdict(c, "dup-tcp-reuseport-2proc", VERDICT_DIFFERS);
	set_verdict(c, "diffaddr-alias-2proc-none", VERDICT_SKIPPED);
	assert_int_equal(probe_claims_judge(c, catalog_n_cases, &r), 0);
	assert_null(claim_of(&r, "C8"));
	assert_null(claim_of(&r, "C3"));
	assert_int_equal(r.n_claims, 10);
	c4 = claim_of(&r, "C4");
	assert_int_equal(c4->verdict, CLAIM_HOLDS_WITH_CONDITIONS);
	assert_false(cond_of(c4, "diffaddr-alias-2proc-none")->ran);
	assert_false(cond_of(c4, "diffaddr-alias-2proc-none")->holds);
	assert_true(cond_of(c4, "dup-tcp-reuseport-2proc")->ran);
	assert_false(cond_of(c4, "dup-tcp-reuseport-2proc")->holds);
	assert_true(cond_of(c4, "dup-tcp-reuseaddr-2proc")->holds);
	assert_int_equal(c4->n_conds, 6);

	assert_int_equal(probe_claims_judge(c, 0, &r), 0);
	assert_int_equal(r.n_claims, 0);
	report_free_claims(&r);
	free(c);
}

/* The claims survive a JSON report written and read back (run --kernel
 * reads the guest's report before printing it as a table). */
static void test_json_round_trip(void **state)
{
	struct case_result *c = catalog_results(VERDICT_HOLDS);
	struct report r = {0}, back;
	char *buf = NULL, why[128] = "";
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct claim_result *c3;

	assert_non_null(f);
	set_verdict(c, "restart-est-reuse-new", VERDICT_DIFFERS);
	set_verdict(c, "restart-tw-reuse-new", VERDICT_SKIPPED);
	assert_int_equal(probe_claims_judge(c, catalog_n_cases, &r), 0);
	assert_int_equal(report_write_json(&r, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(report_read_json(buf, len, &back, why, sizeof(why)), 0);
	assert_int_equal(back.n_claims, r.n_claims);
	c3 = claim_of(&back, "C3");
	assert_non_null(c3);
	assert_int_equal(c3->verdict, CLAIM_HOLDS_WITH_CONDITIONS);
	assert_string_equal(c3->statement, claim_of(&r, "C3")->statement);
	assert_int_equal(c3->n_conds, claim_of(&r, "C3")->n_conds);
	assert_false(cond_of(c3, "restart-est-reuse-new")->holds);
	assert_true(cond_of(c3, "restart-est-reuse-new")->ran);
	assert_false(cond_of(c3, "restart-tw-reuse-new")->ran);
	assert_false(cond_of(c3, "restart-est-reuse-new")->article);
	assert_true(cond_of(c3, "restart-tw-same-program")->article);
	assert_string_equal(cond_of(c3, "restart-est-reuse-new")->when,
			    cond_of(claim_of(&r, "C3"), "restart-est-reuse-new")->when);
	report_free_cases(&back);
	assert_null(back.claims);
	report_free_claims(&r);
	free(buf);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_names_catalog_cases),
	    cmocka_unit_test(test_all_hold),
	    cmocka_unit_test(test_c3_follows_cases),
	    cmocka_unit_test(test_unjudged),
	    cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

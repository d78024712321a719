/* SPDX-License-Identifier: MIT */
/*
 * Probing a lab that is up, as `probe` and `run` both do: the filters
 * checked against the cases there are, the run, and the report written in the
 * asked format (and as JUnit).  The commands only print and pick the exit
 * status.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lab/probe/probe.h"
#include "lab/report/report.h"
#include "netns/netns.h"

static bool id_known(const struct topology *t, const char *pattern)
{
	for (size_t k = 0; k < catalog_n_cases; k++)
		if (fnmatch(pattern, catalog_cases[k].id, 0) == 0)
			return true;
	for (size_t k = 0; k < t->n_cases; k++)
		if (fnmatch(pattern, t->cases[k].id, 0) == 0)
			return true;
	return false;
}

static bool claim_known(const struct topology *t, const char *claim)
{
	for (size_t k = 0; k < catalog_n_cases; k++)
		if (!strcasecmp(claim, catalog_cases[k].claim))
			return true;
	for (size_t k = 0; k < t->n_cases; k++)
		if (!strcasecmp(claim, t->cases[k].claim ? t->cases[k].claim : "user"))
			return true;
	return false;
}

int probe_filters_check(const struct topology *t, const struct probe_opts *o, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < o->n_case_ids; i++)
		if (!id_known(t, o->case_ids[i])) {
			snprintf(err, errlen, "no case matches '%s' (see 'reuselab cases')",
				 o->case_ids[i]);
			return -EINVAL;
		}
	for (size_t i = 0; i < o->n_claims; i++)
		if (!claim_known(t, o->claims[i])) {
			snprintf(err, errlen, "no case has claim '%s' (see 'reuselab cases')",
				 o->claims[i]);
			return -EINVAL;
		}
	return 0;
}

static int report_write(const struct report *rep, const struct probe_request *req, char *err,
			size_t errlen)
{
	int r;

	fflush(req->out);
	r = req->format == PROBE_FORMAT_JSON ? report_write_json(rep, req->out)
					     : report_write_table_fit(rep, req->out, req->color,
								      req->width);
	if (r < 0) {
		snprintf(err, errlen, "writing the report: %s", strerror(-r));
		return r;
	}
	if (req->junit) {
		r = report_write_junit(rep, req->junit);
		if (r < 0) {
			snprintf(err, errlen, "writing %s: %s", req->junit, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* How the lab was isolated, for the report's "isolation". */
static void isolation_note(struct report *rep, const struct probe_request *req)
{
	struct userns_map m;

	rep->ephemeral = req->node_fd != NULL;
	rep->rootless = req->rootless;
	if (userns_read_uid_map(&m) < 0)
		return;
	for (size_t i = 0; i < m.n && i < sizeof(rep->uid_map) / sizeof(rep->uid_map[0]); i++) {
		rep->uid_map[i].inside = m.r[i].inside;
		rep->uid_map[i].outside = m.r[i].outside;
		rep->uid_map[i].count = m.r[i].count;
		rep->n_uid_map = i + 1;
	}
}

int probe_lab_report(const struct topology *t, const char *lab, const struct probe_request *req,
		     struct probe_outcome *ret, char *err, size_t errlen)
{
	struct report rep = {0};
	size_t counts[REPORT_N_VERDICTS];
	int r;

	r = req->node_fd ? probe_lab_fds(t, lab, req->node_fd, &req->filter, &rep, err, errlen)
			 : probe_lab(t, lab, &req->filter, &rep, err, errlen);
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		goto out;
	}
	isolation_note(&rep, req);
	r = report_write(&rep, req, err, errlen);
	if (r < 0) {
		ret->reader_gone = r == -EPIPE;
		goto out;
	}
	report_count_verdicts(&rep, counts);
	ret->n_skipped = counts[VERDICT_SKIPPED];
	ret->status = report_exit_status(&rep);
out:
	report_free_cases(&rep);
	return r;
}

/* SPDX-License-Identifier: MIT */
/* Shared report helpers: freeing, counting, exit status, errno and verdict
 * names, XML and JSON string escaping. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"
#include "lab/util/util.h"

/*
 * Every errno a socket call can plausibly return, by name.  Aliases that
 * share a number on Linux (EWOULDBLOCK, ENOTSUP, EDEADLOCK) are not listed:
 * the first name wins so a number always maps to one name.
 */
#define E(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}
static const struct {
	int err;
	const char *name;
} errno_names[] = {
    E(EADDRINUSE),	E(EADDRNOTAVAIL), E(ECONNREFUSED), E(EINVAL),	   E(EACCES),
    E(EPERM),		E(EAFNOSUPPORT),  E(EISCONN),	   E(ENOTCONN),	   E(EAGAIN),
    E(ETIMEDOUT),	E(ENETUNREACH),	  E(EHOSTUNREACH), E(ECONNRESET),  E(ENOPROTOOPT),
    E(ENODEV),		E(EOPNOTSUPP),	  E(EALREADY),	   E(EINPROGRESS), E(ENOBUFS),
    E(EMFILE),		E(ENFILE),	  E(ENOMEM),	   E(EBADF),	   E(EFAULT),
    E(EINTR),		E(EIO),		  E(ENOENT),	   E(EEXIST),	   E(EBUSY),
    E(ENOTSOCK),	E(EDESTADDRREQ),  E(EMSGSIZE),	   E(EPROTOTYPE),  E(EPROTONOSUPPORT),
    E(ESOCKTNOSUPPORT), E(EPFNOSUPPORT),  E(ENETDOWN),	   E(ENETRESET),   E(ECONNABORTED),
    E(ESHUTDOWN),	E(EHOSTDOWN),	  E(EPIPE),	   E(ENXIO),	   E(ENOSPC),
    E(ENOSYS),		E(ERANGE),	  E(ENAMETOOLONG), E(ELOOP),	   E(ENOTDIR),
    E(ENOTEMPTY),	E(EROFS),	  E(E2BIG),	   E(ENOTTY),	   E(ECANCELED),
    E(EPROTO),		E(EOVERFLOW),	  E(ENOKEY),	   E(ESRCH),	   E(ECHILD),
};
#undef E

const char *report_errno_name(int err)
{
	if (err == 0)
		return "ok";
	if (err == STEP_TIMEOUT)
		return "timeout";
	if (err == STEP_ERROR)
		return "error";
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

int report_errno_parse(const char *name)
{
	char *end;
	long n;

	if (!name || !*name)
		return -EINVAL;
	if (!strcasecmp(name, "ok"))
		return 0;
	if (!strcasecmp(name, "timeout"))
		return STEP_TIMEOUT;
	if (!strcasecmp(name, "error"))
		return STEP_ERROR;
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (!strcasecmp(errno_names[i].name, name))
			return errno_names[i].err;
	if (!strncasecmp(name, "errno-", 6) && name[6] >= '1' && name[6] <= '9') {
		errno = 0;
		n = strtol(name + 6, &end, 10);
		if (!errno && !*end && n > 0 && n < 4096)
			return (int)n;
	}
	return -EINVAL;
}

const char *report_result_text(int err, char *buf, size_t len)
{
	const char *s = report_errno_name(err);

	if (s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "errno-%d", err);
	return buf;
}

const char *report_verdict_json(enum verdict v)
{
	switch (v) {
	case VERDICT_HOLDS:
		return "holds";
	case VERDICT_DIFFERS:
		return "differs";
	case VERDICT_EXPECT_FAILED:
		return "failed";
	case VERDICT_ERROR:
		return "error";
	case VERDICT_SKIPPED:
		return "skipped";
	}
	return "error";
}

const char *report_claim_verdict_name(enum claim_verdict v)
{
	switch (v) {
	case CLAIM_HOLDS:
		return "holds";
	case CLAIM_HOLDS_WITH_CONDITIONS:
		return "holds-with-conditions";
	case CLAIM_DIFFERS:
		return "differs";
	}
	return "differs";
}

/* The table shouts the one verdict that fails a run; otherwise the JSON words. */
const char *report_verdict_name(enum verdict v)
{
	return v == VERDICT_EXPECT_FAILED ? "FAILED" : report_verdict_json(v);
}

void report_case_clear(struct case_result *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->claim);
	free(c->title);
	free(c->source);
	free(c->predicted);
	free(c->observed);
	free(c->error);
	free(c->skip_reason);
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i]);
	free(c->nodes);
	for (size_t i = 0; i < c->n_steps; i++) {
		free(c->steps[i].seen);
		free(c->steps[i].error);
	}
	free(c->steps);
	report_programs_free(c);
	memset(c, 0, sizeof(*c));
}

void report_free_cases(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_cases; i++)
		report_case_clear(&r->cases[i]);
	free(r->cases);
	r->cases = NULL;
	r->n_cases = 0;
	report_free_claims(r);
}

void report_count_verdicts(const struct report *r, size_t counts[REPORT_N_VERDICTS])
{
	memset(counts, 0, REPORT_N_VERDICTS * sizeof(counts[0]));
	for (size_t i = 0; i < r->n_cases; i++)
		if ((unsigned)r->cases[i].verdict < REPORT_N_VERDICTS)
			counts[r->cases[i].verdict]++;
}

int report_exit_status(const struct report *r)
{
	int status = 0;

	for (size_t i = 0; i < r->n_cases; i++) {
		switch (r->cases[i].verdict) {
		case VERDICT_ERROR:
			return 3;
		case VERDICT_EXPECT_FAILED:
			status = 1;
			break;
		case VERDICT_HOLDS:
		case VERDICT_DIFFERS:
		case VERDICT_SKIPPED: /* the lab's shape, not a failure of the kernel or of us */
			break;
		}
	}
	return status;
}

size_t report_text_put(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;

	while (*p) {
		size_t n = utf8_char_len(p, strnlen((const char *)p, 4));
		/* C0, DEL, U+0080..U+009F (C2 80..C2 9F), or not UTF-8 at all */
		bool raw = n == 0 || *p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] < 0xa0);

		n = n ? n : 1;
		for (size_t i = 0; i < n; i++) {
			if (raw && out)
				fprintf(out, "\\x%02x", p[i]);
			else if (out)
				fputc(p[i], out);
			o += raw ? 4 : 1;
		}
		p += n;
	}
	return o;
}

void report_xml_escape(FILE *out, const char *s)
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

int report_flush(FILE *out)
{
	errno = 0;
	if (fflush(out) == EOF || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}

void report_json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

int report_read_text(const char *path, char **ret, size_t *ret_len)
{
	return path_read_all(path, 0, REPORT_INPUT_MAX, ret, ret_len);
}

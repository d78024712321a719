/* SPDX-License-Identifier: MIT */
/*
 * Probe results: the contract between the probe runner (producer) and the
 * reporters (table, JSON, JUnit) and `diff` (consumers).  Plain C only.
 */
#ifndef REUSELAB_REPORT_H
#define REUSELAB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "netns/netns.h"   /* struct sock_seen: results carry what sock_diag saw */

/* Outcome of one step.  err: 0 ok, >0 an errno, STEP_TIMEOUT when it timed
 * out, STEP_ERROR when it did not run or finish because the system failed
 * (step_result.error says why; never -2, which `expect` uses for none). */
#define STEP_TIMEOUT (-1)
#define STEP_ERROR   (-3)

struct step_result {
	char node[40];
	char call[24];          /* "socket", "bind", "connect", ... */
	char args[160];         /* human-readable arguments, ports resolved */
	int err;
	int expect;             /* -2 when no expectation; else 0 or an errno (user cases) */
	char expectation[112];	/* the user's expectation in full ("ok =3", "fail"); "" when none */
	char *error;		/* with err STEP_ERROR: what failed; else NULL */
	long value;             /* recv count, accepted peer port, ...; 0 when meaningless */
	char text[64];          /* the value as text (an endpoint, an interface, SOCK_STREAM); "" when none */
	struct sock_seen *seen; /* sockets of the node after this step, when the case asked */
	size_t n_seen;
};

/* A program a case started (the `start` step), as it ended. */
#define REPORT_OUTPUT_MAX 4096 /* bytes of each of its stdout and stderr kept */
struct program_result {
	char name[16];          /* the case's name for it */
	char node[40];
	char *command;          /* its argv as one line, the resolved path first */
	long pid;
	int exit_code;          /* -1 when a signal ended it */
	int signal;             /* the signal that ended it, 0 when it exited */
	char *out, *err;        /* what it wrote (valid UTF-8, at most REPORT_OUTPUT_MAX bytes) */
	bool out_cut, err_cut;  /* it wrote more than was kept */
};

enum verdict {
	VERDICT_HOLDS,          /* observed matches the claim's prediction */
	VERDICT_DIFFERS,        /* Linux does otherwise: a finding, not a failure */
	VERDICT_EXPECT_FAILED,  /* a user `expect:` did not hold (exit 1) */
	VERDICT_ERROR,          /* the system failed (exit 3) */
	VERDICT_SKIPPED,        /* the lab lacks what the case needs; never fails */
};

#define REPORT_N_VERDICTS (VERDICT_SKIPPED + 1)

struct case_result {
	char *id;
	char *claim;            /* "C3", or a source of our own such as "socket(7)" */
	char *title;
	char *source;           /* where the claim comes from */
	char *predicted;        /* what the claim predicts, short text */
	char *observed;         /* what Linux did, short text */
	enum verdict verdict;
	char **nodes;
	size_t n_nodes;
	struct step_result *steps;
	size_t n_steps;
	char *error;            /* set with VERDICT_ERROR */
	char *skip_reason;      /* set with VERDICT_SKIPPED: the role or address missing */
	long wall_us;           /* how long the case ran (JSON time, JUnit time=) */
	long cpu_us;            /* CPU it took: this process's and its reaped children's */
	struct program_result *programs; /* every program the case started, in order */
	size_t n_programs;
};

/* How a claim of the article fared, judged from its deciding cases. */
enum claim_verdict {
	CLAIM_HOLDS,                 /* every deciding case held */
	CLAIM_HOLDS_WITH_CONDITIONS, /* held in the article's own setting, not in another */
	CLAIM_DIFFERS,               /* a case of the article's own setting differs */
};

#define REPORT_CLAIM_CONDS 16

/* One condition a claim was tried under: the case that tried it and whether
 * the claim held there.  Strings are owned (report_claim_clear frees them). */
struct claim_condition {
	char *when;    /* the condition in words */
	char *case_id; /* the deciding case */
	bool article;  /* the article's own setting */
	bool ran;      /* the case was judged (skipped or in error: not) */
	bool holds;    /* it held (else it differed); only when it ran */
};

struct claim_result {
	char *id;        /* "C3" */
	char *statement; /* the claim in one sentence */
	enum claim_verdict verdict;
	struct claim_condition conds[REPORT_CLAIM_CONDS]; /* in table order, run or not */
	size_t n_conds;
};

struct report {
	char kernel[128];       /* uname -r */
	char lab[64];
	char *sysctls_json;     /* unused by reporters other than JSON; may be NULL */
	struct { char key[64]; char value[64]; } sysctls[8]; /* outcome-changing sysctls */
	size_t n_sysctls;
	/* How the run was isolated (JSON "isolation", JUnit properties). */
	bool ephemeral;         /* the lab was held by file descriptors only */
	bool rootless;          /* in a user namespace of an unprivileged caller */
	struct { unsigned long inside, outside, count; } uid_map[8]; /* /proc/self/uid_map */
	size_t n_uid_map;
	struct case_result *cases;
	size_t n_cases;
	struct claim_result *claims; /* judged claims (JSON "claims", the table's claim section) */
	size_t n_claims;
};

/* Frees what one case owns and zeroes it (NULL-safe). */
void report_case_clear(struct case_result *c);
/* Frees the cases and claims and everything they own; r->sysctls_json is the caller's. */
void report_free_cases(struct report *r);
/* Frees what one claim owns and zeroes it (NULL-safe). */
void report_claim_clear(struct claim_result *c);
/* Frees r's claims and what they own; r->claims NULL, n_claims 0 (NULL-safe). */
void report_free_claims(struct report *r);
/* counts[v]: how many cases have verdict v. */
void report_count_verdicts(const struct report *r, size_t counts[REPORT_N_VERDICTS]);

/* Reporters. Return 0 or -errno. `color` only for a tty. */
int report_write_table(const struct report *r, FILE *out, bool color);
/* The same, each row fitted into `cols` columns when it can be by cutting the
 * predicted and observed texts ("..."); cols 0: no limit. */
int report_write_table_fit(const struct report *r, FILE *out, bool color, int cols);
int report_write_json(const struct report *r, FILE *out);
/* path: written with report_write_file() ("-" is stdout). */
int report_write_junit(const struct report *r, const char *path);

/*
 * Parse a reuselab-report/1 JSON text (as report_write_json writes it) into
 * r, zeroed first.  0, -EINVAL (why says what is wrong) or -ENOMEM; free
 * with report_free_cases.
 */
int report_read_json(const char *text, size_t len, struct report *r, char *why, size_t why_len);
/* The same for a file; why carries json-c's words when it cannot be read. */
int report_read_file(const char *path, struct report *r, char *why, size_t why_len);

/*
 * The cases whose step results differ across reports (the same lab on
 * several kernels): a table with one row per such case and one column per
 * report, headed by its kernel, each cell the differing steps' results
 * ("bind b: EADDRINUSE"); a case missing from a report shows "-".
 * Returns the number of rows (0: all agree) or -errno.
 */
int report_compare(const struct report *const *r, size_t n, FILE *out);

/*
 * The same for bind matrices (reuselab-matrix/1 files): one row per cell
 * whose result differs, one column per file headed by its kernel.  Returns
 * the number of rows, -ENOTSUP when paths[0] is no matrix (then nothing is
 * printed), -EINVAL for bad input, -ENOMEM, or a failed write's -errno
 * (-EPIPE when the reader went away); why says the cause.
 */
int report_matrix_compare(char *const *paths, size_t n, FILE *out, char *why, size_t why_len);
/* The same over matrices held as NUL-terminated JSON texts (what guests
 * printed); names[k] stands for texts[k] in messages. */
int report_matrix_compare_text(const char *const *texts, const char *const *names, size_t n,
			       FILE *out, char *why, size_t why_len);

/* 0 when every user expectation held, 1 when one did not, 3 on a system error;
 * differs and skipped never fail. */
int report_exit_status(const struct report *r);

/*
 * Errno names, shared by the probe runner, the reporters and `diff`.
 * report_errno_name: "EADDRINUSE" for EADDRINUSE, "ok" for 0, "timeout" for
 * STEP_TIMEOUT, "error" for STEP_ERROR, NULL for an errno not in the table.
 * report_errno_parse: the inverse (case-insensitive; also accepts "errno-N");
 * returns the errno (> 0), 0 for "ok", STEP_TIMEOUT for "timeout",
 * STEP_ERROR for "error", or -EINVAL for an unknown name.
 */
const char *report_errno_name(int err);
int report_errno_parse(const char *name);

/*
 * A step outcome as reports print it: report_errno_name(err), or "errno-N"
 * for an errno outside the table.  Always NUL-terminates; returns buf.
 */
const char *report_result_text(int err, char *buf, size_t len);

/* "holds", "differs", "FAILED", "error", "skipped" (the table's and JUnit's words). */
const char *report_verdict_name(enum verdict v);
/* "holds", "differs", "failed", "error", "skipped" (the JSON schema's words). */
const char *report_verdict_json(enum verdict v);
/* "holds", "holds-with-conditions", "differs" (table and JSON alike). */
const char *report_claim_verdict_name(enum claim_verdict v);

/*
 * Writes s for a terminal: every control character (C0, DEL, and C1 whether
 * UTF-8 encoded or a raw byte) and every byte that is not part of valid UTF-8
 * becomes \xHH, so text from a topology, a report or the command line cannot
 * move the cursor, recolour or retitle the terminal.  out NULL writes
 * nothing.  Returns the bytes written (or that would be): the text's width.
 * The one escaper of every human output (table, errors, diagnostics, diff).
 */
size_t report_text_put(FILE *out, const char *s);

/*
 * Writes s as one JSON string literal (RFC 8259: quote, backslash and C0
 * controls escaped, UTF-8 as is), or null for NULL.  For writers that build
 * JSON without json-c (matrix_out.c); stream errors show in report_flush().
 */
void report_json_string(FILE *out, const char *s);

/* Writes s escaped for XML and HTML text and attributes; C0 controls but tab,
 * LF and CR (which XML 1.0 cannot carry at all) become '?'.  NULL writes nothing. */
void report_xml_escape(FILE *out, const char *s);

/*
 * diff: one change between two reports.  Strings point into the reports
 * being compared and live only during the report_change_fn call.
 */
enum report_change_kind {
	REPORT_CHANGE_ONLY_IN,	/* key is in one report only; detail: that report's path */
	REPORT_CHANGE_SKIPPED,	/* ran in one, skipped in the other: from/to verdicts,
				 * detail the skip reason */
	REPORT_CHANGE_OBSERVED, /* from/to observed outcomes, with verdict_from/to */
	REPORT_CHANGE_VERDICT,	/* from/to verdicts; detail: the (same) observed outcome */
	REPORT_CHANGE_STEPS,	/* a case's steps changed, its outcome and verdict did not */
	REPORT_CHANGE_STEP,	/* step `step` (1-based): from/to results; detail: its args */
	REPORT_CHANGE_CELL,	/* a matrix cell: from/to results */
	REPORT_CHANGE_CLAIM,	/* a claim's verdict: key its id, from/to verdicts */
};

struct report_change {
	enum report_change_kind kind;
	const char *key; /* a case id, or a matrix cell's coordinates */
	const char *from, *to;
	const char *verdict_from, *verdict_to;
	const char *detail;
	size_t step;
};

typedef void (*report_change_fn)(const struct report_change *c, void *arg);

/*
 * Compare two reports of one schema (reuselab-report/1 cases by id, or
 * reuselab-matrix/1 cells by coordinates) read from path_a and path_b: fn
 * gets each change in a's order, then what only b has.  Returns 1 when
 * something changed, 0 when nothing did, or -errno with one line in err
 * naming the file and the cause: -EINVAL for a file that is not such a
 * report or two reports of different schemas, the read's -errno, -ENOMEM.
 */
int report_diff_files(const char *path_a, const char *path_b, report_change_fn fn, void *arg,
		      char *err, size_t err_len);

/* Writes one output to a stream: 0 or -errno. */
typedef int (*report_write_fn)(FILE *out, const void *arg);

/*
 * Write an output file the user named (--junit FILE, --html FILE): fn writes
 * into a new temporary file in FILE's directory, which then replaces FILE by
 * rename(); a symlink at FILE is replaced, never followed.  "-" is stdout.
 * On failure FILE is left as it was.  Returns 0 or fn's or the system's
 * -errno (-EISDIR for a path ending in '/').
 */
int report_write_file(const char *path, report_write_fn fn, const void *arg);

/*
 * Whether report_write_file() could write path, asked before the work that
 * makes the report: 0 (also for "-"), -EINVAL for an empty path, -EISDIR for
 * a path ending in '/' or naming a directory, or the -errno of its directory
 * (-ENOENT, -ENOTDIR when it is not one, -EACCES or -EROFS when nothing can
 * be created in it), whose path goes into dir
 * ("." for a bare name).  Never creates anything.
 */
int report_output_check(const char *path, char *dir, size_t dir_len);

/*
 * Flush out: 0, or the write's -errno (-EPIPE when the reader went away),
 * -EIO when the stream failed earlier without one.
 */
int report_flush(FILE *out);

#endif

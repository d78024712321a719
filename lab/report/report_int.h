/* SPDX-License-Identifier: MIT */
/*
 * Inside lab/report only: small helpers for writing and reading JSON reports
 * over json-c (jsonw.c).  json-c types stay in this folder; other modules write
 * JSON with report_json_string() from report.h.
 */
#ifndef REUSELAB_REPORT_INT_H
#define REUSELAB_REPORT_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* Add v under key; v is owned from here on, also on failure.  A NULL v
 * (a failed json_object_new_*) is -ENOMEM.  Returns 0 or -ENOMEM. */
int jsonw_add(struct json_object *o, const char *key, struct json_object *v);
/* Add s as a string, or JSON null when s is NULL.  0 or -ENOMEM. */
int jsonw_str(struct json_object *o, const char *key, const char *s);
/* Append v to the array arr; v is owned from here on.  0 or -ENOMEM. */
int jsonw_push(struct json_object *arr, struct json_object *v);
/* Write root with json-c flags and a newline, flushed.  0, -ENOMEM or -EIO. */
int jsonw_print(FILE *out, struct json_object *root, int flags);
/* The string member key of o, or NULL when missing or not a string. */
const char *jsonr_str(struct json_object *o, const char *key);
/* The same into buf, cut to len ("" when missing or not a string). */
void jsonr_copy(struct json_object *o, const char *key, char *buf, size_t len);
/* A malloc'ed copy of it into *ret ("" when missing): 0 or -ENOMEM. */
int jsonr_dup(struct json_object *o, const char *key, char **ret);
/* The integer member key of o, or missing when absent or not an integer. */
long jsonr_int(struct json_object *o, const char *key, long missing);
/* The member key of o as a boolean (json-c's conversion); false when absent. */
bool jsonr_bool(struct json_object *o, const char *key);

/* The largest report or matrix file read back (diff). */
#define REPORT_INPUT_MAX (512u << 20)
/* A whole report file, NUL-terminated: 0, or -errno (-EISDIR, -EFBIG). */
int report_read_text(const char *path, char **ret, size_t *ret_len);

/* A bind matrix cell's name in `diff` output ("tcp bound first none@A second
 * none@v6 uid same"), from its JSON object; 0, or -EINVAL when a field or
 * the result is missing. */
int report_cell_key(struct json_object *c, char *buf, size_t len);
/* report_programs.c: the programs a case started, in the table (indented
 * lines under its row), as the JSON array "programs" (NULL when out of
 * memory), read back from one (0, -ENOMEM), freed. */
struct case_result;
void report_programs_table(FILE *out, const struct case_result *c);
/* The same for JUnit <system-out> and failure texts, XML-escaped. */
void report_programs_junit(FILE *out, const struct case_result *c);
struct json_object *report_programs_json(const struct case_result *c);
int report_programs_read(struct json_object *arr, struct case_result *c);
void report_programs_free(struct case_result *c);

/* report_claims.c: a report's claims as the JSON array "claims" (NULL when
 * out of memory), and read back from one (0, -ENOMEM; entries without an
 * id are skipped). */
struct report;
struct json_object *report_claims_json(const struct report *r);
int report_claims_read(struct json_object *arr, struct report *r);

/* report_read.c: one case of a reuselab-report/1 JSON into c (zeroed by the
 * caller; free with report_case_clear): 0, -EINVAL without an id, -ENOMEM. */
int report_case_read(struct json_object *o, struct case_result *c);

/* report_compare.c: the one rule of what differs between runs of a case,
 * for `diff` of two reports and the table of several.  A case's values
 * (counts, ports, which socket got a datagram) and its observed text, which
 * shows them, are not compared: they vary from run to run on one kernel
 * (reuseport hashes the 4-tuple), and a value the case judges shows in its
 * verdict.  Step i differs when a case lacks it or gives another call, node
 * or result; c[k] NULL is a case missing from report k.  1 differs, 0 not. */
int report_case_step_differs(const struct case_result *const *c, size_t n, size_t i);
/* Any step differs, the numbers of steps or the verdicts differ. */
int report_cases_differ(const struct case_result *const *c, size_t n);

#endif

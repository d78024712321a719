/* SPDX-License-Identifier: MIT */
/*
 * The programs a case started (`start` steps): how each ended and what it
 * wrote, under the case's row in the table and as the case's "programs"
 * array in JSON (docs/report.schema.json), read back for `diff` and for
 * reports that come from a QEMU guest.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report.h"
#include "lab/report/report_int.h"

/* ", exit 0" / ", ended by signal 15" */
static void put_end(FILE *out, const struct program_result *p)
{
	if (p->signal)
		fprintf(out, ", ended by signal %d", p->signal);
	else if (p->exit_code >= 0)
		fprintf(out, ", exit %d", p->exit_code);
}

/* Each line of text as "      NAME stream| LINE". */
static void put_stream(FILE *out, const char *name, const char *stream, const char *text, bool cut)
{
	const char *p = text;

	while (p && *p) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);

		fputs("      ", out);
		report_text_put(out, name);
		fprintf(out, " %s| ", stream);
		report_text_put(out, line ? line : "?");
		fputc('\n', out);
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
	if (cut) {
		fputs("      ", out);
		report_text_put(out, name);
		fprintf(out, " %s| ... (cut at %d bytes)\n", stream, REPORT_OUTPUT_MAX);
	}
}

void report_programs_table(FILE *out, const struct case_result *c)
{
	for (size_t i = 0; i < c->n_programs; i++) {
		const struct program_result *p = &c->programs[i];

		fputs("    program ", out);
		report_text_put(out, p->name);
		fprintf(out, "[%ld] in ", p->pid);
		report_text_put(out, p->node);
		fputs(": ", out);
		report_text_put(out, p->command ? p->command : "?");
		put_end(out, p);
		fputc('\n', out);
		put_stream(out, p->name, "stdout", p->out, p->out_cut);
		put_stream(out, p->name, "stderr", p->err, p->err_cut);
	}
}

/* v, or JSON null when absent (jsonw_add takes NULL for out of memory). */
static int add_int_or_null(struct json_object *o, const char *key, bool present, int v)
{
	if (present)
		return jsonw_add(o, key, json_object_new_int(v));
	return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
}

void report_programs_junit(FILE *out, const struct case_result *c)
{
	for (size_t i = 0; i < c->n_programs; i++) {
		const struct program_result *p = &c->programs[i];
		const char *const streams[2][2] = {{"stdout", p->out}, {"stderr", p->err}};

		fputs("program ", out);
		report_xml_escape(out, p->name);
		fprintf(out, "[%ld] in ", p->pid);
		report_xml_escape(out, p->node);
		fputs(": ", out);
		report_xml_escape(out, p->command);
		put_end(out, p);
		fputc('\n', out);
		for (size_t k = 0; k < 2; k++) {
			if (!streams[k][1] || !*streams[k][1])
				continue;
			fprintf(out, "--- %s\n", streams[k][0]);
			report_xml_escape(out, streams[k][1]);
			if (streams[k][1][strlen(streams[k][1]) - 1] != '\n')
				fputc('\n', out);
		}
	}
}

static struct json_object *program_json(const struct program_result *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (jsonw_str(o, "name", p->name) < 0 || jsonw_str(o, "node", p->node) < 0 ||
	    jsonw_str(o, "command", p->command ? p->command : "") < 0 ||
	    jsonw_add(o, "pid", json_object_new_int64(p->pid)) < 0 ||
	    add_int_or_null(o, "exit_code", p->exit_code >= 0, p->exit_code) < 0 ||
	    add_int_or_null(o, "signal", p->signal != 0, p->signal) < 0 ||
	    jsonw_str(o, "stdout", p->out ? p->out : "") < 0 ||
	    jsonw_str(o, "stderr", p->err ? p->err : "") < 0 ||
	    jsonw_add(o, "stdout_truncated", json_object_new_boolean(p->out_cut)) < 0 ||
	    jsonw_add(o, "stderr_truncated", json_object_new_boolean(p->err_cut)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *report_programs_json(const struct case_result *c)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < c->n_programs; i++) {
		if (jsonw_push(arr, program_json(&c->programs[i])) < 0) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static int program_read(struct json_object *o, struct program_result *p)
{
	jsonr_copy(o, "name", p->name, sizeof(p->name));
	jsonr_copy(o, "node", p->node, sizeof(p->node));
	p->pid = jsonr_int(o, "pid", 0);
	p->exit_code = (int)jsonr_int(o, "exit_code", -1);
	p->signal = (int)jsonr_int(o, "signal", 0);
	p->out_cut = jsonr_bool(o, "stdout_truncated");
	p->err_cut = jsonr_bool(o, "stderr_truncated");
	if (jsonr_dup(o, "command", &p->command) < 0 || jsonr_dup(o, "stdout", &p->out) < 0 ||
	    jsonr_dup(o, "stderr", &p->err) < 0)
		return -ENOMEM;
	return 0;
}

int report_programs_read(struct json_object *arr, struct case_result *c)
{
	size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
								     : 0;

	if (!n)
		return 0;
	c->programs = calloc(n, sizeof(*c->programs));
	if (!c->programs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		c->n_programs = i + 1;
		if (program_read(json_object_array_get_idx(arr, i), &c->programs[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

void report_programs_free(struct case_result *c)
{
	for (size_t i = 0; i < c->n_programs; i++) {
		free(c->programs[i].command);
		free(c->programs[i].out);
		free(c->programs[i].err);
	}
	free(c->programs);
	c->programs = NULL;
	c->n_programs = 0;
}

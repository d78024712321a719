/* SPDX-License-Identifier: MIT */
/*
 * JSON writing helpers, and the reading ones that report_read.c,
 * report_claims.c and report_programs.c share.  json-c leaves an added
 * value with the caller when the add fails (0.16: a failed key copy or table
 * insert), so every helper puts v then; callers chain adds with || and one
 * goto and never leak.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/report/report_int.h"
#include "lab/report/report.h"

int jsonw_add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int jsonw_str(struct json_object *o, const char *key, const char *s)
{
	if (!s) /* JSON null is a NULL json_object */
		return json_object_object_add(o, key, NULL) ? -ENOMEM : 0;
	return jsonw_add(o, key, json_object_new_string(s));
}

int jsonw_push(struct json_object *arr, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_array_add(arr, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int jsonw_print(FILE *out, struct json_object *root, int flags)
{
	const char *text = json_object_to_json_string_ext(root, flags);

	if (!text)
		return -ENOMEM;
	fputs(text, out);
	fputc('\n', out);
	return report_flush(out); /* a failed fputs leaves the stream in error */
}

const char *jsonr_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void jsonr_copy(struct json_object *o, const char *key, char *buf, size_t len)
{
	const char *s = jsonr_str(o, key);

	snprintf(buf, len, "%s", s ? s : "");
}

int jsonr_dup(struct json_object *o, const char *key, char **ret)
{
	const char *s = jsonr_str(o, key);

	*ret = strdup(s ? s : "");
	return *ret ? 0 : -ENOMEM;
}

long jsonr_int(struct json_object *o, const char *key, long missing)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return missing;
	return (long)json_object_get_int64(v);
}

bool jsonr_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* SPDX-License-Identifier: MIT */
/* Inside lab/cli: the outputs of `status` and the verify run `status --verify` shares. */
#ifndef REUSELAB_STATUS_INT_H
#define REUSELAB_STATUS_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "lab/inspect/inspect.h"

/* The lab as a table on out; file is the topology file (NULL: no state). */
void status_table(FILE *out, const struct inspect_lab *l, const char *file, bool complete);

/* The lab as a JSON object (docs/status.schema.json); the caller owns it. */
struct json_object *status_json(const struct inspect_lab *l, const char *file, bool complete);

/* verify LAB...: the exit status (0 equal, 1 drift, 2 usage, 3 unreadable). */
int cmd_verify_labs(int n, char **labs);

#endif

/* SPDX-License-Identifier: MIT */
/* `reuselab cases [--json] [--claim C]...`: list the built-in case catalog;
 * `cases --steps`: the step language, from the probe module's step table. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab/cli/cmd.h"
#include "lab/probe/probe.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: reuselab cases [--json] [--claim C]...\n"
		"       reuselab cases --steps [--json]\n\n"
		"List the built-in cases that 'reuselab probe' runs: id, the claim each\n"
		"tests (C1..C12 of docs/cases.md, or a source such as socket(7)), what the\n"
		"claim predicts, and where it comes from.\n\n"
		"  -C, --claim C  only cases of claim C (repeatable)\n"
		"  -s, --steps    the step language instead: every step a case's 'do:' can\n"
		"                 hold, with its operands, value and an example\n"
		"                 (reuselab-cases(7) is this reference as a man page)\n"
		"  -j, --json     JSON on stdout, with each case's steps\n"
		"  -h, --help     show this help\n\n"
		"Exit status: 0 fine, 2 bad usage (or no case for a --claim), 3 out of memory.\n");
}

static bool wanted(char **claims, size_t n, const char *claim)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(claims[i], claim))
			return true;
	return false;
}

static int write_json(char **claims, size_t n_claims)
{
	struct json_object *arr = json_object_new_array();
	int r = -ENOMEM;

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];
		struct json_object *o, *steps;

		if (!wanted(claims, n_claims, cc->claim))
			continue;
		o = json_object_new_object();
		steps = json_object_new_array();
		if (!o || !steps) {
			json_object_put(o);
			json_object_put(steps);
			goto out;
		}
		json_object_object_add(o, "id", json_object_new_string(cc->id));
		json_object_object_add(o, "claim", json_object_new_string(cc->claim));
		json_object_object_add(o, "title", json_object_new_string(cc->title));
		json_object_object_add(o, "source", json_object_new_string(cc->source));
		json_object_object_add(o, "predicted", json_object_new_string(cc->predicted));
		for (const struct catalog_step *s = cc->steps; s->text; s++) {
			struct json_object *so = json_object_new_object();

			if (!so) {
				json_object_put(steps);
				json_object_put(o);
				goto out;
			}
			json_object_object_add(so, "role", json_object_new_string(s->role));
			json_object_object_add(so, "do", json_object_new_string(s->text));
			json_object_object_add(so, "predict",
					       s->predict && strcmp(s->predict, "*") &&
						       strcmp(s->predict, "~")
						   ? json_object_new_string(s->predict)
						   : NULL);
			json_object_array_add(steps, so);
		}
		json_object_object_add(o, "steps", steps);
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	r = 0;
out:
	json_object_put(arr);
	return r;
}

static void write_table(char **claims, size_t n_claims)
{
	int w_id = 2, w_claim = 5, w_pred = 9;
	size_t n = 0;

	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];

		if (!wanted(claims, n_claims, cc->claim))
			continue;
		if ((int)strlen(cc->id) > w_id)
			w_id = (int)strlen(cc->id);
		if ((int)strlen(cc->claim) > w_claim)
			w_claim = (int)strlen(cc->claim);
		if ((int)strlen(cc->predicted) > w_pred)
			w_pred = (int)strlen(cc->predicted);
	}
	printf("%-*s  %-*s  %-*s  %s\n", w_id, "id", w_claim, "claim", w_pred, "predicted",
	       "source");
	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];

		if (!wanted(claims, n_claims, cc->claim))
			continue;
		printf("%-*s  %-*s  %-*s  %s\n", w_id, cc->id, w_claim, cc->claim, w_pred,
		       cc->predicted, cc->source);
		n++;
	}
	printf("%zu case%s\n", n, n == 1 ? "" : "s");
}

/* The step reference: synopsis, help, example of every step, in table order. */
static void write_steps_text(void)
{
	const char *syn, *help, *ex, *expect;

	for (size_t i = 0; probe_step_doc(i, &syn, &help) && probe_step_example(i, &ex, &expect);
	     i++) {
		printf("%s\n    %s\n    e.g. {on: NODE, do: \"%s\"", syn, help, ex);
		if (expect)
			printf(", expect: %s", expect);
		printf("}\n");
	}
}

static int write_steps_json(void)
{
	struct json_object *arr = json_object_new_array(), *o;
	const char *syn, *help, *ex, *expect;
	int r = -ENOMEM;

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; probe_step_doc(i, &syn, &help) && probe_step_example(i, &ex, &expect);
	     i++) {
		o = json_object_new_object();
		if (!o || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			goto out;
		}
		json_object_object_add(o, "synopsis", json_object_new_string(syn));
		json_object_object_add(o, "help", json_object_new_string(help));
		json_object_object_add(o, "example", json_object_new_string(ex));
		json_object_object_add(o, "expect",
				       expect ? json_object_new_string(expect) : NULL);
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	r = 0;
out:
	json_object_put(arr);
	return r;
}

static int write_steps(bool json)
{
	if (json)
		return write_steps_json();
	write_steps_text();
	return 0;
}

int cmd_cases(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"claim", required_argument, NULL, 'C'},
	    {"steps", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char **claims;
	size_t n_claims = 0;
	int c, json = 0, steps = 0, status = EXIT_OK;

	claims = calloc((size_t)argc, sizeof(*claims));
	if (!claims) {
		cmd_err("cases: %s", strerror(ENOMEM));
		return EXIT_SYSTEM;
	}
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "jC:sh", opts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'C':
			claims[n_claims++] = optarg;
			break;
		case 's':
			steps = 1;
			break;
		case 'h':
			usage(stdout);
			goto out;
		default:
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (optind != argc) {
		cmd_err("cases: unexpected argument '%s' (try 'reuselab cases --help')",
			argv[optind]);
		status = EXIT_USAGE;
		goto out;
	}
	if (steps) {
		if (n_claims) {
			cmd_err("cases: --steps lists steps, not cases: no --claim with it");
			status = EXIT_USAGE;
		} else if (write_steps(json) < 0) {
			cmd_err("cases: %s", strerror(ENOMEM));
			status = EXIT_SYSTEM;
		}
		goto out;
	}
	for (size_t i = 0; i < n_claims; i++) {
		bool hit = false;

		for (size_t k = 0; k < catalog_n_cases && !hit; k++)
			hit = !strcasecmp(claims[i], catalog_cases[k].claim);
		if (!hit) {
			cmd_err("cases: no case has claim '%s'", claims[i]);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (json) {
		if (write_json(claims, n_claims) < 0) {
			cmd_err("cases: %s", strerror(ENOMEM));
			status = EXIT_SYSTEM;
		}
	} else {
		write_table(claims, n_claims);
	}
out:
	free(claims);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * reuselab kernels [--json] [--cache DIR]: what `run --kernel` can boot.
 * reuselab run FILE --kernel K [...]: the same run inside kernel K under
 * QEMU (lab/kernel does the work; this file parses and prints).
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/cli/cmd.h"
#include "lab/kernel/kernel.h"
#include "lab/report/report.h"


static const char *default_cache(void)
{
	const char *c = getenv("REUSELAB_KERNEL_CACHE");

	return c && c[0] ? c : KERNEL_CACHE_DEFAULT;
}

static void kernels_usage(FILE *out)
{
	fprintf(out, "Usage: reuselab kernels [--json] [--cache DIR]\n\n"
		     "List the kernels 'reuselab run FILE --kernel RELEASE' can boot under QEMU:\n"
		     "DIR/RELEASE/boot/vmlinuz-RELEASE (DIR: --cache, $REUSELAB_KERNEL_CACHE or\n"
		     "%s, filled by 'make deps-kernels') and /boot/vmlinuz-RELEASE,\n"
		     "each with its modules directory ('-' when none was found).\n",
		KERNEL_CACHE_DEFAULT);
}

static int print_json(const struct kernel_info *k, size_t n)
{
	struct json_object *root = json_object_new_array(), *o;
	int r = 0;

	for (size_t i = 0; root && i < n && r == 0; i++) {
		o = json_object_new_object();
		if (!o || json_object_array_add(root, o) < 0) {
			json_object_put(o);
			r = -ENOMEM;
			break;
		}
		json_object_object_add(o, "release", json_object_new_string(k[i].release));
		json_object_object_add(o, "vmlinuz", json_object_new_string(k[i].vmlinuz));
		json_object_object_add(o, "modules", k[i].modules[0] ?
				       json_object_new_string(k[i].modules) : NULL);
	}
	if (!root || r < 0 ||
	    fprintf(stdout, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		r = -EIO;
	json_object_put(root);
	return r;
}

int cmd_kernels(int argc, char **argv)
{
	const char *cache = default_cache();
	struct kernel_info *k = NULL;
	size_t n = 0;
	int json = 0, r;

	if (cmd_wants_help(argc, argv)) {
		kernels_usage(stdout);
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--cache") && i + 1 < argc) {
			cache = argv[++i];
		} else {
			cmd_err("kernels: unexpected '%s' (try 'reuselab kernels --help')", argv[i]);
			return EXIT_USAGE;
		}
	}
	r = kernel_list(cache, &k, &n);
	if (r < 0) {
		cmd_err("kernels: %s", strerror(-r));
		return EXIT_SYSTEM;
	}
	if (json) {
		r = print_json(k, n);
	} else {
		if (!n)
			fprintf(stderr, "reuselab: no bootable kernel in %s or /boot (run 'make "
					"deps-kernels')\n", cache);
		for (size_t i = 0; i < n; i++)
			printf("%-28s %s %s\n", k[i].release, k[i].vmlinuz,
			       k[i].modules[0] ? k[i].modules : "-");
	}
	if (r == 0)
		r = report_flush(stdout);
	free(k);
	return r < 0 ? cmd_output_error("kernels: writing", r) : EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * reuselab run FILE --kernel K [--kernel K2]... : the run inside each kernel
 * under QEMU.  The topology is checked here first (bad input is exit 2
 * before anything boots); the guest's own `reuselab run` prints the report,
 * which comes back byte for byte with its exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/topo/topo.h"
#include "lab/cli/cmd.h"
#include "lab/kernel/kernel.h"
#include "lab/report/report.h"

#define KERNEL_TIMEOUT_S 300
#define MAX_KERNELS      16

struct kopts {
	const char *file, *name, *modules, *log, *accel, *cache, *junit, *append;
	const char *kernel[MAX_KERNELS];
	int n_kernel, timeout_s;
	char **pass; /* the guest run's options */
	int n_pass, json, matrix;
	char *mx[MAX_KERNELS]; /* --matrix, several kernels: each guest's JSON */
	const char *mx_kernel[MAX_KERNELS]; /* the release each came from */
	int n_mx;
};

/* Our options, each with a value; NULL for an option that is not ours. */
static const char **slot(struct kopts *o, const char *opt)
{
	static const char *const names[] = { "--kernel-modules", "--kernel-log", "--accel",
					     "--kernel-cache", "--junit", "--name", "-n",
					     "--kernel-append" };
	const char **slots[] = { &o->modules, &o->log, &o->accel, &o->cache, &o->junit,
				 &o->name, &o->name, &o->append };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(opt, names[i]))
			return slots[i];
	return NULL;
}

/* Options of the guest's run that take a value (the next argument). */
static bool takes_value(const char *opt)
{
	static const char *const names[] = {"-c",	"--case", "-C",	    "--claim",
					    "--matrix", "--axes", "--addr", "--proto"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(opt, names[i]))
			return true;
	return false;
}

/* --keep, -k, or -k among short flags (-jk): a published lab of the guest
 * would be gone with it, and the host would be told it stays up. */
static bool is_keep(const char *a)
{
	if (!strcmp(a, "--keep"))
		return true;
	if (a[0] != '-' || a[1] == '-')
		return false;
	/* a flag that takes a value ends the cluster: -ck is --case k */
	for (a++; *a && !strchr("nCc", *a); a++)
		if (*a == 'k')
			return true;
	return false;
}

static int parse_one(struct kopts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], **s = slot(o, a);
	char *end;

	if (!strcmp(a, "--kernel") || !strcmp(a, "--kernel-timeout") || s) {
		if (*i + 1 == argc) {
			cmd_err("run: %s needs a value", a);
			return -EINVAL;
		}
		if (s) {
			*s = argv[++*i];
		} else if (!strcmp(a, "--kernel-timeout")) {
			o->timeout_s = (int)strtol(argv[++*i], &end, 10);
			if (*end || o->timeout_s <= 0 || o->timeout_s > 86400) {
				cmd_err("run: --kernel-timeout %s: expected seconds (1..86400)", argv[*i]);
				return -EINVAL;
			}
		} else if (o->n_kernel == MAX_KERNELS) {
			cmd_err("run: at most %d --kernel", MAX_KERNELS);
			return -EINVAL;
		} else {
			o->kernel[o->n_kernel++] = argv[++*i];
		}
	} else if (!strncmp(a, "--kernel=", 9) && o->n_kernel < MAX_KERNELS) {
		o->kernel[o->n_kernel++] = a + 9;
	} else if (is_keep(a)) {
		cmd_err("run: --keep cannot be combined with --kernel: the lab would exist only "
			"inside the guest, which is gone when the run ends");
		return -EINVAL;
	} else if (a[0] == '-') {
		o->json |= !strcmp(a, "--json");
		o->matrix |= !strcmp(a, "--matrix") || !strncmp(a, "--matrix=", 9);
		o->pass[o->n_pass++] = argv[*i];
		/* probe and matrix options with a value travel with it */
		if (takes_value(a) && *i + 1 < argc)
			o->pass[o->n_pass++] = argv[++*i];
	} else if (!o->file) {
		o->file = a;
	} else {
		cmd_err("run: one topology FILE only (try 'reuselab run --help')");
		return -EINVAL;
	}
	return 0;
}

/* Bad output paths are refused before a guest boots, not after. */
static int check_outputs(const struct kopts *o)
{
	char why[KERNEL_WHY_MAX];

	if (o->junit && cmd_output_option("run", "--junit", o->junit,
					  o->json ? "JSON report" : "guest's report") < 0)
		return -EINVAL;
	if (o->log && cmd_output_option("run", "--kernel-log", o->log, NULL) < 0)
		return -EINVAL;
	/* with several kernels the logs are FILE.RELEASE, checked as each opens */
	if (o->log && o->n_kernel == 1 && kernel_log_check(o->log, why) < 0) {
		cmd_err("run: %s", why);
		return -EINVAL;
	}
	return 0;
}

static int parse(struct kopts *o, int argc, char **argv)
{
	o->timeout_s = KERNEL_TIMEOUT_S;
	o->pass = calloc((size_t)argc + 4, sizeof(*o->pass));
	if (!o->pass) {
		cmd_err("run: out of memory");
		return -ENOMEM;
	}
	for (int i = 1; i < argc; i++)
		if (parse_one(o, argc, argv, &i) < 0)
			return -EINVAL;
	if (!o->file) {
		cmd_err("run: expected a topology FILE (try 'reuselab run --help')");
		return -EINVAL;
	}
	if (o->accel && strcmp(o->accel, "kvm") && strcmp(o->accel, "tcg")) {
		cmd_err("run: --accel %s: expected kvm or tcg", o->accel);
		return -EINVAL;
	}
	if (o->append && (strstr(o->append, "--") || strlen(o->append) > 512)) {
		cmd_err("run: --kernel-append: no '--' and at most 512 characters");
		return -EINVAL;
	}
	if (check_outputs(o) < 0)
		return -EINVAL;
	if (o->name) {
		o->pass[o->n_pass++] = "--name";
		o->pass[o->n_pass++] = (char *)o->name;
	}
	if (o->n_kernel > 1 && !o->json) /* the comparison reads JSON */
		o->pass[o->n_pass++] = "--json";
	if (o->junit) {
		o->pass[o->n_pass++] = "--junit";
		o->pass[o->n_pass++] = "/tmp/junit.xml";
	}
	if (!o->cache) {
		o->cache = getenv("REUSELAB_KERNEL_CACHE");
		if (!o->cache || !o->cache[0])
			o->cache = KERNEL_CACHE_DEFAULT;
	}
	return 0;
}

static int write_junit(FILE *out, const void *arg)
{
	const struct kernel_result *res = arg;

	if (fwrite(res->junit, 1, res->junit_len, out) != res->junit_len)
		return -EIO;
	return 0;
}

/* Prints what the guest printed; returns the run's exit status. */
static int deliver(const struct kopts *o, const struct kernel_result *res)
{
	int r;

	errno = 0;
	if (fwrite(res->out, 1, res->out_len, stdout) != res->out_len)
		r = errno ? -errno : -EIO;
	else
		r = report_flush(stdout);
	if (r < 0)
		return cmd_output_error("run: writing the report", r);
	if (o->junit && res->junit) {
		r = report_write_file(o->junit, write_junit, res);
		if (r < 0) {
			cmd_err("run: %s: %s", o->junit, strerror(-r));
			return EXIT_SYSTEM;
		}
	}
	return res->exit_status;
}

/* Several kernels: the guest wrote JSON; print it as asked and keep it for the comparison. */
static int deliver_parsed(const struct kopts *o, const struct kernel_result *res,
			  struct report *ret)
{
	char why[256];
	int r;

	if (res->exit_status != EXIT_OK && res->exit_status != EXIT_DIFFERS)
		return deliver(o, res); /* no report to read: the guest's stderr said why */
	if (report_read_json(res->out, res->out_len, ret, why, sizeof(why)) < 0) {
		cmd_err("run: kernel %s: the guest's report: %s", res->release, why);
		return EXIT_SYSTEM;
	}
	if (o->json)
		return deliver(o, res);
	r = report_write_table(ret, stdout, isatty(STDOUT_FILENO));
	if (r < 0)
		return cmd_output_error("run: writing the report", r);
	return res->exit_status;
}

/* Several kernels with --matrix: keep the guest's JSON for the comparison;
 * print it only when the user asked for --json. */
static int deliver_matrix(struct kopts *o, const struct kernel_info *k,
			  const struct kernel_result *res)
{
	if (res->exit_status != EXIT_OK && o->n_kernel > 1)
		cmd_err("run: kernel %s gave no matrix; left out of the comparison", k->release);
	if (res->exit_status == EXIT_OK && o->n_mx < MAX_KERNELS) {
		char *t = strndup(res->out, res->out_len);

		if (!t) {
			cmd_err("run: out of memory");
			return EXIT_SYSTEM;
		}
		o->mx_kernel[o->n_mx] = k->release;
		o->mx[o->n_mx++] = t;
	}
	if (o->json || res->exit_status != EXIT_OK)
		return deliver(o, res);
	return res->exit_status;
}

static int run_one(struct kopts *o, const struct kernel_info *k, struct report *ret)
{
	char why[KERNEL_WHY_MAX] = "", log[PATH_MAX + 160];
	struct kernel_result res;
	struct kernel_job job = {
		.kernel = k, .topology = o->file, .argv = o->pass, .argc = o->n_pass,
		.accel = o->accel, .log_path = o->log, .timeout_s = o->timeout_s,
		.append = o->append,
	};
	int r;

	/* several kernels: one console log each, FILE.RELEASE */
	if (o->log && o->n_kernel > 1) {
		snprintf(log, sizeof(log), "%.4000s.%.127s", o->log, k->release);
		job.log_path = log;
	}

	if (isatty(STDERR_FILENO)) /* a boot takes seconds: say what we wait for */
		fprintf(stderr, "reuselab: booting %s under QEMU\n", k->release);
	r = kernel_run(&job, &res, why);
	if (res.kvm_fell_back) {
		fprintf(stderr, "reuselab: KVM did not boot the guest; used TCG (software "
				"emulation; --accel tcg skips the try)\n");
		o->accel = "tcg"; /* the next kernels need not try again */
	}
	if (r < 0) {
		cmd_err("run: %s", why);
		if (r == -EINTR)
			return 128 + res.signo;
		return r == -ENOENT && !strstr(why, "qemu") ? EXIT_USAGE : EXIT_SYSTEM;
	}
	if (res.err_len)
		fwrite(res.err, 1, res.err_len, stderr);
	if (o->n_kernel < 2)
		r = deliver(o, &res);
	else
		r = o->matrix ? deliver_matrix(o, k, &res) : deliver_parsed(o, &res, ret);
	kernel_result_free(&res);
	return r;
}

/* The comparison after several kernels: on stdout with tables, on stderr with JSON. */
static void compare(const struct kopts *o, struct report *r, int n)
{
	const struct report *rp[MAX_KERNELS];
	FILE *out = o->json ? stderr : stdout;
	int k = 0, rows;

	for (int i = 0; i < n; i++)
		if (r[i].n_cases)
			rp[k++] = &r[i];
	if (k < 2)
		return;
	fprintf(out, "\nacross kernels, the cases whose results differ:\n");
	rows = report_compare(rp, (size_t)k, out);
	if (rows == 0)
		fprintf(out, "(none: every case gave the same results)\n");
	else if (rows < 0 && rows != -EPIPE) /* a reader that went away is no error */
		cmd_err("run: comparing the reports: %s", strerror(-rows));
}

/* --matrix after several kernels: the cells whose results differ, as `diff` prints them. */
static void compare_matrices(const struct kopts *o)
{
	FILE *out = o->json ? stderr : stdout;
	char why[512];
	int rows;

	if (o->n_mx < 2)
		return;
	fprintf(out, "%sacross kernels, the matrix cells whose results differ:\n", o->json ? "\n" : "");
	fflush(out);
	rows = report_matrix_compare_text((const char *const *)o->mx, o->mx_kernel, (size_t)o->n_mx, out,
					  why, sizeof(why));
	if (rows == 0)
		fprintf(out, "(none: every cell gave the same result)\n");
	else if (rows < 0 && rows != -EPIPE)
		cmd_err("run: comparing the matrices: %s", why);
}

static int resolve_all(const struct kopts *o, struct kernel_info *k)
{
	char why[KERNEL_WHY_MAX];

	if (o->n_kernel > 1 && o->junit) {
		cmd_err("run: --junit takes one --kernel (run once per kernel)");
		return -EINVAL;
	}
	for (int i = 0; i < o->n_kernel; i++) {
		if (kernel_resolve(o->kernel[i], o->modules, o->cache, &k[i], why) < 0) {
			cmd_err("run: %s", why);
			return -ENOENT;
		}
	}
	return 0;
}

int cmd_run_kernel(int argc, char **argv)
{
	char lab[TOPO_LAB_NAME_MAX + 1], path[4096];
	struct kernel_info k[MAX_KERNELS];
	struct report rep[MAX_KERNELS];
	struct kopts o = { 0 };
	struct topology *t = NULL;
	int rc = EXIT_USAGE, r, i;

	memset(rep, 0, sizeof(rep));
	if (parse(&o, argc, argv) < 0)
		goto out;
	o.file = cmd_topology_path(o.file, path, sizeof(path)); /* a shipped lab's bare name too */
	if (cmd_resolve_file(o.file, o.name, lab, sizeof(lab), &t) < 0 || resolve_all(&o, k) < 0)
		goto out;
	rc = EXIT_OK;
	for (i = 0; i < o.n_kernel; i++) {
		r = run_one(&o, &k[i], &rep[i]);
		if (r > 128) {
			rc = r;
			goto out;
		}
		if (r > rc)
			rc = r;
	}
	if (o.matrix)
		compare_matrices(&o);
	else
		compare(&o, rep, o.n_kernel);
out:
	for (i = 0; i < o.n_mx; i++)
		free(o.mx[i]);
	for (i = 0; i < MAX_KERNELS; i++)
		report_free_cases(&rep[i]);
	topo_free(t);
	free(o.pass);
	return rc;
}

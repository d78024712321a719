/* SPDX-License-Identifier: MIT */
/*
 * The probe runner: opens the lab's namespaces, records the kernel and the
 * outcome-changing sysctls, and runs the selected cases in catalog order,
 * then the topology's own, into one report.
 *
 * Sockets are opened by this process: into the node's namespace (ns_scope),
 * socket(), and back, so no shell or external program is involved.
 */
#include <errno.h>
#include <limits.h>
#include <fnmatch.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lab/labns/labns.h"
#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"
#include "netns/netns.h"

bool probe_case_selected(const struct probe_opts *o, const char *id, const char *claim)
{
	bool ok;

	if (!o)
		return true;
	if (o->n_case_ids) {
		ok = false;
		for (size_t i = 0; i < o->n_case_ids && !ok; i++)
			ok = fnmatch(o->case_ids[i], id, 0) == 0;
		if (!ok)
			return false;
	}
	if (o->n_claims) {
		ok = false;
		for (size_t i = 0; i < o->n_claims && !ok; i++)
			ok = claim && !strcasecmp(o->claims[i], claim);
		if (!ok)
			return false;
	}
	return true;
}

static int report_add(struct report *r, struct case_result **ret)
{
	struct case_result *nc = realloc(r->cases, (r->n_cases + 1) * sizeof(*nc));

	if (!nc)
		return -ENOMEM;
	r->cases = nc;
	*ret = &nc[r->n_cases++];
	memset(*ret, 0, sizeof(**ret));
	return 0;
}

/* Read a sysctl of the current namespace into buf ("" when unreadable). */
static void read_sysctl(const char *key, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	buf[0] = '\0';
	if (ns_sysctl_path(key, path, sizeof(path)) < 0)
		return;
	n = ns_file_read(path, buf, len);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
}

/* Open every node's namespace into R->nsfd (a node that cannot be opened
 * keeps -1 and its errno in R->nserr).  0, or -errno with err set: -EEXIST
 * for a namespace that is not this lab's, else when no node could be opened. */
static int nodes_open(struct run *R, char *err, size_t errlen)
{
	const struct topology *t = R->t;
	size_t n_open = 0;
	int first_err = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		char name[NS_NAME_MAX + 1];
		int r;

		r = lab_ns_name(R->lab, t->nodes[i].name, name, sizeof(name));
		if (r == 0)
			r = lab_node_open(R->lab, t->nodes[i].name, &R->nsfd[i]);
		if (r == -EEXIST) {
			/* Someone else's namespace under our name: never enter it. */
			snprintf(err, errlen, "namespace %s is not a reuselab namespace of lab %s",
				 name, R->lab);
			return r;
		}
		if (r == 0) {
			n_open++;
			continue;
		}
		R->nserr[i] = -r;
		if (!first_err) {
			first_err = -r;
			snprintf(err, errlen, "lab '%s' is not running: " NS_RUN_DIR "/%s: %s",
				 R->lab, name, strerror(-r));
		}
	}
	if (n_open)
		return 0;
	if (!first_err)
		snprintf(err, errlen, "lab '%s' has no nodes", R->lab);
	return -(first_err ? first_err : ENOENT);
}

/* The outcome-changing sysctls as the server node (or the first open one)
 * sees them, into rep; the case ports come from its local port range. */
static void sysctls_record(struct run *R, struct report *rep)
{
	/* tcp_timestamps: a connect from a bound port over TIME-WAIT needs them
	 * (tcp_twsk_unique); tcp_tw_reuse: the same from an automatic port. */
	static const char *const sysctls[] = {
	    "net.ipv6.bindv6only",	  "net.ipv4.ip_local_port_range",
	    "net.ipv4.ip_autobind_reuse", "net.ipv4.tcp_migrate_req",
	    "net.ipv4.tcp_timestamps",	  "net.ipv4.tcp_tw_reuse"};
	int srv = R->roles->srv, node = srv >= 0 && R->nsfd[srv] >= 0 ? srv : -1;
	char range[64] = "";

	for (size_t i = 0; node < 0 && i < R->t->n_nodes; i++)
		if (R->nsfd[i] >= 0)
			node = (int)i;
	if (probe_enter_node(R, node) == 0) {
		for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
			size_t k = rep->n_sysctls++;

			read_sysctl(sysctls[i], rep->sysctls[k].value, sizeof(rep->sysctls[k].value));
			snprintf(rep->sysctls[k].key, sizeof(rep->sysctls[k].key), "%s", sysctls[i]);
			if (!strcmp(sysctls[i], "net.ipv4.ip_local_port_range"))
				snprintf(range, sizeof(range), "%s", rep->sysctls[k].value);
		}
	}
	probe_port_range_pick(R, range);
	probe_leave_node(R);
}

/* The CPU the children reaped so far have used, in µs. */
static long children_cpu_us(void)
{
	struct rusage ru = {0};

	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

/* A case's clocks: the monotonic clock and this process's CPU, in µs. */
struct case_clocks {
	long wall, cpu;
	unsigned long forks;
};

static void case_clocks_start(const struct run *R, struct case_clocks *c)
{
	struct timespec ts = {0}, cpu = {0};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	c->wall = ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
	c->cpu = cpu.tv_sec * 1000000L + cpu.tv_nsec / 1000;
	c->forks = R->forks;
}

/*
 * cr's wall and CPU time since c, the CPU of the children it forked and
 * reaped included.  Those are asked for only after a case that forked: on
 * this VM a system call costs a bind-only case a twentieth of its time.
 */
static void case_clocks_stop(struct run *R, struct case_result *cr, const struct case_clocks *c)
{
	struct case_clocks now;
	long children;

	case_clocks_start(R, &now);
	cr->wall_us = now.wall - c->wall;
	cr->cpu_us = now.cpu - c->cpu;
	if (R->forks != c->forks) {
		children = children_cpu_us();
		cr->cpu_us += children - R->child_cpu_us;
		R->child_cpu_us = children;
	}
}

/* The selected cases, catalog first, each into a new result of rep, and
 * the claims judged from the catalog's.  0 or -ENOMEM. */
static int cases_run(struct run *R, const struct probe_opts *o, struct report *rep)
{
	size_t n_catalog;
	struct case_result *cr;
	struct case_clocks clocks;
	int r;

	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];

		if (probe_stop_signal(R))
			return 0;
		if (!probe_case_selected(o, cc->id, cc->claim))
			continue;
		r = report_add(rep, &cr);
		if (r < 0)
			return r;
		case_clocks_start(R, &clocks);
		r = probe_run_catalog_case(R, cc, cr);
		case_clocks_stop(R, cr, &clocks);
		if (r < 0)
			return r;
	}
	n_catalog = rep->n_cases;
	r = probe_claims_judge(rep->cases, n_catalog, rep);
	if (r < 0)
		return r;
	for (size_t i = 0; i < R->t->n_cases; i++) {
		const struct topo_case *tc = &R->t->cases[i];

		if (probe_stop_signal(R))
			return 0;
		if (!probe_case_selected(o, tc->id, tc->claim ? tc->claim : "user"))
			continue;
		r = report_add(rep, &cr);
		if (r < 0)
			return r;
		case_clocks_start(R, &clocks);
		probe_run_user_case(R, tc, cr);
		case_clocks_stop(R, cr, &clocks);
	}
	return 0;
}

/*
 * node_fd NULL: open the published lab by name (and close what we opened);
 * else the caller's fds, one per node, used as they are.
 */
static int probe_any(const struct topology *t, const char *lab, const int *node_fd,
		     const struct probe_opts *o, struct report *rep, char *err, size_t errlen)
{
	struct probe_roles roles;
	struct run R = {.t = t, .lab = lab, .roles = &roles, .ns = NS_SCOPE_INIT, .cur_node = -1,
			.reaper.home = -1};
	size_t n = t->n_nodes ? t->n_nodes : 1;
	struct utsname u;
	sigset_t old_mask;
	int ret;

	if (uname(&u) == 0)
		snprintf(rep->kernel, sizeof(rep->kernel), "%s", u.release);
	snprintf(rep->lab, sizeof(rep->lab), "%s", lab);
	probe_roles_resolve(t, &roles);
	/* The same source however the file was named (`probe LAB`, `run FILE`). */
	if (!t->file || !realpath(t->file, R.source))
		snprintf(R.source, sizeof(R.source), "%s", t->file ? t->file : "");

	R.nsfd = malloc(n * sizeof(int));
	R.nserr = calloc(n, sizeof(int));
	R.nodes = malloc(n * sizeof(int));
	if (!R.nsfd || !R.nserr || !R.nodes) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		R.nsfd[i] = node_fd && i < t->n_nodes ? node_fd[i] : -1;
	if (userns_read_uid_map(&R.uid_map) < 0)
		R.uid_map = (struct userns_map){.n = 1, .r[0] = {0, 0, 4294967295UL}};
	ret = node_fd ? 0 : nodes_open(&R, err, errlen);
	if (ret < 0)
		goto out;
	sysctls_record(&R, rep);
	/* Stop signals wait for the case's end, which ends its programs; they
	 * are delivered when the mask is restored (run keeps them blocked). */
	sigstop_block(&old_mask);
	R.child_cpu_us = children_cpu_us();
	ret = cases_run(&R, o, rep);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (ret < 0)
		snprintf(err, errlen, "out of memory");
out:
	probe_reaper_end(&R.reaper);
	probe_leave_node(&R);
	for (size_t i = 0; !node_fd && R.nsfd && i < t->n_nodes; i++)
		if (R.nsfd[i] >= 0)
			close(R.nsfd[i]);
	free(R.nsfd);
	free(R.nserr);
	free(R.nodes);
	free(R.port_busy);
	return ret;
}

int probe_lab(const struct topology *t, const char *lab, const struct probe_opts *o,
	      struct report *rep, char *err, size_t errlen)
{
	return probe_any(t, lab, NULL, o, rep, err, errlen);
}

int probe_lab_fds(const struct topology *t, const char *lab, const int *node_fd,
		  const struct probe_opts *o, struct report *rep, char *err, size_t errlen)
{
	return probe_any(t, lab, node_fd, o, rep, err, errlen);
}

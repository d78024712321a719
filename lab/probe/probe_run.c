/* SPDX-License-Identifier: MIT */
/*
 * The probe runner: opens the lab's namespaces, records the kernel and the
 * outcome-changing sysctls, and runs the selected cases in catalog order,
 * then the topology's own, into one report.
 *
 * Sockets are opened by this process: setns() into the node's namespace,
 * socket(), and back, so no shell or external program is involved.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <fnmatch.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "netns/ns.h"

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
	int fd;

	buf[0] = '\0';
	if (ns_sysctl_path(key, path, sizeof(path)) < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\t')
			*p = ' ';
}

int probe_lab(const struct topology *t, const char *lab, const struct probe_opts *o,
	      struct report *rep, char *err, size_t errlen)
{
	static const char *const sysctls[] = {"net.ipv6.bindv6only", "net.ipv4.ip_local_port_range",
					      "net.ipv4.ip_autobind_reuse",
					      "net.ipv4.tcp_migrate_req"};
	struct probe_roles roles;
	struct run R = {.t = t, .lab = lab, .roles = &roles, .orig_ns = -1, .cur_node = -1};
	struct utsname u;
	char range[64] = "";
	size_t n_open = 0;
	int ret = 0, first_err = 0, sys_node;

	if (uname(&u) == 0)
		snprintf(rep->kernel, sizeof(rep->kernel), "%s", u.release);
	snprintf(rep->lab, sizeof(rep->lab), "%s", lab);
	probe_roles_resolve(t, &roles);

	R.nsfd = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(int));
	R.nserr = calloc(t->n_nodes ? t->n_nodes : 1, sizeof(int));
	if (!R.nsfd || !R.nserr) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++)
		R.nsfd[i] = -1;
	R.orig_ns = ns_open_current();
	if (R.orig_ns < 0) {
		ret = R.orig_ns;
		snprintf(err, errlen, "cannot open the current network namespace: %s",
			 strerror(-ret));
		goto out;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		char name[NS_NAME_MAX + 1];
		int r;

		r = lab_ns_name(lab, t->nodes[i].name, name, sizeof(name));
		if (r == 0)
			r = lab_node_open(lab, t->nodes[i].name, &R.nsfd[i]);
		if (r == -EEXIST) {
			/* Someone else's namespace under our name: never enter it. */
			ret = r;
			snprintf(err, errlen, "namespace %s is not a reuselab namespace of lab %s",
				 name, lab);
			goto out;
		}
		if (r < 0) {
			R.nserr[i] = -r;
			if (!first_err) {
				first_err = -r;
				snprintf(err, errlen, "lab '%s' is not running: " NS_RUN_DIR "/%s: %s",
					 lab, name, strerror(-r));
			}
		} else {
			n_open++;
		}
	}
	if (n_open == 0) {
		ret = -(first_err ? first_err : ENOENT);
		if (!first_err)
			snprintf(err, errlen, "lab '%s' has no nodes", lab);
		goto out;
	}

	/* The outcome-changing sysctls, as the server node sees them. */
	sys_node = roles.srv >= 0 && R.nsfd[roles.srv] >= 0 ? roles.srv : -1;
	for (size_t i = 0; sys_node < 0 && i < t->n_nodes; i++)
		if (R.nsfd[i] >= 0)
			sys_node = (int)i;
	if (probe_enter_node(&R, sys_node) == 0) {
		for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
			char v[64];

			read_sysctl(sysctls[i], v, sizeof(v));
			snprintf(rep->sysctls[rep->n_sysctls].key, sizeof(rep->sysctls[0].key),
				 "%s", sysctls[i]);
			snprintf(rep->sysctls[rep->n_sysctls].value, sizeof(rep->sysctls[0].value),
				 "%s", v);
			rep->n_sysctls++;
			if (!strcmp(sysctls[i], "net.ipv4.ip_local_port_range"))
				snprintf(range, sizeof(range), "%s", v);
		}
	}
	probe_port_range_pick(&R, range);
	probe_leave_node(&R);

	for (size_t i = 0; i < catalog_n_cases; i++) {
		const struct catalog_case *cc = &catalog_cases[i];
		struct case_result *cr;

		if (!probe_case_selected(o, cc->id, cc->claim))
			continue;
		ret = report_add(rep, &cr);
		if (ret < 0)
			goto nomem;
		ret = probe_run_catalog_case(&R, cc, cr);
		if (ret < 0)
			goto nomem;
	}
	for (size_t i = 0; i < t->n_cases; i++) {
		const struct topo_case *tc = &t->cases[i];
		struct case_result *cr;

		if (!probe_case_selected(o, tc->id, tc->claim ? tc->claim : "user"))
			continue;
		ret = report_add(rep, &cr);
		if (ret < 0)
			goto nomem;
		probe_run_user_case(&R, tc, cr);
	}
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	if (R.cur_node != -1 && R.orig_ns >= 0)
		(void)setns(R.orig_ns, CLONE_NEWNET);
	for (size_t i = 0; R.nsfd && i < t->n_nodes; i++)
		if (R.nsfd[i] >= 0)
			close(R.nsfd[i]);
	if (R.orig_ns >= 0)
		close(R.orig_ns);
	free(R.nsfd);
	free(R.nserr);
	return ret;
}

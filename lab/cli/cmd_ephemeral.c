/* SPDX-License-Identifier: MIT */
/*
 * One-shot commands on a topology file (run, probe FILE, matrix FILE NODE)
 * build an ephemeral lab: namespaces with no name, held only by this
 * process's fds (lab_build_ephemeral), freed by the kernel however we end.
 * As a normal user, a user namespace of our own comes first (netns/userns.h).
 * SIGINT, SIGTERM and SIGHUP stay blocked from the build on and are honoured
 * at the next boundary: the fds close and the lab goes.
 */
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/cli/cmd.h"
#include "lab/cli/cmd_int.h"
#include "lab/labns/labns.h"
#include "lab/util/util.h"
#include "netns/netns.h"

bool cmd_lab_published(const char *lab)
{
	struct lab_state st;
	char prefix[64], **names = NULL;
	size_t n = 0;

	if (state_read(lab, &st) == 0) {
		state_clear(&st);
		return true;
	}
	if (lab_ns_prefix(lab, prefix, sizeof(prefix)) < 0 ||
	    lab_ns_list(prefix, &names, &n) < 0)
		return true; /* cannot tell: take the lab by name, which says why */
	names_free(names, n);
	return n > 0;
}

int cmd_ephemeral_run(const struct topology *t, const char *lab, const char *cmd,
		      cmd_ephemeral_fn fn, void *data)
{
	struct lab_fds fds = {.lans_fd = -1};
	char err[1024] = "";
	bool subids, rootless = false;
	int rc = EXIT_OK, r, sig;

	if (geteuid() != 0) {
		r = userns_enter(true, &subids, err, sizeof(err));
		if (r < 0) {
			cmd_err("%s: %s", cmd, err);
			return EXIT_USAGE;
		}
		rootless = true;
	}
	sigstop_block(NULL);
	r = lab_build_ephemeral(t, lab, &fds, err, sizeof(err));
	sig = sigstop_pending();
	if (r < 0 && r != -EINTR) {
		cmd_err("lab '%s': %s", lab, err[0] ? err : strerror(-r));
		return EXIT_SYSTEM;
	}
	if (r == 0 && !sig) {
		rc = fn(&fds, rootless, data);
		sig = sigstop_pending();
	}
	lab_fds_close(&fds);
	if (!sig && r == 0)
		return rc;
	if (!sig)
		sig = SIGINT; /* -EINTR: the build saw one that has gone since */
	cmd_err("%s: interrupted by signal %d; lab %s removed", cmd, sig, lab);
	return 128 + sig;
}

struct ephemeral_probe {
	const struct topology *t;
	const char *lab, *cmd;
	struct probe_request req;
};

static int probe_in(const struct lab_fds *fds, bool rootless, void *data)
{
	struct ephemeral_probe *p = data;

	fprintf(stderr, "reuselab: lab %s is up; probing (ephemeral%s)\n", p->lab,
		rootless ? ", rootless" : "");
	fflush(stderr);
	p->req.node_fd = fds->node_fd;
	p->req.rootless = rootless;
	return cmd_probe_lab(p->t, p->lab, &p->req, p->cmd);
}

int cmd_probe_ephemeral(const struct topology *t, const char *lab,
			const struct probe_request *req, const char *cmd)
{
	struct ephemeral_probe p = {.t = t, .lab = lab, .cmd = cmd, .req = *req};

	return cmd_ephemeral_run(t, lab, cmd, probe_in, &p);
}

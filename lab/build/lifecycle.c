// SPDX-License-Identifier: MIT
/*
 * The lab lifecycle the up, down and run commands share: build under the
 * lab's lock with a write-ahead state, roll back on any failure or stop
 * signal, and remove.  Returns -errno with one line in err; the commands
 * print it and choose the exit status.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab/build/build.h"
#include "lab/build/build_int.h"
#include "lab/util/util.h"

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

int lab_plan_print(const struct topology *t, const char *lab, FILE *out, char *err, size_t errlen)
{
	struct build_plan *p = NULL;
	char line[512];
	int r;

	r = plan_make(t, lab, &p, err, errlen);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n_acts; i++) {
		plan_format(p, t, i, line, sizeof(line));
		fprintf(out, "%4zu  %s\n", i + 1, line);
	}
	plan_free(p);
	return 0;
}

int lab_up_refused(const char *lab, char *err, size_t errlen)
{
	struct lab_state st;
	int r = state_read(lab, &st);

	if (r == 0) {
		fail(err, errlen, -EALREADY,
		     "already up (from %s); remove it with 'reuselab down %s'", st.file, lab);
		state_clear(&st);
		return -EALREADY;
	}
	if (r != -ENOENT)
		/* A planted symlink (ELOOP) or garbage: refuse rather than overwrite. */
		return fail(err, errlen, r,
			    "unusable state file " STATE_DIR "/%s.json: %s; remove it with "
			    "'reuselab down %s'",
			    lab, strerror(-r), lab);
	return 0;
}

/* Lock, refuse a lab that is up or a state we cannot read, write the write-ahead state. */
static int up_prepare(const struct topology *t, const char *lab, int *ret_lock, char *err,
		      size_t errlen)
{
	int r;

	/*
	 * Waiting for the lock stays interruptible (nothing is ours yet); from
	 * the lock on, signals are blocked so one is honoured by rolling back,
	 * never by dying midway.
	 */
	*ret_lock = state_lock(lab, false);
	sigstop_block(NULL);
	if (*ret_lock == -ELOOP || *ret_lock == -EBADFD)
		return fail(err, errlen, -EBADMSG,
			    "lock file " STATE_DIR "/%s.lock is %s; 'reuselab down %s' replaces it",
			    lab, *ret_lock == -ELOOP ? "a symlink" : "not a regular file", lab);
	if (*ret_lock < 0)
		return fail(err, errlen, *ret_lock, "cannot take lock in " STATE_DIR ": %s",
			    strerror(-*ret_lock));
	r = lab_up_refused(lab, err, errlen);
	if (r < 0)
		return r == -EALREADY ? r : -EBADMSG; /* a state file we cannot use */
	r = state_write(t, lab, NULL);
	if (r < 0) {
		state_lock_remove(lab); /* state_write left nothing else */
		return fail(err, errlen, r, "cannot write state in " STATE_DIR ": %s",
			    strerror(-r));
	}
	return 0;
}

/*
 * After a failure (r < 0, message in err): remove what the build made
 * (built: lab_build succeeded, so it is all still there) and the state.
 * Returns r, or -ENOTRECOVERABLE when something could not be removed.
 */
static int up_undo(const struct topology *t, const char *lab, bool built, int r, char *err,
		   size_t errlen)
{
	struct teardown_result tr = {0};
	char undo_err[512] = "", why[1024];
	int left = 0;

	if (built)
		left = lab_teardown_topo(t, lab, &tr, undo_err, sizeof(undo_err));
	teardown_result_clear(&tr);
	snprintf(why, sizeof(why), "%s", err && err[0] ? err : strerror(-r));
	if (left < 0)
		return fail(err, errlen, -ENOTRECOVERABLE,
			    "%s; rolling back failed too: %s (run 'reuselab down %s')", why,
			    undo_err, lab);
	if (state_remove(lab) < 0)
		return fail(err, errlen, -ENOTRECOVERABLE,
			    "%s; its state could not be removed (run 'reuselab down %s')", why,
			    lab);
	if (r == -EINTR)
		return fail(err, errlen, r, "interrupted, everything built was removed");
	return fail(err, errlen, r, "%s", why);
}

int lab_up(const struct topology *t, const char *lab, const struct build_progress *progress,
	   int *ret_signal, char *err, size_t errlen)
{
	struct lab_mounts mounts = {0};
	int lock = -1, r;
	bool built = false;

	if (errlen)
		err[0] = '\0';
	r = up_prepare(t, lab, &lock, err, errlen);
	if (r < 0)
		goto out;
	r = lab_build(t, lab, progress, &mounts, err, errlen);
	built = r == 0; /* on failure lab_build has already removed what it made */
	if (r == 0) {
		r = state_write(t, lab, &mounts);
		if (r < 0)
			fail(err, errlen, r, "cannot record state in " STATE_DIR ": %s",
			     strerror(-r));
	}
	/*
	 * The last look: signals stay blocked after we return, so one that
	 * comes later stays pending and cannot kill the process with the lab
	 * up; the caller exits normally.  One that came by now undoes it all.
	 */
	if (r == 0 && sigstop_pending())
		r = fail(err, errlen, -EINTR, "interrupted by a signal");
	if (r < 0)
		r = up_undo(t, lab, built, r, err, errlen);
out:
	lab_mounts_free(&mounts);
	state_unlock(lock);
	*ret_signal = sigstop_pending();
	return r;
}

int lab_down(const char *lab, struct teardown_result *ret, bool *ret_had_state, char *err,
	     size_t errlen)
{
	struct lab_state st;
	int lock, r, have_state;

	*ret = (struct teardown_result){0};
	if (ret_had_state)
		*ret_had_state = false;
	if (errlen)
		err[0] = '\0';
	/* A planted lock file would keep the lab forever: down replaces it. */
	lock = state_lock(lab, true);
	if (lock < 0)
		return fail(err, errlen, lock, "cannot take lock in " STATE_DIR ": %s",
			    strerror(-lock));
	/* The state's node names: the only stale files lab_teardown may remove. */
	have_state = state_read(lab, &st) == 0;
	r = lab_teardown(lab,
			 have_state ? &(struct teardown_hint){.nodes = st.nodes,
							      .n_nodes = st.n_nodes,
							      .mounts = &st.mounts}
				    : NULL,
			 ret, err, errlen);
	if (have_state)
		state_clear(&st);
	if (r < 0)
		goto out;
	r = state_remove(lab);
	if (r < 0) {
		fail(err, errlen, r, "cannot remove its state: %s", strerror(-r));
		goto out;
	}
	if (ret_had_state)
		*ret_had_state = r > 0;
	r = 0;
out:
	state_unlock(lock);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * Output files the user names (--junit FILE, matrix --html FILE).  We run as
 * root, often in a directory others can write (/tmp, a CI workspace), so a
 * symlink planted at FILE must not make us write where it points.
 *
 * We never open FILE itself: the report goes to a new temporary file next to
 * it, created with O_CREAT|O_EXCL|O_NOFOLLOW (it cannot be a link, nor one
 * raced in after we chose the name), and rename() puts it at FILE.  rename()
 * replaces a symlink at FILE by our file; it never follows the link, so the
 * file the link pointed to is untouched (a hard link planted at FILE loses
 * only its name the same way).  The same directory keeps rename()
 * atomic: a reader sees the old report or the whole new one, never half.
 * Reports are not secret, so the file is 0644 like any output file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/report/report.h"

/* "DIR/.BASE.XXXXXX" next to path (mkostemp's template), or -errno. */
static int temp_template(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dir_len = slash ? (int)(slash - path + 1) : 0;

	if (!*base)
		return -EISDIR; /* "dir/" names no file */
	if ((size_t)snprintf(buf, len, "%.*s.%s.XXXXXX", dir_len, path, base) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int report_output_check(const char *path, char *dir, size_t dir_len)
{
	const char *slash;
	struct stat st;

	if (!path || !*path)
		return -EINVAL;
	slash = strrchr(path, '/');
	if (slash && !slash[1])
		return -EISDIR; /* "dir/" names no file */
	if (!slash)
		snprintf(dir, dir_len, ".");
	else if ((size_t)snprintf(dir, dir_len, "%.*s", slash == path ? 1 : (int)(slash - path),
				  path) >= dir_len)
		return -ENAMETOOLONG;
	if (!strcmp(path, "-"))
		return 0;
	/* the directory may be reached through symlinks; only FILE never is */
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* the temporary file is made there (a read-only mount, a directory of
	 * root's for a rootless run) */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0)
		return -errno;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return -EISDIR;
	return 0;
}

/* Run fn on the stream, flush and close it: 0 or the first -errno. */
static int write_and_close(FILE *f, report_write_fn fn, const void *arg)
{
	int r = fn(f, arg);

	if (r == 0)
		r = report_flush(f);
	if (fclose(f) == EOF && r == 0)
		r = errno ? -errno : -EIO;
	return r;
}

int report_write_file(const char *path, report_write_fn fn, const void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int r, fd;

	if (!path || !*path)
		return -EINVAL;
	if (!strcmp(path, "-")) {
		r = fn(stdout, arg);
		return r < 0 ? r : report_flush(stdout);
	}
	r = temp_template(path, tmp, sizeof(tmp));
	if (r < 0)
		return r;
	fd = mkostemp(tmp, O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0) {
		r = -errno;
		close(fd);
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		goto out;
	}
	r = write_and_close(f, fn, arg);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
out:
	if (r < 0)
		unlink(tmp);
	return r;
}

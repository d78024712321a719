/* SPDX-License-Identifier: MIT */
/*
 * cpio "newc" (SVR4, no CRC), the one format the kernel's initramfs
 * unpacker reads: "070701", 13 fields of 8 hex digits, the name with its
 * NUL padded to 4 bytes, the data padded to 4 bytes, and a final entry
 * named TRAILER!!!.  Owner root, mtime 0: the archive depends only on its
 * content.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"
#include "lab/util/util.h"

static void put_pad(struct cpio *c, size_t done)
{
	static const char zeros[4];
	size_t pad = (4 - done % 4) % 4;

	if (pad && fwrite(zeros, 1, pad, c->out) != pad && !c->err)
		c->err = -EIO;
}

static int put_header(struct cpio *c, const char *name, unsigned mode, size_t size)
{
	size_t namesize = strlen(name) + 1;
	int n;

	if (size > 0xffffffffu)
		return c->err ? c->err : (c->err = -EFBIG);
	n = fprintf(c->out,
		    "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", c->ino++,
		    mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	if (n != 110 || fwrite(name, 1, namesize, c->out) != namesize) {
		if (!c->err)
			c->err = errno ? -errno : -EIO;
		return c->err;
	}
	put_pad(c, 110 + namesize);
	return c->err;
}

void cpio_init(struct cpio *c, FILE *out)
{
	c->out = out;
	c->ino = 1;
	c->err = 0;
}

int cpio_add_dir(struct cpio *c, const char *name, unsigned mode)
{
	return put_header(c, name, S_IFDIR | (mode & 07777), 0);
}

int cpio_add_data(struct cpio *c, const char *name, unsigned mode, const void *data, size_t len)
{
	if (put_header(c, name, S_IFREG | (mode & 07777), len) < 0)
		return c->err;
	if (len && fwrite(data, 1, len, c->out) != len && !c->err)
		c->err = -EIO;
	put_pad(c, len);
	return c->err;
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target)
{
	size_t len = strlen(target);

	if (put_header(c, name, S_IFLNK | 0777, len) < 0)
		return c->err;
	if (fwrite(target, 1, len, c->out) != len && !c->err)
		c->err = -EIO;
	put_pad(c, len);
	return c->err;
}

int cpio_add_file(struct cpio *c, const char *name, unsigned mode, const char *src)
{
	char buf[65536];
	struct stat st;
	size_t left;
	ssize_t n;
	int fd, r = 0;

	fd = path_open_regular(src, 0, &st);
	if (fd < 0)
		return fd;
	r = put_header(c, name, S_IFREG | (mode & 07777), (size_t)st.st_size);
	if (r < 0)
		goto out;
	/* Exactly st_size bytes: a file that changes under us must not
	 * desynchronise the archive. */
	for (left = (size_t)st.st_size; left;) {
		n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = c->err = n < 0 ? -errno : -EIO;
			goto out;
		}
		if (fwrite(buf, 1, (size_t)n, c->out) != (size_t)n) {
			r = c->err = -EIO;
			goto out;
		}
		left -= (size_t)n;
	}
	put_pad(c, (size_t)st.st_size);
	r = c->err;
out:
	close(fd);
	return r;
}

int cpio_finish(struct cpio *c)
{
	static const char zeros[512];
	long pos;

	c->ino = 0;
	if (put_header(c, "TRAILER!!!", 0, 0) < 0)
		return c->err;
	pos = ftell(c->out);
	if (pos > 0 && pos % 512 && fwrite(zeros, 1, 512 - (size_t)(pos % 512), c->out) !=
					   512 - (size_t)(pos % 512) && !c->err)
		c->err = -EIO;
	if (fflush(c->out) != 0 && !c->err)
		c->err = -errno;
	return c->err;
}

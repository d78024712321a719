/* SPDX-License-Identifier: MIT */
/*
 * The report channel: one frame the guest writes on its second serial port
 * and the host reads from QEMU's stdout.  Lengths up front and a closing
 * line, so a cut-off transfer is detected instead of half-parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/kernel/kernel.h"

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kernel_chan_write(int fd, const struct kernel_frame *f)
{
	char head[320];
	int n, r;

	n = snprintf(head, sizeof(head), "%s exit %d release %s lens %zu %zu %zu\n",
		     KERNEL_CHAN_MAGIC, f->exit_status, f->release[0] ? f->release : "-",
		     f->len[0], f->len[1], f->len[2]);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -EOVERFLOW;
	r = write_all(fd, head, (size_t)n);
	for (int i = 0; i < 3 && r == 0; i++)
		r = write_all(fd, f->part[i], f->len[i]);
	if (r == 0)
		r = write_all(fd, KERNEL_CHAN_MAGIC " end\n", strlen(KERNEL_CHAN_MAGIC " end\n"));
	return r;
}

static const char *find_last(const char *buf, size_t len, const char *needle)
{
	const char *hit = NULL, *p = buf;
	size_t nl = strlen(needle);

	while ((size_t)(p - buf) + nl <= len) {
		p = memmem(p, len - (size_t)(p - buf), needle, nl);
		if (!p)
			break;
		hit = p++;
	}
	return hit;
}

int kernel_chan_parse(const char *buf, size_t len, struct kernel_frame *ret)
{
	const char *h = find_last(buf, len, KERNEL_CHAN_MAGIC " exit "), *nl, *p;
	char line[320];
	size_t total = 0, end_len = strlen(KERNEL_CHAN_MAGIC " end\n");
	int n = 0;

	if (!h || !(nl = memchr(h, '\n', len - (size_t)(h - buf))) ||
	    (size_t)(nl - h) >= sizeof(line))
		return -EPROTO;
	memcpy(line, h, (size_t)(nl - h));
	line[nl - h] = '\0';
	memset(ret, 0, sizeof(*ret));
	if (sscanf(line, KERNEL_CHAN_MAGIC " exit %d release %127s lens %zu %zu %zu%n",
		   &ret->exit_status, ret->release, &ret->len[0], &ret->len[1], &ret->len[2], &n) != 5 ||
	    line[n])
		return -EPROTO;
	p = nl + 1;
	for (int i = 0; i < 3; i++) {
		if (ret->len[i] > len || total + ret->len[i] > len)
			return -EPROTO;
		ret->part[i] = p + total;
		total += ret->len[i];
	}
	if ((size_t)(p - buf) + total + end_len > len ||
	    memcmp(p + total, KERNEL_CHAN_MAGIC " end\n", end_len))
		return -EPROTO;
	return 0;
}

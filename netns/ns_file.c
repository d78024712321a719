/* SPDX-License-Identifier: MIT */
/*
 * Reading small /proc files: a sysctl, a process's stat line or children.
 * netns/ needs this (userns.c asks the sysctls that forbid user namespaces)
 * and may not reach into lab/, so the readers lab/ needs too live here,
 * beside ns_file_write (ns.c).  One read(): these files are generated whole
 * on the first read, and what does not fit the caller's buffer is not wanted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "netns/netns.h"

ssize_t ns_file_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len == 0)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int ns_file_read_long(const char *path, long *ret)
{
	char buf[32], *end;
	ssize_t n = ns_file_read(path, buf, sizeof(buf));
	long v;

	if (n < 0)
		return (int)n;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf)
		return -EINVAL;
	if (errno)
		return -errno;
	while (*end == '\n' || *end == ' ' || *end == '\t')
		end++;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

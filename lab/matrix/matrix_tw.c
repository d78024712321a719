/* SPDX-License-Identifier: MIT */
/*
 * Room for the time-wait cells.  Each leaves one TIME-WAIT socket for 60 s,
 * and the namespace keeps at most net.ipv4.tcp_max_tw_buckets of them; past
 * that the kernel closes a socket without TIME-WAIT ("time wait bucket
 * table overflow"), the port is free, and the cell would read "ok" for a
 * reason that is no bind rule.  The limit scales with the machine's memory:
 * 131072 on this host, but 2048 in the 512 MB QEMU guest, fewer than the 2592
 * TCP time-wait cells of `--axes all`.  So raise it in the node's namespace
 * (per namespace since Linux 4.14) when it is too low, and say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/matrix/matrix.h"
#include "lab/matrix/matrix_int.h"

#define TW_BUCKETS "/proc/sys/net/ipv4/tcp_max_tw_buckets"
#define TW_SLACK   64 /* TIME-WAIT sockets that come while we look */

static long read_long(const char *path)
{
	char buf[32] = "";
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -EIO;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, strlen(buf)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* TIME-WAIT sockets the namespace holds now ("TCP: inuse 1 orphan 0 tw 7 ..."). */
static long tw_now(void)
{
	char line[256];
	long tw = 0;
	FILE *f = fopen("/proc/net/sockstat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " tw ");

		if (!strncmp(line, "TCP:", 4) && p)
			tw = strtol(p + 4, NULL, 10);
	}
	fclose(f);
	return tw;
}

void matrix_tw_room(struct matrix_result *res)
{
	long need, have;
	char *note = res->notes[4];
	size_t len = sizeof(res->notes[4]);
	int r;

	if (!(res->proto_mask & (1u << MX_TCP)))
		return;
	need = (long)MX_N_OPTS * res->n_axes * MX_N_OPTS * res->n_axes * MX_N_UID + tw_now() +
	       TW_SLACK;
	have = read_long(TW_BUCKETS);
	if (have < 0 || have >= need)
		return;
	r = write_long(TW_BUCKETS, need);
	if (r == 0)
		snprintf(note, len, "net.ipv4.tcp_max_tw_buckets raised from %ld to %ld in the node "
			 "for the time-wait cells", have, need);
	else
		snprintf(note, len, "net.ipv4.tcp_max_tw_buckets is %ld (%s): later time-wait cells "
			 "may find no TIME-WAIT", have, strerror(-r));
}

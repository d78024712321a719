/* SPDX-License-Identifier: MIT */
/*
 * Room for the time-wait cells.  Each leaves one TIME-WAIT socket for 60 s,
 * and the namespace keeps at most net.ipv4.tcp_max_tw_buckets of them; past
 * that the kernel closes a socket without TIME-WAIT ("time wait bucket
 * table overflow"), the port is free, and the cell would read "ok" for a
 * reason that is no bind rule.  The limit scales with the machine's memory:
 * 131072 on this host, but 2048 in the 512 MB QEMU guest, fewer than the 2592
 * TCP time-wait cells of `--axes all`.  So raise it in the node's namespace
 * (per namespace since Linux 4.14) when it is too low, and say so; and put
 * the node's value back when the cells are done, since a published lab's
 * settings are its owner's (an ephemeral lab's would go with it anyway).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/matrix/matrix.h"
#include "lab/matrix/matrix_int.h"
#include "netns/netns.h"

#define TW_BUCKETS "/proc/sys/net/ipv4/tcp_max_tw_buckets"
#define TW_SLACK   64 /* TIME-WAIT sockets that come while we look */

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

void matrix_tw_room(struct matrix_result *res, struct matrix_tw *ret)
{
	long need, have;
	char text[24], *note = res->notes[4];
	size_t len = sizeof(res->notes[4]);
	int r;

	ret->prev = ret->raised = 0;
	if (!(res->proto_mask & (1u << MX_TCP)))
		return;
	need = (long)MX_N_OPTS * res->n_axes * MX_N_OPTS * res->n_axes * MX_N_UID + tw_now() +
	       TW_SLACK;
	if (ns_file_read_long(TW_BUCKETS, &have) < 0 || have >= need)
		return;
	snprintf(text, sizeof(text), "%ld\n", need);
	r = ns_file_write(TW_BUCKETS, text);
	if (r == 0) {
		ret->prev = have;
		ret->raised = need;
		snprintf(note, len, "net.ipv4.tcp_max_tw_buckets raised from %ld to %ld in the node "
			 "for the time-wait cells", have, need);
	} else
		snprintf(note, len, "net.ipv4.tcp_max_tw_buckets is %ld (%s): later time-wait cells "
			 "may find no TIME-WAIT", have, strerror(-r));
}

void matrix_tw_restore(struct matrix_result *res, const struct matrix_tw *tw)
{
	char text[24], *note = res->notes[4];
	size_t len = sizeof(res->notes[4]);
	int r;

	if (!tw->raised)
		return;
	snprintf(text, sizeof(text), "%ld\n", tw->prev);
	r = ns_file_write(TW_BUCKETS, text);
	if (r == 0)
		snprintf(note, len, "net.ipv4.tcp_max_tw_buckets raised from %ld to %ld in the node "
			 "while the cells ran, then put back", tw->prev, tw->raised);
	else
		snprintf(note, len, "net.ipv4.tcp_max_tw_buckets raised from %ld to %ld in the node; "
			 "putting it back failed: %s", tw->prev, tw->raised, strerror(-r));
}

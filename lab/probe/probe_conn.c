/* SPDX-License-Identifier: MIT */
/*
 * Steps that end or undo a connection, and the one that waits: `shutdown S
 * rd|wr|rdwr`, `connect S unspec` (connect to AF_UNSPEC: a UDP socket
 * forgets its peer, a TCP one is disconnected, as gVisor's tests do), and
 * `sleep MS`, bounded so a case cannot hang a run.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

static const struct {
	const char *name;
	int how;
} shut_hows[] = {{"rd", SHUT_RD}, {"wr", SHUT_WR}, {"rdwr", SHUT_RDWR}};

int probe_parse_shutdown(struct step_words *w, struct probe_step *st)
{
	st->n_socks = 1;
	if (probe_word_sock(w, w->b, st->socks[0], sizeof(st->socks[0])) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(shut_hows) / sizeof(shut_hows[0]); i++)
		if (!strcmp(w->tok[w->b + 1], shut_hows[i].name)) {
			st->num = shut_hows[i].how;
			return 0;
		}
	return probe_words_fail(w, w->b + 1, "shutdown how: rd, wr or rdwr, not '%s'",
				w->tok[w->b + 1]);
}

int probe_run_shutdown(struct run *R, int node, const struct probe_step *st, struct psock *s,
		       struct step_result *res)
{
	res->err = shutdown(s->fd, (int)st->num) < 0 ? errno : 0;
	return 0;
}

/* connect S ENDPOINT, or connect S unspec. */
int probe_parse_connect(struct step_words *w, struct probe_step *st)
{
	st->n_socks = 1;
	if (probe_word_sock(w, w->b, st->socks[0], sizeof(st->socks[0])) < 0)
		return -EINVAL;
	if (!strcmp(w->tok[w->b + 1], "unspec")) {
		snprintf(st->endpoint, sizeof(st->endpoint), "unspec");
		return 0;
	}
	return probe_word_endpoint(w, w->b + 1, st);
}

int probe_run_connect_any(struct run *R, int node, const struct probe_step *st, struct psock *s,
			  struct step_result *res)
{
	struct sockaddr sa = {.sa_family = AF_UNSPEC};

	if (strcmp(st->endpoint, "unspec"))
		return probe_run_connect(R, node, st, s, res);
	res->err = connect(s->fd, &sa, sizeof(sa)) < 0 ? errno : 0;
	return 0;
}

int probe_parse_sleep(struct step_words *w, struct probe_step *st)
{
	if (probe_word_num(w, w->b, 0, PROBE_SLEEP_MAX_MS, &st->num) < 0)
		return probe_words_fail(w, w->b, "sleep takes milliseconds, 0..%d",
					PROBE_SLEEP_MAX_MS);
	return 0;
}

int probe_run_sleep(struct run *R, int node, const struct probe_step *st, struct psock *unused,
		    struct step_result *res)
{
	long end = monotonic_ms() + st->num;

	for (long left = st->num; left > 0; left = end - monotonic_ms())
		(void)poll(NULL, 0, (int)left);
	return 0;
}

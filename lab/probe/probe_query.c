/* SPDX-License-Identifier: MIT */
/*
 * getsockname and getpeername: the address the kernel chose (an ephemeral
 * port after connect or bind to port 0) as the step's value (the port) and
 * text (the endpoint), so a case can check it or capture it ($x = ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

unsigned probe_sa_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
		return ntohs(s4->sin_port);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
		return ntohs(s6->sin6_port);
	}
	snprintf(buf, len, "family-%d", ss->ss_family);
	return 0;
}

typedef int name_fn(int fd, struct sockaddr *sa, socklen_t *len);

static int query(struct run *R, name_fn *fn, struct psock *s, struct step_result *res)
{
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(ss);

	if (fn(s->fd, (struct sockaddr *)&ss, &len) < 0) {
		res->err = errno;
		return 0;
	}
	res->value = probe_sa_text(&ss, res->text, sizeof(res->text));
	if (res->value)
		probe_note_port(R, (uint16_t)res->value);
	return 0;
}

int probe_run_getsockname(struct run *R, int node, const struct probe_step *st, struct psock *s,
			  struct step_result *res)
{
	return query(R, getsockname, s, res);
}

int probe_run_getpeername(struct run *R, int node, const struct probe_step *st, struct psock *s,
			  struct step_result *res)
{
	return query(R, getpeername, s, res);
}

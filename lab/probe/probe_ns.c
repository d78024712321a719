/* SPDX-License-Identifier: MIT */
/*
 * Where a case's sockets live: entering a node's namespace (and back), opening
 * sockets there, and the per-case table of named sockets.  A socket stays in
 * the namespace it was made in, so the runner only switches to make one.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"
#include "lab/util/util.h"

int probe_enter_node(struct run *R, int node)
{
	int r;

	if (R->cur_node == node)
		return 0;
	if (node < 0) {
		probe_leave_node(R);
		return 0;
	}
	if (R->nsfd[node] < 0)
		return -(R->nserr[node] ? R->nserr[node] : EBADF);
	r = ns_scope_enter(&R->ns, R->nsfd[node]);
	if (r < 0)
		return r;
	R->cur_node = node;
	return 0;
}

void probe_leave_node(struct run *R)
{
	ns_scope_leave(&R->ns);
	R->cur_node = -1;
}

struct psock *probe_sock_find(struct run *R, const char *name)
{
	for (size_t i = 0; i < R->n_socks; i++)
		if (!strcmp(R->socks[i].name, name))
			return &R->socks[i];
	return NULL;
}

struct psock *probe_operand(struct run *R, const struct probe_step *st, size_t i)
{
	struct psock *s = probe_sock_find(R, st->socks[i]);

	if (!s)
		snprintf(R->why, sizeof(R->why), "no socket named '%s'", st->socks[i]);
	return s;
}

void probe_anon_add(struct run *R, int fd)
{
	if (R->n_anon < MAX_ANON)
		R->anon[R->n_anon++] = fd;
	else
		close(fd);
}

int probe_sock_add(struct run *R, const char *name, int fd, int node, int family, int type)
{
	struct psock *old = probe_sock_find(R, name);

	if (old) { /* a name reused: the old socket lives on until the case ends */
		probe_anon_add(R, old->fd);
		*old = (struct psock){.fd = fd, .node = node, .family = family, .type = type};
		snprintf(old->name, sizeof(old->name), "%s", name);
		return 0;
	}
	if (R->n_socks == MAX_SOCKS) {
		close(fd);
		snprintf(R->why, sizeof(R->why), "too many sockets in one case");
		return -EMFILE;
	}
	R->socks[R->n_socks] =
	    (struct psock){.fd = fd, .node = node, .family = family, .type = type};
	snprintf(R->socks[R->n_socks].name, sizeof(R->socks[0].name), "%s", name);
	R->n_socks++;
	return 0;
}

void probe_sock_drop(struct run *R, struct psock *s)
{
	size_t i = (size_t)(s - R->socks);

	R->socks[i] = R->socks[--R->n_socks];
}

void probe_close_all(struct run *R)
{
	for (size_t i = 0; i < R->n_socks; i++)
		close(R->socks[i].fd);
	for (size_t i = 0; i < R->n_anon; i++)
		close(R->anon[i]);
	R->n_socks = 0;
	R->n_anon = 0;
}

int probe_ms_left(long end)
{
	long left = end - monotonic_ms();

	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* 1 readable/writable, 0 timeout, -errno. */
int probe_wait_fd(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	long end = monotonic_ms() + ms;
	int r;

	for (;;) {
		long left = end - monotonic_ms();

		r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r >= 0 || errno != EINTR)
			break;
	}
	return r < 0 ? -errno : r;
}

/* Open a socket in node `node`, optionally with fsuid `uid`. 0 or errno. */
int probe_open_socket(struct run *R, int node, int family, int type, long uid, int *ret_fd,
		      int *ret_err)
{
	int prev = -1, r;

	r = probe_enter_node(R, node);
	if (r < 0)
		return r;
	/* sk_uid is taken from the fsuid when the socket is made
	 * (sock_alloc_inode/sock_init_data); reuseport compares it. */
	if (uid >= 0)
		prev = setfsuid((uid_t)uid);
	*ret_fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	*ret_err = *ret_fd < 0 ? errno : 0;
	if (uid >= 0)
		setfsuid((uid_t)prev);
	return 0;
}

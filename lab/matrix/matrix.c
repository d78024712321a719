/* SPDX-License-Identifier: MIT */
/*
 * The bind matrix engine.  One process, one ns_run_in() into the namespace,
 * no fork: a cell is a handful of syscalls, so the ~4000 cells take a fraction
 * of a second.
 *
 * How a first socket gets its state (TCP):
 *   bound        socket, options, bind
 *   listening    ... listen
 *   established  ... listen; a client in the same namespace connects to the
 *                first socket's address (A for the wildcard); the server
 *                accepts, then closes the listener.  What holds the port is
 *                the accepted socket (it inherits the listener's options):
 *                the "restart while connections live" case.
 *   time-wait    as established, then the server side closes first (active
 *                close), so the TIME-WAIT sits on the first socket's
 *                addr:port.  We wait until the client's socket is CLOSED,
 *                which happens only once the server side sent its last ACK,
 *                i.e. is in TIME-WAIT.
 * UDP: bound, and connected (bind, then connect to A:9 or the bound address).
 *
 * Every cell gets a fresh port from a range below ip_local_port_range,
 * skipping ports the namespace already uses (sock_diag snapshot), so a
 * TIME-WAIT left by an earlier run or cell never leaks into another cell.
 * Established cells end with SO_LINGER 0 (RST) so they leave no TIME-WAIT.
 * The second socket of an "other uid" cell is created under fsuid 65534:
 * sk_uid (what SO_REUSEPORT compares) comes from the fsuid at socket().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lab/matrix/matrix.h"
#include "lab/matrix/matrix_int.h"
#include "lab/report/report.h"
#include "netns/netns.h"

#define PORT_LO_DEFAULT	 10000
#define PORT_HI_DEFAULT	 32767
#define SETUP_TIMEOUT_MS 1000
#define UDP_PEER_PORT	 9

struct ports {
	uint8_t used[65536 / 8];
	unsigned next, hi;
};

static void ports_mark(struct ports *p, unsigned port)
{
	p->used[port / 8] |= (uint8_t)(1u << (port % 8));
}

static int ports_take(struct ports *p)
{
	for (; p->next <= p->hi; p->next++) {
		unsigned port = p->next;

		if (!(p->used[port / 8] & (1u << (port % 8)))) {
			ports_mark(p, port);
			p->next++;
			return (int)port;
		}
	}
	return -ENOSPC;
}

/* Ports the namespace already holds (any state); read before we step in. */
static int ports_init(struct ports *p, int netns_fd, unsigned lo, unsigned hi)
{
	struct sock_seen *seen = NULL;
	size_t n = 0;
	int r;

	memset(p->used, 0, sizeof(p->used));
	p->next = lo;
	p->hi = hi;
	r = sockdiag_snapshot(netns_fd, NULL, 0, &seen, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (seen[i].lport)
			ports_mark(p, seen[i].lport);
	free(seen);
	return 0;
}

size_t matrix_cell_count(unsigned proto_mask, unsigned axes_mask)
{
	size_t n = (size_t)__builtin_popcount(axes_mask & MX_AXES_ALL);
	size_t per;

	if (!n)
		n = (size_t)__builtin_popcount(MX_AXES_V4);
	per = (size_t)MX_N_STATE * MX_N_OPTS * n * MX_N_OPTS * n * MX_N_UID;
	if (!(proto_mask & ((1u << MX_TCP) | (1u << MX_UDP))))
		proto_mask = (1u << MX_TCP) | (1u << MX_UDP);
	return per * (size_t)__builtin_popcount(proto_mask & 3u);
}

static void set_sin(struct sockaddr_in *sin, struct in_addr a, unsigned port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr = a;
	sin->sin_port = htons((uint16_t)port);
}

/* Axis a's address at port; returns the length to pass to bind()/connect(). */
static socklen_t axis_sockaddr(const struct matrix_result *res, unsigned a, unsigned port,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (matrix_addr_is_v6(a)) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = res->addr6[a];
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	set_sin((struct sockaddr_in *)ss, res->addr[a], port);
	return sizeof(struct sockaddr_in);
}

/*
 * Where a peer reaches a first socket bound to axis a: a wildcard or a
 * v4-mapped address on A (IPv4), [::] with V6ONLY on the IPv6 address.  A
 * TCP client is a socket of the peer's own family; a connected UDP first
 * socket connects itself, so an AF_INET6 one needs A as [::ffff:A].
 */
static const uint8_t tcp_peer[MX_N_ADDR] = {
    MX_ADDR_A,	MX_ADDR_A,  MX_ADDR_ALIAS, MX_ADDR_OTHER, MX_ADDR_A,
    MX_ADDR_V6, MX_ADDR_V6, MX_ADDR_A,	   MX_ADDR_A,
};
static const uint8_t udp_peer[MX_N_ADDR] = {
    MX_ADDR_A,	MX_ADDR_A,  MX_ADDR_ALIAS,	   MX_ADDR_OTHER,    MX_ADDR_MAPPED_A,
    MX_ADDR_V6, MX_ADDR_V6, MX_ADDR_MAPPED_A, MX_ADDR_MAPPED_A,
};

/* A socket with the cell's options; returns fd or -errno. */
static int opt_socket(unsigned proto, unsigned opts, unsigned axis)
{
	int one = 1, v6only = axis == MX_ADDR_V6ONLY_WILDCARD, fd;
	bool v6 = matrix_addr_is_v6(axis);

	fd = socket(v6 ? AF_INET6 : AF_INET,
		    (proto == MX_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Explicit either way: net.ipv6.bindv6only must not decide a cell. */
	if ((v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) ||
	    ((opts & MX_OPT_REUSEADDR) &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    ((opts & MX_OPT_REUSEPORT) &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static void close_rst(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static int wait_fd(int fd, short events)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do
		r = poll(&pfd, 1, SETUP_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

/* Wait until a TCP socket reaches state `st` (TCP_CLOSE, ...). */
static int wait_tcp_state(int fd, unsigned st)
{
	struct tcp_info ti;
	socklen_t len;

	for (int i = 0; i < SETUP_TIMEOUT_MS * 10; i++) {
		len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
			return -errno;
		if (ti.tcpi_state == st)
			return 0;
		if (i > 100)
			usleep(100);
		else
			sched_yield();
	}
	return -ETIMEDOUT;
}

struct first {
	int fd;	    /* what holds the port: the bound/listening socket or the accepted one */
	int client; /* the peer in established/time-wait cells */
	bool rst;   /* close with RST so no TIME-WAIT is left behind */
};

#define SETUP_FAIL(call, e)                                                                        \
	do {                                                                                       \
		snprintf(c->setup_call, sizeof(c->setup_call), "%s", call);                        \
		c->setup_err = -(e);                                                               \
		r = MATRIX_SETUP;                                                                  \
		goto out;                                                                          \
	} while (0)

static int first_setup(const struct matrix_result *res, struct matrix_cell *c, struct first *f)
{
	struct sockaddr_storage ss, peer;
	socklen_t len;
	int lfd = -1, r = 0;

	f->fd = f->client = -1;
	f->rst = false;
	lfd = opt_socket(c->proto, c->first_opts, c->first_addr);
	if (lfd < 0)
		SETUP_FAIL("socket", lfd);
	len = axis_sockaddr(res, c->first_addr, c->port, &ss);
	if (bind(lfd, (struct sockaddr *)&ss, len) < 0)
		SETUP_FAIL("bind", -errno);
	if (c->proto == MX_UDP) {
		if (c->state == MX_ESTABLISHED) {
			len = axis_sockaddr(res, udp_peer[c->first_addr], UDP_PEER_PORT, &peer);
			if (connect(lfd, (struct sockaddr *)&peer, len) < 0)
				SETUP_FAIL("connect", -errno);
		}
		f->fd = lfd;
		lfd = -1;
		goto out;
	}
	if (c->state == MX_BOUND) {
		f->fd = lfd;
		lfd = -1;
		goto out;
	}
	if (listen(lfd, 8) < 0)
		SETUP_FAIL("listen", -errno);
	if (c->state == MX_LISTENING) {
		f->fd = lfd;
		lfd = -1;
		goto out;
	}
	len = axis_sockaddr(res, tcp_peer[c->first_addr], c->port, &peer);
	f->client = socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->client < 0)
		SETUP_FAIL("socket", -errno);
	f->rst = true;
	/* Local delivery: the handshake completes inside connect(). */
	if (connect(f->client, (struct sockaddr *)&peer, len) < 0)
		SETUP_FAIL("connect", -errno);
	r = wait_fd(lfd, POLLIN);
	if (r < 0)
		SETUP_FAIL("accept", r);
	f->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (f->fd < 0)
		SETUP_FAIL("accept", -errno);
	close(lfd);
	lfd = -1;
	if (c->state == MX_ESTABLISHED)
		goto out;
	/* time-wait: the server side closes first, the client follows. */
	close(f->fd);
	f->fd = -1;
	r = wait_fd(f->client, POLLIN);
	if (r < 0)
		SETUP_FAIL("recv-fin", r);
	if (shutdown(f->client, SHUT_WR) < 0)
		SETUP_FAIL("shutdown", -errno);
	r = wait_tcp_state(f->client, TCP_CLOSE);
	if (r < 0)
		SETUP_FAIL("time-wait", r);
	close(f->client);
	f->client = -1;
	f->rst = false;
out:
	if (lfd >= 0)
		close(lfd);
	return r;
}

static void first_cleanup(struct first *f)
{
	if (f->rst) {
		close_rst(f->fd);
		close_rst(f->client);
	} else {
		if (f->fd >= 0)
			close(f->fd);
		if (f->client >= 0)
			close(f->client);
	}
	f->fd = f->client = -1;
}

/*
 * The second socket's bind(): its outcome is the cell's measurement, so it
 * comes back as data, 0 or the errno (> 0); -errno only when socket() failed.
 */
static int second_bind(const struct matrix_result *res, const struct matrix_cell *c)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, r = 0;

	if (c->uid == MX_UID_OTHER) {
		uid_t prev = (uid_t)setfsuid(MATRIX_OTHER_UID);

		fd = opt_socket(c->proto, c->second_opts, c->second_addr);
		setfsuid(prev);
	} else {
		fd = opt_socket(c->proto, c->second_opts, c->second_addr);
	}
	if (fd < 0)
		return fd;
	len = axis_sockaddr(res, c->second_addr, c->port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		r = errno;
	close(fd);
	return r;
}

/* Fill c->result (and c->port); 0, or -ENOSPC when no port is left (the run stops). */
static int run_cell(const struct matrix_result *res, struct matrix_cell *c, struct ports *ports)
{
	struct first f;
	int r, port;

	if (!matrix_state_applies(c->proto, c->state)) {
		c->result = MATRIX_NA;
		return 0;
	}
	if (!res->have[c->first_addr] || !res->have[c->second_addr]) {
		c->result = MATRIX_NA;
		return 0;
	}
	/* A state that needs a peer needs the address the peer reaches it on. */
	if (c->state != MX_BOUND && c->state != MX_LISTENING &&
	    !res->have[(c->proto == MX_TCP ? tcp_peer : udp_peer)[c->first_addr]]) {
		c->result = MATRIX_NA;
		return 0;
	}
	port = ports_take(ports);
	if (port < 0)
		return port;
	c->port = (uint16_t)port;
	r = first_setup(res, c, &f);
	if (r == 0) {
		r = second_bind(res, c);
		/* A negative value here is socket() failing, not bind(): a setup error. */
		if (r < 0) {
			snprintf(c->setup_call, sizeof(c->setup_call), "socket");
			c->setup_err = -r;
			r = MATRIX_SETUP;
		}
	}
	c->result = r;
	first_cleanup(&f);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void matrix_result_free(struct matrix_result *r)
{
	if (!r)
		return;
	free(r->cells);
	free(r->if_addrs);
	r->cells = NULL;
	r->if_addrs = NULL;
	r->n_cells = r->n_if_addrs = 0;
}

/* Cell i's coordinates, in the cells' storage order (see cell_at in matrix_out.c). */
static void cell_decode(const struct matrix_result *r, struct matrix_cell *c, size_t i, size_t per)
{
	size_t x = i % per;

	c->proto = (uint8_t)((r->proto_mask & (1u << MX_TCP)) && i < per ? MX_TCP : MX_UDP);
	c->uid = (uint8_t)(x % MX_N_UID);
	x /= MX_N_UID;
	c->second_addr = r->axis[x % r->n_axes];
	x /= r->n_axes;
	c->second_opts = (uint8_t)(x % MX_N_OPTS);
	x /= MX_N_OPTS;
	c->first_addr = r->axis[x % r->n_axes];
	x /= r->n_axes;
	c->first_opts = (uint8_t)(x % MX_N_OPTS);
	c->state = (uint8_t)(x / MX_N_OPTS);
}

/* What the part of a run inside the node's namespace needs. */
struct matrix_job {
	const struct matrix_config *cfg;
	struct matrix_result *res;
	struct ports *ports;
	size_t total;
};

/* Every cell, unless cfg->stop asks to stop (-EINTR).  0 or -errno. */
static int run_cells(struct matrix_job *job)
{
	const struct matrix_config *cfg = job->cfg;
	struct matrix_result *res = job->res;
	size_t per = matrix_cell_count(1u << MX_TCP, res->axes_mask);
	int r;
	double t0 = now_ms();

	for (size_t i = 0; i < job->total; i++) {
		if (cfg && cfg->stop && cfg->stop())
			return -EINTR;
		cell_decode(res, &res->cells[i], i, per);
		r = run_cell(res, &res->cells[i], job->ports);
		if (r < 0)
			return r;
		res->n_cells = i + 1;
		if (cfg && cfg->progress && (res->n_cells % 64 == 0 || res->n_cells == job->total))
			cfg->progress(cfg->progress_arg, res->n_cells, job->total);
	}
	res->elapsed_ms = now_ms() - t0;
	return 0;
}

/* Inside the node's namespace: find the addresses, run every cell.  0 or -errno. */
static int matrix_inside(void *arg)
{
	struct matrix_job *job = arg;
	struct matrix_tw tw;
	int r;

	r = matrix_discover(job->res, job->cfg ? job->cfg->want : NULL);
	if (r < 0)
		return r;
	/* The node's limit is raised for the cells only: whoever owns the lab
	 * gets its value back however they end. */
	matrix_tw_room(job->res, &tw);
	r = run_cells(job);
	matrix_tw_restore(job->res, &tw);
	return r;
}

int matrix_run(int netns_fd, const struct matrix_config *cfg, struct matrix_result *res)
{
	struct matrix_job job = {.cfg = cfg, .res = res};
	struct utsname u;
	unsigned lo, hi;
	int r;

	memset(res, 0, sizeof(*res));
	res->proto_mask = cfg && cfg->proto_mask ? cfg->proto_mask & 3u : 3u;
	lo = cfg && cfg->port_lo ? cfg->port_lo : PORT_LO_DEFAULT;
	hi = cfg && cfg->port_hi ? cfg->port_hi : PORT_HI_DEFAULT;
	res->axes_mask = cfg && cfg->axes_mask ? cfg->axes_mask & MX_AXES_ALL : MX_AXES_V4;
	if (!res->proto_mask || !res->axes_mask || lo > hi)
		return -EINVAL;
	for (unsigned a = 0; a < MX_N_ADDR; a++) {
		res->pos[a] = (int8_t)(res->axes_mask & (1u << a) ? (int)res->n_axes : -1);
		if (res->axes_mask & (1u << a))
			res->axis[res->n_axes++] = (uint8_t)a;
	}
	if (uname(&u) == 0)
		snprintf(res->kernel, sizeof(res->kernel), "%s", u.release);
	job.total = matrix_cell_count(res->proto_mask, res->axes_mask);
	if (hi - lo + 1 < job.total)
		return -ENOSPC;
	res->cells = calloc(job.total, sizeof(*res->cells));
	job.ports = malloc(sizeof(*job.ports));
	r = -ENOMEM;
	if (!res->cells || !job.ports)
		goto out;
	r = ports_init(job.ports, netns_fd, lo, hi);
	if (r < 0)
		goto out;
	/* Sockets are made where the thread stands: the whole run inside, then home. */
	r = ns_run_in(netns_fd, matrix_inside, &job);
	if (r < 0)
		goto out;
	res->port_first = (uint16_t)lo;
	res->port_last = (uint16_t)(job.ports->next - 1);
out:
	free(job.ports);
	if (r < 0)
		matrix_result_free(res);
	return r;
}

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

static int parse_port(const char *endpoint)
{
	const char *c = strrchr(endpoint, ':');

	return c ? atoi(c + 1) : 0;
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
	for (size_t i = 0; i < n; i++) {
		int port = parse_port(seen[i].local);

		if (port > 0 && port < 65536)
			ports_mark(p, (unsigned)port);
	}
	free(seen);
	return 0;
}

size_t matrix_cell_count(unsigned proto_mask)
{
	size_t per = (size_t)MX_N_STATE * MX_N_OPTS * MX_N_ADDR * MX_N_OPTS * MX_N_ADDR * MX_N_UID;

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

/* A socket with the cell's options; returns fd or -errno. */
static int opt_socket(unsigned proto, unsigned opts)
{
	int one = 1, fd;

	fd = socket(AF_INET, (proto == MX_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (((opts & MX_OPT_REUSEADDR) &&
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
	struct sockaddr_in sin, peer;
	struct in_addr dst;
	int lfd = -1, r = 0;

	f->fd = f->client = -1;
	f->rst = false;
	lfd = opt_socket(c->proto, c->first_opts);
	if (lfd < 0)
		SETUP_FAIL("socket", lfd);
	set_sin(&sin, res->addr[c->first_addr], c->port);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		SETUP_FAIL("bind", -errno);
	dst = c->first_addr == MX_ADDR_WILDCARD ? res->addr[MX_ADDR_A] : res->addr[c->first_addr];
	if (c->proto == MX_UDP) {
		if (c->state == MX_ESTABLISHED) {
			set_sin(&peer, dst, UDP_PEER_PORT);
			if (connect(lfd, (struct sockaddr *)&peer, sizeof(peer)) < 0)
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
	f->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->client < 0)
		SETUP_FAIL("socket", -errno);
	f->rst = true;
	set_sin(&peer, dst, c->port);
	/* Local delivery: the handshake completes inside connect(). */
	if (connect(f->client, (struct sockaddr *)&peer, sizeof(peer)) < 0)
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
	struct sockaddr_in sin;
	int fd, r = 0;

	if (c->uid == MX_UID_OTHER) {
		uid_t prev = (uid_t)setfsuid(MATRIX_OTHER_UID);

		fd = opt_socket(c->proto, c->second_opts);
		setfsuid(prev);
	} else {
		fd = opt_socket(c->proto, c->second_opts);
	}
	if (fd < 0)
		return fd;
	set_sin(&sin, res->addr[c->second_addr], c->port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		r = errno;
	close(fd);
	return r;
}

/* Fill c->result (and c->port); 0, or -ENOSPC when no port is left (the run stops). */
static int run_cell(const struct matrix_result *res, struct matrix_cell *c, struct ports *ports)
{
	struct first f;
	int r, port;

	if (c->proto == MX_UDP && (c->state == MX_LISTENING || c->state == MX_TIME_WAIT)) {
		c->result = MATRIX_NA;
		return 0;
	}
	if (!res->have[c->first_addr] || !res->have[c->second_addr]) {
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

static int prefix_len(int fam, const struct sockaddr *mask)
{
	const uint8_t *m = fam == AF_INET
			       ? (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr
			       : (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
	int plen = 0;

	for (int b = 0; b < (fam == AF_INET ? 4 : 16); b++)
		plen += __builtin_popcount(m[b]);
	return plen;
}

static bool is_ip(const struct ifaddrs *i)
{
	return i->ifa_addr &&
	       (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6);
}

/* An IPv4 address on an up interface; loopback only when `loopback`. */
static bool is_usable_v4(const struct ifaddrs *i, bool loopback)
{
	return i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (i->ifa_flags & IFF_UP) &&
	       !!(i->ifa_flags & IFF_LOOPBACK) == loopback;
}

static struct in_addr v4_of(const struct ifaddrs *i)
{
	return ((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
}

/* Every IPv4 and IPv6 address of the node, for the outputs. */
static int list_if_addrs(const struct ifaddrs *ifa, struct matrix_result *res)
{
	size_t n = 0;

	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next)
		n += is_ip(i);
	res->if_addrs = calloc(n ? n : 1, sizeof(*res->if_addrs));
	if (!res->if_addrs)
		return -ENOMEM;
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		struct matrix_if_addr *v;
		const void *src;
		int fam;

		if (!is_ip(i))
			continue;
		fam = i->ifa_addr->sa_family;
		v = &res->if_addrs[res->n_if_addrs++];
		snprintf(v->ifname, sizeof(v->ifname), "%s", i->ifa_name);
		v->up = i->ifa_flags & IFF_UP;
		v->loopback = i->ifa_flags & IFF_LOOPBACK;
		v->family = fam;
		src = fam == AF_INET
			  ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
			  : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		inet_ntop(fam, src, v->text, INET6_ADDRSTRLEN);
		if (i->ifa_netmask)
			snprintf(v->text + strlen(v->text), sizeof(v->text) - strlen(v->text),
				 "/%d", prefix_len(fam, i->ifa_netmask));
	}
	return 0;
}

/* Count the IPv4 addresses of interface `name`, keeping the first two. */
static size_t v4_of_interface(const struct ifaddrs *ifa, const char *name, struct in_addr two[2])
{
	size_t cnt = 0;

	for (const struct ifaddrs *j = ifa; j; j = j->ifa_next) {
		if (!j->ifa_addr || j->ifa_addr->sa_family != AF_INET || strcmp(j->ifa_name, name))
			continue;
		if (cnt < 2)
			two[cnt] = v4_of(j);
		cnt++;
	}
	return cnt;
}

/*
 * A and alias: the first up, non-loopback interface with two IPv4 addresses,
 * else the first with one (no alias).  Returns A's interface or NULL.
 */
static const char *pick_a_and_alias(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (size_t want = 2; want >= 1; want--) {
		for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
			struct in_addr two[2] = {{0}, {0}};
			size_t cnt;

			if (!is_usable_v4(i, false))
				continue;
			cnt = v4_of_interface(ifa, i->ifa_name, two);
			if (cnt < want)
				continue;
			res->have[MX_ADDR_A] = true;
			res->addr[MX_ADDR_A] = two[0];
			if (cnt >= 2) {
				res->have[MX_ADDR_ALIAS] = true;
				res->addr[MX_ADDR_ALIAS] = two[1];
				snprintf(res->addr_if[MX_ADDR_ALIAS], IF_NAMESIZE, "%s",
					 i->ifa_name);
			}
			return i->ifa_name;
		}
	}
	return NULL;
}

/* Nothing but loopback: A is 127.0.0.1 so the matrix still runs. */
static const char *pick_loopback_a(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!is_usable_v4(i, true))
			continue;
		res->have[MX_ADDR_A] = true;
		res->addr[MX_ADDR_A] = v4_of(i);
		snprintf(res->notes[0], sizeof(res->notes[0]),
			 "no IPv4 address outside loopback: A is %s on %s",
			 inet_ntoa(res->addr[MX_ADDR_A]), i->ifa_name);
		return i->ifa_name;
	}
	return NULL;
}

/* Other: an IPv4 address on an up, non-loopback interface other than A's. */
static void pick_other(const struct ifaddrs *ifa, const char *a_if, struct matrix_result *res)
{
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!is_usable_v4(i, false) || !strcmp(i->ifa_name, a_if))
			continue;
		res->have[MX_ADDR_OTHER] = true;
		res->addr[MX_ADDR_OTHER] = v4_of(i);
		snprintf(res->addr_if[MX_ADDR_OTHER], IF_NAMESIZE, "%s", i->ifa_name);
		return;
	}
	snprintf(res->notes[2], sizeof(res->notes[2]),
		 "no IPv4 address on a second interface: other axis skipped");
}

/* Choose A, alias and other from the node's IPv4 addresses (we are inside the ns). */
static int discover(struct matrix_result *res)
{
	struct ifaddrs *ifa = NULL;
	const char *a_if;
	int r;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	r = list_if_addrs(ifa, res);
	if (r < 0)
		goto out;
	res->have[MX_ADDR_WILDCARD] = true;
	res->addr[MX_ADDR_WILDCARD].s_addr = htonl(INADDR_ANY);
	snprintf(res->addr_if[MX_ADDR_WILDCARD], IF_NAMESIZE, "*");
	a_if = pick_a_and_alias(ifa, res);
	if (!a_if)
		a_if = pick_loopback_a(ifa, res);
	if (!a_if) {
		r = -EADDRNOTAVAIL;
		goto out;
	}
	snprintf(res->addr_if[MX_ADDR_A], IF_NAMESIZE, "%s", a_if);
	if (!res->have[MX_ADDR_ALIAS])
		snprintf(res->notes[1], sizeof(res->notes[1]),
			 "no interface carries two IPv4 addresses: alias axis skipped");
	pick_other(ifa, a_if, res);
out:
	freeifaddrs(ifa);
	return r;
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
static void cell_decode(struct matrix_cell *c, size_t i, unsigned mask, size_t per)
{
	size_t x = i % per;

	c->proto = (uint8_t)((mask & (1u << MX_TCP)) && i < per ? MX_TCP : MX_UDP);
	c->uid = (uint8_t)(x % MX_N_UID);
	x /= MX_N_UID;
	c->second_addr = (uint8_t)(x % MX_N_ADDR);
	x /= MX_N_ADDR;
	c->second_opts = (uint8_t)(x % MX_N_OPTS);
	x /= MX_N_OPTS;
	c->first_addr = (uint8_t)(x % MX_N_ADDR);
	x /= MX_N_ADDR;
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

/* Inside the node's namespace: find the addresses, run every cell.  0 or -errno. */
static int matrix_inside(void *arg)
{
	struct matrix_job *job = arg;
	const struct matrix_config *cfg = job->cfg;
	struct matrix_result *res = job->res;
	size_t per = matrix_cell_count(1u << MX_TCP);
	int r;
	double t0;

	r = discover(res);
	if (r < 0)
		return r;
	t0 = now_ms();
	for (size_t i = 0; i < job->total; i++) {
		cell_decode(&res->cells[i], i, res->proto_mask, per);
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
	if (!res->proto_mask || lo > hi)
		return -EINVAL;
	if (uname(&u) == 0)
		snprintf(res->kernel, sizeof(res->kernel), "%s", u.release);
	job.total = matrix_cell_count(res->proto_mask);
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

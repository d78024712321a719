/* SPDX-License-Identifier: MIT */
/*
 * The step language as one table: each step's name, arity, synopsis and
 * help, its parser (below) and its runner (probe_sock.c, probe_child.c).
 * The parser's driver (probe_parse.c), `check`, the runner and the step
 * reference (`reuselab cases --steps`) all read this table, so a step is
 * added in one place.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

/* S: the single socket operand at the first argument. */
static int parse_sock(struct step_words *w, struct probe_step *st)
{
	st->n_socks = 1;
	return probe_word_sock(w, w->b, st->socks[0], sizeof(st->socks[0]));
}

static int parse_socket(struct step_words *w, struct probe_step *st)
{
	if (probe_family_parse(w->tok[w->b], st) < 0)
		return probe_words_fail(
		    w, w->b, "unknown socket kind '%s' (tcp4, tcp6, udp4, udp6)", w->tok[w->b]);
	return 0;
}

static int parse_none(struct step_words *w, struct probe_step *st)
{
	return 0;
}

/* One word of `child`'s option list at *i (advanced past its value). */
static int parse_child_word(struct step_words *w, size_t *i, struct probe_step *st, bool *bound)
{
	const char *word = w->tok[*i];

	if (!strcmp(word, "reuseaddr")) {
		st->child_reuseaddr = true;
	} else if (!strcmp(word, "reuseport")) {
		st->child_reuseport = true;
	} else if (!strcmp(word, "uid")) {
		if (*i + 1 >= w->n || probe_word_num(w, *i + 1, 0, 0x7fffffff, &st->child_uid))
			return probe_words_fail(w, *i + 1, "uid needs a number");
		++*i;
	} else if (!strcmp(word, "bind")) {
		if (*i + 1 >= w->n)
			return probe_words_fail(w, *i + 1, "bind needs an endpoint");
		*bound = true;
		return probe_word_endpoint(w, ++*i, st);
	} else if (!strcmp(word, "listen")) {
		if (st->type != SOCK_STREAM)
			return probe_words_fail(w, *i, "listen needs a TCP socket");
		st->child_listen = true;
	} else {
		return probe_words_fail(w, *i, "unknown child word '%s'", word);
	}
	return 0;
}

static int parse_child(struct step_words *w, struct probe_step *st)
{
	bool bound = false;
	int r;

	if (probe_family_parse(w->tok[w->b], st) < 0)
		return probe_words_fail(w, w->b, "usage: %s",
					probe_step_def_of(PROBE_CHILD)->synopsis);
	st->child_uid = -1;
	for (size_t i = w->b + 1; i < w->n; i++) {
		r = parse_child_word(w, &i, st, &bound);
		if (r < 0)
			return r;
	}
	if (!bound)
		return probe_words_fail(w, w->n, "child needs 'bind ENDPOINT'");
	return 0;
}

static int parse_join(struct step_words *w, struct probe_step *st)
{
	if (parse_sock(w, st) < 0 || probe_word_addr(w, w->b + 1, st->arg, sizeof(st->arg)) < 0)
		return -EINVAL;
	return probe_word_ifname(w, w->b + 2, st->arg2, sizeof(st->arg2));
}

/* S ENDPOINT: bind, connect. */
static int parse_sock_endpoint(struct step_words *w, struct probe_step *st)
{
	if (parse_sock(w, st) < 0)
		return -EINVAL;
	return probe_word_endpoint(w, w->b + 1, st);
}

static int parse_listen(struct step_words *w, struct probe_step *st)
{
	if (parse_sock(w, st) < 0)
		return -EINVAL;
	st->num = 128;
	if (w->n - w->b == 2 && probe_word_num(w, w->b + 1, 0, 65535, &st->num) < 0)
		return probe_words_fail(w, w->b + 1, "bad backlog '%s'", w->tok[w->b + 1]);
	return 0;
}

static int parse_burst(struct step_words *w, struct probe_step *st)
{
	if (probe_word_endpoint(w, w->b, st) < 0)
		return -EINVAL;
	if (probe_word_num(w, w->b + 1, 1, 256, &st->num) < 0)
		return probe_words_fail(w, w->b + 1, "burst count must be 1..256");
	return 0;
}

/* S ENDPOINT [N] [fastopen] */
static int parse_send(struct step_words *w, struct probe_step *st)
{
	size_t n = w->n;

	if (parse_sock_endpoint(w, st) < 0)
		return -EINVAL;
	if (n - w->b >= 3 && !strcmp(w->tok[n - 1], "fastopen")) {
		snprintf(st->arg, sizeof(st->arg), "fastopen");
		n--;
	}
	st->num = 1;
	if (n - w->b == 4)
		return probe_words_fail(w, w->b + 3, "usage: %s",
					probe_step_def_of(PROBE_SEND)->synopsis);
	if (n - w->b == 3 && probe_word_num(w, w->b + 2, 1, 1000, &st->num) < 0)
		return probe_words_fail(w, w->b + 2, "datagram count must be 1..1000");
	return 0;
}

/* S [S...]: every operand a socket, none named twice (one socket as two
 * operands crashed fork-daytime; it makes recv's counts meaningless). */
static int parse_socks(struct step_words *w, struct probe_step *st)
{
	for (size_t i = 0; w->b + i < w->n; i++) {
		if (probe_word_sock(w, w->b + i, st->socks[i], sizeof(st->socks[i])) < 0)
			return -EINVAL;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(st->socks[k], st->socks[i]))
				return probe_words_fail(w, w->b + i, "socket '%s' named twice",
							st->socks[i]);
		st->n_socks = i + 1;
	}
	return 0;
}

static int parse_daytime(struct step_words *w, struct probe_step *st)
{
	if (probe_word_sock(w, w->b, st->socks[0], sizeof(st->socks[0])) < 0 ||
	    probe_word_sock(w, w->b + 1, st->socks[1], sizeof(st->socks[1])) < 0)
		return -EINVAL;
	if (!strcmp(st->socks[0], st->socks[1]))
		return probe_words_fail(w, w->b + 1,
					"the listener and the connection must be two sockets");
	st->n_socks = 2;
	return 0;
}

static int parse_uid(struct step_words *w, struct probe_step *st)
{
	if (probe_word_num(w, w->b, 0, 0x7fffffff, &st->num) < 0)
		return probe_words_fail(w, w->b, "bad uid '%s'", w->tok[w->b]);
	st->has_num = true;
	return 0;
}

static int parse_wait_timewait(struct step_words *w, struct probe_step *st)
{
	return probe_word_port(w, w->b, st->arg, sizeof(st->arg));
}

/* In enum order: probe_step_def_of indexes by op, and unknown-step errors
 * list the names in this order. */
const struct probe_step_def probe_step_defs[] = {
    {PROBE_SOCKET, "socket", "NAME = socket tcp4|tcp6|udp4|udp6",
     "a socket (after owner UID: owned by UID; after as-user UID: made by UID)", 1, 1, .makes_socket = true, .setup = true,
     .example = "s = socket tcp4", .example_expect = "ok", .parse = parse_socket,
     .run = probe_run_socket},
    {PROBE_SETSOCKOPT, "setsockopt", "setsockopt S OPTION [VALUE]",
     "OPTION VALUE: SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY, IP_FREEBIND, "
     "IP_BIND_ADDRESS_NO_PORT, SO_INCOMING_CPU, SO_LINGER (a number: on, that many seconds), "
     "IP_TRANSPARENT (needs CAP_NET_ADMIN or CAP_NET_RAW, else EPERM) N; SO_BINDTODEVICE IFNAME; "
     "IP_MULTICAST_IF ADDR; SO_ATTACH_REUSEPORT_CBPF cpu (the group's socket of the receiving "
     "CPU's number) or index N (always socket N, in bind order); SO_DETACH_FILTER and "
     "SO_DETACH_REUSEPORT_BPF take no value",
     2, 4, .sock_operand = true, .setup = true, .example = "setsockopt s SO_REUSEADDR 1",
     .example_expect = "ok", .parse = probe_parse_setsockopt, .run = probe_run_setsockopt},
    {PROBE_JOIN, "join", "join S GROUP IFNAME", "IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP", 3, 3,
     .sock_operand = true, .setup = true, .example = "join r 239.1.1.1 eth0",
     .example_expect = "ok", .parse = parse_join, .run = probe_run_join},
    {PROBE_BIND, "bind", "bind S ENDPOINT", "ENDPOINT: ADDR:PORT, [ADDR6]:PORT or *:PORT", 2, 2,
     .sock_operand = true, .example = "bind s 10.0.1.1:$P", .example_expect = "EADDRINUSE",
     .parse = parse_sock_endpoint, .run = probe_run_bind},
    {PROBE_LISTEN, "listen", "listen S [BACKLOG]", "backlog 128 unless given", 1, 2,
     .sock_operand = true, .example = "listen s", .example_expect = "ok", .parse = parse_listen,
     .run = probe_run_listen},
    {PROBE_CONNECT, "connect", "connect S ENDPOINT|unspec",
     "non-blocking, 3 s bound; value: the local port; unspec: connect to AF_UNSPEC (UDP forgets "
     "its peer, TCP disconnects)",
     2, 2, .sock_operand = true, .captures = true, .example = "connect c 10.0.1.1:$P",
     .example_expect = "ok", .parse = probe_parse_connect, .run = probe_run_connect_any},
    {PROBE_ACCEPT, "accept", "NAME = accept S", "3 s bound; value: the peer's port", 1, 1,
     .makes_socket = true, .sock_operand = true, .example = "a = accept s", .example_expect = "ok",
     .parse = parse_sock, .run = probe_run_accept},
    {PROBE_ACCEPT_ALL, "accept-all", "accept-all S [S...]",
     "accept on each (up to 64 sockets) until no handshake to them is in flight (300 ms idle "
     "at most); value: how many in all",
     1,
     PROBE_MAX_SOCKS, .sock_operand = true, .has_value = true, .captures = true,
     .example = "accept-all s", .example_expect = "ok =3", .parse = parse_socks,
     .run = probe_run_accept_all},
    {PROBE_BURST, "burst", "burst ENDPOINT N",
     "N TCP connections (1..256) held open; value: how many connected", 2, 2, .has_value = true,
     .example = "burst 10.0.1.1:$P 3", .example_expect = "ok =3", .parse = parse_burst,
     .run = probe_run_burst},
    {PROBE_SEND, "send", "send S ENDPOINT [N] [fastopen]",
     "N messages (default 1) with sendto(2); value: how many were sent; fastopen: MSG_FASTOPEN, "
     "a TCP socket connects and sends in one call (TCP Fast Open, net.ipv4.tcp_fastopen)",
     2, 4,
     .sock_operand = true, .example = "send u 239.1.1.1:$P", .example_expect = "ok",
     .parse = parse_send, .run = probe_run_send},
    {PROBE_RECV, "recv", "recv S [S...]",
     "datagrams queued on each (up to 64 sockets) once what the case sent has arrived (500 ms "
     "at most); value: the total",
     1,
     PROBE_MAX_SOCKS, .has_value = true, .example = "recv r1 r2", .example_expect = "ok =2",
     .parse = parse_socks, .run = probe_run_recv},
    {PROBE_READ, "read", "read S", "stream bytes until EOF, 1 s bound; value: bytes", 1, 1,
     .sock_operand = true, .example = "read c", .example_expect = "ok", .parse = parse_sock,
     .run = probe_run_read},
    {PROBE_CLOSE, "close", "close S", "the name is free again", 1, 1, .sock_operand = true,
     .closes_operands = true, .example = "close a", .example_expect = NULL, .parse = parse_sock,
     .run = probe_run_close},
    {PROBE_AS_USER, "as-user", "as-user UID",
     "the next step runs in a child process that is UID (no supplementary groups, gid and uid "
     "UID): without root's capabilities, so a port below 1024 is EACCES; that step is one of: "
     "socket, setsockopt, getsockopt, bind, listen, connect, send, shutdown, getsockname, "
     "getpeername, join",
     1, 1, .setup = true, .example = "as-user 65534", .example_expect = NULL,
     .parse = parse_uid, .run = probe_run_as_user},
    {PROBE_CHILD, "child",
     "NAME = child tcp4|tcp6|udp4|udp6 [reuseaddr] [reuseport] [uid N] bind ENDPOINT [listen]",
     "a forked process opens, binds (and listens) and passes the socket back", 1, PROBE_MAX_WORDS,
     .makes_socket = true, .example = "k = child tcp4 reuseaddr bind *:$P listen",
     .example_expect = "ok", .parse = parse_child, .run = probe_run_child},
    {PROBE_FORK_DAYTIME, "fork-daytime", "fork-daytime LISTENER CONN",
     "a child closes LISTENER, writes the time on CONN and exits; the parent closes both", 2, 2,
     .closes_operands = true, .example = "fork-daytime s a", .example_expect = "ok",
     .parse = parse_daytime, .run = probe_run_fork_daytime},
    {PROBE_WAIT_TIMEWAIT, "wait-timewait", "wait-timewait PORT",
     "until the node holds a TIME-WAIT socket on that local port (2 s bound)", 1, 1,
     .example = "wait-timewait $P", .example_expect = "ok", .parse = parse_wait_timewait,
     .run = probe_run_wait_timewait},
    {PROBE_SHOW, "show", "show", "snapshot the node's sockets on the case's ports", 0, 0,
     .setup = true, .example = "show", .example_expect = NULL, .parse = parse_none,
     .run = probe_run_show},
    {PROBE_GETSOCKOPT, "getsockopt", "getsockopt S OPTION",
     "value: the option (an int; SO_LINGER its seconds, -1 when off; SO_BINDTODEVICE the "
     "ifindex, 0 when none); text: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR by name, "
     "SO_BINDTODEVICE the interface, IP_MULTICAST_IF the address; also SO_ACCEPTCONN and "
     "every option setsockopt sets with a value",
     2, 2, .sock_operand = true, .captures = true, .example = "getsockopt s SO_TYPE",
     .example_expect = "ok =SOCK_STREAM", .parse = probe_parse_getsockopt,
     .run = probe_run_getsockopt},
    {PROBE_GETSOCKNAME, "getsockname", "getsockname S",
     "the local address: value the port, text the endpoint (ADDR:PORT, [ADDR6]:PORT)", 1, 1,
     .sock_operand = true, .captures = true, .example = "$me = getsockname c",
     .example_expect = "ok >0", .parse = parse_sock, .run = probe_run_getsockname},
    {PROBE_GETPEERNAME, "getpeername", "getpeername S",
     "the peer's address: value the port, text the endpoint; ENOTCONN when none", 1, 1,
     .sock_operand = true, .captures = true, .example = "getpeername a",
     .example_expect = "ok =$me", .parse = parse_sock, .run = probe_run_getpeername},
    {PROBE_SHUTDOWN, "shutdown", "shutdown S rd|wr|rdwr", "shutdown(2): SHUT_RD, SHUT_WR, SHUT_RDWR",
     2, 2, .sock_operand = true, .example = "shutdown c wr", .example_expect = "ok",
     .parse = probe_parse_shutdown, .run = probe_run_shutdown},
    {PROBE_SLEEP, "sleep", "sleep MS", "wait MS milliseconds, at most 5000", 1, 1,
     .example = "sleep 100", .example_expect = NULL, .parse = probe_parse_sleep,
     .run = probe_run_sleep},
    {PROBE_OWNER, "owner", "owner UID",
     "the next socket is owned by UID (made with fsuid UID: sk_uid, which SO_REUSEPORT "
     "compares); the process stays root, so that socket may still bind a port below 1024",
     1, 1, .setup = true, .example = "owner 65534", .example_expect = NULL,
     .parse = parse_uid, .run = probe_run_owner},
    /* real programs: probe_proc.c */
    PROBE_PROC_STEPS,
};
const size_t probe_n_step_defs = sizeof(probe_step_defs) / sizeof(probe_step_defs[0]);

const struct probe_step_def *probe_step_def_find(const char *name)
{
	for (size_t i = 0; i < probe_n_step_defs; i++)
		if (!strcmp(probe_step_defs[i].name, name))
			return &probe_step_defs[i];
	return NULL;
}

const struct probe_step_def *probe_step_def_of(enum probe_op op)
{
	if ((size_t)op < probe_n_step_defs && probe_step_defs[op].op == op)
		return &probe_step_defs[op];
	return NULL;
}

const char *probe_op_name(enum probe_op op)
{
	const struct probe_step_def *def = probe_step_def_of(op);

	return def ? def->name : "?";
}

bool probe_step_doc(size_t i, const char **ret_synopsis, const char **ret_help)
{
	if (i >= probe_n_step_defs)
		return false;
	*ret_synopsis = probe_step_defs[i].synopsis;
	*ret_help = probe_step_defs[i].help;
	return true;
}

bool probe_step_example(size_t i, const char **ret_do, const char **ret_expect)
{
	if (i >= probe_n_step_defs)
		return false;
	*ret_do = probe_step_defs[i].example;
	*ret_expect = probe_step_defs[i].example_expect;
	return true;
}

int probe_step_exec(struct run *R, int node, const struct probe_step *st, struct step_result *res)
{
	const struct probe_step_def *def = probe_step_def_of(st->op);
	struct psock *s = NULL;
	int r;

	if (!def) {
		snprintf(R->why, sizeof(R->why), "unknown step");
		return -EINVAL;
	}
	snprintf(res->call, sizeof(res->call), "%s", def->name);
	if (def->sock_operand) {
		s = probe_operand(R, st, 0);
		if (!s)
			return -ENOENT;
	}
	if (R->as_user_next && st->op != PROBE_AS_USER) {
		R->as_user_next = false;
		r = probe_exec_as_user(R, R->as_uid, node, st, s, res);
	} else {
		r = def->run(R, node, st, s, res);
	}
	/* fork's ENOMEM once the run's PID namespace lost its pid 1 */
	if (r == -ENOMEM)
		(void)probe_reaper_lost(&R->reaper, R->why, sizeof(R->why));
	return r;
}

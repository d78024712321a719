/* SPDX-License-Identifier: MIT */
/*
 * The step language parser (see lab/probe/probe.h).  Pure: no socket is touched;
 * addresses and ports may stay symbolic and are resolved by the runner.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/probe/probe.h"

#define MAX_TOKENS 16

struct tokens {
	char tok[MAX_TOKENS][PROBE_TOKEN_MAX];
	size_t off[MAX_TOKENS];
	size_t n;
};

static const char *const op_names[] = {
    [PROBE_SOCKET] = "socket",
    [PROBE_SETSOCKOPT] = "setsockopt",
    [PROBE_JOIN] = "join",
    [PROBE_BIND] = "bind",
    [PROBE_LISTEN] = "listen",
    [PROBE_CONNECT] = "connect",
    [PROBE_ACCEPT] = "accept",
    [PROBE_ACCEPT_ALL] = "accept-all",
    [PROBE_BURST] = "burst",
    [PROBE_SEND] = "send",
    [PROBE_RECV] = "recv",
    [PROBE_READ] = "read",
    [PROBE_CLOSE] = "close",
    [PROBE_AS_USER] = "as-user",
    [PROBE_CHILD] = "child",
    [PROBE_FORK_DAYTIME] = "fork-daytime",
    [PROBE_WAIT_TIMEWAIT] = "wait-timewait",
    [PROBE_SHOW] = "show",
};

const char *probe_op_name(enum probe_op op)
{
	if ((size_t)op < sizeof(op_names) / sizeof(op_names[0]) && op_names[op])
		return op_names[op];
	return "?";
}

static int tokenize(const char *text, struct tokens *t, char *err, size_t errlen, size_t *ret_off)
{
	const char *p = text;

	t->n = 0;
	for (;;) {
		const char *start;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		len = (size_t)(p - start);
		if (t->n == MAX_TOKENS) {
			snprintf(err, errlen, "too many words in step");
			*ret_off = (size_t)(start - text);
			return -EINVAL;
		}
		if (len >= PROBE_TOKEN_MAX) {
			snprintf(err, errlen, "word too long (max %d bytes)", PROBE_TOKEN_MAX - 1);
			*ret_off = (size_t)(start - text);
			return -EINVAL;
		}
		memcpy(t->tok[t->n], start, len);
		t->tok[t->n][len] = '\0';
		t->off[t->n] = (size_t)(start - text);
		t->n++;
	}
	return 0;
}

static bool name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PROBE_NAME_MAX || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static const char *const catalog_vars[] = {"A",	 "A2", "B", "C",   "D",	  "A6",	 "B6",
					   "C6", "D6", "G", "IFA", "IFB", "IFC", "IFD"};

static bool is_port_var(const char *v)
{
	/* $P, $P2 .. $P9 */
	return !strcmp(v, "P") || (v[0] == 'P' && v[1] >= '2' && v[1] <= '9' && !v[2]);
}

static bool is_catalog_var(const char *v)
{
	for (size_t i = 0; i < sizeof(catalog_vars) / sizeof(catalog_vars[0]); i++)
		if (!strcmp(v, catalog_vars[i]))
			return true;
	return false;
}

static int check_var(const char *tok, bool user, char *err, size_t errlen)
{
	if (is_port_var(tok + 1)) {
		snprintf(err, errlen, "'%s' is a port variable, not an address", tok);
		return -EINVAL;
	}
	if (!is_catalog_var(tok + 1)) {
		snprintf(err, errlen, "unknown variable '%s'", tok);
		return -EINVAL;
	}
	if (user) {
		snprintf(err, errlen,
			 "variable '%s' is only for the built-in catalog; "
			 "use a literal address in a user case",
			 tok);
		return -EINVAL;
	}
	return 0;
}

static int parse_port_text(const char *s, char *err, size_t errlen)
{
	char *end;
	long v;

	if (s[0] == '$') {
		if (is_port_var(s + 1))
			return 0;
		snprintf(err, errlen, "unknown port variable '%s' (use $P, $P2..$P9)", s);
		return -EINVAL;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 65535) {
		snprintf(err, errlen, "bad port '%s'", s);
		return -EINVAL;
	}
	return 0;
}

/* An address token: IPv4 literal, IPv6 literal, or a variable. */
static int parse_addr_text(const char *s, bool user, bool v6_ok, char *err, size_t errlen)
{
	unsigned char buf[16];

	if (s[0] == '$')
		return check_var(s, user, err, errlen);
	if (inet_pton(AF_INET, s, buf) == 1)
		return 0;
	if (v6_ok && inet_pton(AF_INET6, s, buf) == 1)
		return 0;
	snprintf(err, errlen, "bad address '%s'", s);
	return -EINVAL;
}

/* ADDR:PORT, [ADDR6]:PORT, *:PORT. */
static int parse_endpoint(const char *s, bool user, char *err, size_t errlen)
{
	char addr[PROBE_TOKEN_MAX];
	const char *colon;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		size_t n;

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "bad endpoint '%s' (want [ADDR6]:PORT)", s);
			return -EINVAL;
		}
		n = (size_t)(close - s - 1);
		memcpy(addr, s + 1, n);
		addr[n] = '\0';
		if (addr[0] != '$') {
			unsigned char buf[16];

			if (inet_pton(AF_INET6, addr, buf) != 1) {
				snprintf(err, errlen, "bad IPv6 address '%s'", addr);
				return -EINVAL;
			}
		} else if (check_var(addr, user, err, errlen) < 0) {
			return -EINVAL;
		}
		return parse_port_text(close + 2, err, errlen);
	}
	colon = strrchr(s, ':');
	if (!colon) {
		snprintf(err, errlen, "bad endpoint '%s' (want ADDR:PORT)", s);
		return -EINVAL;
	}
	if (memchr(s, ':', (size_t)(colon - s))) {
		snprintf(err, errlen, "IPv6 address in '%s' needs brackets: [ADDR]:PORT", s);
		return -EINVAL;
	}
	memcpy(addr, s, (size_t)(colon - s));
	addr[colon - s] = '\0';
	if (strcmp(addr, "*") && parse_addr_text(addr, user, false, err, errlen) < 0)
		return -EINVAL;
	return parse_port_text(colon + 1, err, errlen);
}

static int parse_long(const char *s, long lo, long hi, long *ret)
{
	char *end;

	errno = 0;
	*ret = strtol(s, &end, 10);
	if (!*s || *end || errno || *ret < lo || *ret > hi)
		return -EINVAL;
	return 0;
}

static int parse_family(const char *s, struct probe_step *st)
{
	static const struct {
		const char *name;
		int family, type;
	} fams[] = {
	    {"tcp4", AF_INET, SOCK_STREAM},
	    {"tcp6", AF_INET6, SOCK_STREAM},
	    {"udp4", AF_INET, SOCK_DGRAM},
	    {"udp6", AF_INET6, SOCK_DGRAM},
	};

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (!strcmp(s, fams[i].name)) {
			st->family = fams[i].family;
			st->type = fams[i].type;
			return 0;
		}
	return -EINVAL;
}

/* Truncating copy without format-truncation noise; tokens are bounded. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool args_short(size_t n, size_t min)
{
	return n < min;
}

static bool args_outside(size_t n, size_t min, size_t max)
{
	return args_short(n, min) || n > max;
}

#define FAIL_AT(i, ...)                                                                            \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		*ret_off = (i) < t.n ? t.off[i] : strlen(text);                                    \
		return -EINVAL;                                                                    \
	} while (0)

#define NEED_ARGS(min, max, usage)                                                                 \
	do {                                                                                       \
		if (args_outside(n, (min), (max)))                                                 \
			FAIL_AT(args_short(n, (min)) ? b + n : b + (max), "usage: %s", usage);     \
	} while (0)

#define SOCK_AT(i, dst)                                                                            \
	do {                                                                                       \
		if (!name_valid(t.tok[i]))                                                         \
			FAIL_AT(i, "bad socket name '%s'", t.tok[i]);                              \
		copy_str((dst), sizeof(dst), t.tok[i]);                                            \
	} while (0)

#define ENDPOINT_AT(i)                                                                             \
	do {                                                                                       \
		if (parse_endpoint(t.tok[i], user, err, errlen) < 0) {                             \
			*ret_off = t.off[i];                                                       \
			return -EINVAL;                                                            \
		}                                                                                  \
		copy_str(st->endpoint, sizeof(st->endpoint), t.tok[i]);                            \
	} while (0)

static int parse_child(const struct tokens *tp, size_t b, bool user, struct probe_step *st,
		       const char *text, char *err, size_t errlen, size_t *ret_off)
{
	const struct tokens t = *tp;
	size_t i = b + 1;
	bool have_bind = false;

	if (t.n <= b || parse_family(t.tok[b], st) < 0)
		FAIL_AT(b, "usage: NAME = child tcp4|tcp6|udp4|udp6 [reuseaddr] [reuseport] "
			   "[uid N] bind ENDPOINT [listen]");
	st->child_uid = -1;
	for (; i < t.n; i++) {
		if (!strcmp(t.tok[i], "reuseaddr")) {
			st->child_reuseaddr = true;
		} else if (!strcmp(t.tok[i], "reuseport")) {
			st->child_reuseport = true;
		} else if (!strcmp(t.tok[i], "uid")) {
			if (i + 1 >= t.n || parse_long(t.tok[i + 1], 0, 0x7fffffff, &st->child_uid))
				FAIL_AT(i + 1, "uid needs a number");
			i++;
		} else if (!strcmp(t.tok[i], "bind")) {
			if (i + 1 >= t.n)
				FAIL_AT(i + 1, "bind needs an endpoint");
			ENDPOINT_AT(i + 1);
			have_bind = true;
			i++;
		} else if (!strcmp(t.tok[i], "listen")) {
			if (st->type != SOCK_STREAM)
				FAIL_AT(i, "listen needs a TCP socket");
			st->child_listen = true;
		} else {
			FAIL_AT(i, "unknown child word '%s'", t.tok[i]);
		}
	}
	if (!have_bind)
		FAIL_AT(t.n, "child needs 'bind ENDPOINT'");
	return 0;
}

int probe_step_parse(const char *text, bool user, struct probe_step *st, char *err, size_t errlen,
		     size_t *ret_off)
{
	struct tokens t;
	const char *op;
	size_t b, n; /* index of the first argument, number of arguments */
	int r;

	memset(st, 0, sizeof(*st));
	*ret_off = 0;
	r = tokenize(text, &t, err, errlen, ret_off);
	if (r < 0)
		return r;
	if (t.n == 0) {
		snprintf(err, errlen, "empty step");
		return -EINVAL;
	}

	if (t.n >= 2 && !strcmp(t.tok[1], "=")) {
		if (!name_valid(t.tok[0]))
			FAIL_AT(0, "bad socket name '%s' (letters, digits, '_', at most %d)",
				t.tok[0], PROBE_NAME_MAX);
		copy_str(st->lhs, sizeof(st->lhs), t.tok[0]);
		if (t.n < 3)
			FAIL_AT(2, "missing call after '='");
		op = t.tok[2];
		b = 3;
		n = t.n - b;
		if (!strcmp(op, "socket")) {
			st->op = PROBE_SOCKET;
			NEED_ARGS(1, 1, "NAME = socket tcp4|tcp6|udp4|udp6");
			if (parse_family(t.tok[b], st) < 0)
				FAIL_AT(b, "unknown socket kind '%s' (tcp4, tcp6, udp4, udp6)",
					t.tok[b]);
			return 0;
		}
		if (!strcmp(op, "accept")) {
			st->op = PROBE_ACCEPT;
			NEED_ARGS(1, 1, "NAME = accept S");
			SOCK_AT(b, st->socks[0]);
			st->n_socks = 1;
			return 0;
		}
		if (!strcmp(op, "child")) {
			st->op = PROBE_CHILD;
			return parse_child(&t, b, user, st, text, err, errlen, ret_off);
		}
		FAIL_AT(2, "'%s' does not make a socket (socket, accept, child do)", op);
	}

	op = t.tok[0];
	b = 1;
	n = t.n - b;
	if (!strcmp(op, "socket") || !strcmp(op, "accept") || !strcmp(op, "child"))
		FAIL_AT(0, "'%s' needs a name: NAME = %s ...", op, op);
	if (!strcmp(op, "setsockopt")) {
		static const struct {
			const char *name;
			enum probe_opt opt;
		} opts[] = {
		    {"SO_REUSEADDR", PROBE_OPT_REUSEADDR},
		    {"SO_REUSEPORT", PROBE_OPT_REUSEPORT},
		    {"IPV6_V6ONLY", PROBE_OPT_V6ONLY},
		    {"SO_LINGER", PROBE_OPT_LINGER},
		    {"SO_BINDTODEVICE", PROBE_OPT_BINDTODEVICE},
		    {"IP_MULTICAST_IF", PROBE_OPT_MULTICAST_IF},
		};
		size_t i;

		st->op = PROBE_SETSOCKOPT;
		NEED_ARGS(3, 3, "setsockopt S OPTION VALUE");
		SOCK_AT(b, st->socks[0]);
		st->n_socks = 1;
		for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			if (!strcmp(t.tok[b + 1], opts[i].name))
				break;
		if (i == sizeof(opts) / sizeof(opts[0]))
			FAIL_AT(b + 1,
				"unknown option '%s' (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY, "
				"SO_LINGER, SO_BINDTODEVICE, IP_MULTICAST_IF)",
				t.tok[b + 1]);
		st->opt = opts[i].opt;
		switch (st->opt) {
		case PROBE_OPT_REUSEADDR:
		case PROBE_OPT_REUSEPORT:
		case PROBE_OPT_V6ONLY:
		case PROBE_OPT_LINGER:
			if (parse_long(t.tok[b + 2], 0, 0x7fffffff, &st->num) < 0)
				FAIL_AT(b + 2, "option value must be a number, not '%s'",
					t.tok[b + 2]);
			st->has_num = true;
			break;
		case PROBE_OPT_BINDTODEVICE:
			if (t.tok[b + 2][0] == '$' && check_var(t.tok[b + 2], user, err, errlen)) {
				*ret_off = t.off[b + 2];
				return -EINVAL;
			}
			if (strlen(t.tok[b + 2]) >= 16)
				FAIL_AT(b + 2, "interface name too long");
			copy_str(st->arg, sizeof(st->arg), t.tok[b + 2]);
			break;
		case PROBE_OPT_MULTICAST_IF:
			if (parse_addr_text(t.tok[b + 2], user, true, err, errlen) < 0) {
				*ret_off = t.off[b + 2];
				return -EINVAL;
			}
			copy_str(st->arg, sizeof(st->arg), t.tok[b + 2]);
			break;
		}
		return 0;
	}
	if (!strcmp(op, "join")) {
		st->op = PROBE_JOIN;
		NEED_ARGS(3, 3, "join S GROUP IFNAME");
		SOCK_AT(b, st->socks[0]);
		st->n_socks = 1;
		if (parse_addr_text(t.tok[b + 1], user, true, err, errlen) < 0) {
			*ret_off = t.off[b + 1];
			return -EINVAL;
		}
		copy_str(st->arg, sizeof(st->arg), t.tok[b + 1]);
		if (t.tok[b + 2][0] == '$' && check_var(t.tok[b + 2], user, err, errlen)) {
			*ret_off = t.off[b + 2];
			return -EINVAL;
		}
		if (strlen(t.tok[b + 2]) >= 16)
			FAIL_AT(b + 2, "interface name too long");
		copy_str(st->arg2, sizeof(st->arg2), t.tok[b + 2]);
		return 0;
	}
	if (!strcmp(op, "bind") || !strcmp(op, "connect")) {
		st->op = op[0] == 'b' ? PROBE_BIND : PROBE_CONNECT;
		NEED_ARGS(2, 2, st->op == PROBE_BIND ? "bind S ENDPOINT" : "connect S ENDPOINT");
		SOCK_AT(b, st->socks[0]);
		st->n_socks = 1;
		ENDPOINT_AT(b + 1);
		return 0;
	}
	if (!strcmp(op, "listen")) {
		st->op = PROBE_LISTEN;
		NEED_ARGS(1, 2, "listen S [BACKLOG]");
		SOCK_AT(b, st->socks[0]);
		st->n_socks = 1;
		st->num = 128;
		if (n == 2 && parse_long(t.tok[b + 1], 0, 65535, &st->num) < 0)
			FAIL_AT(b + 1, "bad backlog '%s'", t.tok[b + 1]);
		return 0;
	}
	if (!strcmp(op, "accept-all") || !strcmp(op, "read") || !strcmp(op, "close")) {
		st->op = op[0] == 'a' ? PROBE_ACCEPT_ALL : op[0] == 'r' ? PROBE_READ : PROBE_CLOSE;
		NEED_ARGS(1, 1,
			  st->op == PROBE_ACCEPT_ALL ? "accept-all S"
			  : st->op == PROBE_READ     ? "read S"
						     : "close S");
		SOCK_AT(b, st->socks[0]);
		st->n_socks = 1;
		return 0;
	}
	if (!strcmp(op, "burst")) {
		st->op = PROBE_BURST;
		NEED_ARGS(2, 2, "burst ENDPOINT N");
		ENDPOINT_AT(b);
		if (parse_long(t.tok[b + 1], 1, 256, &st->num) < 0)
			FAIL_AT(b + 1, "burst count must be 1..256");
		return 0;
	}
	if (!strcmp(op, "send")) {
		st->op = PROBE_SEND;
		NEED_ARGS(2, 3, "send S ENDPOINT [N]");
		SOCK_AT(b, st->socks[0]);
		st->n_socks = 1;
		ENDPOINT_AT(b + 1);
		st->num = 1;
		if (n == 3 && parse_long(t.tok[b + 2], 1, 1000, &st->num) < 0)
			FAIL_AT(b + 2, "datagram count must be 1..1000");
		return 0;
	}
	if (!strcmp(op, "recv")) {
		st->op = PROBE_RECV;
		NEED_ARGS(1, PROBE_MAX_SOCKS, "recv S [S...]");
		for (size_t i = 0; i < n; i++) {
			SOCK_AT(b + i, st->socks[i]);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(st->socks[k], st->socks[i]))
					FAIL_AT(b + i, "socket '%s' named twice", st->socks[i]);
		}
		st->n_socks = n;
		return 0;
	}
	if (!strcmp(op, "as-user")) {
		st->op = PROBE_AS_USER;
		NEED_ARGS(1, 1, "as-user UID");
		if (parse_long(t.tok[b], 0, 0x7fffffff, &st->num) < 0)
			FAIL_AT(b, "bad uid '%s'", t.tok[b]);
		st->has_num = true;
		return 0;
	}
	if (!strcmp(op, "fork-daytime")) {
		st->op = PROBE_FORK_DAYTIME;
		NEED_ARGS(2, 2, "fork-daytime LISTENER CONN");
		SOCK_AT(b, st->socks[0]);
		SOCK_AT(b + 1, st->socks[1]);
		if (!strcmp(st->socks[0], st->socks[1]))
			FAIL_AT(b + 1, "the listener and the connection must be two sockets");
		st->n_socks = 2;
		return 0;
	}
	if (!strcmp(op, "wait-timewait")) {
		st->op = PROBE_WAIT_TIMEWAIT;
		NEED_ARGS(1, 1, "wait-timewait PORT");
		if (parse_port_text(t.tok[b], err, errlen) < 0) {
			*ret_off = t.off[b];
			return -EINVAL;
		}
		copy_str(st->arg, sizeof(st->arg), t.tok[b]);
		return 0;
	}
	if (!strcmp(op, "show")) {
		st->op = PROBE_SHOW;
		NEED_ARGS(0, 0, "show");
		return 0;
	}
	FAIL_AT(0,
		"unknown step '%s' (socket, setsockopt, join, bind, listen, connect, accept, "
		"accept-all, burst, send, recv, read, close, as-user, child, fork-daytime, "
		"wait-timewait, show)",
		op);
}

int probe_expect_parse(const char *text, struct probe_expect *e)
{
	char word[32];
	const char *p = text, *q;
	size_t n;

	memset(e, 0, sizeof(*e));
	while (*p == ' ')
		p++;
	q = p;
	while (*q && *q != ' ' && *q != '=' && *q != '>' && *q != '<')
		q++;
	n = (size_t)(q - p);
	if (n == 0 || n >= sizeof(word))
		return -EINVAL;
	memcpy(word, p, n);
	word[n] = '\0';
	if (!strcmp(word, "*"))
		e->want = PROBE_WANT_ANY;
	else if (!strcmp(word, "ok"))
		e->want = PROBE_WANT_OK;
	else if (!strcmp(word, "fail"))
		e->want = PROBE_WANT_FAIL;
	else if (!strcmp(word, "timeout"))
		e->want = PROBE_WANT_TIMEOUT;
	else if ((e->err = report_errno_parse(word)) > 0) /* the reports' spelling */
		e->want = PROBE_WANT_ERRNO;
	else
		return -EINVAL;
	while (*q == ' ')
		q++;
	if (!*q)
		return 0;
	if (*q != '=' && *q != '>' && *q != '<')
		return -EINVAL;
	e->cmp = *q++;
	while (*q == ' ')
		q++;
	{
		char *end;

		errno = 0;
		e->value = strtol(q, &end, 10);
		if (end == q || errno)
			return -EINVAL;
		while (*end == ' ')
			end++;
		if (*end)
			return -EINVAL;
	}
	return 0;
}

bool probe_expect_met(const struct probe_expect *e, int err, long value)
{
	bool ok = false;

	switch (e->want) {
	case PROBE_WANT_ANY:
		ok = true;
		break;
	case PROBE_WANT_OK:
		ok = err == 0;
		break;
	case PROBE_WANT_ERRNO:
		ok = err == e->err;
		break;
	case PROBE_WANT_FAIL:
		ok = err != 0;
		break;
	case PROBE_WANT_TIMEOUT:
		ok = err == STEP_TIMEOUT;
		break;
	}
	if (!ok)
		return false;
	switch (e->cmp) {
	case '=':
		return value == e->value;
	case '>':
		return value > e->value;
	case '<':
		return value < e->value;
	default:
		return true;
	}
}

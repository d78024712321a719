/* SPDX-License-Identifier: MIT */
/*
 * The step language parser (see lab/probe/probe.h): words, the checks every
 * step's own parser (probe_steps.c) shares, and the driver that finds the
 * step in the table and checks its arity.  Pure: no socket is touched;
 * addresses and ports may stay symbolic and are resolved by the runner.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

static int tokenize(const char *text, struct step_words *t, char *err, size_t errlen, size_t *ret_off)
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
		if (t->n == PROBE_MAX_WORDS) {
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

/* A captured variable's name: a lowercase letter, then letters, digits, '_'. */
bool probe_capture_name_valid(const char *s, size_t n)
{
	if (n == 0 || n > PROBE_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* "$x", "$x.addr", "$x.port": the field ("" for none), or NULL when tok is
 * not a reference to a captured variable. */
static const char *capture_field(const char *tok)
{
	const char *dot = strchr(tok, '.');
	size_t n = dot ? (size_t)(dot - tok - 1) : strlen(tok + 1);

	if (tok[0] != '$' || !probe_capture_name_valid(tok + 1, n))
		return NULL;
	if (!dot)
		return "";
	return !strcmp(dot, ".addr") || !strcmp(dot, ".port") ? dot + 1 : NULL;
}

static int check_var(const char *tok, bool user, char *err, size_t errlen)
{
	const char *field = capture_field(tok);

	if (field && strcmp(field, "port"))
		return 0;
	if (field) {
		snprintf(err, errlen, "'%s' is a port, not an address", tok);
		return -EINVAL;
	}
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
		const char *field = capture_field(s);

		if (is_port_var(s + 1) || (field && strcmp(field, "addr")))
			return 0;
		snprintf(err, errlen,
			 "unknown port variable '%s' (use $P, $P2..$P9, or a captured $x.port)", s);
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
	if (s[0] == '$' && !strchr(s, ':')) { /* a captured endpoint, whole */
		const char *field = capture_field(s);

		if (field && !*field)
			return 0;
		snprintf(err, errlen, "bad endpoint '%s' (want ADDR:PORT, or $x captured from getsockname)", s);
		return -EINVAL;
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

/* Truncating copy without format-truncation noise; tokens are bounded. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int probe_words_fail(struct step_words *w, size_t i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, w->errlen, fmt, ap);
	va_end(ap);
	*w->ret_off = i < w->n ? w->off[i] : strlen(w->text);
	return -EINVAL;
}

/* A check that wrote its own message: point at word i. */
static int word_bad(struct step_words *w, size_t i)
{
	*w->ret_off = w->off[i];
	return -EINVAL;
}

int probe_word_sock(struct step_words *w, size_t i, char *dst, size_t len)
{
	if (!name_valid(w->tok[i]))
		return probe_words_fail(w, i, "bad socket name '%s'", w->tok[i]);
	copy_str(dst, len, w->tok[i]);
	return 0;
}

int probe_word_endpoint(struct step_words *w, size_t i, struct probe_step *st)
{
	if (parse_endpoint(w->tok[i], w->user, w->err, w->errlen) < 0)
		return word_bad(w, i);
	copy_str(st->endpoint, sizeof(st->endpoint), w->tok[i]);
	return 0;
}

int probe_word_addr(struct step_words *w, size_t i, char *dst, size_t len)
{
	if (parse_addr_text(w->tok[i], w->user, true, w->err, w->errlen) < 0)
		return word_bad(w, i);
	copy_str(dst, len, w->tok[i]);
	return 0;
}

int probe_word_ifname(struct step_words *w, size_t i, char *dst, size_t len)
{
	if (w->tok[i][0] == '$' && check_var(w->tok[i], w->user, w->err, w->errlen))
		return word_bad(w, i);
	if (strlen(w->tok[i]) >= 16)
		return probe_words_fail(w, i, "interface name too long");
	copy_str(dst, len, w->tok[i]);
	return 0;
}

int probe_word_port(struct step_words *w, size_t i, char *dst, size_t len)
{
	if (parse_port_text(w->tok[i], w->err, w->errlen) < 0)
		return word_bad(w, i);
	copy_str(dst, len, w->tok[i]);
	return 0;
}

int probe_word_num(const struct step_words *w, size_t i, long lo, long hi, long *ret)
{
	char *end;

	errno = 0;
	*ret = strtol(w->tok[i], &end, 10);
	if (!w->tok[i][0] || *end || errno || *ret < lo || *ret > hi)
		return -EINVAL;
	return 0;
}

int probe_family_parse(const char *s, struct probe_step *st)
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

/* "(a, b, c)" of the step names that make a socket (or do not). */
static void names_list(char *buf, size_t len, bool makes_socket)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < probe_n_step_defs && o < len; i++)
		if (!makes_socket || probe_step_defs[i].makes_socket)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
					      probe_step_defs[i].name);
}

/* `$x = call ...`: a step whose value is kept as $x. */
static int capture_find(struct step_words *w, struct probe_step *st,
			const struct probe_step_def **ret)
{
	const char *name = w->tok[0] + 1;
	char names[PROBE_STEP_NAMES_MAX];
	size_t o = 0;

	if (!probe_capture_name_valid(name, strlen(name)))
		return probe_words_fail(w, 0,
					"bad variable name '%s' (a lowercase letter, then letters, "
					"digits or '_', at most %d)",
					w->tok[0], PROBE_NAME_MAX);
	if (w->n < 3)
		return probe_words_fail(w, 2, "missing call after '='");
	copy_str(st->capture, sizeof(st->capture), name);
	w->b = 3;
	*ret = probe_step_def_find(w->tok[2]);
	if (*ret && (*ret)->captures)
		return 0;
	names[0] = '\0';
	for (size_t i = 0; i < probe_n_step_defs && o < sizeof(names); i++)
		if (probe_step_defs[i].captures)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "",
					      probe_step_defs[i].name);
	return probe_words_fail(w, 2, "'%s' has no value to capture (%s do)", w->tok[2], names);
}

/* `NAME = call ...` or `call ...`: the step's definition, w->b set. */
static int call_find(struct step_words *w, struct probe_step *st,
		     const struct probe_step_def **ret)
{
	bool named = w->n >= 2 && !strcmp(w->tok[1], "=");
	size_t at = named ? 2 : 0;
	char names[PROBE_STEP_NAMES_MAX];

	if (named && w->tok[0][0] == '$')
		return capture_find(w, st, ret);
	if (named) {
		if (!name_valid(w->tok[0]))
			return probe_words_fail(
			    w, 0, "bad socket name '%s' (letters, digits, '_', at most %d)",
			    w->tok[0], PROBE_NAME_MAX);
		copy_str(st->lhs, sizeof(st->lhs), w->tok[0]);
		if (w->n < 3)
			return probe_words_fail(w, 2, "missing call after '='");
	}
	w->b = at + 1;
	*ret = probe_step_def_find(w->tok[at]);
	if (named && (!*ret || !(*ret)->makes_socket)) {
		names_list(names, sizeof(names), true);
		return probe_words_fail(w, 2, "'%s' does not make a socket (%s do)", w->tok[2],
					names);
	}
	if (!*ret) {
		names_list(names, sizeof(names), false);
		return probe_words_fail(w, 0, "unknown step '%s' (%s)", w->tok[0], names);
	}
	if (!named && (*ret)->makes_socket)
		return probe_words_fail(w, 0, "'%s' needs a name: NAME = %s ...", w->tok[0],
					w->tok[0]);
	return 0;
}

int probe_step_parse(const char *text, bool user, struct probe_step *st, char *err, size_t errlen,
		     size_t *ret_off)
{
	struct step_words w = {
	    .text = text, .user = user, .err = err, .errlen = errlen, .ret_off = ret_off};
	const struct probe_step_def *def = NULL;
	size_t n;
	int r;

	memset(st, 0, sizeof(*st));
	*ret_off = 0;
	r = tokenize(text, &w, err, errlen, ret_off);
	if (r < 0)
		return r;
	if (w.n == 0) {
		snprintf(err, errlen, "empty step");
		return -EINVAL;
	}
	r = call_find(&w, st, &def);
	if (r < 0)
		return r;
	st->op = def->op;
	n = w.n - w.b;
	if (n < def->min_args)
		return probe_words_fail(&w, w.n, "usage: %s", def->synopsis);
	if (n > def->max_args && def->max_args == PROBE_MAX_SOCKS)
		return probe_words_fail(&w, w.b + def->max_args, "%s takes at most %d sockets",
					def->name, PROBE_MAX_SOCKS);
	if (n > def->max_args)
		return probe_words_fail(&w, w.b + def->max_args, "usage: %s", def->synopsis);
	return def->parse(&w, st);
}

/* The value after '=', '>' or '<': a number, or (with '=') one word compared
 * as text, such as SOCK_STREAM, eth0 or $x.  0 or -EINVAL. */
static int expect_value_parse(const char *q, struct probe_expect *e)
{
	size_t n = strcspn(q, " ");
	char *end;

	errno = 0;
	e->value = strtol(q, &end, 10);
	if (end != q && !errno && end == q + n) {
		e->text[0] = '\0';
	} else {
		if (e->cmp != '=' || n == 0 || n >= sizeof(e->text))
			return -EINVAL;
		e->value = 0;
		memcpy(e->text, q, n);
		e->text[n] = '\0';
	}
	q += n;
	while (*q == ' ')
		q++;
	return *q ? -EINVAL : 0;
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
	return expect_value_parse(q, e);
}

void probe_expect_format(const struct probe_expect *e, char *buf, size_t len)
{
	static const char *const words[] = {[PROBE_WANT_ANY] = "*",
					    [PROBE_WANT_OK] = "ok",
					    [PROBE_WANT_FAIL] = "fail",
					    [PROBE_WANT_TIMEOUT] = "timeout"};
	char word[32];
	size_t o;

	if (e->want == PROBE_WANT_ERRNO)
		report_result_text(e->err, word, sizeof(word));
	else
		snprintf(word, sizeof(word), "%s", words[e->want]);
	snprintf(buf, len, "%s", word);
	o = strlen(buf);
	if (e->text[0])
		snprintf(buf + o, len - o, " =%s", e->text);
	else if (e->cmp)
		snprintf(buf + o, len - o, " %c%ld", e->cmp, e->value);
}

bool probe_expect_met(const struct probe_expect *e, int err, long value)
{
	return probe_expect_met_text(e, err, value, "");
}

bool probe_expect_met_text(const struct probe_expect *e, int err, long value, const char *text)
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
	if (e->text[0])
		return !strcmp(e->text, text);
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

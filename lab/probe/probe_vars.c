/* SPDX-License-Identifier: MIT */
/*
 * Step variables: $P..$P9 (fresh ports, allocated on first use) and the role
 * variables ($A, $IFA, ...), and endpoints (ADDR:PORT) resolved to socket
 * addresses for the socket's family.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

static void endpoint_split(const char *ep, char *addr, size_t alen, char *port, size_t plen);

static int port_var_index(const char *v)
{
	if (!strcmp(v, "P"))
		return 0;
	if (v[0] == 'P' && v[1] >= '2' && v[1] <= '9' && !v[2])
		return v[1] - '1';
	return -1;
}

static struct probe_var *var_find(struct run *R, const char *name, size_t n)
{
	for (size_t i = 0; i < R->n_vars; i++)
		if (strlen(R->vars[i].name) == n && !strncmp(R->vars[i].name, name, n))
			return &R->vars[i];
	return NULL;
}

int probe_var_set(struct run *R, const char *name, const char *text)
{
	struct probe_var *v = var_find(R, name, strlen(name));

	if (!v) {
		if (R->n_vars == MAX_VARS) {
			snprintf(R->why, sizeof(R->why), "too many variables in one case (max %d)",
				 MAX_VARS);
			return -ENOSPC;
		}
		v = &R->vars[R->n_vars++];
		snprintf(v->name, sizeof(v->name), "%s", name);
	}
	snprintf(v->text, sizeof(v->text), "%s", text);
	return 0;
}

void probe_var_unset(struct run *R, const char *name)
{
	struct probe_var *v = var_find(R, name, strlen(name));

	if (v)
		*v = R->vars[--R->n_vars];
}

/* "$x", "$x.addr", "$x.port" (tok without '$') from a captured endpoint. */
static int capture_resolve(struct run *R, const char *tok, char *buf, size_t len)
{
	const char *dot = strchr(tok, '.');
	struct probe_var *v = var_find(R, tok, dot ? (size_t)(dot - tok) : strlen(tok));
	char addr[PROBE_TOKEN_MAX], port[PROBE_TOKEN_MAX];

	if (!v) {
		snprintf(R->why, sizeof(R->why),
			 "$%.*s has no value: the step that captures it did not succeed",
			 (int)(dot ? dot - tok : (long)strlen(tok)), tok);
		return -ENOENT;
	}
	if (!dot) {
		snprintf(buf, len, "%s", v->text);
		return 0;
	}
	if (!strchr(v->text, ':') || v->text[0] == ':') {
		snprintf(R->why, sizeof(R->why), "$%s: '%s' is not an endpoint", tok, v->text);
		return -EINVAL;
	}
	endpoint_split(v->text, addr, sizeof(addr), port, sizeof(port));
	snprintf(buf, len, "%s", !strcmp(dot, ".addr") ? addr : port);
	return 0;
}

/* Value of a token: "$X" resolved, literal otherwise.  -ENOENT with R->why
 * set when the lab lacks the variable. */
int probe_resolve_token(struct run *R, const char *tok, char *buf, size_t len)
{
	int pi;

	if (tok[0] != '$') {
		snprintf(buf, len, "%s", tok);
		return 0;
	}
	if (tok[1] >= 'a' && tok[1] <= 'z')
		return capture_resolve(R, tok + 1, buf, len);
	pi = port_var_index(tok + 1);
	if (pi >= 0) {
		if (!R->pvars[pi]) {
			int r = probe_port_alloc(R, &R->pvars[pi]);

			if (r < 0) {
				snprintf(R->why, sizeof(R->why), "no free port left for %s", tok);
				return r;
			}
		}
		snprintf(buf, len, "%u", R->pvars[pi]);
		return 0;
	}
	{
		const char *v = R->roles ? probe_roles_var(R->roles, tok + 1) : NULL;

		if (!v) {
			snprintf(R->why, sizeof(R->why), "the lab has nothing for %s", tok);
			return -ENOENT;
		}
		snprintf(buf, len, "%s", v);
	}
	return 0;
}

/* Split an endpoint token into address and port tokens. */
static void endpoint_split(const char *ep, char *addr, size_t alen, char *port, size_t plen)
{
	const char *colon;

	if (ep[0] == '[') {
		const char *close = strchr(ep, ']');
		size_t n = close ? (size_t)(close - ep - 1) : 0;

		snprintf(addr, alen, "%.*s", (int)n, ep + 1);
		/* "[addr]:port"; "[addr]" alone (no port) is port 0 */
		snprintf(port, plen, "%s", close && close[1] == ':' ? close + 2 : "0");
		return;
	}
	colon = strrchr(ep, ':');
	snprintf(addr, alen, "%.*s", (int)(colon - ep), ep);
	snprintf(port, plen, "%s", colon + 1);
}

/* Fill a zeroed ss with an IPv4 / IPv6 address and port. */
static void sa_in(struct sockaddr_storage *ss, socklen_t *len, struct in_addr a, unsigned long port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	s4->sin_addr = a;
	*len = sizeof(*s4);
}

static void sa_in6(struct sockaddr_storage *ss, socklen_t *len, const struct in6_addr *a,
		   unsigned long port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	s6->sin6_addr = *a;
	*len = sizeof(*s6);
}

/* The address and port tokens of ep (each PROBE_TOKEN_MAX); a captured
 * endpoint ("$x") is resolved first.  0, or -errno with R->why set. */
static int endpoint_tokens(struct run *R, const char *ep, char *atok, char *ptok)
{
	char whole[PROBE_TOKEN_MAX];
	int r;

	if (ep[0] != '$' || strchr(ep, ':')) {
		endpoint_split(ep, atok, PROBE_TOKEN_MAX, ptok, PROBE_TOKEN_MAX);
		return 0;
	}
	r = probe_resolve_token(R, ep, whole, sizeof(whole));
	if (r < 0)
		return r;
	if (!strchr(whole, ':')) {
		snprintf(R->why, sizeof(R->why), "%s is '%s', not an endpoint", ep, whole);
		return -EINVAL;
	}
	endpoint_split(whole, atok, PROBE_TOKEN_MAX, ptok, PROBE_TOKEN_MAX);
	return 0;
}

/* Resolve an endpoint for a socket of `family` (0: the address decides). */
int probe_endpoint_resolve(struct run *R, const char *ep, int family, struct sockaddr_storage *ss,
			   socklen_t *len)
{
	char atok[PROBE_TOKEN_MAX], ptok[PROBE_TOKEN_MAX], a[64], p[16];
	struct in_addr v4;
	struct in6_addr v6;
	unsigned long port;
	int r;

	r = endpoint_tokens(R, ep, atok, ptok);
	if (r < 0)
		return r;
	r = probe_resolve_token(R, ptok, p, sizeof(p));
	if (r < 0)
		return r;
	port = strtoul(p, NULL, 10);
	probe_note_port(R, (uint16_t)port);
	memset(ss, 0, sizeof(*ss));
	if (!strcmp(atok, "*")) {
		if (family == AF_INET6) {
			sa_in6(ss, len, &in6addr_any, port);
		} else {
			sa_in(ss, len, (struct in_addr){.s_addr = htonl(INADDR_ANY)}, port);
		}
		return 0;
	}
	r = probe_resolve_token(R, atok, a, sizeof(a));
	if (r < 0)
		return r;
	if (inet_pton(AF_INET, a, &v4) == 1) {
		if (family == AF_INET6) { /* v4-mapped for an IPv6 socket */
			struct in6_addr m = {0};

			m.s6_addr[10] = 0xff;
			m.s6_addr[11] = 0xff;
			memcpy(&m.s6_addr[12], &v4, 4);
			sa_in6(ss, len, &m, port);
		} else {
			sa_in(ss, len, v4, port);
		}
		return 0;
	}
	if (inet_pton(AF_INET6, a, &v6) == 1) {
		sa_in6(ss, len, &v6, port);
		return 0;
	}
	snprintf(R->why, sizeof(R->why), "bad address '%s'", a);
	return -EINVAL;
}

/* Length of the variable at p ('$' included): $P2, $IFA, $x, $x.port. */
static size_t var_len(const char *p)
{
	size_t n = 1;

	if (p[1] >= 'a' && p[1] <= 'z') {
		while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '_'))
			n++;
		if (!strncmp(p + n, ".addr", 5) || !strncmp(p + n, ".port", 5))
			n += 5;
		return n < PROBE_TOKEN_MAX ? n : PROBE_TOKEN_MAX - 1;
	}
	while (n < 15 && ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
		n++;
	return n;
}

/* in with every $VAR replaced by its value; strict: an unknown one is an
 * error (R->why says which), else it stays as written. */
static int subst(struct run *R, const char *in, char *out, size_t len, bool strict)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		if (*in == '$') {
			char name[PROBE_TOKEN_MAX], val[64];
			size_t n = var_len(in);

			snprintf(name, sizeof(name), "%.*s", (int)n, in);
			in += n;
			if (probe_resolve_token(R, name, val, sizeof(val)) < 0) {
				if (strict)
					return -EINVAL;
				snprintf(val, sizeof(val), "%s", name);
			}
			for (const char *v = val; *v && o + 1 < len; v++)
				out[o++] = *v;
			continue;
		}
		out[o++] = *in++;
	}
	out[o] = '\0';
	return 0;
}

/* The step text with every $VAR replaced by its value (for reports). */
void probe_subst_text(struct run *R, const char *in, char *out, size_t len)
{
	char why[sizeof(R->why)];

	memcpy(why, R->why, sizeof(why)); /* a variable not yet set is no error here */
	(void)subst(R, in, out, len, false);
	memcpy(R->why, why, sizeof(why));
}

int probe_subst_word(struct run *R, const char *in, char *out, size_t len)
{
	return subst(R, in, out, len, true);
}

/* Is every $VAR of a catalog step available in this lab?  Sets why. */
bool probe_vars_available(struct run *R, const char *text, char *why, size_t len)
{
	for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
		char name[16];
		size_t n = 0;

		p++;
		if (*p >= 'a' && *p <= 'z')
			continue; /* captured: the case's own steps give it */
		while (n < sizeof(name) - 1 &&
		       ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
			name[n] = p[n], n++;
		name[n] = '\0';
		if (port_var_index(name) >= 0)
			continue;
		if (!probe_roles_var(R->roles, name)) {
			const char *need = probe_roles_need(name);

			if (need)
				snprintf(why, len, "needs %s ($%s)", need, name);
			else
				snprintf(why, len, "needs a value for $%s", name);
			return false;
		}
	}
	return true;
}

int probe_expect_resolve(struct run *R, const struct probe_expect *e, struct probe_expect *ret)
{
	char buf[64], *end;
	long v;
	int r;

	*ret = *e;
	if (e->text[0] != '$')
		return 0;
	r = probe_resolve_token(R, e->text, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (buf[0] && !*end && !errno) { /* a number: compared with the value */
		ret->value = v;
		ret->text[0] = '\0';
	} else {
		snprintf(ret->text, sizeof(ret->text), "%s", buf);
	}
	return 0;
}

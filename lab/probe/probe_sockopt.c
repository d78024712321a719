/* SPDX-License-Identifier: MIT */
/*
 * Socket options by name: one table says each option's level, its kind of
 * value and whether `setsockopt` may set it and `getsockopt` read it, so the
 * parser, the error messages and the runner agree.  Reuseport BPF programs
 * are a few ready classic-BPF programs ("index N", "cpu"), the ones the
 * kernel's selftests attach (reuseport_bpf.c, reuseport_bpf_cpu.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/probe/probe_int.h"

#ifndef SO_DETACH_REUSEPORT_BPF
#define SO_DETACH_REUSEPORT_BPF 68
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif

enum opt_kind {
	KIND_INT,    /* an int */
	KIND_LINGER, /* struct linger, on with N seconds */
	KIND_IFNAME, /* an interface name */
	KIND_ADDR4,  /* an IPv4 address */
	KIND_CBPF,   /* a ready reuseport program: cpu | index N */
	KIND_NONE,   /* no value (detach) */
};

struct opt_def {
	const char *name;
	enum probe_opt opt;
	int level, optname;
	enum opt_kind kind;
	bool set, get;
	const char *(*text)(int v); /* getsockopt's text value, or NULL */
};

static const char *type_text(int v)
{
	return v == SOCK_STREAM ? "SOCK_STREAM" : v == SOCK_DGRAM ? "SOCK_DGRAM" : "";
}

static const char *domain_text(int v)
{
	return v == AF_INET ? "AF_INET" : v == AF_INET6 ? "AF_INET6" : "";
}

static const char *protocol_text(int v)
{
	return v == IPPROTO_TCP ? "IPPROTO_TCP" : v == IPPROTO_UDP ? "IPPROTO_UDP" : "";
}

static const char *error_text(int v)
{
	return v ? report_errno_name(v) : "";
}

static const struct opt_def opt_defs[] = {
    {"SO_REUSEADDR", PROBE_OPT_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, KIND_INT, true, true, NULL},
    {"SO_REUSEPORT", PROBE_OPT_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, KIND_INT, true, true, NULL},
    {"IPV6_V6ONLY", PROBE_OPT_V6ONLY, IPPROTO_IPV6, IPV6_V6ONLY, KIND_INT, true, true, NULL},
    {"SO_LINGER", PROBE_OPT_LINGER, SOL_SOCKET, SO_LINGER, KIND_LINGER, true, true, NULL},
    {"SO_BINDTODEVICE", PROBE_OPT_BINDTODEVICE, SOL_SOCKET, SO_BINDTODEVICE, KIND_IFNAME, true,
     true, NULL},
    {"IP_MULTICAST_IF", PROBE_OPT_MULTICAST_IF, IPPROTO_IP, IP_MULTICAST_IF, KIND_ADDR4, true,
     true, NULL},
    {"IP_FREEBIND", PROBE_OPT_FREEBIND, IPPROTO_IP, IP_FREEBIND, KIND_INT, true, true, NULL},
    {"IP_TRANSPARENT", PROBE_OPT_TRANSPARENT, IPPROTO_IP, IP_TRANSPARENT, KIND_INT, true, true,
     NULL},
    {"IP_BIND_ADDRESS_NO_PORT", PROBE_OPT_BIND_ADDRESS_NO_PORT, IPPROTO_IP,
     IP_BIND_ADDRESS_NO_PORT, KIND_INT, true, true, NULL},
    {"SO_INCOMING_CPU", PROBE_OPT_INCOMING_CPU, SOL_SOCKET, SO_INCOMING_CPU, KIND_INT, true, true,
     NULL},
    {"SO_ATTACH_REUSEPORT_CBPF", PROBE_OPT_ATTACH_REUSEPORT_CBPF, SOL_SOCKET,
     SO_ATTACH_REUSEPORT_CBPF, KIND_CBPF, true, false, NULL},
    {"SO_DETACH_FILTER", PROBE_OPT_DETACH_FILTER, SOL_SOCKET, SO_DETACH_FILTER, KIND_NONE, true,
     false, NULL},
    {"SO_DETACH_REUSEPORT_BPF", PROBE_OPT_DETACH_REUSEPORT_BPF, SOL_SOCKET,
     SO_DETACH_REUSEPORT_BPF, KIND_NONE, true, false, NULL},
    {"SO_TYPE", PROBE_OPT_TYPE, SOL_SOCKET, SO_TYPE, KIND_INT, false, true, type_text},
    {"SO_ERROR", PROBE_OPT_ERROR, SOL_SOCKET, SO_ERROR, KIND_INT, false, true, error_text},
    {"SO_DOMAIN", PROBE_OPT_DOMAIN, SOL_SOCKET, SO_DOMAIN, KIND_INT, false, true, domain_text},
    {"SO_PROTOCOL", PROBE_OPT_PROTOCOL, SOL_SOCKET, SO_PROTOCOL, KIND_INT, false, true,
     protocol_text},
    {"SO_ACCEPTCONN", PROBE_OPT_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN, KIND_INT, false, true,
     NULL},
};
#define N_OPT_DEFS (sizeof(opt_defs) / sizeof(opt_defs[0]))

static const struct opt_def *opt_def_of(enum probe_opt opt)
{
	for (size_t i = 0; i < N_OPT_DEFS; i++)
		if (opt_defs[i].opt == opt)
			return &opt_defs[i];
	return NULL;
}

const char *probe_opt_name(enum probe_opt opt)
{
	const struct opt_def *d = opt_def_of(opt);

	return d ? d->name : "?";
}

/* The option named at word i that the step may use (set or get). */
static const struct opt_def *opt_word(struct step_words *w, size_t i, bool set)
{
	char names[512];
	size_t o = 0;

	for (size_t k = 0; k < N_OPT_DEFS; k++)
		if (!strcmp(w->tok[i], opt_defs[k].name)) {
			if (set ? opt_defs[k].set : opt_defs[k].get)
				return &opt_defs[k];
			probe_words_fail(w, i, "%s can only be %s", opt_defs[k].name,
					 set ? "read (getsockopt)" : "set (setsockopt)");
			return NULL;
		}
	names[0] = '\0';
	for (size_t k = 0; k < N_OPT_DEFS && o < sizeof(names); k++)
		if (set ? opt_defs[k].set : opt_defs[k].get)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "",
					      opt_defs[k].name);
	probe_words_fail(w, i, "unknown option '%s' (%s)", w->tok[i], names);
	return NULL;
}

/* cpu | index N, at word i. */
static int cbpf_words(struct step_words *w, size_t i, struct probe_step *st)
{
	if (i < w->n && !strcmp(w->tok[i], "cpu") && i + 1 == w->n) {
		snprintf(st->arg, sizeof(st->arg), "cpu");
		return 0;
	}
	if (i + 2 == w->n && !strcmp(w->tok[i], "index") &&
	    probe_word_num(w, i + 1, 0, 65535, &st->num) == 0) {
		snprintf(st->arg, sizeof(st->arg), "index");
		st->has_num = true;
		return 0;
	}
	return probe_words_fail(w, i, "SO_ATTACH_REUSEPORT_CBPF takes a program: cpu, or index N");
}

int probe_parse_setsockopt(struct step_words *w, struct probe_step *st)
{
	size_t b = w->b;
	const struct opt_def *d;

	st->n_socks = 1;
	if (probe_word_sock(w, b, st->socks[0], sizeof(st->socks[0])) < 0)
		return -EINVAL;
	d = opt_word(w, b + 1, true);
	if (!d)
		return -EINVAL;
	st->opt = d->opt;
	if (d->kind == KIND_CBPF)
		return cbpf_words(w, b + 2, st);
	if (d->kind == KIND_NONE)
		return w->n == b + 2 ? 0 : probe_words_fail(w, b + 2, "%s takes no value", d->name);
	if (w->n != b + 3)
		return probe_words_fail(w, w->n > b + 3 ? b + 3 : w->n, "usage: setsockopt S %s %s",
					d->name,
					d->kind == KIND_IFNAME	? "IFNAME"
					: d->kind == KIND_ADDR4 ? "ADDR"
								: "VALUE");
	if (d->kind == KIND_IFNAME)
		return probe_word_ifname(w, b + 2, st->arg, sizeof(st->arg));
	if (d->kind == KIND_ADDR4)
		return probe_word_addr(w, b + 2, st->arg, sizeof(st->arg));
	if (probe_word_num(w, b + 2, 0, 0x7fffffff, &st->num) < 0)
		return probe_words_fail(w, b + 2, "option value must be a number, not '%s'",
					w->tok[b + 2]);
	st->has_num = true;
	return 0;
}

int probe_parse_getsockopt(struct step_words *w, struct probe_step *st)
{
	const struct opt_def *d;

	st->n_socks = 1;
	if (probe_word_sock(w, w->b, st->socks[0], sizeof(st->socks[0])) < 0)
		return -EINVAL;
	d = opt_word(w, w->b + 1, false);
	if (!d)
		return -EINVAL;
	st->opt = d->opt;
	return 0;
}

/* Attach the ready program st names: 0 or the errno. */
static int cbpf_attach(int fd, const struct probe_step *st)
{
	struct sock_filter by_cpu[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (__u32)(SKF_AD_OFF + SKF_AD_CPU)),
	    BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter by_index[] = {BPF_STMT(BPF_RET | BPF_K, (__u32)st->num)};
	struct sock_fprog prog = {.len = 1, .filter = by_index};

	if (!strcmp(st->arg, "cpu"))
		prog = (struct sock_fprog){.len = 2, .filter = by_cpu};
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) < 0 ? errno
											      : 0;
}

/* setsockopt of an option taking an address or an interface name (st->arg,
 * resolved): 0 with the kernel's answer in *ret_err, or -errno (R->why). */
static int set_named(struct run *R, const struct opt_def *d, int fd, const char *tok,
		     int *ret_err)
{
	struct in_addr a;
	char buf[64];
	int r;

	r = probe_resolve_token(R, tok, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (d->kind == KIND_IFNAME) {
		r = setsockopt(fd, d->level, d->optname, buf, (socklen_t)strlen(buf) + 1);
	} else if (inet_pton(AF_INET, buf, &a) != 1) {
		*ret_err = EAFNOSUPPORT;
		return 0;
	} else {
		r = setsockopt(fd, d->level, d->optname, &a, sizeof(a));
	}
	*ret_err = r < 0 ? errno : 0;
	return 0;
}

/* setsockopt S OPT [VALUE]: the kernel's answer in res->err.  0, or -errno
 * (R->why set) when a variable cannot be resolved. */
int probe_run_setsockopt(struct run *R, int node, const struct probe_step *st, struct psock *s,
			 struct step_result *res)
{
	const struct opt_def *d = opt_def_of(st->opt);
	struct linger lg = {.l_onoff = 1, .l_linger = (int)st->num};
	int v = (int)st->num, r = 0;

	switch (d->kind) {
	case KIND_INT:
	case KIND_NONE:
		r = setsockopt(s->fd, d->level, d->optname, &v, sizeof(v));
		break;
	case KIND_LINGER:
		r = setsockopt(s->fd, d->level, d->optname, &lg, sizeof(lg));
		break;
	case KIND_CBPF:
		res->err = cbpf_attach(s->fd, st);
		return 0;
	case KIND_IFNAME:
	case KIND_ADDR4:
		return set_named(R, d, s->fd, st->arg, &res->err);
	}
	res->err = r < 0 ? errno : 0;
	return 0;
}

/* getsockopt of an option whose value is not an int, into res. */
static int get_other(const struct opt_def *d, int fd, struct step_result *res)
{
	struct linger lg = {0};
	struct in_addr a = {0};
	char name[IF_NAMESIZE] = "";
	socklen_t len;
	int idx = 0;

	if (d->kind == KIND_LINGER) {
		len = sizeof(lg);
		if (getsockopt(fd, d->level, d->optname, &lg, &len) < 0)
			return errno;
		res->value = lg.l_onoff ? lg.l_linger : -1;
		return 0;
	}
	if (d->kind == KIND_ADDR4) {
		len = sizeof(a);
		if (getsockopt(fd, d->level, d->optname, &a, &len) < 0)
			return errno;
		inet_ntop(AF_INET, &a, res->text, sizeof(res->text));
		return 0;
	}
	len = sizeof(name);
	if (getsockopt(fd, d->level, d->optname, name, &len) < 0)
		return errno;
	snprintf(res->text, sizeof(res->text), "%.*s", (int)len, name);
	len = sizeof(idx);
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, &len) == 0)
		res->value = idx;
	return 0;
}

int probe_run_getsockopt(struct run *R, int node, const struct probe_step *st, struct psock *s,
			 struct step_result *res)
{
	const struct opt_def *d = opt_def_of(st->opt);
	socklen_t len = sizeof(int);
	int v = 0;

	if (d->kind != KIND_INT) {
		res->err = get_other(d, s->fd, res);
		return 0;
	}
	if (getsockopt(s->fd, d->level, d->optname, &v, &len) < 0) {
		res->err = errno;
		return 0;
	}
	res->value = v;
	if (d->text)
		snprintf(res->text, sizeof(res->text), "%s", d->text(v));
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Which addresses the matrix's axes stand for, read from the node (we are
 * inside its namespace): A and its alias on the first interface with two
 * IPv4 addresses, other on a second interface, a specific IPv6 address
 * (never link-local: binding one needs a scope), unless the user chose them.
 * The v4-mapped axes follow A.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/matrix/matrix.h"
#include "lab/matrix/matrix_int.h"

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

/* An address of family fam on an up interface; loopback only when `loopback`. */
static bool is_usable(const struct ifaddrs *i, int fam, bool loopback)
{
	return i->ifa_addr && i->ifa_addr->sa_family == fam && (i->ifa_flags & IFF_UP) &&
	       !!(i->ifa_flags & IFF_LOOPBACK) == loopback;
}

static struct in_addr v4_of(const struct ifaddrs *i)
{
	return ((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
}

static const struct in6_addr *v6_of(const struct ifaddrs *i)
{
	return &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
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
		src = fam == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
				     : (const void *)v6_of(i);
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

static void set_axis4(struct matrix_result *res, unsigned a, struct in_addr v, const char *ifname)
{
	res->have[a] = true;
	res->addr[a] = v;
	snprintf(res->addr_if[a], IF_NAMESIZE, "%s", ifname);
}

/*
 * A: the first address of the first up, non-loopback interface with two
 * IPv4 addresses, else of the first with one.  Returns A's interface or NULL.
 */
static const char *pick_a(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (size_t want = 2; want >= 1; want--) {
		for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
			struct in_addr two[2] = {{0}, {0}};
			size_t cnt;

			if (!is_usable(i, AF_INET, false))
				continue;
			cnt = v4_of_interface(ifa, i->ifa_name, two);
			if (cnt < want)
				continue;
			set_axis4(res, MX_ADDR_A, two[0], i->ifa_name);
			return i->ifa_name;
		}
	}
	return NULL;
}

/* Nothing but loopback: A is 127.0.0.1 so the matrix still runs. */
static const char *pick_loopback_a(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!is_usable(i, AF_INET, true))
			continue;
		set_axis4(res, MX_ADDR_A, v4_of(i), i->ifa_name);
		snprintf(res->notes[0], sizeof(res->notes[0]),
			 "no IPv4 address outside loopback: A is %s on %s",
			 inet_ntoa(res->addr[MX_ADDR_A]), i->ifa_name);
		return i->ifa_name;
	}
	return NULL;
}

/* Alias: another IPv4 address on A's interface. */
static void pick_alias(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, res->addr_if[MX_ADDR_A]) ||
		    v4_of(i).s_addr == res->addr[MX_ADDR_A].s_addr)
			continue;
		set_axis4(res, MX_ADDR_ALIAS, v4_of(i), i->ifa_name);
		return;
	}
}

/* Other: an IPv4 address on an up, non-loopback interface other than A's. */
static void pick_other(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!is_usable(i, AF_INET, false) || !strcmp(i->ifa_name, res->addr_if[MX_ADDR_A]))
			continue;
		set_axis4(res, MX_ADDR_OTHER, v4_of(i), i->ifa_name);
		return;
	}
}

/* The specific IPv6 axis: global (or ULA) on an up interface, else ::1. */
static void pick_v6(const struct ifaddrs *ifa, struct matrix_result *res)
{
	for (int lo = 0; lo < 2 && !res->have[MX_ADDR_V6]; lo++) {
		for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
			if (!is_usable(i, AF_INET6, lo) || IN6_IS_ADDR_LINKLOCAL(v6_of(i)))
				continue;
			res->have[MX_ADDR_V6] = true;
			res->addr6[MX_ADDR_V6] = *v6_of(i);
			snprintf(res->addr_if[MX_ADDR_V6], IF_NAMESIZE, "%s", i->ifa_name);
			break;
		}
	}
}

/* The user's choice for axis a: the node must hold it.  0, -EINVAL, -EADDRNOTAVAIL. */
static int take_wanted(const struct ifaddrs *ifa, struct matrix_result *res, unsigned a,
		       const char *text)
{
	int fam = matrix_addr_is_v6(a) ? AF_INET6 : AF_INET;
	struct in6_addr v6;
	struct in_addr v4;

	if (inet_pton(fam, text, fam == AF_INET ? (void *)&v4 : (void *)&v6) != 1) {
		snprintf(res->why, sizeof(res->why), "%s=%s: not an IPv%c address",
			 matrix_addr_name(a), text, fam == AF_INET ? '4' : '6');
		res->why_wanted = true;
		return -EINVAL;
	}
	for (const struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != fam ||
		    (fam == AF_INET ? v4_of(i).s_addr != v4.s_addr
				    : memcmp(v6_of(i), &v6, sizeof(v6)) != 0))
			continue;
		if (fam == AF_INET) {
			set_axis4(res, a, v4, i->ifa_name);
		} else {
			res->have[a] = true;
			res->addr6[a] = v6;
			snprintf(res->addr_if[a], IF_NAMESIZE, "%s", i->ifa_name);
		}
		return 0;
	}
	snprintf(res->why, sizeof(res->why), "%s=%s: the node has no such address",
		 matrix_addr_name(a), text);
	res->why_wanted = true;
	return -EADDRNOTAVAIL;
}

/* Axes the node could not fill: one note each. */
static void note_missing(struct matrix_result *res)
{
	static const struct {
		unsigned axis, slot;
		const char *text;
	} miss[] = {
	    {MX_ADDR_ALIAS, 1, "no interface carries two IPv4 addresses: alias axis skipped"},
	    {MX_ADDR_OTHER, 2, "no IPv4 address on a second interface: other axis skipped"},
	    {MX_ADDR_V6, 3, "no IPv6 address outside link-local: v6 axis skipped"},
	};

	for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		if ((res->axes_mask & (1u << miss[i].axis)) && !res->have[miss[i].axis] &&
		    !res->notes[miss[i].slot][0])
			snprintf(res->notes[miss[i].slot], sizeof(res->notes[0]), "%s",
				 miss[i].text);
}

/* The AF_INET6 wildcard and v4-mapped axes: there when IPv6 sockets are. */
static void fill_v6_fixed(struct matrix_result *res)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		if (res->axes_mask & ~MX_AXES_V4)
			snprintf(res->notes[3], sizeof(res->notes[3]),
				 "no IPv6 sockets in this kernel: IPv6 axes skipped");
		res->have[MX_ADDR_V6] = false;
		return;
	}
	close(fd);
	res->have[MX_ADDR_V6_WILDCARD] = res->have[MX_ADDR_V6ONLY_WILDCARD] = true;
	res->have[MX_ADDR_MAPPED_WILDCARD] = true;
	res->have[MX_ADDR_MAPPED_A] = res->have[MX_ADDR_A];
	res->addr6[MX_ADDR_V6_WILDCARD] = in6addr_any;
	res->addr6[MX_ADDR_V6ONLY_WILDCARD] = in6addr_any;
	/* ::ffff:0.0.0.0 and ::ffff:A */
	for (unsigned a = MX_ADDR_MAPPED_WILDCARD; a <= MX_ADDR_MAPPED_A; a++) {
		res->addr6[a].s6_addr[10] = res->addr6[a].s6_addr[11] = 0xff;
		if (a == MX_ADDR_MAPPED_A)
			memcpy(&res->addr6[a].s6_addr[12], &res->addr[MX_ADDR_A], 4);
	}
	snprintf(res->addr_if[MX_ADDR_MAPPED_A], IF_NAMESIZE, "%s", res->addr_if[MX_ADDR_A]);
}

/* want[a] for A, alias, other, v6 (others ignored); NULL picks them all. */
int matrix_discover(struct matrix_result *res, const char *const *want)
{
	static const uint8_t pickable[] = {MX_ADDR_A, MX_ADDR_ALIAS, MX_ADDR_OTHER, MX_ADDR_V6};
	struct ifaddrs *ifa = NULL;
	int r;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	r = list_if_addrs(ifa, res);
	for (size_t k = 0; r == 0 && want && k < sizeof(pickable); k++)
		if (want[pickable[k]])
			r = take_wanted(ifa, res, pickable[k], want[pickable[k]]);
	if (r < 0)
		goto out;
	res->have[MX_ADDR_WILDCARD] = true;
	snprintf(res->addr_if[MX_ADDR_WILDCARD], IF_NAMESIZE, "*");
	if (!res->have[MX_ADDR_A] && !pick_a(ifa, res) && !pick_loopback_a(ifa, res)) {
		snprintf(res->why, sizeof(res->why), "no usable IPv4 address");
		r = -EADDRNOTAVAIL;
		goto out;
	}
	if (!res->have[MX_ADDR_ALIAS])
		pick_alias(ifa, res);
	if (!res->have[MX_ADDR_OTHER])
		pick_other(ifa, res);
	if (!res->have[MX_ADDR_V6])
		pick_v6(ifa, res);
	fill_v6_fixed(res);
	note_missing(res);
out:
	freeifaddrs(ifa);
	return r;
}

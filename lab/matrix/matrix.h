/* SPDX-License-Identifier: MIT */
/*
 * The bind matrix: inside one node's namespace, put a first socket in a state
 * (bound, listening, established, time-wait; UDP: bound, connected) with some
 * options on some address, then bind a second socket to the same port with
 * its own options and address, as the same or another uid, and record what
 * the second bind() returns.  Every combination, a fresh port per cell.
 * Plain C only; output writers live in matrix_out.c and matrix_html.c.
 */
#ifndef REUSELAB_MATRIX_H
#define REUSELAB_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <netinet/in.h>

#include "lab/inspect/inspect.h"
#include "lab/labns/labns.h"
#include "lab/topo/topo.h"

enum matrix_proto { MX_TCP, MX_UDP, MX_N_PROTO };
/* For UDP, MX_ESTABLISHED is "connected"; listening and time-wait are n/a. */
enum matrix_state { MX_BOUND, MX_LISTENING, MX_ESTABLISHED, MX_TIME_WAIT, MX_N_STATE };
enum matrix_opts { MX_OPT_NONE, MX_OPT_REUSEADDR, MX_OPT_REUSEPORT, MX_OPT_BOTH, MX_N_OPTS };
/*
 * Address axes.  The first four are IPv4 (the default set); the rest are
 * AF_INET6 sockets: [::] with IPV6_V6ONLY 0 (dual-stack) and 1, a specific
 * IPv6 address of the node, and the v4-mapped [::ffff:0.0.0.0] and
 * [::ffff:A] (IPV6_V6ONLY 0).
 */
enum matrix_addr {
	MX_ADDR_WILDCARD,
	MX_ADDR_A,
	MX_ADDR_ALIAS,
	MX_ADDR_OTHER,
	MX_ADDR_V6_WILDCARD,
	MX_ADDR_V6ONLY_WILDCARD,
	MX_ADDR_V6,
	MX_ADDR_MAPPED_WILDCARD,
	MX_ADDR_MAPPED_A,
	MX_N_ADDR
};
#define MX_AXES_V4   0x0fu  /* wildcard, A, alias, other: the default */
#define MX_AXES_DUAL 0x1f3u /* wildcard, A and the five IPv6 ones */
#define MX_AXES_ALL  0x1ffu
enum matrix_uid { MX_UID_SAME, MX_UID_OTHER, MX_N_UID };

#define MATRIX_OTHER_UID 65534u

/* Cell results besides 0 (ok) and an errno (> 0). */
#define MATRIX_NA    (-1) /* combination does not apply (UDP listen, missing address) */
#define MATRIX_SETUP (-2) /* putting the first socket in its state failed: see setup_err */

struct matrix_cell {
	uint8_t proto, state, uid;
	uint8_t first_opts, first_addr;
	uint8_t second_opts, second_addr;
	uint16_t port;
	int result;	     /* 0, errno of the second bind(), MATRIX_NA or MATRIX_SETUP */
	int setup_err;	     /* errno, with MATRIX_SETUP */
	char setup_call[12]; /* "bind", "listen", "connect", "accept", ... with MATRIX_SETUP */
};

/* An address the node holds, as read from the kernel. */
struct matrix_if_addr {
	char ifname[IF_NAMESIZE];
	bool up;
	bool loopback;
	int family;
	char text[INET6_ADDRSTRLEN + 5]; /* "10.0.1.1/24" */
};

struct matrix_result {
	char kernel[128];
	char lab[TOPO_LAB_NAME_MAX + 1];
	char node[TOPO_NODE_NAME_MAX + 1];
	/* The address axes of this run: axes_mask, n_axes of them in enum
	 * order (axis[]), pos[a] the place of axis a or -1; have[] false when
	 * the node lacks one. */
	unsigned axes_mask, n_axes;
	uint8_t axis[MX_N_ADDR];
	int8_t pos[MX_N_ADDR];
	bool have[MX_N_ADDR];
	struct in_addr addr[MX_N_ADDR];	  /* the IPv4 axes */
	struct in6_addr addr6[MX_N_ADDR]; /* the IPv6 axes */
	char addr_if[MX_N_ADDR][IF_NAMESIZE];
	char notes[5][128];		 /* why an axis is missing, limits raised; "" when none */
	char why[160];			 /* with -EADDRNOTAVAIL or -EINVAL: which address */
	bool why_wanted;		 /* ... is one the caller chose (cfg->want): bad input */
	struct matrix_if_addr *if_addrs; /* every address of the node */
	size_t n_if_addrs;
	unsigned proto_mask;		/* 1 << MX_TCP | 1 << MX_UDP */
	uint16_t port_first, port_last; /* ports used */
	double elapsed_ms;		/* wall time of the cells */
	struct matrix_cell *cells;
	size_t n_cells;
};

struct matrix_config {
	unsigned proto_mask;	   /* 0 means both */
	uint16_t port_lo, port_hi; /* 0 means 10000..32767 (below the usual ephemeral range) */
	unsigned axes_mask;	   /* 1 << MX_ADDR_..., 0 means MX_AXES_V4 */
	/* Addresses the user chose for A, alias, other, v6 (NULL: the first found). */
	const char *want[MX_N_ADDR];
	/* Called every few cells and at the end; may be NULL. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
	/* Called before each cell; non-zero stops the run (-EINTR).  May be NULL. */
	int (*stop)(void);
};

/* Total cells for a proto mask and axes mask (n/a cells included). */
size_t matrix_cell_count(unsigned proto_mask, unsigned axes_mask);

/*
 * Run the matrix inside the namespace netns_fd (the caller's namespace is
 * restored before return).  Fills *ret (free with matrix_result_free).
 * Returns 0, -EADDRNOTAVAIL when the node has no usable IPv4 address or
 * lacks an address in cfg->want (ret->why says which, ret->why_wanted when
 * it is a want; *ret is otherwise empty), -EINVAL for a want that is no
 * address of its axis's family (ret->why, ret->why_wanted) or a cfg out of
 * range (no why), -ENOSPC when the port range is too small, -EINTR when
 * cfg->stop asked, or -errno.  A net.ipv4.tcp_max_tw_buckets the run raised
 * in the namespace is put back before it returns, however it ends.
 */
int matrix_run(int netns_fd, const struct matrix_config *cfg, struct matrix_result *ret);
void matrix_result_free(struct matrix_result *r);

/* Names used in every output (and in the JSON schema). */
const char *matrix_proto_name(unsigned p);
const char *matrix_state_name(unsigned proto, unsigned st); /* UDP established: "connected" */
/* False for the states proto has none of (UDP: listening, time-wait): not applicable. */
bool matrix_state_applies(unsigned proto, unsigned st);
const char *matrix_opts_name(unsigned o); /* "none", "reuseaddr", "reuseport", "both" */
/* "wildcard", "A", "alias", "other", "v6-wildcard", "v6only-wildcard", "v6",
 * "mapped-wildcard", "mapped-A"; MX_N_ADDR for an unknown name. */
const char *matrix_addr_name(unsigned a);
unsigned matrix_addr_parse(const char *name);
/* One character per axis, for grids: * A a o D V 6 m M. */
char matrix_addr_key(unsigned a);
bool matrix_addr_is_v6(unsigned a);
/* The address of axis a in r as text: "0.0.0.0", "::", "::ffff:10.0.1.1", ... */
const char *matrix_addr_text(const struct matrix_result *r, unsigned a, char *buf, size_t len);
const char *matrix_uid_name(unsigned u);  /* "same", "other" */
/* "ok", "EADDRINUSE", ..., "n/a", "error"; buf for unknown errnos. */
const char *matrix_result_name(int result, char *buf, size_t len);
/* One character: '.' ok, 'U' EADDRINUSE, 'N' EADDRNOTAVAIL, '-' n/a, '!' setup, '?' other. */
char matrix_result_char(int result);

/* Writers.  Return 0 or -errno. */
int matrix_write_grid(const struct matrix_result *r, FILE *out, bool color);
int matrix_write_json(const struct matrix_result *r, FILE *out);
/*
 * One self-contained HTML page: coloured grids, legend, and the lab drawn as
 * SVG from t (may be NULL), else from the kernel view v (may be NULL), else
 * the node alone from r's addresses.
 */
int matrix_write_html(const struct matrix_result *r, const struct topology *t,
		      const struct inspect_lab *v, FILE *out);

#endif

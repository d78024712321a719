/* SPDX-License-Identifier: MIT */
/*
 * The validated topology model: plain C structs, no YAML type.  Every object
 * keeps the line and column it came from so later stages (probe compilation,
 * `check`) can report errors in FILE:LINE:COL form.
 */
#ifndef REUSELAB_TOPO_H
#define REUSELAB_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

/*
 * Lab and node names are [a-z0-9-], start with a letter or digit.  Namespace
 * names are "rl-<lab>-<node>"; the limits keep those (and state file names)
 * short and unambiguous.
 */
#define TOPO_LAB_NAME_MAX  24
#define TOPO_NODE_NAME_MAX 32
#define TOPO_LAN_NAME_MAX  32
#define TOPO_CASE_ID_MAX   63

struct topo_mark {
	unsigned line; /* 1-based */
	unsigned col;  /* 1-based */
};

struct topo_addr {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];       /* network order; first 4 bytes for AF_INET */
	unsigned prefixlen;
	struct topo_mark mark;
};

struct topo_route {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t dst[16];        /* all zero with dst_len 0 for "default" */
	unsigned dst_len;
	bool has_via;
	uint8_t via[16];
	char dev[IFNAMSIZ];     /* "" when absent; else an interface of the node */
	struct topo_mark mark;
	/* Added: via's own family (validated equal to family) and per-field marks. */
	int via_family;         /* 0 when !has_via */
	struct topo_mark dst_mark, via_mark, dev_mark;
};

struct topo_sysctl {
	char key[128];          /* "net.ipv4.ip_forward": always starts with "net." */
	char value[128];
	struct topo_mark mark;  /* of the key */
	struct topo_mark value_mark; /* added */
};

struct topo_iface {
	char name[IFNAMSIZ];
	struct topo_addr *addrs; /* in file order; all but the first are aliases */
	size_t n_addrs;
	struct topo_mark mark;
};

struct topo_node {
	char name[TOPO_NODE_NAME_MAX + 1];
	struct topo_iface *ifaces;
	size_t n_ifaces;
	/* `lo:` under interfaces: addresses added to the node's own loopback
	 * (named "lo", n_addrs 0 when none); never linked, not in ifaces. */
	struct topo_iface loopback;
	struct topo_route *routes;
	size_t n_routes;
	struct topo_sysctl *sysctls;
	size_t n_sysctls;
	struct topo_mark mark;
};

/* Indexes into topology.nodes[] and that node's ifaces[]. */
struct topo_endpoint {
	size_t node;
	size_t iface;
	struct topo_mark mark;
};

/* A point-to-point veth pair. */
struct topo_link {
	struct topo_endpoint a, b;
	struct topo_mark mark;
};

/* A shared segment: a bridge in the lab's hidden namespace, one veth per member. */
struct topo_lan {
	char name[TOPO_LAN_NAME_MAX + 1];
	struct topo_endpoint *members;
	size_t n_members;
	struct topo_mark mark;
};

/*
 * A user case, kept as text: the probe module compiles the steps (see
 * lab/probe/probe.h) and reports errors at the marks stored here.
 */
struct topo_step {
	char *node;             /* node the step runs in */
	char *text;             /* the step in the probe step language */
	char *expect;           /* "ok", an errno name, or NULL when not given */
	struct topo_mark mark;  /* of the step mapping */
	struct topo_mark text_mark;
	struct topo_mark expect_mark;
	struct topo_mark node_mark; /* added: of the `on` value */
};

struct topo_case {
	char id[TOPO_CASE_ID_MAX + 1];
	char *claim;            /* NULL when absent */
	char *description;      /* NULL when absent */
	struct topo_step *steps;
	size_t n_steps;
	struct topo_mark mark;
	struct topo_mark id_mark; /* added: of the `id` value */
};

struct topology {
	char *file;             /* path as given by the user */
	char *text;             /* the source as loaded and validated (what `up` keeps) */
	size_t text_len;
	char name[TOPO_LAB_NAME_MAX + 1];
	struct topo_node *nodes;
	size_t n_nodes;
	struct topo_link *links;
	size_t n_links;
	struct topo_lan *lans;
	size_t n_lans;
	struct topo_case *cases;
	size_t n_cases;
	struct topo_mark name_mark;  /* added: of the `name` value */
	struct topo_mark nodes_mark; /* added: of the `nodes` key */
};

/*
 * Diagnostics collected by the loader and validator, each a complete line
 * "FILE:LINE:COL: error: MESSAGE" without the newline, sorted by position.
 */
struct topo_diag {
	char **lines;
	size_t n;
};

void topo_diag_free(struct topo_diag *d);

/*
 * Added for the topo_*.c files and other stages that report at a mark:
 * append "FILE:LINE:COL: error: MESSAGE" ("FILE: error: MESSAGE" when
 * m.line is 0), control characters escaped.  Returns -EINVAL (the usual
 * result for the caller to pass on) or -ENOMEM.
 */
int topo_diag_add(struct topo_diag *d, const char *file, struct topo_mark m, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
/* Stable sort of lines by position; `file` is the FILE prefix they share. */
void topo_diag_sort(struct topo_diag *d, const char *file);

/* Input limits (documented in reuselab-topology(5)). */
#define TOPO_FILE_MAX      (4u << 20)
#define TOPO_DEPTH_MAX     16
#define TOPO_NODES_MAX     4096
#define TOPO_IFACES_MAX    64
#define TOPO_ADDRS_MAX     256
#define TOPO_ROUTES_MAX    256
#define TOPO_SYSCTLS_MAX   256
#define TOPO_LANS_MAX      4096
#define TOPO_CASES_MAX     1024
#define TOPO_STEPS_MAX     4096
#define TOPO_STRING_MAX    4096 /* claim, description, step text */

/*
 * Added: the semantic checks over a loaded model (pure; no I/O).  Appends
 * every error, sorted by position; returns 0, -EINVAL or -ENOMEM.
 */
int topo_validate(const struct topology *t, struct topo_diag *d);

/*
 * Load and validate a topology file.  Returns 0 and *ret on success;
 * -EINVAL with d filled when the input is bad; -ENOMEM; -errno when the file
 * cannot be read (d then holds a line naming the file and the cause).
 */
int topo_load(const char *path, struct topology **ret, struct topo_diag *d);

/* Same, from a buffer; `name` is used as FILE in diagnostics. */
int topo_load_buffer(const char *name, const char *buf, size_t len, struct topology **ret,
		     struct topo_diag *d);

void topo_free(struct topology *t);

/* True when s is a valid lab/node name of at most max bytes. */
bool topo_name_valid(const char *s, size_t max);
/* Added: true when s is a usable interface name (1..15 bytes, not lo, ...). */
bool topo_ifname_valid(const char *s);

/* Lookups: the index (>= 0), or -ENOENT when there is no such name. */
int topo_node_find(const struct topology *t, const char *name);
int topo_iface_find(const struct topo_node *n, const char *name);
/* Interface i of n for i < n_ifaces, n's loopback (its `lo:` addresses) for
 * i == n_ifaces: a loop over every address of a node runs i <= n_ifaces. */
const struct topo_iface *topo_node_iface(const struct topo_node *n, size_t i);

/* Write the topology as Graphviz DOT. Returns 0 or -errno. */
#include <stdio.h>
int topo_write_dot(const struct topology *t, FILE *out);
/* Write the topology as a Mermaid flowchart (for Markdown). 0 or -errno. */
int topo_write_mermaid(const struct topology *t, FILE *out);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Turning a validated topology into kernel objects, reading them back, and
 * removing them.  Implemented on netns/ (netlink); no netlink type leaks here.
 *
 * Naming: node namespace "rl-<lab>-<node>"; the hidden namespace holding the
 * lans' bridges "rl-<lab>-.lans" ('.' is never in a node name).  Every lab
 * namespace is tagged as ours: its loopback carries IFLA_IFALIAS
 * "reuselab:<lab>", set before the namespace is mounted under /run/netns, so
 * `down` can tell our namespaces from any other "rl-..." one without a state
 * file, and exec, probe and matrix enter nothing else.  The name alone is
 * ambiguous: lab "a", node "b-c" and lab "a-b", node "c" are both "rl-a-b-c";
 * whichever lab is up first has it, the other's up fails with -EEXIST.
 */
#ifndef REUSELAB_BUILD_H
#define REUSELAB_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include "lab/topo/topo.h"

#define LAB_NS_PREFIX   "rl-"
#define LAB_LANS_SUFFIX ".lans"
#define LAB_TAG_PREFIX  "reuselab:"

/* "rl-<lab>-<node>" into buf. Returns 0 or -ENAMETOOLONG. */
int lab_ns_name(const char *lab, const char *node, char *buf, size_t len);

/*
 * Build the lab `lab` from t: namespaces, lo up, veths, bridge membership,
 * addresses (IPv6 with IFA_F_NODAD), links up, routes, sysctls.
 * Transactional: on any failure (or when SIGINT/SIGTERM becomes pending,
 * which the caller blocks beforehand), everything this call created is
 * removed before it returns.  Returns 0, or -errno with err holding one line
 * naming the object and the kernel's reason, e.g.
 * "link server:eth0 <-> client-b:eth0: File exists".  -EINTR when stopped by
 * a signal.  -EEXIST (with a message) when a namespace of that name exists.
 */
struct build_progress {
	/* Called every few operations and after the last; from lab_build only. */
	void (*fn)(size_t done, size_t total, void *data);
	void *data;
};

/* progress may be NULL. */
int lab_build(const struct topology *t, const char *lab, const struct build_progress *progress,
	      char *err, size_t errlen);

/*
 * Number of kernel operations lab_build(t) performs when nothing fails (one
 * per namespace creation, netlink request and sysctl write), so a test can
 * walk REUSELAB_FAULT_AT=1..count.  Test builds (-DREUSELAB_TESTING) make
 * operation N of lab_build fail with -EIO when REUSELAB_FAULT_AT=N.
 * Returns the count, or -EINVAL when t cannot be planned.
 */
int lab_build_count_ops(const struct topology *t);

/*
 * Remove lab `lab`: every namespace named "rl-<lab>-..." that carries our
 * tag for exactly this lab, and the empty files a killed `up` leaves (no
 * namespace behind them, so no tag), but those only under a name the lab
 * owns by construction: "rl-<lab>-<node>" for a node in `nodes` (from the
 * lab's state) or "rl-<lab>-.lans"; with nodes NULL, none.  Idempotent: 0 with both counts 0 when
 * nothing is left.  Never touches an untagged namespace or another lab's;
 * -EBUSY (err says where) when something else is mounted over one of ours.
 * *ret_removed counts namespaces, *ret_stale (may be NULL) stale files.
 */
int lab_teardown(const char *lab, char *const *nodes, size_t n_nodes, unsigned *ret_removed,
		 unsigned *ret_stale, char *err, size_t errlen);

/* lab_teardown with the node names of t. */
int lab_teardown_topo(const struct topology *t, const char *lab, unsigned *ret_removed,
		      unsigned *ret_stale, char *err, size_t errlen);

/*
 * Open node `node` of lab `lab` to enter it (setns): *ret_fd (O_CLOEXEC) only
 * when /run/netns/rl-<lab>-<node> is a network namespace whose loopback
 * carries the tag "reuselab:<lab>", checked through that same fd.  -ENOENT
 * when there is no such name; -EEXIST when the name exists but is not this
 * lab's (another lab's, a stranger's `ip netns add`, an empty leftover file);
 * -EINVAL or -ENAMETOOLONG for bad names; other -errno.
 */
int lab_node_open(const char *lab, const char *node, int *ret_fd);

/*
 * lab_node_open by namespace name, also opening a netlink socket inside.
 * ret_fd and ret_sock may each be NULL (closed then).  For build_inspect.c
 * and build_teardown.c.
 */
struct ns_sock;
int lab_ns_open_ours(const char *nsname, const char *lab, int *ret_fd, struct ns_sock **ret_sock);

/* Names of labs that have at least one tagged namespace. */
int lab_list_live(char ***ret_names, size_t *ret_n);

/* Free an array of n strings (as lab_list_live returns); NULL is fine. */
void names_free(char **names, size_t n);

/* What the kernel holds for a lab, for `status`. */
struct lab_view_addr {
	int family;
	char text[64];          /* "10.0.1.1/24" */
};

struct lab_view_iface {
	char name[16];
	int ifindex;
	bool up;                /* IFF_UP */
	bool lower_up;          /* carrier */
	char kind[16];          /* "veth", "bridge", "loopback", ... */
	struct lab_view_addr *addrs;
	size_t n_addrs;
};

struct lab_view_node {
	char name[64];          /* node name; ".lans" for the hidden namespace */
	char ns[128];           /* namespace name */
	bool present;           /* the namespace exists */
	struct lab_view_iface *ifaces;
	size_t n_ifaces;
};

struct lab_view {
	char lab[64];
	struct lab_view_node *nodes;
	size_t n_nodes;
};

/*
 * Read the lab's namespaces from the kernel.  `expect_nodes` (may be NULL)
 * lists node names the state says should exist: those missing are reported
 * with present = false.
 */
int lab_inspect(const char *lab, char *const *expect_nodes, size_t n_expect,
		struct lab_view **ret);
void lab_view_free(struct lab_view *v);

#endif

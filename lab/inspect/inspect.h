/* SPDX-License-Identifier: MIT */
/*
 * What the kernel holds for a lab, read live from its namespaces
 * (netns/live.c), with every veth's peer resolved to node:iface across the
 * lab; and the comparison of that with the declared topology (`verify`).
 * The comparison is pure: it takes plain structs, so unit tests build both
 * sides by hand.
 */
#ifndef REUSELAB_INSPECT_H
#define REUSELAB_INSPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "lab/topo/topo.h"
#include "netns/netns.h"

/* The node name of the hidden namespace that holds the lans' bridges. */
#define INSPECT_LANS_NODE ".lans"
#define INSPECT_NO_PEER	  ((size_t)-1)
/* inspect_read flags: also read each node's sockets (sock_diag). */
#define INSPECT_SOCKETS 1u

/* Where the other end of a veth is, as indexes into the lab's nodes/links. */
struct inspect_peer {
	size_t node; /* INSPECT_NO_PEER: none, or not in the lab */
	size_t link; /* index into that node's live->links */
};

struct inspect_node {
	char name[TOPO_NODE_NAME_MAX + 8]; /* node name, or INSPECT_LANS_NODE */
	char ns[128];			   /* namespace name */
	bool present;			   /* the namespace exists and is this lab's */
	bool foreign; /* !present, but the name is there: untagged, another's, or an empty file */
	struct live_ns *live;		   /* NULL when !present */
	struct inspect_peer *peers;	   /* one per live->links[] */
	struct sock_seen *socks;	   /* with INSPECT_SOCKETS */
	size_t n_socks;
};

struct inspect_lab {
	char lab[TOPO_LAB_NAME_MAX + 1];
	struct inspect_node *nodes;
	size_t n_nodes;
};

/*
 * Read lab `lab`: the nodes in `nodes` (from its state or topology; may be
 * NULL), missing ones with present = false, then every other namespace of
 * the lab found under /run/netns (the lans namespace among them), sorted.
 * 0 and *ret (free with inspect_free) or -errno when the kernel could not be
 * read.
 */
int inspect_read(const char *lab, char *const *nodes, size_t n_nodes, unsigned flags,
		 struct inspect_lab **ret);
void inspect_free(struct inspect_lab *l);

/* The node named name, or NULL. */
const struct inspect_node *inspect_node_find(const struct inspect_lab *l, const char *name);

/* "node:iface" of a link's peer into buf; "" when it has none in the lab. */
void inspect_peer_name(const struct inspect_lab *l, const struct inspect_peer *p, char *buf,
		       size_t len);

/*
 * True when the lab is degraded: a node namespace in `nodes` (inspect_read's
 * list) is gone, or a veth whose other end is nowhere in the lab.
 */
bool inspect_degraded(const struct inspect_lab *l);

/*
 * Compare live state with topology t (the lab's declared one).  Calls out
 * once per difference with one line, in a stable order:
 *   "client-b: namespace gone"
 *   "server:eth0: interface missing" / "server:dummy0: interface extra"
 *   "server:eth0: down"
 *   "client-c:eth0: peer server:eth1 gone" / "... peer is X, declared Y"
 *   "client-b:eth0: not on lan seg1"
 *   "server:eth0: address 10.0.1.2/24 missing" / "... extra"
 *   "server: route 10.0.3.0/24 via 10.0.2.1 missing" / "... extra"
 * Kernel-made state is not a difference: loopback's host-scope addresses,
 * IPv6 link-locals, routes of protocol kernel.  Returns the number of
 * differences, or out's negative return.
 */
typedef int (*inspect_diff_cb)(const char *line, void *data);
int inspect_verify(const struct topology *t, const struct inspect_lab *l, inspect_diff_cb out,
		   void *data);

#endif

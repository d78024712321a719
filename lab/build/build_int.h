/* SPDX-License-Identifier: MIT */
/*
 * The build of a lab as a pure, ordered list of kernel operations: computed
 * from the topology alone (no root, no kernel), so `up --dry-run` can print it,
 * unit tests can compare it, and fault injection can name "operation N".
 * One action is exactly one kernel operation: a namespace creation, one
 * netlink request, or one sysctl write.
 */
#ifndef REUSELAB_BUILD_INT_H
#define REUSELAB_BUILD_INT_H

#include <stddef.h>
#include "lab/topo/topo.h"

#define PLAN_NS_NAME_MAX 128 /* bytes with the NUL; matches inspect_node.ns */
#define PLAN_NO_NODE	 ((size_t)-1)

enum plan_op {
	PLAN_NS_CREATE,	   /* namespace ns, not yet mounted under /run/netns */
	PLAN_NS_TAG,	   /* loopback of ns: IFLA_IFALIAS "reuselab:<lab>" and up
			      (always right after its NS_CREATE) */
	PLAN_NS_PUBLISH,   /* bind mount of ns on /run/netns/<name> (always right
			      after its NS_TAG) */
	PLAN_LANS_NO_IPV6, /* lans namespace: net.ipv6.conf.default.disable_ipv6 = 1
			      (before its first bridge; see build_plan.c) */
	PLAN_BRIDGE_ADD,   /* bridge "br<item>" for lan item, in the lans namespace,
			      down: its ports forward nothing until PLAN_BRIDGE_UP */
	PLAN_VETH_ADD,	   /* link item: sent in end a's namespace (a made up), peer
			      end b placed into peer_ns */
	PLAN_PEER_UP,	   /* link item: end b (node:iface) up, from its namespace */
	PLAN_LAN_PORT_ADD, /* lan item member node:iface: sent in the node's namespace
			      (iface made up), bridge port "p<port>" placed into the
			      lans namespace (peer_ns) */
	PLAN_PORT_ATTACH,  /* bridge port "p<port>" enslaved to lan item's bridge and
			      up, in the lans namespace */
	PLAN_SYSCTL_SET,   /* sysctl item of node, written inside ns */
	PLAN_ADDR_ADD,	   /* address item of node:iface */
	PLAN_BRIDGE_UP,	   /* bridge "br<item>" up, with every port of lan item
			      (after the addresses, before the routes) */
	PLAN_ROUTE_ADD,	   /* route item of node */
};

struct plan_action {
	enum plan_op op;
	size_t ns;	/* namespace the operation runs in (index into plan.ns) */
	size_t peer_ns; /* VETH, LAN_PORT: namespace of the other end */
	size_t node;	/* node concerned, PLAN_NO_NODE for the lans namespace */
	size_t iface;	/* interface of node (VETH: end a's) */
	size_t item;	/* link, lan, address, route or sysctl index */
	size_t port;	/* LAN_PORT, PORT_ATTACH: N of "p<N>" */
};

struct plan_ns {
	char name[PLAN_NS_NAME_MAX];
	size_t node; /* PLAN_NO_NODE for the lans namespace */
};

struct build_plan {
	struct plan_ns *ns; /* nodes in topology order, then the lans one */
	size_t n_ns;
	size_t lans_ns; /* index of the lans namespace, or PLAN_NO_NODE */
	struct plan_action *acts;
	size_t n_acts;
	size_t *iface_base; /* per node: index of its first interface in a flat table */
	size_t n_ifaces;    /* interfaces of all nodes */
	size_t n_ports;	    /* bridge ports of all lans */
};

/*
 * Plan the build of t as lab `lab`.  t must come from topo_load (validated:
 * the plan asserts what the validator guarantees); only the lab name, which
 * may come from --name, is checked: -EINVAL with err filled.  0 or -ENOMEM.
 */
int plan_make(const struct topology *t, const char *lab, struct build_plan **ret, char *err,
	      size_t errlen);
void plan_free(struct build_plan *p);

/* The object action i works on, for messages: "link server:eth0 <-> client-b:eth0". */
void plan_describe(const struct build_plan *p, const struct topology *t, size_t i, char *buf,
		   size_t len);

/* One line for a dry run: "add address 10.0.1.1/24 on server:eth0". */
void plan_format(const struct build_plan *p, const struct topology *t, size_t i, char *buf,
		 size_t len);

/* Name of the bridge for lan i ("br0") and of bridge port n ("p0"). */
void plan_bridge_name(size_t lan, char *buf, size_t len);
void plan_port_name(size_t port, char *buf, size_t len);

#endif

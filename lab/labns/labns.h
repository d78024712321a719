/* SPDX-License-Identifier: MIT */
/*
 * A lab's namespaces by name: how (lab, node) maps to a namespace under
 * /run/netns, how a namespace is marked as a lab's, and opening one only
 * when it carries that mark.  What probe, exec, matrix, status and down need
 * to find a lab's nodes, without the builder.
 *
 * Naming: node namespace "rl-<lab>.<node>"; the hidden namespace holding the
 * lans' bridges "rl-<lab>..lans".  Lab and node names are [a-z0-9-] (see
 * topo_name_valid), so they never hold a '.': the first '.' after "rl-" ends
 * the lab name, and the mapping is injective (lab "a", node "b-c" is
 * "rl-a.b-c"; lab "a-b", node "c" is "rl-a-b.c").  Every lab namespace is
 * tagged as ours: its loopback carries IFLA_IFALIAS "reuselab:<lab>", set
 * before the namespace is mounted under /run/netns, so `down` can tell our
 * namespaces from any other "rl-..." one without a state file, and exec,
 * probe and matrix enter nothing else.
 */
#ifndef REUSELAB_LABNS_H
#define REUSELAB_LABNS_H

#include <stdbool.h>
#include <stddef.h>

#define LAB_NS_PREFIX	"rl-"
#define LAB_NS_SEP	"."	/* between lab and node: in neither name */
#define LAB_LANS_SUFFIX ".lans" /* the node part of the lans namespace */
#define LAB_TAG_PREFIX	"reuselab:"
#define LAB_NS_NAME_MAX 127 /* bytes of a namespace name: NS_NAME_MAX */

/* "rl-<lab>.<node>" into buf. Returns 0 or -ENAMETOOLONG. */
int lab_ns_name(const char *lab, const char *node, char *buf, size_t len);

/* "rl-<lab>.", what every namespace of the lab starts with. 0 or -ENAMETOOLONG. */
int lab_ns_prefix(const char *lab, char *buf, size_t len);

/*
 * Names under /run/netns starting with prefix (valid namespace names only),
 * in directory order.  None when the directory is missing.  0 or -errno;
 * free with names_free().
 */
int lab_ns_list(const char *prefix, char ***ret_names, size_t *ret_n);
/* The same in dir, an open /run/netns (ns_dir_open), which stays open. */
int lab_ns_list_at(int dir, const char *prefix, char ***ret_names, size_t *ret_n);

/*
 * Open node `node` of lab `lab` to enter it (setns): *ret_fd (O_CLOEXEC) only
 * when /run/netns/rl-<lab>.<node> is a network namespace whose loopback
 * carries the tag "reuselab:<lab>", checked through that same fd.  -ENOENT
 * when there is no such name; -EEXIST when the name exists but is not this
 * lab's (a stranger's `ip netns add`, an untagged or empty leftover file);
 * -EINVAL or -ENAMETOOLONG for bad names; other -errno.
 */
int lab_node_open(const char *lab, const char *node, int *ret_fd);

/*
 * lab_node_open by namespace name, also opening a netlink socket inside.
 * ret_fd and ret_sock may each be NULL (closed then).
 */
struct ns_sock;
int lab_ns_open_ours(const char *nsname, const char *lab, int *ret_fd, struct ns_sock **ret_sock);

/* Names of labs that have at least one tagged namespace, sorted. 0 or -errno. */
int lab_list_live(char ***ret_names, size_t *ret_n);

/* Free an array of n strings (as lab_list_live returns); NULL is fine. */
void names_free(char **names, size_t n);

#endif

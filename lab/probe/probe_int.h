/* SPDX-License-Identifier: MIT */
/*
 * Private to the probe runner (lab/probe_*.c): the state of one run and the
 * functions its files share.  Other modules use lab/probe/probe.h only.
 */
#ifndef REUSELAB_PROBE_INT_H
#define REUSELAB_PROBE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lab/probe/probe.h"
#include "lab/report/report.h"
#include "lab/topo/topo.h"

#define MAX_SOCKS   64
#define MAX_ANON    512
#define N_PORT_VARS 9
#define MAX_PORTS   16

struct psock {
	char name[PROBE_NAME_MAX + 1];
	int fd;
	int node;
	int family;
	int type;
};

struct run {
	const struct topology *t;
	const char *lab;
	const struct probe_roles *roles;
	int *nsfd;  /* per node; -1 when it could not be opened */
	int *nserr; /* errno of that failure */
	int orig_ns;
	int cur_node; /* -1: the original namespace */
	unsigned port_lo, port_hi, port_next;

	/* per case */
	uint16_t pvars[N_PORT_VARS]; /* $P, $P2..$P9; 0 until first use */
	uint16_t ports[MAX_PORTS];   /* every port the case touched, for show */
	size_t n_ports;
	struct psock socks[MAX_SOCKS];
	size_t n_socks;
	int anon[MAX_ANON];
	size_t n_anon;
	long pending_uid;
	char why[256]; /* system error text for the case */
};

/* probe_ns.c */
/* Switch to node's namespace (-1: the one we started in).  0 or -errno. */
int probe_enter_node(struct run *R, int node);
/* Back to the starting namespace; on failure the next enter retries. */
void probe_leave_node(struct run *R);
/* Open a socket in node, optionally with fsuid uid (>= 0): 0 with *ret_fd,
 * an errno (> 0) the kernel returned, or -errno when the node is unreachable. */
int probe_open_socket(struct run *R, int node, int family, int type, long uid, int *ret_fd);
/* The case's socket named name, or NULL. */
struct psock *probe_sock_find(struct run *R, const char *name);
/* Operand socket i of st, or NULL with R->why set. */
struct psock *probe_operand(struct run *R, const struct probe_step *st, size_t i);
/* Name fd (takes it; a reused name keeps the old socket open, unnamed, until
 * the case ends).  0, or -EMFILE with R->why set. */
int probe_sock_add(struct run *R, const char *name, int fd, int node, int family, int type);
/* Forget s (the caller closed it). */
void probe_sock_drop(struct run *R, struct psock *s);
/* Keep fd open, unnamed, until the case ends. */
void probe_anon_add(struct run *R, int fd);
/* Close every socket of the case. */
void probe_close_all(struct run *R);
long probe_now_ms(void);
/* Poll one fd for events within ms: 1 ready, 0 timeout, -errno. */
int probe_wait_fd(int fd, short events, int ms);

/* probe_ports.c */
/* Pick the case port range from the lab's "LO HI" ip_local_port_range. */
void probe_port_range_pick(struct run *R, const char *local_range);
/* A port free in every node: 0, or -EADDRINUSE when none is left. */
int probe_port_alloc(struct run *R, uint16_t *ret);
/* Remember a port the case touched (for `show`). */
void probe_note_port(struct run *R, uint16_t p);

/* probe_vars.c */
/* "$X" resolved or a literal copied: 0, or -errno with R->why set. */
int probe_resolve_token(struct run *R, const char *tok, char *buf, size_t len);
/* ENDPOINT for a socket of family (0: the address decides) into ss/len and
 * text.  0, or -errno with R->why set. */
int probe_endpoint_resolve(struct run *R, const char *ep, int family, struct sockaddr_storage *ss,
			   socklen_t *len, char *text, size_t tlen);
/* in with every $VAR replaced by its value (unresolvable ones kept). */
void probe_subst_text(struct run *R, const char *in, char *out, size_t len);
/* Does the lab have every role variable of a catalog step?  Sets why if not. */
bool probe_vars_available(struct run *R, const char *text, char *why, size_t len);

/* probe_sock.c */
/* Run one step in node.  0 with res filled (a kernel error is an outcome in
 * res->err), or -errno with R->why set when the system failed. */
int probe_step_exec(struct run *R, int node, const struct probe_step *st, struct step_result *res);

/* probe_child.c (same contract as probe_step_exec).  It sits below
 * probe_sock.c and uses only probe_ns.c and probe_vars.c. */
int probe_step_child(struct run *R, int node, const struct probe_step *st, struct step_result *res);
int probe_step_daytime(struct run *R, const struct probe_step *st, struct step_result *res);

/* probe_verdict.c */
/* Append "call sock: result[ =value]" to obs. */
void probe_observe(char *obs, size_t len, const struct probe_step *st,
		   const struct step_result *res, bool show_value);
/* Steps whose value is the point (recv, accept-all, burst). */
bool probe_op_has_value(enum probe_op op);
/* Steps whose failure means the lab or the system is broken, not a finding. */
bool probe_is_setup_op(enum probe_op op);
/* A catalog step against its prediction ("*" recorded, "~" shown, else an
 * expectation): appends to obs, sets *differs when it did not hold.  0, or
 * -EINVAL when predict does not parse. */
int probe_judge_predicted(const char *predict, const struct probe_step *st,
			  const struct step_result *res, char *obs, size_t len, bool *differs);
/* A user step against its expectation: true when met; else false with
 * "step N op: got RESULT[ =value]" appended to obs. */
bool probe_judge_expected(const struct probe_expect *e, size_t step_no, const struct probe_step *st,
			  const struct step_result *res, char *obs, size_t len);
/* The expectation as step_result.expect records it: 0, an errno,
 * STEP_TIMEOUT, or -2 for none ("*", "fail"). */
int probe_expect_code(const struct probe_expect *e);

/* probe_check.c */
/* Compile one user step: 0, or -EINVAL with msg and where in the file. */
int probe_user_step_compile(const struct topology *t, const struct topo_step *ts,
			    struct probe_step *st, struct probe_expect *e, char *msg, size_t len,
			    struct topo_mark *at);

/* probe_case.c: fill cr from one case; 0 or -ENOMEM (cr then partly filled). */
int probe_run_catalog_case(struct run *R, const struct catalog_case *cc, struct case_result *cr);
void probe_run_user_case(struct run *R, const struct topo_case *tc, struct case_result *cr);

#endif

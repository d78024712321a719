/* SPDX-License-Identifier: MIT */
/*
 * The probe engine: a small step language, the built-in case catalog, and
 * the runner that executes cases inside a running lab's namespaces.
 *
 * Step language: one step per string, catalog and user cases alike, such as
 * "s = socket tcp4", "bind s *:$P", "listen s".  The steps, their arity,
 * synopsis, help and example are one table (lab/probe/probe_steps.c);
 * `reuselab cases --steps` and reuselab-cases(7) are made from it.
 *
 * ENDPOINT is ADDR:PORT, [ADDR6]:PORT or *:PORT (the socket's wildcard).
 * PORT is a number or $P, $P2..$P9 (fresh free ports for each case).  In the
 * catalog, addresses and interface names may also be role variables: $A,
 * $A2, $B, $C, $D, $A6, $B6, $C6, $D6, $G (239.1.1.1), $IFA, $IFB, $IFC, $IFD.
 *
 * Captured variables: "$x = getsockname c" keeps the step's value (its text
 * when it has one, else the number) as $x for the rest of the case, on every
 * node; "$x.addr" and "$x.port" are the parts of an endpoint.  Their names
 * start with a lowercase letter, so they never shadow $P or a role variable.
 *
 * Expectations: "ok", an errno name ("EADDRINUSE"), "timeout", "fail" (any
 * error), "*" (anything), optionally with a value test: "ok =1", "ok >0",
 * "ok =SOCK_STREAM", "ok =$x" (text, or the number when it is one).
 */
#ifndef REUSELAB_PROBE_H
#define REUSELAB_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/report/report.h"
#include "lab/topo/topo.h"

#define PROBE_NAME_MAX	15
#define PROBE_TOKEN_MAX 64
#define PROBE_MAX_SOCKS 64 /* operands of one recv or accept-all */
#define PROBE_SLEEP_MAX_MS 5000 /* `sleep MS`: a case cannot hang a run */
#define PROBE_MAX_ARGV	12 /* start: the program and its arguments */
#define PROBE_MAX_ENV	4  /* start: env NAME=VALUE words */

enum probe_op {
	PROBE_SOCKET,
	PROBE_SETSOCKOPT,
	PROBE_JOIN,
	PROBE_BIND,
	PROBE_LISTEN,
	PROBE_CONNECT,
	PROBE_ACCEPT,
	PROBE_ACCEPT_ALL,
	PROBE_BURST,
	PROBE_SEND,
	PROBE_RECV,
	PROBE_READ,
	PROBE_CLOSE,
	PROBE_AS_USER,
	PROBE_CHILD,
	PROBE_FORK_DAYTIME,
	PROBE_WAIT_TIMEWAIT,
	PROBE_SHOW,
	PROBE_GETSOCKOPT,
	PROBE_GETSOCKNAME,
	PROBE_GETPEERNAME,
	PROBE_SHUTDOWN,
	PROBE_SLEEP,
	PROBE_OWNER,
	PROBE_START,
	PROBE_WAIT_LISTEN,
	PROBE_WAIT_BOUND,
	PROBE_HOLDS,
	PROBE_SIGNAL,
	PROBE_WAIT_EXIT,
	PROBE_STOP,
};

enum probe_opt {
	PROBE_OPT_REUSEADDR,
	PROBE_OPT_REUSEPORT,
	PROBE_OPT_V6ONLY,
	PROBE_OPT_LINGER,
	PROBE_OPT_BINDTODEVICE,
	PROBE_OPT_MULTICAST_IF,
	PROBE_OPT_FREEBIND,
	PROBE_OPT_TRANSPARENT,
	PROBE_OPT_BIND_ADDRESS_NO_PORT,
	PROBE_OPT_INCOMING_CPU,
	PROBE_OPT_ATTACH_REUSEPORT_CBPF,
	PROBE_OPT_DETACH_FILTER,
	PROBE_OPT_DETACH_REUSEPORT_BPF,
	PROBE_OPT_TYPE,
	PROBE_OPT_ERROR,
	PROBE_OPT_DOMAIN,
	PROBE_OPT_PROTOCOL,
	PROBE_OPT_ACCEPTCONN,
};

/* A compiled step.  Address, port and interface tokens stay text ("$A:$P")
 * and are resolved when the step runs. */
struct probe_step {
	enum probe_op op;
	char lhs[PROBE_NAME_MAX + 1];			 /* NAME = ... */
	char capture[PROBE_NAME_MAX + 1];		 /* $NAME = ...: variable name */
	char socks[PROBE_MAX_SOCKS][PROBE_NAME_MAX + 1]; /* operand sockets */
	size_t n_socks;
	int family; /* socket, child: AF_INET/AF_INET6 */
	int type;   /* SOCK_STREAM / SOCK_DGRAM */
	enum probe_opt opt;
	long num; /* option value, backlog, count, uid */
	bool has_num;
	char endpoint[PROBE_TOKEN_MAX]; /* bind/connect/send/burst/child */
	char arg[PROBE_TOKEN_MAX];	/* ifname, group, multicast-if addr, port */
	char arg2[PROBE_TOKEN_MAX];	/* join: ifname */
	bool child_reuseaddr, child_reuseport, child_listen;
	long child_uid; /* -1: unchanged */
	/* start: argv[0] is the program as written (absolute or a bare name) */
	char argv[PROBE_MAX_ARGV][PROBE_TOKEN_MAX];
	size_t argc;
	char env[PROBE_MAX_ENV][PROBE_TOKEN_MAX];
	size_t n_env;
	long proc_uid, proc_gid; /* start user UID[:GID]; -1: unchanged */
};

/* An expectation: result class plus an optional value comparison. */
enum probe_want {
	PROBE_WANT_ANY,
	PROBE_WANT_OK,
	PROBE_WANT_ERRNO,
	PROBE_WANT_FAIL,
	PROBE_WANT_TIMEOUT
};

struct probe_expect {
	enum probe_want want;
	int err;  /* PROBE_WANT_ERRNO */
	char cmp; /* 0 none, '=', '>', '<' */
	long value;
	/* '=' with a word that is not a number: compared with the step's text
	 * value; "$x"/"$x.port" are resolved when the step has run. */
	char text[PROBE_TOKEN_MAX];
};

/*
 * Parse one step.  Returns 0, or -EINVAL with a message in err and the
 * 0-based byte offset of the offending token in *ret_off.  `user` restricts
 * variables to the port variables ($P..$P9).
 */
int probe_step_parse(const char *text, bool user, struct probe_step *ret, char *err, size_t errlen,
		     size_t *ret_off);

/* Where `start` finds prog: an absolute path as it is, a bare name beside
 * the running binary, in its libexec directory, then in PATH's absolute
 * directories.  0 with the path, or -ENOENT, -ENAMETOOLONG. */
int probe_program_path(const char *prog, char *path, size_t len);

/* Parse an expectation ("ok", "EADDRINUSE", "ok =1", ...). 0 or -EINVAL. */
int probe_expect_parse(const char *text, struct probe_expect *ret);
/* e as text in the words it was parsed from, spaced one way: "ok =3",
 * "EADDRINUSE", "ok >0", "ok =$x" (as resolved, when it was). */
void probe_expect_format(const struct probe_expect *e, char *buf, size_t len);
/* True when a step's outcome (err as in step_result) meets e. */
bool probe_expect_met(const struct probe_expect *e, int err, long value);
/* The same for a step with a text value (e->text compared with text; a "$x"
 * in e->text must have been resolved, see the runner). */
bool probe_expect_met_text(const struct probe_expect *e, int err, long value, const char *text);

const char *probe_op_name(enum probe_op op);
/* The step reference, from the step table: for i in 0, 1, ... the synopsis
 * ("bind S ENDPOINT") and one line of help of step i; false past the end. */
bool probe_step_doc(size_t i, const char **ret_synopsis, const char **ret_help);
/* An example of step i: its `do:` text and its usual `expect:` (NULL when
 * the step is not one to expect something of); false past the end. */
bool probe_step_example(size_t i, const char **ret_do, const char **ret_expect);

/* Built-in catalog. */
struct catalog_step {
	const char *role; /* "srv", "cli", "cli2" */
	const char *text;
	const char *predict; /* NULL: setup (must succeed); "*": recorded; "~": recorded
			      * and shown in observed; else the claim's prediction */
};

struct catalog_case {
	const char *id;
	const char *claim;
	const char *title;
	const char *source;
	const char *predicted;
	const struct catalog_step *steps; /* terminated by { NULL } */
};

extern const struct catalog_case catalog_cases[];
extern const size_t catalog_n_cases;

/*
 * Judge the article's claims (lab/probe/probe_claims.c) from the catalog
 * cases' results cases[0..n) (user cases excluded: their expectations are
 * not the claims'): rep->claims gets one result per claim whose article's
 * own setting was tried, each with the conditions its cases tried and
 * whether it held there.  0 or -ENOMEM (rep untouched).
 */
int probe_claims_judge(const struct case_result *cases, size_t n, struct report *rep);
/* The k-th deciding case of the i-th claim of the claim table: false past
 * either end. */
bool probe_claim_case(size_t i, size_t k, const char **ret_claim, const char **ret_case);

/* Node roles the catalog is written against, resolved from a topology. */
struct probe_roles {
	int srv, cli, cli2;   /* node indexes or -1 */
	char vars[14][2][48]; /* name, value pairs; value "" when unresolved */
	size_t n_vars;
};

void probe_roles_resolve(const struct topology *t, struct probe_roles *ret);
/* Value of variable `name` (without '$') or NULL when the lab lacks it. */
const char *probe_roles_var(const struct probe_roles *r, const char *name);
/* Node index for role name or -1. */
int probe_roles_node(const struct probe_roles *r, const char *role);
/* What role or variable `name` asks of a lab, in words ("a second IPv4
 * address on the server's first interface"), or NULL for an unknown name. */
const char *probe_roles_need(const char *name);

struct probe_opts {
	const char *const *case_ids; /* fnmatch patterns; none: all */
	size_t n_case_ids;
	const char *const *claims; /* "C3"; none: all */
	size_t n_claims;
};

/* True when a case with this id and claim passes the filters in o. */
bool probe_case_selected(const struct probe_opts *o, const char *id, const char *claim);

/*
 * Run the catalog and the topology's user cases in the running lab `lab`.
 * Fills r (kernel, sysctls, one case_result per selected case, in catalog
 * order then the topology's; a catalog case the lab cannot host, lacking a
 * role or an address, is VERDICT_SKIPPED with the reason in skip_reason).
 * Returns 0, or -errno with a one-line message in err when nothing could run;
 * -EEXIST, before entering any, when a node's namespace name is taken by a
 * namespace that is not this lab's (see lab_node_open).  Must run as root; forks short-lived children; switches namespaces but
 * returns in the one it started in.
 */
int probe_lab(const struct topology *t, const char *lab, const struct probe_opts *o,
	      struct report *r, char *err, size_t errlen);

/*
 * probe_lab on a lab given by one namespace fd per node of t (an ephemeral
 * lab, see lab_build_ephemeral), nothing opened by name.  The fds stay the
 * caller's.  Needs root in the namespaces' user namespace only.
 */
int probe_lab_fds(const struct topology *t, const char *lab, const int *node_fd,
		  const struct probe_opts *o, struct report *rep, char *err, size_t errlen);

/* Every filter of o must select some case of the catalog or of t: 0, or
 * -EINVAL with "no case matches 'X'" / "no case has claim 'C'" in err. */
int probe_filters_check(const struct topology *t, const struct probe_opts *o, char *err,
			size_t errlen);

enum probe_format { PROBE_FORMAT_TABLE, PROBE_FORMAT_JSON };

/* What `probe` and `run` ask of a lab that is up. */
struct probe_request {
	struct probe_opts filter;
	enum probe_format format;
	FILE *out;	   /* the report */
	bool color;	   /* table: ANSI colour */
	int width;	   /* table: fit rows in this many columns; 0: no limit */
	const char *junit; /* also a JUnit XML file there; NULL: none */
	/* An ephemeral lab (lab_build_ephemeral): one namespace fd per node of
	 * t, the caller's; NULL: open the published lab by name. */
	const int *node_fd;
	bool rootless; /* the run is in a user namespace of its own (report) */
};

/* How a probe went, for the caller's exit status and summary. */
struct probe_outcome {
	int status; /* report_exit_status: 0, 1 (an expectation failed), 3 (a case errored) */
	size_t n_skipped; /* catalog cases the lab could not host */
	bool reader_gone; /* on -EPIPE: the report's reader went away (`| head`) */
};

/*
 * Probe the running lab `lab` built from t (its user cases compiled, its
 * filters checked) and write the report to req->out (and req->junit).
 * Returns 0 with *ret filled, or -errno with a one-line message in err:
 * -EEXIST a node's namespace name is someone else's, -ENOENT the lab is not
 * running, -EPIPE and other write errors while writing a report.
 */
int probe_lab_report(const struct topology *t, const char *lab, const struct probe_request *req,
		     struct probe_outcome *ret, char *err, size_t errlen);

/* Compile the user cases, adding "FILE:LINE:COL: error: ..." lines to d.
 * Returns 0 when all compile, -EINVAL when d got errors, -ENOMEM. */
int probe_check_user_cases(const struct topology *t, struct topo_diag *d);

#endif

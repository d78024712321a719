/* SPDX-License-Identifier: MIT */
/*
 * Private to the probe runner (lab/probe_*.c): the state of one run and the
 * functions its files share.  Other modules use lab/probe/probe.h only.
 */
#ifndef REUSELAB_PROBE_INT_H
#define REUSELAB_PROBE_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "lab/probe/probe.h"
#include "lab/report/report.h"
#include "lab/topo/topo.h"
#include "netns/netns.h"

#define MAX_SOCKS   64
#define MAX_ANON    512
#define N_PORT_VARS 9
#define MAX_PORTS   16
#define MAX_VARS    32
/* A program's PATH when reuselab has none (the lookup and the child's env). */
#define PROBE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Where a case sent datagrams from, until a recv settles them (probe_wait.c). */
#define MAX_SENT 8
struct sent_to {
	int fd;
	unsigned long ino; /* the socket's inode: fd numbers are reused */
	int family;
	struct sockaddr_storage to;
	socklen_t len;
};

struct psock {
	char name[PROBE_NAME_MAX + 1];
	int fd;
	int node;
	int family;
	int type;
};

/* A program a case started (probe_proc.c); its process group is its pid. */
#define MAX_PROCS 8
struct pproc {
	char name[PROBE_NAME_MAX + 1];
	int node;
	pid_t pid;
	int pidfd;	    /* readable once it exited */
	int out_fd, err_fd; /* memfds that hold its stdout and stderr */
	bool reaped;
	int status;   /* its wait status once reaped */
	pid_t reaper; /* the run's reaper (probe_reaper.c), or 0 */
	char command[256];
};

/* The run's PID namespace (probe_reaper.c). */
struct probe_reaper {
	pid_t pid; /* its pid 1, the reaper, as we see it; 0 none (yet, or at all) */
	int home;  /* our own PID namespace, to go back to; -1 */
	int err;   /* the namespace never got its pid 1: no fork may go on */
	bool tried;
};

/* A value a step captured ($x = getsockname c), for the rest of the case. */
struct probe_var {
	char name[PROBE_NAME_MAX + 1];
	char text[64];
};

struct run {
	const struct topology *t;
	const char *lab;
	const struct probe_roles *roles;
	char source[PATH_MAX]; /* the topology file's absolute path: user cases' source */
	int *nsfd;  /* per node; -1 when it could not be opened */
	int *nserr; /* errno of that failure */
	struct ns_scope ns; /* the way back to where the run started */
	int cur_node;	    /* -1: the original namespace */
	struct userns_map uid_map; /* uids a case can switch to (as-user, child uid) */
	unsigned port_lo, port_hi, port_next;
	uint8_t *port_busy;   /* bit per port: held in a node, or handed out (probe_ports.c) */
	unsigned port_steps;  /* ports stepped over since port_busy was read */
	bool ports_loaded;
	unsigned long forks; /* children forked so far (as-user, child, programs) */
	long child_cpu_us;   /* their CPU (RUSAGE_CHILDREN) when last read */
	long signal_looked_ms; /* when the steps last looked for a stop signal */

	/* per case */
	uint16_t pvars[N_PORT_VARS]; /* $P, $P2..$P9; 0 until first use */
	uint16_t ports[MAX_PORTS];   /* every port the case touched, for show */
	size_t n_ports;
	struct psock socks[MAX_SOCKS];
	size_t n_socks;
	int anon[MAX_ANON];
	size_t n_anon;
	long pending_uid;  /* owner UID: fsuid of the next socket; -1 none */
	bool as_user_next; /* as-user UID: the next step runs as as_uid */
	long as_uid;
	struct probe_var vars[MAX_VARS]; /* $x = ...: captured values */
	size_t n_vars;
	struct sent_to sent[MAX_SENT];
	size_t n_sent;
	bool sent_lost; /* more destinations than sent[] holds: recv cannot settle */
	struct pproc procs[MAX_PROCS];
	size_t n_procs;
	int *nodes; /* per topology node: the nodes the case's steps ran in (waits watch them) */
	size_t n_nodes;
	struct probe_reaper reaper; /* for the whole run, made by its first start */
	char why[256]; /* system error text for the case */
};

/* probe_ns.c */
/* Switch to node's namespace (-1: the one we started in).  0 or -errno. */
int probe_enter_node(struct run *R, int node);
/* Back to the starting namespace (aborts if it cannot: see ns_scope_leave). */
void probe_leave_node(struct run *R);
/* Open a socket in node, optionally with fsuid uid (>= 0).  Returns 0 with
 * the kernel's answer: *ret_fd, or -1 and its errno (> 0, an outcome) in
 * *ret_err; or -errno when the node's namespace cannot be entered. */
int probe_open_socket(struct run *R, int node, int family, int type, long uid, int *ret_fd,
		      int *ret_err);
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
/* Milliseconds from now until end, for poll/epoll_wait: 0 once end has
 * passed, never negative (a negative timeout would wait without bound). */
int probe_ms_left(long end);
/* Poll one fd for events within ms: 1 ready, 0 timeout, -errno. */
int probe_wait_fd(int fd, short events, int ms);

/* probe_wait.c: waits that end on their event (the bound a ceiling). */
/* 1 when a TCP handshake to the port of one of ls[0..n) is in flight in its
 * node (SYN-RECV, or SYN-SENT to it), 0 when none, -errno with R->why set. */
int probe_handshakes_pending(struct run *R, struct psock *const *ls, size_t n);
/* An epoll fd (edge-triggered) on every listener of the case on the ports of
 * ls[0..n) in their nodes, or -errno with R->why set. */
int probe_listeners_watch(struct run *R, struct psock *const *ls, size_t n);
/* TCP sockets destroyed in node, and once widened in the other nodes the
 * case ran in: one epoll fd (readable on any) over a sock_diag watch in each. */
struct destroy_watch {
	int ep;
	int *fd; /* one per node of the case */
	size_t n;
};
/* Node's alone: 0, or -errno with R->why set and nothing left open. */
int probe_destroy_watch_open(struct run *R, int node, struct destroy_watch *w);
/* The case's other nodes too: 0, or -errno with R->why set (close w still). */
int probe_destroy_watch_widen(struct run *R, int node, struct destroy_watch *w);
/* Read every watch empty: what woke the caller is then behind it. */
void probe_destroy_watch_drain(const struct destroy_watch *w);
void probe_destroy_watch_close(struct destroy_watch *w);
/* Remember that datagram socket s sent to `to`. */
void probe_sent_note(struct run *R, const struct psock *s, const struct sockaddr_storage *to,
		     socklen_t len);
/* The same for a record made elsewhere (an as-user step's child); once only. */
void probe_sent_add(struct run *R, const struct sent_to *rec);
/* Wait until every datagram noted so far is queued or dropped in node,
 * within ms: 1 done (nothing noted counts), 0 when it cannot be shown
 * (a sender closed, or too many), -errno. */
int probe_sent_settle(struct run *R, int node, int ms);

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
/* ENDPOINT for a socket of family (0: the address decides) into ss/len
 * (probe_sa_text writes it out).  0, or -errno with R->why set. */
int probe_endpoint_resolve(struct run *R, const char *ep, int family, struct sockaddr_storage *ss,
			   socklen_t *len);
/* in with every $VAR replaced by its value (unresolvable ones kept). */
void probe_subst_text(struct run *R, const char *in, char *out, size_t len);
/* One word of a step with every $VAR resolved: 0, or -EINVAL for one that
 * is not set (R->why names it). */
int probe_subst_word(struct run *R, const char *in, char *out, size_t len);
/* Keep text as $name (replacing an older value): 0, or -ENOSPC with R->why. */
int probe_var_set(struct run *R, const char *name, const char *text);
/* Forget $name (the step that captures it failed). */
void probe_var_unset(struct run *R, const char *name);
/* e with a "$x" value resolved (a number becomes a numeric comparison):
 * 0, or -errno with R->why set. */
int probe_expect_resolve(struct run *R, const struct probe_expect *e, struct probe_expect *ret);
/* Does the lab have every role variable of a catalog step?  Sets why if not. */
bool probe_vars_available(struct run *R, const char *text, char *why, size_t len);

/* probe_parse.c: the words of one step, and the checks each step's parser
 * shares.  A check returns 0, or -EINVAL with the message in err and the
 * offending word's byte offset in *ret_off. */
#define PROBE_MAX_WORDS (PROBE_MAX_SOCKS + 8) /* recv's sockets and then some */
struct step_words {
	const char *text;
	char tok[PROBE_MAX_WORDS][PROBE_TOKEN_MAX];
	size_t off[PROBE_MAX_WORDS];
	size_t n;  /* words */
	size_t b;  /* index of the first argument (after the step's name) */
	bool user; /* a user case: port variables only */
	char *err;
	size_t errlen;
	size_t *ret_off;
};
/* The message for word i (i >= n: the end of the text); always -EINVAL. */
int probe_words_fail(struct step_words *w, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int probe_word_sock(struct step_words *w, size_t i, char *dst, size_t len);
int probe_word_endpoint(struct step_words *w, size_t i, struct probe_step *st);
/* An IPv4 or IPv6 address (or, in the catalog, a role variable). */
int probe_word_addr(struct step_words *w, size_t i, char *dst, size_t len);
int probe_word_ifname(struct step_words *w, size_t i, char *dst, size_t len);
int probe_word_port(struct step_words *w, size_t i, char *dst, size_t len);
/* A number in lo..hi: 0 or -EINVAL, no message (the caller words it). */
int probe_word_num(const struct step_words *w, size_t i, long lo, long hi, long *ret);
/* The first n bytes of s name a captured variable ($x without '$'). */
bool probe_capture_name_valid(const char *s, size_t n);
/* tcp4, tcp6, udp4, udp6 into st->family and st->type: 0 or -EINVAL. */
int probe_family_parse(const char *s, struct probe_step *st);

/*
 * Running a step: s is operand 0 when the step's definition has
 * sock_operand, else NULL.  0 with res filled (a kernel error is an outcome
 * in res->err), or -errno with R->why set when the system failed.
 */
typedef int probe_run_fn(struct run *R, int node, const struct probe_step *st, struct psock *s,
			 struct step_result *res);

/* probe_local.c: 0 when what step st names as its node's own (a bound
 * address, an interface) is on node n, or the case expects it is not;
 * else -EINVAL with msg. */
int probe_step_local_check(const struct topo_node *n, const struct probe_step *st,
			   const struct probe_expect *e, char *msg, size_t len);

/* probe_steps.c: the one table of steps, and running one. */
struct probe_step_def {
	enum probe_op op;
	const char *name;
	const char *synopsis; /* as usage errors and `cases --steps` print it */
	const char *help;     /* one line */
	size_t min_args, max_args; /* words after the name */
	bool makes_socket;	   /* NAME = step ... */
	bool sock_operand;	   /* operand 0 is looked up before run */
	bool closes_operands;	   /* its operand sockets are gone after it */
	bool setup;		   /* failure means the lab is broken, not a finding */
	bool has_value;		   /* the value is the point (counts) */
	bool captures;		   /* $x = step ... keeps its value */
	int (*parse)(struct step_words *w, struct probe_step *st);
	probe_run_fn *run;
	const char *example;	    /* a `do:` text of this step, for the reference */
	const char *example_expect; /* its usual expect:, or NULL */
};
extern const struct probe_step_def probe_step_defs[];
extern const size_t probe_n_step_defs;
/* Room for every step name, comma-separated, in an error about a step (about
 * 280 bytes for 31 steps); test_probe_parse checks the list is whole. */
#define PROBE_STEP_NAMES_MAX 768
/* An error about one step of a case: the list above, the step quoted. */
#define PROBE_STEP_ERR_MAX (PROBE_STEP_NAMES_MAX + 512)
/* The step called name, or NULL. */
const struct probe_step_def *probe_step_def_find(const char *name);
/* The step of op (never NULL for a parsed step). */
const struct probe_step_def *probe_step_def_of(enum probe_op op);
/* Run one step in node: same contract as probe_run_fn. */
int probe_step_exec(struct run *R, int node, const struct probe_step *st, struct step_result *res);

/* probe_sock.c: the steps that act on sockets in this process. */
/* The node's sockets on ports (n 0: all), as sockdiag_snapshot gives them
 * (*ret malloc'ed).  0, or -errno with R->why set. */
int probe_sockdiag(struct run *R, int node, const uint16_t *ports, size_t n,
		   struct sock_seen **ret, size_t *ret_n);
/* The node's sockets on ports (n 0: all) into res->seen, each held by a
 * program of the case named as its owner.  0, or -errno with R->why set. */
int probe_snapshot(struct run *R, int node, const uint16_t *ports, size_t n,
		   struct step_result *res);
probe_run_fn probe_run_socket, probe_run_join,
    probe_run_bind, probe_run_listen, probe_run_connect, probe_run_accept, probe_run_accept_all,
    probe_run_burst, probe_run_send, probe_run_recv, probe_run_read, probe_run_close,
    probe_run_wait_timewait, probe_run_show;

/* probe_sockopt.c: options by name, setsockopt and getsockopt. */
int probe_parse_setsockopt(struct step_words *w, struct probe_step *st);
int probe_parse_getsockopt(struct step_words *w, struct probe_step *st);
/* The option's name ("SO_REUSEADDR"). */
const char *probe_opt_name(enum probe_opt opt);
probe_run_fn probe_run_setsockopt, probe_run_getsockopt;

/* probe_query.c: what the kernel holds of a socket. */
probe_run_fn probe_run_getsockname, probe_run_getpeername;
/* "10.0.1.1:80" / "[fd00::1]:80" of ss into buf; its port. */
unsigned probe_sa_text(const struct sockaddr_storage *ss, char *buf, size_t len);

/* probe_conn.c: shutdown, connect S unspec, sleep. */
int probe_parse_shutdown(struct step_words *w, struct probe_step *st);
int probe_parse_connect(struct step_words *w, struct probe_step *st);
int probe_parse_sleep(struct step_words *w, struct probe_step *st);
/* connect: probe_run_connect, or AF_UNSPEC for "unspec". */
probe_run_fn probe_run_shutdown, probe_run_connect_any, probe_run_sleep;

/* probe_asuser.c: owner UID (the next socket's sk_uid) and as-user UID (the
 * next step in a child process that is UID). */
probe_run_fn probe_run_owner, probe_run_as_user;
/* May op follow as-user? */
bool probe_as_user_op(enum probe_op op);
/* Drop to uid: no supplementary groups, gid gid (uid when gid < 0), uid uid.
 * 0 or -errno. */
int probe_become_user(long uid, long gid);
/* The port of an AF_INET/AF_INET6 address, 0 for any other; the port fd is
 * bound to (0 when getsockname fails). */
unsigned probe_sa_port(const struct sockaddr_storage *ss);
unsigned probe_local_port(int fd);
/* Run st as uid in a child of node (contract of probe_run_fn). */
int probe_exec_as_user(struct run *R, long uid, int node, const struct probe_step *st,
		       struct psock *s, struct step_result *res);

/* probe_child.c: the steps that fork, and what a child and its parent
 * share: msg (len bytes) with fd (-1: none) over an AF_UNIX socket sk. */
void probe_msg_send(int sk, const void *msg, size_t len, int fd);
/* msg and the fd passed (-1 when none) within ms: 0, or -ETIMEDOUT. */
int probe_msg_recv(int sk, void *msg, size_t len, int ms, int *ret_fd);
/* Reap pid within ms, killing it when it overstays: 0 with its wait status,
 * -ETIMEDOUT (killed and reaped), or -errno from waitpid.  gone: our end of
 * a pipe or socket only the child holds the other end of (it ends at exit). */
int probe_reap_bounded(pid_t pid, int gone, int ms, int *ret_status);
/* A child whose bound is spent: SIGKILL it and reap it within a short fixed
 * ceiling (not another bound).  Returns -ETIMEDOUT; *ret_status its wait
 * status, or -1 when it was still not gone (stuck in the kernel). */
int probe_reap_killed(pid_t pid, int gone, int *ret_status);
/* fork() with an AF_UNIX seqpacket pair between parent and child: in the
 * parent 0 with *ret_sk our end and *ret_pid the child; in the child 0 with
 * *ret_pid 0 and *ret_sk its end; -errno (nothing left open) on failure. */
int probe_fork_pair(struct run *R, pid_t *ret_pid, int *ret_sk);
/*
 * A pending stop signal (0: none), looked for between cases and steps at
 * most once a millisecond (probe_case.c): a look is a system call, a step
 * that does not wait takes microseconds, and any longer step is followed
 * by a look.
 */
int probe_stop_signal(struct run *R);
/* probe_child.c: the steps that fork.  Uses only probe_ns.c and probe_vars.c. */
probe_run_fn probe_run_child, probe_run_fork_daytime;

/* probe_proc.c: the steps that run real programs (start, wait-listen,
 * wait-bound, holds, signal, wait-exit, stop), their parsers, and the end of
 * every program of a case. */
probe_run_fn probe_run_start, probe_run_wait_listen, probe_run_wait_bound, probe_run_holds,
    probe_run_signal, probe_run_wait_exit, probe_run_stop;
int probe_parse_start(struct step_words *w, struct probe_step *st);
int probe_parse_prog(struct step_words *w, struct probe_step *st);
int probe_parse_prog_port(struct step_words *w, struct probe_step *st);
int probe_parse_signal(struct step_words *w, struct probe_step *st);
/* Their rows of the step table (probe_steps.c), in enum order. */
#define PROBE_PROC_STEPS                                                                          \
	{PROBE_START, "start", "NAME = start [user UID[:GID]] [env VAR=VALUE]... PROGRAM [ARG...]", \
	 "runs PROGRAM (an absolute path, or a bare name looked up beside reuselab, in its "        \
	 "libexec directory, then PATH) in the node, no shell; $P..$P9 in ARGs are ports; "         \
	 "stdout and stderr (4 KiB each) go into the report; value: its pid",                     \
	 1, PROBE_MAX_WORDS, .makes_socket = true, .example = "d = start daytimed -p $P",         \
	 .example_expect = "ok", .parse = probe_parse_start, .run = probe_run_start},             \
	{PROBE_WAIT_LISTEN, "wait-listen", "wait-listen NAME PORT",                               \
	 "until program NAME holds a listening TCP socket on PORT (sock_diag, 5 s bound; ESRCH "   \
	 "when it exits first); value: how many it holds",                                        \
	 2, 2, .has_value = true, .example = "wait-listen d $P", .example_expect = "ok =1",       \
	 .parse = probe_parse_prog_port, .run = probe_run_wait_listen},                            \
	{PROBE_WAIT_BOUND, "wait-bound", "wait-bound NAME PORT",                                  \
	 "until program NAME holds a UDP socket bound to PORT (as wait-listen)", 2, 2,            \
	 .has_value = true, .example = "wait-bound d $P", .example_expect = "ok =1",              \
	 .parse = probe_parse_prog_port, .run = probe_run_wait_bound},                             \
	{PROBE_HOLDS, "holds", "holds NAME PORT",                                                 \
	 "the node's sockets on PORT, each with the process holding it; value: how many "         \
	 "program NAME (or a process it forked) holds",                                           \
	 2, 2, .has_value = true, .example = "holds d $P", .example_expect = "ok =1",             \
	 .parse = probe_parse_prog_port, .run = probe_run_holds},                                  \
	{PROBE_SIGNAL, "signal", "signal NAME SIGNAL",                                            \
	 "sends SIGNAL (HUP, INT, TERM, USR1, ... or a number) to program NAME (ESRCH when it "   \
	 "has exited)",                                                                           \
	 2, 2, .example = "signal d USR1", .example_expect = "ok", .parse = probe_parse_signal,   \
	 .run = probe_run_signal},                                                                \
	{PROBE_WAIT_EXIT, "wait-exit", "wait-exit NAME",                                          \
	 "until program NAME exits (5 s bound); value: its exit status, or 128 + the signal "     \
	 "that ended it",                                                                         \
	 1, 1, .has_value = true, .example = "wait-exit d", .example_expect = "ok =1",            \
	 .parse = probe_parse_prog, .run = probe_run_wait_exit},                                   \
	{PROBE_STOP, "stop", "stop NAME",                                                         \
	 "SIGTERM to program NAME and its process group, SIGKILL after 2 s; value: as wait-exit", \
	 1, 1, .has_value = true, .example = "stop d", .example_expect = "ok =143",               \
	 .parse = probe_parse_prog, .run = probe_run_stop}

/* True when st names a program of the case (wait-listen ... stop) in st->arg. */
bool probe_proc_operand(const struct probe_step *st);
/* End every program the case started (killed with its process group when
 * still running, reaped) and move how each ended, with its output, into
 * cr->programs.  Never fails: what cannot be recorded is dropped. */
void probe_procs_end(struct run *R, struct case_result *cr);
/* Name the case's programs as the holders of the sockets in seen. */
void probe_procs_annotate(struct run *R, struct sock_seen *seen, size_t n);

/* probe_spawn.c: a program's process: started, signalled, ended. */
/* Fork and exec path with argv and env in namespace nsfd as uid/gid (-1
 * unchanged), in a process group of its own; fills p's process fields.
 * 0 with *ret_err the exec's errno (0: it runs), or -errno (R->why set). */
int probe_spawn(struct run *R, int nsfd, const char *path, char *const argv[], char *const env[],
		long uid, long gid, struct pproc *p, int *ret_err);
/* Wait up to ms for p to exit (or for a stop signal): 1 exited and reaped,
 * 0 still running, -EINTR a stop signal is pending, -errno. */
int probe_spawn_wait(struct pproc *p, int ms);
/* End p and everything in its process group: sig first, SIGKILL after
 * grace_ms; reaps all.  0 or -errno. */
int probe_spawn_end(struct pproc *p, int sig, int grace_ms);
/* The step value of a wait status: the exit code, or 128 + the signal. */
long probe_spawn_status_value(int status);
/* Read what fd (a memfd) got into a malloc'ed, valid UTF-8 string. */
char *probe_spawn_output(int fd, bool *ret_cut);

/* probe_reaper.c: the run's PID namespace, whose pid 1 (the reaper) dies
 * with reuselab, and the kernel then kills every process in it. */
/* Once per run, before its first fork of a program: the namespace and its
 * reaper.  0, also when the namespace cannot be made (the run goes on with
 * the subreaper alone); -errno when no process may be forked any more. */
int probe_reaper_start(struct probe_reaper *rp);
/* True, with the message in why, when the reaper died before the run's end
 * (every fork then fails with ENOMEM). */
bool probe_reaper_lost(const struct probe_reaper *rp, char *why, size_t len);
/* Kill the reaper, and with it every process left in its namespace; reap
 * it; fork in our own PID namespace again where we may (not from a user
 * namespace).  Then as before probe_reaper_start. */
void probe_reaper_end(struct probe_reaper *rp);

/* probe_owner.c: which of the case's processes holds which socket. */
struct owned {
	unsigned long inode;
	pid_t pid;
};
/* The socket inodes held by the processes of p: those of its process group
 * among our children and the reaper's (orphans go to the reaper, or without
 * one come back to the subreaper) and all their descendants, read from
 * /proc/PID/fd.  Up to cap into o; returns how many. */
size_t probe_owner_scan(const struct pproc *p, struct owned *o, size_t cap);
/* Kill and reap every child still ours but the reaper, and kill what the
 * reaper adopted, once a case's programs ended: what a program left outside
 * its process group (setsid, setpgid) went to either when its parent
 * exited, and would outlive the case. */
void probe_orphans_end(pid_t reaper);
/* From /proc/PID/stat: pid's parent, process group and kernel flags (PF_*),
 * each unless NULL.  0, or -errno (-ESRCH: gone). */
int probe_pid_stat(pid_t pid, pid_t *ret_ppid, pid_t *ret_pgid, unsigned *ret_flags);
/* SIGKILL to every process reaper (> 0) adopted, of process group pgid
 * (-1: any), and wait until each has exited (the reaper reaps them). */
void probe_adopted_end(pid_t reaper, pid_t pgid);

/* probe_verdict.c */
/* Append "call sock: result[ =value]" to obs. */
void probe_observe(char *obs, size_t len, const struct probe_step *st,
		   const struct step_result *res, bool show_value);
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

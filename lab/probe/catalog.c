/* SPDX-License-Identifier: MIT */
/*
 * The built-in case catalog.  Every claim C1..C12 of the reference article
 * (docs/cases.md) has at least one case; a few come from UNP 7.5, socket(7)
 * and ipv6(7).  `predicted` and the per-step predictions say what the CLAIM
 * says, never what Linux does: the runner compares them with the kernel.
 *
 * Roles: srv (two NICs, the first with an alias: $A, $A2 on $IFA; $B on
 * $IFB), cli (linked to $IFA, address $C), cli2 (linked to $IFB, address $D).
 * Step predictions: NULL setup (must succeed), "*" recorded, "~" recorded and
 * shown, anything else is the claim's prediction for that deciding step.
 */
#include <stddef.h>

#include "lab/probe/probe.h"

#define S(r, t)                                                                                    \
	{                                                                                          \
		r, t, NULL                                                                         \
	}
#define D(r, t, p)                                                                                 \
	{                                                                                          \
		r, t, p                                                                            \
	}
#define R(r, t)                                                                                    \
	{                                                                                          \
		r, t, "*"                                                                          \
	}
#define W(r, t)                                                                                    \
	{                                                                                          \
		r, t, "~"                                                                          \
	}
#define STEPS(...) ((const struct catalog_step[]){__VA_ARGS__, {NULL, NULL, NULL}})

#define RA(sock) S("srv", "setsockopt " sock " SO_REUSEADDR 1"),
#define RP(sock) S("srv", "setsockopt " sock " SO_REUSEPORT 1"),
#define NONE(sock)

/* C1: the client is srv (linked to two hosts); servers on cli and cli2. */
#define C1_SERVERS                                                                                 \
	S("cli", "l = socket tcp4"), S("cli", "bind l *:$P2"), S("cli", "listen l"),               \
	    S("cli2", "l2 = socket tcp4"), S("cli2", "bind l2 *:$P2"), S("cli2", "listen l2")

#define C1_SERVER S("cli", "l = socket tcp4"), S("cli", "bind l *:$P2"), S("cli", "listen l")

#define C1_CASE(SERVERS, OPT, SECOND, PB, PC)                                                      \
	STEPS(SERVERS, S("srv", "a = socket tcp4"), OPT("a") S("srv", "bind a *:$P"),              \
	      S("srv", "connect a $C:$P2"), S("srv", "b = socket tcp4"),                           \
	      OPT("b") D("srv", "bind b *:$P", PB), D("srv", "connect b " SECOND ":$P2", PC),      \
	      S("srv", "show"))

/* C2: a listener on $P, then a second socket wants $P for connect(). */
#define C2_CASE(OPT)                                                                               \
	STEPS(S("cli", "l = socket tcp4"), S("cli", "bind l *:$P2"), S("cli", "listen l"),         \
	      S("srv", "s = socket tcp4"), OPT("s") S("srv", "bind s *:$P"), S("srv", "listen s"), \
	      S("srv", "c = socket tcp4"), OPT("c") D("srv", "bind c *:$P", "fail"),               \
	      W("srv", "connect c $C:$P2"), S("srv", "show"))

/* Restart over a connection in TIME-WAIT: the server closes first. */
#define RESTART_TW(OLD, NEW, PRED)                                                                 \
	STEPS(S("srv", "l = socket tcp4"), OLD("l") S("srv", "bind l *:$P"), S("srv", "listen l"), \
	      S("cli", "c = socket tcp4"), S("cli", "connect c $A:$P"), S("srv", "a = accept l"),  \
	      S("srv", "close a"), S("cli", "read c"), S("cli", "close c"),                        \
	      S("srv", "wait-timewait $P"), S("srv", "close l"), S("srv", "show"),                 \
	      S("srv", "n = socket tcp4"), NEW("n") D("srv", "bind n *:$P", PRED),                 \
	      R("srv", "listen n"))

/* RESTART_TW with OPT on both, the new socket owned by uid 65534. */
#define RESTART_TW_UID(OPT, PRED)                                                                  \
	STEPS(S("srv", "l = socket tcp4"), OPT("l") S("srv", "bind l $A:$P"),                      \
	      S("srv", "listen l"), S("cli", "c = socket tcp4"), S("cli", "connect c $A:$P"),      \
	      S("srv", "a = accept l"), S("srv", "close a"), S("cli", "read c"),                   \
	      S("cli", "close c"), S("srv", "wait-timewait $P"), S("srv", "close l"),              \
	      S("srv", "show"), S("srv", "owner 65534"), S("srv", "n = socket tcp4"),              \
	      OPT("n") D("srv", "bind n $A:$P", PRED), R("srv", "listen n"))

/* Restart while the old connection is still ESTABLISHED (listener closed). */
#define RESTART_EST(OLD, NEW, PRED)                                                                \
	STEPS(S("srv", "l = socket tcp4"), OLD("l") S("srv", "bind l *:$P"), S("srv", "listen l"), \
	      S("cli", "c = socket tcp4"), S("cli", "connect c $A:$P"), S("srv", "a = accept l"),  \
	      S("srv", "close l"), S("srv", "show"), S("srv", "n = socket tcp4"),                  \
	      NEW("n") D("srv", "bind n *:$P", PRED), R("srv", "listen n"))

/* Two listeners on one port, different local addresses, one process. */
#define DIFFADDR_1P(OPT, ADDR2, CLI, PRED)                                                         \
	STEPS(S("srv", "s1 = socket tcp4"), OPT("s1") S("srv", "bind s1 $A:$P"),                   \
	      S("srv", "listen s1"), S("srv", "s2 = socket tcp4"),                                 \
	      OPT("s2") D("srv", "bind s2 " ADDR2 ":$P", PRED), W("srv", "listen s2"),             \
	      S(CLI, "c = socket tcp4"), W(CLI, "connect c " ADDR2 ":$P"), S("srv", "show"))

/* Same, the second instance in another process. */
#define DIFFADDR_2P(OPT, CHILDOPT, ADDR2, PRED)                                                    \
	STEPS(S("srv", "s1 = socket tcp4"), OPT("s1") S("srv", "bind s1 $A:$P"),                   \
	      S("srv", "listen s1"),                                                               \
	      D("srv", "s2 = child tcp4 " CHILDOPT "bind " ADDR2 ":$P listen", PRED),              \
	      S("srv", "show"))

/* Exact duplicate bind of $A:$P by two sockets (no listen). */
#define DUP(KIND, OPT1, OPT2, PRED)                                                                \
	STEPS(S("srv", "s1 = socket " KIND), OPT1("s1") S("srv", "bind s1 $A:$P"),                 \
	      S("srv", "s2 = socket " KIND), OPT2("s2") D("srv", "bind s2 $A:$P", PRED),           \
	      S("srv", "show"))

/* Two UDP receivers on one address; one datagram from cli. */
#define DELIVER(OPT, BINDADDR, DEST, PRED)                                                         \
	STEPS(S("srv", "r1 = socket udp4"), OPT("r1") S("srv", "bind r1 " BINDADDR ":$P"),         \
	      S("srv", "join r1 $G $IFA"), S("srv", "r2 = socket udp4"),                           \
	      OPT("r2") S("srv", "bind r2 " BINDADDR ":$P"), S("srv", "join r2 $G $IFA"),          \
	      S("cli", "u = socket udp4"), S("cli", "setsockopt u IP_MULTICAST_IF $C"),            \
	      S("cli", "send u " DEST ":$P 1"), D("srv", "recv r1 r2", PRED), S("srv", "show"))

/* Wildcard vs specific address on one port; AFTER: steps after the 2nd bind. */
#define WILDSPEC(OPT, FIRST, SECOND, LISTEN1, PRED, AFTER)                                         \
	STEPS(S("srv", "s1 = socket tcp4"), OPT("s1") S("srv", "bind s1 " FIRST ":$P"),            \
	      LISTEN1 S("srv", "s2 = socket tcp4"),                                                \
	      OPT("s2") D("srv", "bind s2 " SECOND ":$P", PRED), AFTER S("srv", "show"))
#define L1 S("srv", "listen s1"),
#define NOL1
/* Both bound: can both listen?  (On Linux, bind and listen decide apart.) */
#define LISTEN_BOTH W("srv", "listen s1"), W("srv", "listen s2"),

/* Exact duplicate bind of ADDR:$P, the 2nd socket owned by uid 65534. */
#define DUP_UID(KIND, ADDR, OPT, PRED)                                                             \
	STEPS(S("srv", "s1 = socket " KIND), OPT("s1") S("srv", "bind s1 " ADDR ":$P"),            \
	      S("srv", "owner 65534"), S("srv", "s2 = socket " KIND),                              \
	      OPT("s2") D("srv", "bind s2 " ADDR ":$P", PRED), S("srv", "show"))

/* $A:$P bound by x (SO_REUSEADDR only), y (both), then z (SO_REUSEPORT only). */
#define DUP3(KIND, TAIL)                                                                           \
	STEPS(S("srv", "x = socket " KIND), RA("x") S("srv", "bind x $A:$P"),                      \
	      S("srv", "y = socket " KIND), RA("y") RP("y") S("srv", "bind y $A:$P"),              \
	      S("srv", "z = socket " KIND), RP("z") D("srv", "bind z $A:$P", "EADDRINUSE"),        \
	      TAIL S("srv", "show"))
#define R_LISTEN_3 W("srv", "listen z"),

/* The article's fork server on PORT serves one client and stops; the
 * restarted server (OPT on both) binds while the connection is in TIME-WAIT. */
#define DAYTIME_RESTART(PORT, OPT, ...)                                                            \
	STEPS(S("srv", "l = socket tcp4"), OPT("l") S("srv", "bind l *:" PORT),                    \
	      S("srv", "listen l"), S("cli", "c = socket tcp4"), S("cli", "connect c $A:" PORT),   \
	      S("srv", "a = accept l"), S("srv", "fork-daytime l a"), W("cli", "read c"),          \
	      S("cli", "close c"), S("srv", "wait-timewait " PORT), S("srv", "show"),              \
	      S("srv", "n = socket tcp4"), OPT("n") __VA_ARGS__)

#define UNP "UNP vol. 1, 3rd ed., 7.5"
#define ART "article (UNP 7.5)"

const struct catalog_case catalog_cases[] = {
    /* ---- C1: one local port, connections to two servers ---- */
    {"c1-two-servers-none", "C1", "client port reused for a 2nd server, no option", ART,
     "2nd bind of the port fails", C1_CASE(C1_SERVERS, NONE, "$D", "EADDRINUSE", "*")},
    {"c1-two-servers-reuseaddr", "C1", "client port reused for a 2nd server, SO_REUSEADDR", ART,
     "2nd bind and connect succeed", C1_CASE(C1_SERVERS, RA, "$D", "ok", "ok")},
    {"c1-two-servers-reuseport", "C1", "client port reused for a 2nd server, SO_REUSEPORT", ART,
     "2nd bind and connect succeed", C1_CASE(C1_SERVERS, RP, "$D", "ok", "ok")},
    {"c1-same-server-none", "C1", "client port reused for the same server, no option",
     "RFC 793 (a 4-tuple names one connection)", "2nd bind fails",
     C1_CASE(C1_SERVER, NONE, "$C", "fail", "*")},
    {"c1-same-server-reuseaddr", "C1", "client port reused for the same server, SO_REUSEADDR",
     "RFC 793 (a 4-tuple names one connection)", "2nd connect (same 4-tuple) fails",
     C1_CASE(C1_SERVER, RA, "$C", "*", "fail")},
    {"c1-same-server-reuseport", "C1", "client port reused for the same server, SO_REUSEPORT",
     "RFC 793 (a 4-tuple names one connection)", "2nd connect (same 4-tuple) fails",
     C1_CASE(C1_SERVER, RP, "$C", "*", "fail")},

    /* ---- C2: a listening port used for an outgoing connection ---- */
    {"c2-listen-connect-none", "C2", "listening port used for connect, no option", ART,
     "bind of the listening port fails", C2_CASE(NONE)},
    {"c2-listen-connect-reuseaddr", "C2", "listening port used for connect, SO_REUSEADDR on both",
     ART, "bind of the listening port fails even with reuse", C2_CASE(RA)},
    {"c2-listen-connect-reuseport", "C2", "listening port used for connect, SO_REUSEPORT on both",
     ART, "bind of the listening port fails even with reuse", C2_CASE(RP)},
    {"c2-connect-then-listen-reuseaddr", "C2",
     "outgoing connection from the port first, then a listener on it, SO_REUSEADDR on both", ART,
     "listen fails: the port carries an outgoing connection",
     STEPS(S("cli", "l = socket tcp4"), S("cli", "bind l *:$P2"), S("cli", "listen l"),
	   S("srv", "s = socket tcp4"), RA("s") S("srv", "bind s *:$P"),
	   S("srv", "c = socket tcp4"), RA("c") S("srv", "bind c *:$P"),
	   S("srv", "connect c $C:$P2"), D("srv", "listen s", "EADDRINUSE"), S("srv", "show"))},
    {"c2-listen-connect-other-addr", "C2",
     "listener on one address, the port on another address used for connect, no option", ART,
     "bind of the listening port fails",
     STEPS(S("cli2", "l = socket tcp4"), S("cli2", "bind l *:$P2"), S("cli2", "listen l"),
	   S("srv", "s = socket tcp4"), S("srv", "bind s $A:$P"), S("srv", "listen s"),
	   S("srv", "c = socket tcp4"), D("srv", "bind c $B:$P", "EADDRINUSE"),
	   W("srv", "connect c $D:$P2"), S("srv", "show"))},

    /* ---- C3 / C10 / C11: restart over old connections ---- */
    {"restart-tw-reuse-none", "C3", "restart over TIME-WAIT, no SO_REUSEADDR", ART,
     "bind fails (EADDRINUSE)", RESTART_TW(NONE, NONE, "EADDRINUSE")},
    {"restart-tw-reuse-new", "C3", "restart over TIME-WAIT, SO_REUSEADDR on the new socket", ART,
     "bind succeeds", RESTART_TW(NONE, RA, "ok")},
    {"restart-tw-reuse-old", "C11", "restart over TIME-WAIT, SO_REUSEADDR on the old socket only",
     ART, "bind fails: both sockets need SO_REUSEADDR", RESTART_TW(RA, NONE, "EADDRINUSE")},
    {"restart-tw-reuse-both", "C10", "restart over TIME-WAIT, SO_REUSEADDR on both", ART,
     "bind succeeds (the old connection is in TIME-WAIT)", RESTART_TW(RA, RA, "ok")},
    {"restart-tw-same-program", "C3",
     "the same server restarted over TIME-WAIT: SO_REUSEADDR on the old and the new socket", ART,
     "bind succeeds", RESTART_TW(RA, RA, "ok")},
    {"restart-est-same-program", "C3",
     "the same server restarted over ESTABLISHED: SO_REUSEADDR on the old and the new socket", ART,
     "bind succeeds while the old connection exists", RESTART_EST(RA, RA, "ok")},
    {"restart-est-reuse-none", "C3", "restart over ESTABLISHED, no SO_REUSEADDR", ART,
     "bind fails (EADDRINUSE)", RESTART_EST(NONE, NONE, "EADDRINUSE")},
    {"restart-est-reuse-new", "C3", "restart over ESTABLISHED, SO_REUSEADDR on the new socket", ART,
     "bind succeeds while the old connection exists", RESTART_EST(NONE, RA, "ok")},
    {"restart-est-reuse-old", "C11",
     "restart over ESTABLISHED, SO_REUSEADDR on the old socket only", ART,
     "bind fails: both sockets need SO_REUSEADDR", RESTART_EST(RA, NONE, "EADDRINUSE")},
    {"restart-est-reuse-both", "C10", "restart over ESTABLISHED, SO_REUSEADDR on both", ART,
     "bind fails: the old connection is not in TIME-WAIT", RESTART_EST(RA, RA, "EADDRINUSE")},
    {"restart-listening-reuse-both", "C10",
     "restart while the old listener still listens, SO_REUSEADDR on both", ART,
     "bind fails: the old socket is not in TIME-WAIT", WILDSPEC(RA, "*", "*", L1, "EADDRINUSE", )},

    /* ---- C4 / C5: one port, different local addresses ---- */
    {"diffaddr-nics-1proc-reuseaddr", "C5", "one process, port on two NICs, SO_REUSEADDR", ART,
     "2nd bind succeeds", DIFFADDR_1P(RA, "$B", "cli2", "ok")},
    {"diffaddr-nics-1proc-none", "C5", "one process, port on two NICs, no option", ART,
     "2nd bind fails without SO_REUSEADDR", DIFFADDR_1P(NONE, "$B", "cli2", "EADDRINUSE")},
    {"diffaddr-alias-1proc-reuseaddr", "C5",
     "one process, port on two aliases of one NIC, SO_REUSEADDR", ART, "2nd bind succeeds",
     DIFFADDR_1P(RA, "$A2", "cli", "ok")},
    {"diffaddr-alias-1proc-none", "C5", "one process, port on two aliases of one NIC, no option",
     ART, "2nd bind fails without SO_REUSEADDR", DIFFADDR_1P(NONE, "$A2", "cli", "EADDRINUSE")},
    {"diffaddr-nics-2proc-reuseaddr", "C4", "two processes, port on two NICs, SO_REUSEADDR", ART,
     "2nd instance binds and listens", DIFFADDR_2P(RA, "reuseaddr ", "$B", "ok")},
    {"diffaddr-alias-2proc-reuseaddr", "C4", "two processes, port on two aliases, SO_REUSEADDR",
     ART, "2nd instance binds and listens", DIFFADDR_2P(RA, "reuseaddr ", "$A2", "ok")},
    {"diffaddr-alias-2proc-none", "C4", "two processes, port on two aliases, no option", ART,
     "2nd instance fails without SO_REUSEADDR", DIFFADDR_2P(NONE, "", "$A2", "EADDRINUSE")},
    {"dup-tcp-reuseaddr-2proc", "C4",
     "two processes, same address and port, TCP, SO_REUSEADDR, listening", ART,
     "2nd server fails: TCP never binds one address and port twice",
     DIFFADDR_2P(RA, "reuseaddr ", "$A", "fail")},

    {"dup-tcp-reuseport-2proc", "C4",
     "two processes, same address and port, TCP, SO_REUSEPORT, listening", ART,
     "2nd server fails: TCP never binds one address and port twice",
     DIFFADDR_2P(RP, "reuseport ", "$A", "fail")},
    {"dup-tcp-bindtodevice", "C4",
     "two listeners on the wildcard and one port, no option, each bound to its own NIC", ART,
     "2nd server fails: TCP never binds one address and port twice",
     STEPS(S("srv", "s1 = socket tcp4"), S("srv", "setsockopt s1 SO_BINDTODEVICE $IFA"),
	   S("srv", "bind s1 *:$P"), S("srv", "listen s1"), S("srv", "s2 = socket tcp4"),
	   S("srv", "setsockopt s2 SO_BINDTODEVICE $IFB"), D("srv", "bind s2 *:$P", "EADDRINUSE"),
	   W("srv", "listen s2"), S("cli2", "c = socket tcp4"), W("cli2", "connect c $B:$P"),
	   S("srv", "show"))},

    /* ---- C6: complete duplicates with SO_REUSEADDR ---- */
    {"dup-udp-reuseaddr", "C6", "UDP duplicate bind, SO_REUSEADDR on both", ART,
     "2nd bind succeeds (UDP)", DUP("udp4", RA, RA, "ok")},
    {"dup-udp-none", "C6", "UDP duplicate bind, no option", ART, "2nd bind fails",
     DUP("udp4", NONE, NONE, "EADDRINUSE")},
    {"dup-tcp-reuseaddr", "C6", "TCP duplicate bind, SO_REUSEADDR on both, then listen", ART,
     "2nd bind fails: never for TCP",
     STEPS(S("srv", "s1 = socket tcp4"), RA("s1") S("srv", "bind s1 $A:$P"),
	   S("srv", "s2 = socket tcp4"), RA("s2") D("srv", "bind s2 $A:$P", "EADDRINUSE"),
	   W("srv", "listen s1"), W("srv", "listen s2"), S("srv", "show"))},
    {"dup-tcp-reuseaddr-listening", "C6",
     "TCP duplicate bind over a listener, SO_REUSEADDR on both", ART,
     "2nd bind fails: never for TCP", WILDSPEC(RA, "$A", "$A", L1, "EADDRINUSE", )},
    {"dup-udp-reuseaddr-second-only", "C11",
     "UDP duplicate bind, SO_REUSEADDR on the 2nd socket only", ART,
     "2nd bind fails: both need SO_REUSEADDR", DUP("udp4", NONE, RA, "EADDRINUSE")},

    /* ---- C7: SO_REUSEPORT ---- */
    {"dup-tcp-reuseport-both", "C7", "TCP duplicate bind, SO_REUSEPORT on both, listen", ART,
     "both bind and listen",
     STEPS(S("srv", "s1 = socket tcp4"), RP("s1") S("srv", "bind s1 $A:$P"), S("srv", "listen s1"),
	   S("srv", "s2 = socket tcp4"), RP("s2") D("srv", "bind s2 $A:$P", "ok"),
	   D("srv", "listen s2", "ok"), S("srv", "show"))},
    {"dup-tcp-reuseport-first-only", "C7", "TCP duplicate bind, SO_REUSEPORT on the 1st only", ART,
     "2nd bind fails", DUP("tcp4", RP, NONE, "EADDRINUSE")},
    {"dup-tcp-reuseport-second-only", "C7", "TCP duplicate bind, SO_REUSEPORT on the 2nd only", ART,
     "2nd bind fails", DUP("tcp4", NONE, RP, "EADDRINUSE")},
    {"dup-udp-reuseport-both", "C7", "UDP duplicate bind, SO_REUSEPORT on both", ART,
     "2nd bind succeeds", DUP("udp4", RP, RP, "ok")},
    {"dup-udp-reuseport-first-only", "C7", "UDP duplicate bind, SO_REUSEPORT on the 1st only", ART,
     "2nd bind fails", DUP("udp4", RP, NONE, "EADDRINUSE")},
    {"dup-tcp-reuseport-uids", "C7",
     "TCP duplicate bind, SO_REUSEPORT on both, 2nd process another uid", ART,
     "2nd server binds and listens (every socket set the option)",
     STEPS(S("srv", "s1 = socket tcp4"), RP("s1") S("srv", "bind s1 $A:$P"), S("srv", "listen s1"),
	   D("srv", "s2 = child tcp4 reuseport uid 65534 bind $A:$P listen", "ok"),
	   S("srv", "show"))},
    {"dup-udp-reuseport-uids", "C7",
     "UDP duplicate bind, SO_REUSEPORT on both, 2nd socket another uid", ART,
     "2nd bind succeeds (every socket set the option)",
     STEPS(S("srv", "s1 = socket udp4"), RP("s1") S("srv", "bind s1 $A:$P"),
	   S("srv", "owner 65534"), S("srv", "s2 = socket udp4"),
	   RP("s2") D("srv", "bind s2 $A:$P", "ok"), R("srv", "bind s2 $A:$P2"), S("srv", "show"))},
    {"restart-tw-reuseport-uids", "C7",
     "restart over TIME-WAIT, SO_REUSEPORT on both, the new socket another uid's", ART,
     "bind succeeds (every socket set the option)", RESTART_TW_UID(RP, "ok")},
    {"dup-tcp-reuseport-after-mixed", "C7",
     "TCP: SO_REUSEADDR only, then both options, then SO_REUSEPORT only, one address and port", ART,
     "3rd bind fails (the 1st socket did not set SO_REUSEPORT)", DUP3("tcp4", R_LISTEN_3)},
    {"dup-udp-reuseport-after-mixed", "C7",
     "UDP: SO_REUSEADDR only, then both options, then SO_REUSEPORT only, one address and port", ART,
     "3rd bind fails (the 1st socket did not set SO_REUSEPORT)", DUP3("udp4", )},

    /* ---- C8 and UNP: who receives a datagram ---- */
    {"mcast-reuseaddr", "C8",
     "two sockets on group:port, SO_REUSEADDR, multicast datagram from cli", ART,
     "both sockets get a copy", DELIVER(RA, "$G", "$G", "ok =2")},
    {"mcast-reuseport", "C8",
     "two sockets on group:port, SO_REUSEPORT, multicast datagram from cli", ART,
     "both sockets get a copy (same as SO_REUSEADDR)", DELIVER(RP, "$G", "$G", "ok =2")},
    {"mcast-mixed-options", "C8",
     "group:port, SO_REUSEADDR on the 1st socket, SO_REUSEPORT on the 2nd", ART,
     "2nd bind succeeds (the options are equivalent)",
     STEPS(S("srv", "r1 = socket udp4"), RA("r1") S("srv", "bind r1 $G:$P"),
	   S("srv", "r2 = socket udp4"), RP("r2") D("srv", "bind r2 $G:$P", "ok"),
	   S("srv", "show"))},
    {"mcast-reuseaddr-uids", "C8", "group:port, SO_REUSEADDR, the 2nd socket another uid's", ART,
     "2nd bind succeeds", DUP_UID("udp4", "$G", RA, "ok")},
    {"mcast-reuseport-uids", "C8", "group:port, SO_REUSEPORT, the 2nd socket another uid's", ART,
     "2nd bind succeeds (as with SO_REUSEADDR)", DUP_UID("udp4", "$G", RP, "ok")},
    {"ucast-dup-reuseaddr", "UNP 7.5",
     "two sockets on addr:port, SO_REUSEADDR, unicast datagram from cli", UNP,
     "exactly one socket gets it", DELIVER(RA, "$A", "$A", "ok =1")},
    {"ucast-dup-reuseport", "UNP 7.5",
     "two sockets on addr:port, SO_REUSEPORT, unicast datagram from cli", UNP,
     "exactly one socket gets it", DELIVER(RP, "$A", "$A", "ok =1")},

    /* ---- C9: the recommendations ---- */
    {"c9-tcp-restart", "C9", "TCP server with SO_REUSEADDR restarts while old connections linger",
     ART, "restart binds and listens; new clients connect",
     STEPS(S("srv", "l = socket tcp4"), RA("l") S("srv", "bind l *:$P"), S("srv", "listen l"),
	   S("cli", "c1 = socket tcp4"), S("cli", "connect c1 $A:$P"), S("cli", "c2 = socket tcp4"),
	   S("cli", "connect c2 $A:$P"), S("srv", "a1 = accept l"), S("srv", "a2 = accept l"),
	   S("srv", "close a1"), S("cli", "read c1"), S("cli", "close c1"),
	   S("srv", "wait-timewait $P"), S("srv", "close l"), S("srv", "show"),
	   S("srv", "n = socket tcp4"), RA("n") D("srv", "bind n *:$P", "ok"),
	   D("srv", "listen n", "ok"), S("cli", "c3 = socket tcp4"),
	   D("cli", "connect c3 $A:$P", "ok"))},
    {"c9-mcast-twice", "C9",
     "multicast app run twice (two processes), SO_REUSEADDR, bound to the group", ART,
     "both instances bind and both receive",
     STEPS(D("srv", "r1 = child udp4 reuseaddr bind $G:$P", "ok"),
	   D("srv", "r2 = child udp4 reuseaddr bind $G:$P", "ok"), S("srv", "join r1 $G $IFA"),
	   S("srv", "join r2 $G $IFA"), S("cli", "u = socket udp4"),
	   S("cli", "setsockopt u IP_MULTICAST_IF $C"), S("cli", "send u $G:$P 1"),
	   D("srv", "recv r1 r2", "ok =2"), S("srv", "show"))},

    /* ---- C12: the article's daytime server on port 10013 ---- */
    {"c12-daytime-restart", "C12",
     "article's fork server (10013): serve one client, stop, restart at once", ART,
     "restarted server binds 10013 again",
     DAYTIME_RESTART("10013", RA, D("srv", "bind n *:10013", "ok"), D("srv", "listen n", "ok"))},
    /* On $P: 10013 holds the case above's TIME-WAIT, which only a socket
     * with SO_REUSEADDR could bind over. */
    {"c12-daytime-restart-noreuse", "C12",
     "the same server without SO_REUSEADDR (old and new), restarted at once", ART,
     "bind fails without SO_REUSEADDR",
     DAYTIME_RESTART("$P", NONE, D("srv", "bind n *:$P", "EADDRINUSE"))},

    /* ---- UNP 7.5: wildcard and specific address ---- */
    {"wildspec-wild-first-bound", "UNP 7.5", "wildcard bound, then specific, SO_REUSEADDR", UNP,
     "specific bind succeeds", WILDSPEC(RA, "*", "$A", NOL1, "ok", LISTEN_BOTH)},
    {"wildspec-wild-first-listening", "UNP 7.5", "wildcard listening, then specific, SO_REUSEADDR",
     UNP, "specific bind succeeds", WILDSPEC(RA, "*", "$A", L1, "ok", )},
    {"wildspec-spec-first-bound", "UNP 7.5", "specific bound, then wildcard, SO_REUSEADDR", UNP,
     "wildcard bind succeeds", WILDSPEC(RA, "$A", "*", NOL1, "ok", LISTEN_BOTH)},
    {"wildspec-spec-first-listening", "UNP 7.5", "specific listening, then wildcard, SO_REUSEADDR",
     UNP, "wildcard bind succeeds", WILDSPEC(RA, "$A", "*", L1, "ok", )},
    {"wildspec-none", "UNP 7.5", "wildcard bound, then specific, no option", UNP,
     "specific bind fails", WILDSPEC(NONE, "*", "$A", NOL1, "EADDRINUSE", )},

    /* ---- ipv6(7): dual-stack wildcard against IPv4 wildcard ---- */
    {"v6only0-after-v4wild", "ipv6(7)", "[::]:P (IPV6_V6ONLY 0) after 0.0.0.0:P listening",
     "ipv6(7)", "bind fails: a dual-stack socket also takes the IPv4 port",
     STEPS(S("srv", "s4 = socket tcp4"), S("srv", "bind s4 *:$P"), S("srv", "listen s4"),
	   S("srv", "s6 = socket tcp6"), S("srv", "setsockopt s6 IPV6_V6ONLY 0"),
	   D("srv", "bind s6 *:$P", "EADDRINUSE"), S("srv", "show"))},
    {"v6only1-after-v4wild", "ipv6(7)", "[::]:P (IPV6_V6ONLY 1) after 0.0.0.0:P listening",
     "ipv6(7)", "bind succeeds: an IPv6-only socket leaves IPv4 alone",
     STEPS(S("srv", "s4 = socket tcp4"), S("srv", "bind s4 *:$P"), S("srv", "listen s4"),
	   S("srv", "s6 = socket tcp6"), S("srv", "setsockopt s6 IPV6_V6ONLY 1"),
	   D("srv", "bind s6 *:$P", "ok"), D("srv", "listen s6", "ok"), S("srv", "show"))},
    {"v4wild-after-v6only0", "ipv6(7)", "0.0.0.0:P after [::]:P (IPV6_V6ONLY 0) listening",
     "ipv6(7)", "bind fails: the dual-stack socket holds the IPv4 port",
     STEPS(S("srv", "s6 = socket tcp6"), S("srv", "setsockopt s6 IPV6_V6ONLY 0"),
	   S("srv", "bind s6 *:$P"), S("srv", "listen s6"), S("srv", "s4 = socket tcp4"),
	   D("srv", "bind s4 *:$P", "EADDRINUSE"), S("srv", "show"))},
    {"v4wild-after-v6only1", "ipv6(7)", "0.0.0.0:P after [::]:P (IPV6_V6ONLY 1) listening",
     "ipv6(7)", "bind succeeds",
     STEPS(S("srv", "s6 = socket tcp6"), S("srv", "setsockopt s6 IPV6_V6ONLY 1"),
	   S("srv", "bind s6 *:$P"), S("srv", "listen s6"), S("srv", "s4 = socket tcp4"),
	   D("srv", "bind s4 *:$P", "ok"), S("srv", "show"))},

    /* ---- socket(7): SO_REUSEPORT spreads connections ---- */
    {"reuseport-spread", "socket(7)", "3 SO_REUSEPORT listeners, 30 connections from cli",
     "socket(7) SO_REUSEPORT", "every listener gets some connections",
     STEPS(S("srv", "l1 = socket tcp4"), RP("l1") S("srv", "bind l1 $A:$P"), S("srv", "listen l1"),
	   S("srv", "l2 = socket tcp4"), RP("l2") S("srv", "bind l2 $A:$P"), S("srv", "listen l2"),
	   S("srv", "l3 = socket tcp4"), RP("l3") S("srv", "bind l3 $A:$P"), S("srv", "listen l3"),
	   W("cli", "burst $A:$P 30"), D("srv", "accept-all l1", "ok >0"),
	   D("srv", "accept-all l2", "ok >0"), D("srv", "accept-all l3", "ok >0"))},
};

const size_t catalog_n_cases = sizeof(catalog_cases) / sizeof(catalog_cases[0]);

/* SPDX-License-Identifier: MIT */
/*
 * Claim verdicts: which catalog cases decide each claim of the article, under
 * which condition each tries it, and whether that condition is the article's
 * own setting (its code sets SO_REUSEADDR; its server is one program, run by
 * one user, restarted).  The verdict is computed from the cases' verdicts,
 * which come from what the kernel did: a claim holds when every deciding
 * case held, holds with conditions when the article's own setting held and
 * another condition differed, differs when the article's own setting did.
 * A case's prediction is always its claim's, so "held" means the claim held;
 * a claim names only cases of its own, so `--claim` runs all it needs.  A
 * claim is judged only when every case of the article's own setting ran;
 * the other conditions that did not run are named as such.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lab/probe/probe.h"

struct claim_cond_def {
	const char *case_id;
	bool article; /* the article's own setting */
	const char *when;
};

struct claim_def {
	const char *id;
	const char *statement;
	const struct claim_cond_def *conds; /* terminated by { NULL } */
};

#define CONDS(...) ((const struct claim_cond_def[]){__VA_ARGS__, {NULL, false, NULL}})
#define ART  true /* the article's own setting */
#define ELSE false

static const struct claim_def claim_defs[] = {
    {"C1", "one local port connects to two servers at once with reuse; without, the 2nd use fails",
     CONDS({"c1-two-servers-reuseaddr", ART, "SO_REUSEADDR on both client sockets"},
	   {"c1-two-servers-none", ART, "no option"},
	   {"c1-two-servers-reuseport", ELSE, "SO_REUSEPORT on both client sockets, one user"})},
    {"C2", "a port a server listens on cannot connect out, even with reuse",
     CONDS({"c2-listen-connect-reuseaddr", ART,
	    "SO_REUSEADDR on the listener and the outgoing socket"},
	   {"c2-listen-connect-none", ART, "no option"},
	   {"c2-listen-connect-reuseport", ELSE,
	    "SO_REUSEPORT on the listener and the outgoing socket, one user"},
	   {"c2-connect-then-listen-reuseaddr", ELSE,
	    "SO_REUSEADDR on both, the outgoing connection made before the listen"},
	   {"c2-listen-connect-other-addr", ELSE,
	    "no option, the listener on one address, the outgoing socket on another"})},
    {"C3", "SO_REUSEADDR lets a restarted server bind while its old connections exist",
     CONDS({"restart-tw-same-program", ART,
	    "old and new socket set SO_REUSEADDR (the same program restarted), TIME-WAIT"},
	   {"restart-est-same-program", ART,
	    "old and new socket set SO_REUSEADDR (the same program restarted), ESTABLISHED"},
	   {"restart-tw-reuse-none", ART, "no SO_REUSEADDR, TIME-WAIT"},
	   {"restart-est-reuse-none", ART, "no SO_REUSEADDR, ESTABLISHED"},
	   {"restart-tw-reuse-new", ELSE, "the new socket's SO_REUSEADDR alone, TIME-WAIT"},
	   {"restart-est-reuse-new", ELSE, "the new socket's SO_REUSEADDR alone, ESTABLISHED"})},
    {"C4", "SO_REUSEADDR runs server instances on one port, one per address; TCP never twice on "
	   "one address and port",
     CONDS({"diffaddr-nics-2proc-reuseaddr", ART, "SO_REUSEADDR, addresses of two NICs"},
	   {"diffaddr-alias-2proc-reuseaddr", ART, "SO_REUSEADDR, two aliases of one NIC"},
	   {"dup-tcp-reuseaddr-2proc", ART, "SO_REUSEADDR, two listeners on one address"},
	   {"diffaddr-alias-2proc-none", ELSE, "no option, two aliases of one NIC"},
	   {"dup-tcp-reuseport-2proc", ELSE, "SO_REUSEPORT, one user, two listeners on one address"},
	   {"dup-tcp-bindtodevice", ELSE,
	    "no option, two listeners on the wildcard, each SO_BINDTODEVICE to its own NIC"})},
    {"C5", "SO_REUSEADDR lets one process bind one port on several addresses",
     CONDS({"diffaddr-nics-1proc-reuseaddr", ART, "SO_REUSEADDR, addresses of two NICs"},
	   {"diffaddr-alias-1proc-reuseaddr", ART, "SO_REUSEADDR, two aliases of one NIC"},
	   {"diffaddr-nics-1proc-none", ELSE, "no option, addresses of two NICs"},
	   {"diffaddr-alias-1proc-none", ELSE, "no option, two aliases of one NIC"})},
    {"C6", "SO_REUSEADDR allows a complete duplicate binding only for UDP, never for TCP",
     CONDS({"dup-udp-reuseaddr", ART, "UDP, SO_REUSEADDR on both"},
	   {"dup-udp-none", ART, "UDP, no option"},
	   {"dup-tcp-reuseaddr-listening", ART, "TCP, SO_REUSEADDR on both, the first listening"},
	   {"dup-tcp-reuseaddr", ART, "TCP, SO_REUSEADDR on both, neither listening yet"})},
    {"C7", "SO_REUSEPORT allows a complete duplicate binding if every socket sets it",
     CONDS({"dup-tcp-reuseport-both", ART, "TCP, both sockets set it"},
	   {"dup-udp-reuseport-both", ART, "UDP, both sockets set it"},
	   {"dup-tcp-reuseport-first-only", ART, "TCP, the 1st socket only"},
	   {"dup-tcp-reuseport-second-only", ART, "TCP, the 2nd socket only"},
	   {"dup-udp-reuseport-first-only", ART, "UDP, the 1st socket only"},
	   {"dup-tcp-reuseport-uids", ELSE, "TCP, both set it, the sockets of two users"},
	   {"dup-udp-reuseport-uids", ELSE, "UDP, both set it, the sockets of two users"},
	   {"restart-tw-reuseport-uids", ELSE,
	    "TCP, both set it, two users, the old connection in TIME-WAIT"},
	   {"dup-tcp-reuseport-after-mixed", ELSE,
	    "TCP, a 3rd socket with it alone after one with SO_REUSEADDR alone and one with both"},
	   {"dup-udp-reuseport-after-mixed", ELSE,
	    "UDP, a 3rd socket with it alone after one with SO_REUSEADDR alone and one with both"})},
    {"C8", "on a multicast address SO_REUSEADDR and SO_REUSEPORT are equivalent",
     CONDS({"mcast-reuseaddr", ART, "SO_REUSEADDR, a datagram to the group"},
	   {"mcast-reuseport", ART, "SO_REUSEPORT, a datagram to the group"},
	   {"mcast-mixed-options", ELSE, "SO_REUSEADDR on one socket, SO_REUSEPORT on the other"},
	   {"mcast-reuseaddr-uids", ELSE, "SO_REUSEADDR, the sockets of two users"},
	   {"mcast-reuseport-uids", ELSE, "SO_REUSEPORT, the sockets of two users"})},
    {"C9", "TCP servers set SO_REUSEADDR; multicast apps run twice bind the group with it",
     CONDS({"c9-tcp-restart", ART, "a TCP server with SO_REUSEADDR restarted"},
	   {"c9-mcast-twice", ART, "a multicast app run twice, bound to the group"})},
    {"C10", "SO_REUSEADDR reuses a busy port only over TIME-WAIT; any other state fails",
     CONDS({"restart-tw-reuse-both", ART, "both set SO_REUSEADDR, old connection in TIME-WAIT"},
	   {"restart-est-reuse-both", ART, "both set SO_REUSEADDR, old connection ESTABLISHED"},
	   {"restart-listening-reuse-both", ART, "both set SO_REUSEADDR, the old socket listening"})},
    {"C11", "both the old and the new socket need SO_REUSEADDR",
     CONDS({"restart-tw-reuse-old", ART, "the old socket only, TIME-WAIT"},
	   {"restart-est-reuse-old", ART, "the old socket only, ESTABLISHED"},
	   {"dup-udp-reuseaddr-second-only", ART, "UDP, the new socket only"})},
    {"C12", "the article's daytime server (10013), restarted at once, binds again",
     CONDS({"c12-daytime-restart", ART, "the server as written (SO_REUSEADDR)"},
	   {"c12-daytime-restart-noreuse", ART,
	    "the server without SO_REUSEADDR (old and new instance)"})},
};

#define N_CLAIMS (sizeof(claim_defs) / sizeof(claim_defs[0]))

/* The catalog case id among cases[0..n), judged (held or differed), or NULL. */
static const struct case_result *judged_case(const struct case_result *cases, size_t n,
					     const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cases[i].id, id) &&
		    (cases[i].verdict == VERDICT_HOLDS || cases[i].verdict == VERDICT_DIFFERS))
			return &cases[i];
	return NULL;
}

/* Condition k of a claim, run (held or not) or not, appended to ret (strings
 * copied).  0 or -ENOMEM (the condition is counted, so report_claim_clear
 * frees it). */
static int claim_cond_add(struct claim_result *ret, const struct claim_cond_def *k, bool ran,
			  bool holds)
{
	struct claim_condition *out = &ret->conds[ret->n_conds++];

	out->when = strdup(k->when);
	out->case_id = strdup(k->case_id);
	out->article = k->article;
	out->ran = ran;
	out->holds = ran && holds;
	return out->when && out->case_id ? 0 : -ENOMEM;
}

/* Claim d from the cases that ran into ret (zeroed): 1 judged, 0 when a case
 * of the article's own setting did not run (a claim is judged in its own
 * setting first, or not at all), -ENOMEM.  ret owns what it holds either way. */
static int claim_judge(const struct claim_def *d, const struct case_result *cases, size_t n,
		       struct claim_result *ret)
{
	bool article_ran = true, article_differs = false, any_differs = false;

	ret->id = strdup(d->id);
	ret->statement = strdup(d->statement);
	if (!ret->id || !ret->statement)
		return -ENOMEM;
	for (const struct claim_cond_def *k = d->conds; k->case_id; k++) {
		const struct case_result *c = judged_case(cases, n, k->case_id);
		bool holds;

		if (ret->n_conds == REPORT_CLAIM_CONDS) {
			article_ran &= !k->article;
			continue;
		}
		/* Not run, another setting: named, so the verdict shows what it
		 * was judged without (a rootless run skips the two-user cases). */
		if (!c) {
			article_ran &= !k->article;
			if (claim_cond_add(ret, k, false, false) < 0)
				return -ENOMEM;
			continue;
		}
		holds = c->verdict == VERDICT_HOLDS;
		if (claim_cond_add(ret, k, true, holds) < 0)
			return -ENOMEM;
		article_differs |= k->article && !holds;
		any_differs |= !holds;
	}
	ret->verdict = article_differs ? CLAIM_DIFFERS
		       : any_differs   ? CLAIM_HOLDS_WITH_CONDITIONS
				       : CLAIM_HOLDS;
	return article_ran;
}

int probe_claims_judge(const struct case_result *cases, size_t n, struct report *rep)
{
	struct report judged = {0};
	int r = 0;

	judged.claims = calloc(N_CLAIMS, sizeof(*judged.claims));
	if (!judged.claims)
		return -ENOMEM;
	for (size_t i = 0; i < N_CLAIMS; i++) {
		struct claim_result *c = &judged.claims[judged.n_claims];

		r = claim_judge(&claim_defs[i], cases, n, c);
		if (r < 0) {
			report_claim_clear(c);
			report_free_claims(&judged);
			return r;
		}
		if (r > 0)
			judged.n_claims++;
		else
			report_claim_clear(c);
	}
	report_free_claims(rep);
	rep->claims = judged.claims;
	rep->n_claims = judged.n_claims;
	return 0;
}

bool probe_claim_case(size_t i, size_t k, const char **ret_claim, const char **ret_case)
{
	const struct claim_cond_def *c;

	if (i >= N_CLAIMS)
		return false;
	for (c = claim_defs[i].conds; c->case_id && k; c++)
		k--;
	if (!c->case_id)
		return false;
	*ret_claim = claim_defs[i].id;
	*ret_case = c->case_id;
	return true;
}

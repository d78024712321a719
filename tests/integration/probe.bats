#!/usr/bin/env bats
# Probe engine: builds two-nics under a run-unique name, runs the whole
# catalog once, and asserts what THIS kernel does in every catalog case (the
# deciding steps' results and each verdict), then user cases from a topology
# file.  If a kernel changes behaviour, these fail: docs/cases.md says why
# each outcome is what it is.
load helpers

setup_file() {
	export L=$(uniq_lab pr)
	export REPORT="$BATS_FILE_TMPDIR/report.json"
	"$REUSELAB" up topologies/two-nics.yml --name "$L" >/dev/null
	"$REUSELAB" probe "$L" --json >"$REPORT" 2>"$BATS_FILE_TMPDIR/probe.err"
	echo $? >"$BATS_FILE_TMPDIR/probe.rc"
}

teardown_file() {
	force_down "$L"
	force_down "${L}x" # a test's second lab, should it have failed midway
}

# is CASE PREFIX RESULT VERDICT
is() {
	local r v
	r=$(res "$1" "$2")
	v=$(verdict "$1")
	if [ "$r" != "$3" ] || [ "$v" != "$4" ]; then
		echo "case $1, step '$2': got $r/$v, want $3/$4" >&2
		return 1
	fi
}

@test "probe ran every catalog case, no errors, kernel and sysctls recorded" {
	[ "$(cat "$BATS_FILE_TMPDIR/probe.rc")" -eq 0 ]
	[ ! -s "$BATS_FILE_TMPDIR/probe.err" ]
	n=$("$REUSELAB" cases --json | jq length)
	[ "$n" -ge 50 ]
	[ "$(jq '.cases | length' "$REPORT")" -eq "$n" ]
	[ "$(jq '[.cases[] | select(.verdict == "error" or .verdict == "failed")] | length' "$REPORT")" -eq 0 ]
	# two-nics hosts every catalog case: none skipped
	[ "$(jq '[.cases[] | select(.verdict == "skipped")] | length' "$REPORT")" -eq 0 ]
	[ "$(jq '.summary.skipped' "$REPORT")" -eq 0 ]
	[ "$(jq -r .kernel "$REPORT")" = "$(uname -r)" ]
	[ "$(jq -r .lab "$REPORT")" = "$L" ]
	for k in net.ipv6.bindv6only net.ipv4.ip_local_port_range net.ipv4.ip_autobind_reuse net.ipv4.tcp_migrate_req \
		net.ipv4.tcp_timestamps net.ipv4.tcp_tw_reuse; do
		[ "$(jq -r --arg k "$k" '.sysctls[$k]' "$REPORT")" = "$(ip netns exec "rl-$L.server" sysctl -n "$k" | tr '\t' ' ')" ]
	done
	# every claim of the article has at least one case
	for c in C1 C2 C3 C4 C5 C6 C7 C8 C9 C10 C11 C12; do
		[ "$(jq --arg c "$c" '[.cases[] | select(.claim == $c)] | length' "$REPORT")" -ge 1 ]
	done
	# no socket and no child left behind in the lab
	[ -z "$(ip netns exec "rl-$L.server" ss -Htanu state listening state established state unconnected 2>/dev/null | grep -v ':10013 ' || true)" ]
}

@test "C1: client port 1234 to two servers, and twice to one" {
	is c1-two-servers-none "bind b " EADDRINUSE holds
	is c1-two-servers-reuseaddr "bind b " ok holds
	[ "$(res c1-two-servers-reuseaddr "connect b ")" = ok ]
	[ "$(val c1-two-servers-reuseaddr "connect b ")" = "$(val c1-two-servers-reuseaddr "connect a ")" ]
	is c1-two-servers-reuseport "bind b " ok holds
	[ "$(res c1-two-servers-reuseport "connect b ")" = ok ]
	[ "$(val c1-two-servers-reuseport "connect b ")" = "$(val c1-two-servers-reuseport "connect a ")" ]
	is c1-same-server-none "bind b " EADDRINUSE holds
	is c1-same-server-reuseaddr "connect b " EADDRNOTAVAIL holds
	[ "$(res c1-same-server-reuseaddr "bind b ")" = ok ]
	is c1-same-server-reuseport "connect b " EADDRNOTAVAIL holds
	[ "$(res c1-same-server-reuseport "bind b ")" = ok ]
}

@test "C2: a listening port for an outgoing connect" {
	is c2-listen-connect-none "bind c " EADDRINUSE holds
	is c2-listen-connect-reuseaddr "bind c " EADDRINUSE holds
	# SO_REUSEPORT on both: Linux lets the listener's port connect out
	is c2-listen-connect-reuseport "bind c " ok differs
	[ "$(res c2-listen-connect-reuseport "connect c ")" = ok ]
	port=$(jq -r '.cases[] | select(.id == "c2-listen-connect-reuseport") | .steps[] | select(.args | startswith("bind s ")) | .args | sub(".*:"; "")' "$REPORT")
	[ "$(val c2-listen-connect-reuseport "connect c ")" = "$port" ]
	# SO_REUSEADDR, the connection first: the port listens afterwards
	is c2-connect-then-listen-reuseaddr "listen s" ok differs
	[ "$(res c2-connect-then-listen-reuseaddr "connect c ")" = ok ]
	port=$(jq -r '.cases[] | select(.id == "c2-connect-then-listen-reuseaddr") | .steps[] | select(.args | startswith("bind s ")) | .args | sub(".*:"; "")' "$REPORT")
	[ "$(val c2-connect-then-listen-reuseaddr "connect c ")" = "$port" ]
	# no option: a listener on one address leaves the port free on another
	is c2-listen-connect-other-addr "bind c " ok differs
	[ "$(res c2-listen-connect-other-addr "connect c ")" = ok ]
}

@test "C3, C10, C11: restart over TIME-WAIT" {
	for c in restart-tw-reuse-none restart-tw-reuse-new restart-tw-reuse-old restart-tw-reuse-both; do
		[ "$(res "$c" "wait-timewait ")" = ok ]
		[ "$(jq --arg c "$c" '[.cases[] | select(.id == $c) | .steps[] | select(.call == "show") | .sockets[] | select(.state == "TIME-WAIT")] | length' "$REPORT")" -ge 1 ]
	done
	is restart-tw-reuse-none "bind n " EADDRINUSE holds
	is restart-tw-reuse-new "bind n " EADDRINUSE differs
	is restart-tw-reuse-old "bind n " EADDRINUSE holds
	is restart-tw-reuse-both "bind n " ok holds
	# the article's restart: the same program, so the old sockets set it too
	is restart-tw-same-program "bind n " ok holds
}

@test "C3, C10, C11: restart over ESTABLISHED" {
	for c in restart-est-reuse-none restart-est-reuse-new restart-est-reuse-old restart-est-reuse-both; do
		[ "$(jq --arg c "$c" '[.cases[] | select(.id == $c) | .steps[] | select(.call == "show") | .sockets[] | select(.state == "ESTAB")] | length' "$REPORT")" -ge 1 ]
	done
	is restart-est-reuse-none "bind n " EADDRINUSE holds
	is restart-est-reuse-new "bind n " EADDRINUSE differs
	is restart-est-reuse-old "bind n " EADDRINUSE holds
	is restart-est-reuse-both "bind n " ok differs
	[ "$(res restart-est-reuse-both "listen n")" = ok ]
	is restart-est-same-program "bind n " ok holds
	# and over the old listener itself, even with SO_REUSEADDR on both
	is restart-listening-reuse-both "bind s2 " EADDRINUSE holds
}

@test "C4, C5: one port on different local addresses, one and two processes" {
	is diffaddr-nics-1proc-reuseaddr "bind s2 " ok holds
	is diffaddr-nics-1proc-none "bind s2 " ok differs
	is diffaddr-alias-1proc-reuseaddr "bind s2 " ok holds
	is diffaddr-alias-1proc-none "bind s2 " ok differs
	for c in diffaddr-nics-1proc-reuseaddr diffaddr-nics-1proc-none diffaddr-alias-1proc-reuseaddr diffaddr-alias-1proc-none; do
		[ "$(res "$c" "listen s2")" = ok ]
		[ "$(res "$c" "connect c ")" = ok ]
	done
	is diffaddr-nics-2proc-reuseaddr "s2 = child" ok holds
	is diffaddr-alias-2proc-reuseaddr "s2 = child" ok holds
	is diffaddr-alias-2proc-none "s2 = child" ok differs
	is dup-tcp-reuseaddr-2proc "s2 = child" EADDRINUSE holds
	# two TCP listeners on one address and port: SO_REUSEPORT allows it
	is dup-tcp-reuseport-2proc "s2 = child" ok differs
	[ "$(jq -r '.cases[] | select(.id == "dup-tcp-reuseaddr-2proc") | .steps[] | select(.args | startswith("s2 = child")) | .call' "$REPORT")" = "child bind" ]
	[ "$(jq -r '.cases[] | select(.id == "diffaddr-alias-2proc-none") | .steps[] | select(.args | startswith("s2 = child")) | .call' "$REPORT")" = "child listen" ]
	# no option, one port on the wildcard twice, each socket on its own NIC
	is dup-tcp-bindtodevice "bind s2 " ok differs
	[ "$(res dup-tcp-bindtodevice "listen s2")" = ok ]
	[ "$(res dup-tcp-bindtodevice "connect c ")" = ok ]
}

@test "C6, C11: complete duplicate bindings with SO_REUSEADDR" {
	is dup-udp-reuseaddr "bind s2 " ok holds
	is dup-udp-none "bind s2 " EADDRINUSE holds
	is dup-tcp-reuseaddr "bind s2 " ok differs
	[ "$(res dup-tcp-reuseaddr "listen s1")" = ok ]
	[ "$(res dup-tcp-reuseaddr "listen s2")" = EADDRINUSE ]
	is dup-tcp-reuseaddr-listening "bind s2 " EADDRINUSE holds
	is dup-udp-reuseaddr-second-only "bind s2 " EADDRINUSE holds
	# the duplicate TCP binding is the article's own setting: C6 differs
	[ "$(jq -r '.claims[] | select(.id == "C6") | .cases[] | select(.id == "dup-tcp-reuseaddr") | .article_setting' "$REPORT")" = true ]
}

@test "C7: SO_REUSEPORT on both, on one, across uids" {
	is dup-tcp-reuseport-both "bind s2 " ok holds
	[ "$(res dup-tcp-reuseport-both "listen s2")" = ok ]
	is dup-tcp-reuseport-first-only "bind s2 " EADDRINUSE holds
	is dup-tcp-reuseport-second-only "bind s2 " EADDRINUSE holds
	is dup-udp-reuseport-both "bind s2 " ok holds
	is dup-udp-reuseport-first-only "bind s2 " EADDRINUSE holds
	is dup-tcp-reuseport-uids "s2 = child" EADDRINUSE differs
	is dup-udp-reuseport-uids "bind s2 " EADDRINUSE differs
	# the socket really belongs to uid 65534 (sk_uid from the fsuid)
	[ "$(jq '[.cases[] | select(.id == "dup-udp-reuseport-uids") | .steps[] | select(.call == "show") | .sockets[] | select(.uid == 65534)] | length' "$REPORT")" -eq 1 ]
	# over TIME-WAIT the owner does not count
	is restart-tw-reuseport-uids "bind n " ok holds
	[ "$(res restart-tw-reuseport-uids "wait-timewait ")" = ok ]
	[ "$(res restart-tw-reuseport-uids "listen n")" = ok ]
	# SO_REUSEADDR alone, both, then SO_REUSEPORT alone: the 3rd binds
	is dup-tcp-reuseport-after-mixed "bind z " ok differs
	[ "$(res dup-tcp-reuseport-after-mixed "listen z")" = ok ]
	is dup-udp-reuseport-after-mixed "bind z " ok differs
}

@test "C8 and UNP 7.5: who receives multicast and unicast datagrams" {
	is mcast-reuseaddr "recv r1 r2" ok holds
	[ "$(val mcast-reuseaddr "recv r1 r2")" -eq 2 ]
	is mcast-reuseport "recv r1 r2" ok holds
	[ "$(val mcast-reuseport "recv r1 r2")" -eq 2 ]
	is ucast-dup-reuseaddr "recv r1 r2" ok holds
	[ "$(val ucast-dup-reuseaddr "recv r1 r2")" -eq 1 ]
	# without SO_REUSEPORT the socket bound last gets the unicast datagram
	[[ "$(args ucast-dup-reuseaddr "recv r1 r2")" == *"r1=0 r2=1"* ]]
	is ucast-dup-reuseport "recv r1 r2" ok holds
	[ "$(val ucast-dup-reuseport "recv r1 r2")" -eq 1 ]
	# equivalent for delivery, not for binding: mixed options, two users
	is mcast-mixed-options "bind r2 " EADDRINUSE differs
	is mcast-reuseaddr-uids "bind s2 " ok holds
	is mcast-reuseport-uids "bind s2 " EADDRINUSE differs
	[ "$(jq '[.cases[] | select(.id == "mcast-reuseaddr-uids") | .steps[] | select(.call == "show") | .sockets[] | select(.uid == 65534)] | length' "$REPORT")" -eq 1 ]
}

@test "C9: the two recommendations" {
	is c9-tcp-restart "bind n " ok holds
	[ "$(res c9-tcp-restart "listen n")" = ok ]
	[ "$(res c9-tcp-restart "connect c3 ")" = ok ]
	is c9-mcast-twice "r1 = child" ok holds
	[ "$(res c9-mcast-twice "r2 = child")" = ok ]
	[ "$(val c9-mcast-twice "recv r1 r2")" -eq 2 ]
}

@test "C12: the article's daytime server restarts on 10013" {
	is c12-daytime-restart "bind n " ok holds
	[ "$(res c12-daytime-restart "listen n")" = ok ]
	[ "$(res c12-daytime-restart "fork-daytime")" = ok ]
	[ "$(val c12-daytime-restart "read c")" -eq 26 ] # "%.24s\r\n"
	[ "$(jq '[.cases[] | select(.id == "c12-daytime-restart") | .steps[] | select(.call == "show") | .sockets[] | select(.state == "TIME-WAIT" and (.local | endswith(":10013")))] | length' "$REPORT")" -ge 1 ]
	is c12-daytime-restart-noreuse "bind n " EADDRINUSE holds
	# the server without SO_REUSEADDR at all, over its own TIME-WAIT
	[ "$(jq '[.cases[] | select(.id == "c12-daytime-restart-noreuse") | .steps[] | select(.call == "setsockopt")] | length' "$REPORT")" -eq 0 ]
	[ "$(res c12-daytime-restart-noreuse "wait-timewait ")" = ok ]
	port=$(jq -r '.cases[] | select(.id == "c12-daytime-restart-noreuse") | .steps[] | select(.args | startswith("bind l ")) | .args | sub(".*:"; "")' "$REPORT")
	[ "$port" != 10013 ]
	[ "$(jq --arg p ":$port" '[.cases[] | select(.id == "c12-daytime-restart-noreuse") | .steps[] | select(.call == "show") | .sockets[] | select(.state == "TIME-WAIT" and (.local | endswith($p)))] | length' "$REPORT")" -eq 1 ]
}

@test "UNP 7.5: wildcard and specific address in both orders" {
	is wildspec-wild-first-bound "bind s2 " ok holds
	is wildspec-wild-first-listening "bind s2 " EADDRINUSE differs
	is wildspec-spec-first-bound "bind s2 " ok holds
	is wildspec-spec-first-listening "bind s2 " EADDRINUSE differs
	is wildspec-none "bind s2 " EADDRINUSE holds
	# both bound, but UNP's two servers cannot both listen on Linux
	for c in wildspec-wild-first-bound wildspec-spec-first-bound; do
		[ "$(res "$c" "listen s1")" = ok ]
		[ "$(res "$c" "listen s2")" = EADDRINUSE ]
	done
}

@test "ipv6(7): dual-stack wildcard against the IPv4 wildcard" {
	is v6only0-after-v4wild "bind s6 " EADDRINUSE holds
	is v6only1-after-v4wild "bind s6 " ok holds
	is v4wild-after-v6only0 "bind s4 " EADDRINUSE holds
	is v4wild-after-v6only1 "bind s4 " ok holds
}

@test "socket(7): SO_REUSEPORT spreads 30 connections over 3 listeners" {
	[ "$(verdict reuseport-spread)" = holds ]
	[ "$(val reuseport-spread "burst ")" -eq 30 ]
	a=$(val reuseport-spread "accept-all l1")
	b=$(val reuseport-spread "accept-all l2")
	c=$(val reuseport-spread "accept-all l3")
	[ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$c" -gt 0 ]
	[ $((a + b + c)) -eq 30 ]
}

# claim CLAIM: its verdict in the report.
claim() {
	jq -r --arg c "$1" '.claims[] | select(.id == $c) | .verdict' "$REPORT"
}

@test "claims: each verdict follows its cases' verdicts, judged in the article's setting first" {
	[ "$(jq '.claims | length' "$REPORT")" -eq 12 ]
	# every deciding case's verdict is the case's own, and the claim's verdict
	# is computed from them: differs when an article-setting case differs,
	# holds-with-conditions when only another does, holds otherwise
	bad=$(jq -r '. as $r | .claims[] | . as $cl | .cases[] | . as $k
		| select($k.verdict != ($r.cases[] | select(.id == $k.id) | .verdict)) | "\($cl.id) \($k.id)"' "$REPORT")
	[ -z "$bad" ] || { echo "case verdicts differ: $bad"; false; }
	bad=$(jq -r '.claims[] | . as $cl
		| (if any(.cases[]; .article_setting and .verdict == "differs") then "differs"
		   elif any(.cases[]; .verdict == "differs") then "holds-with-conditions"
		   else "holds" end) as $want
		| select(.verdict != $want) | "\(.id): \(.verdict), want \($want)"' "$REPORT")
	[ -z "$bad" ] || { echo "$bad"; false; }
	# conditions name when it holds and when it differs, one per case
	[ "$(jq '[.claims[] | select((.conditions.holds | length) + (.conditions.differs | length) != (.cases | length))] | length' "$REPORT")" -eq 0 ]
	# what this kernel gives (docs/cases.md "Claim verdicts")
	for c in C1 C9 C11 C12; do [ "$(claim $c)" = holds ]; done
	for c in C2 C3 C4 C5 C7 C8; do [ "$(claim $c)" = holds-with-conditions ]; done
	for c in C6 C10; do [ "$(claim $c)" = differs ]; done
	# as root every case ran: no condition is left unjudged
	[ "$(jq '[.claims[] | select(.conditions | has("not_run"))] | length' "$REPORT")" -eq 0 ]
	# C3: the article's restart holds; the new socket's option alone differs
	[ "$(jq -r '.claims[] | select(.id == "C3") | [.cases[] | select(.verdict == "differs") | .id] | join(" ")' "$REPORT")" = "restart-tw-reuse-new restart-est-reuse-new" ]
	[ "$(jq -r '.claims[] | select(.id == "C3") | [.cases[] | select(.article_setting) | .verdict] | unique | join(" ")' "$REPORT")" = holds ]
	# C4: two TCP listeners on one address and port with SO_REUSEPORT
	[ "$(jq -r '.claims[] | select(.id == "C4") | .cases[] | select(.id == "dup-tcp-reuseport-2proc") | .verdict' "$REPORT")" = differs ]
}

@test "claims: the table ends with one section of claim verdicts; a filter judges only what ran" {
	run "$REUSELAB" probe "$L" --claim C3 --claim C10
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\nclaim  verdict\nC3     holds-with-conditions\n       holds: old and new socket set SO_REUSEADDR (the same program restarted), TIME-WAIT;'* ]]
	[[ "$output" == *$'\n       differs: the new socket\'s SO_REUSEADDR alone, TIME-WAIT (restart-tw-reuse-new); '* ]]
	[[ "$output" == *$'\nC10    differs\n'* ]]
	[ "$(grep -c '^C[0-9]' <<<"$output")" -eq 2 ]
	[[ "${lines[-1]}" == "9 cases: "* ]]
	# a claim none of whose own cases ran is not judged
	run "$REUSELAB" probe "$L" --json --case restart-tw-reuse-new
	[ "$status" -le 1 ] # holds or differs, never an error
	[ "$(echo "$output" | jq '.claims | length')" -eq 0 ]
	run "$REUSELAB" probe "$L" --claim C1
	[[ "$output" == *$'\nC1     holds\n       holds: SO_REUSEADDR on both client sockets; no option; SO_REUSEPORT on both client sockets, one user\n'* ]]
	[[ "$output" != *"differs:"* ]]
	# a claim is judged only when every case of the article's own setting ran
	run "$REUSELAB" probe "$L" --json --case 'restart-*-same-program' --case 'restart-*-reuse-none'
	[ "$status" -le 1 ] # holds or differs, never an error
	[ "$(echo "$output" | jq -r '[.claims[].id] | join(" ")')" = C3 ]
	run "$REUSELAB" probe "$L" --json --case 'restart-tw-same-program' --case 'restart-*-reuse-none'
	[ "$status" -le 1 ] # holds or differs, never an error
	[ "$(echo "$output" | jq '.claims | length')" -eq 0 ]
}

@test "every case uses fresh ports: no two cases share one (but C12's 10013)" {
	dup=$(jq -r '[.cases[] | .id as $id | [.steps[] | select(.call == "bind") | .args | capture(":(?<p>[0-9]+)$").p] | unique | .[] | select(. != "10013") | "\(.)"] | group_by(.) | map(select(length > 1)) | length' "$REPORT")
	[ "$dup" -eq 0 ]
}

@test "--case and --claim filter; unknown ones are usage errors" {
	run "$REUSELAB" probe "$L" --json --claim C12
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.cases[].id] | join(" ")')" = "c12-daytime-restart c12-daytime-restart-noreuse" ]
	run "$REUSELAB" probe "$L" --json --case 'restart-tw-*' --case dup-udp-none
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '.cases | length')" -eq 7 ]
	run "$REUSELAB" probe "$L" --case no-such-case
	[ "$status" -eq 2 ]
	[[ "$output" == *"no case matches 'no-such-case'"* ]]
	run "$REUSELAB" probe "$L" --claim C99
	[ "$status" -eq 2 ]
	# a lab is named already: --name (for a FILE) would be ignored
	run --separate-stderr "$REUSELAB" probe "$L" --name other
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: --name goes with a FILE; '$L' is a lab name" ]
}

@test "table output and JUnit file" {
	run "$REUSELAB" probe "$L" --claim C10 --junit "$BATS_TEST_TMPDIR/j.xml"
	[ "$status" -eq 0 ]
	[[ "$output" == *restart-est-reuse-both*differs* ]]
	grep -q 'restart-tw-reuse-both' "$BATS_TEST_TMPDIR/j.xml"
}

@test "the table fits the terminal (\$COLUMNS): long texts cut with ...; --wide and JSON keep them whole" {
	COLUMNS=100 "$REUSELAB" probe "$L" >"$BATS_TEST_TMPDIR/narrow"
	"$REUSELAB" probe "$L" --json >"$BATS_TEST_TMPDIR/r.json"
	COLUMNS=100 "$REUSELAB" probe "$L" --wide >"$BATS_TEST_TMPDIR/wide"
	# every line within 100 columns, and something had to be cut
	[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$BATS_TEST_TMPDIR/narrow")" -le 100 ]
	grep -q '\.\.\.  ' "$BATS_TEST_TMPDIR/narrow"
	# the same rows: one per case, in order, each with its verdict
	[ "$(awk '/^[^ ]/ { print $1, $NF }' "$BATS_TEST_TMPDIR/narrow")" = "$(awk '/^[^ ]/ { print $1, $NF }' "$BATS_TEST_TMPDIR/wide")" ]
	# --wide and JSON hold the longest prediction whole
	long=$(jq -r '[.cases[].predicted] | max_by(length)' "$BATS_TEST_TMPDIR/r.json")
	[ "${#long}" -gt 40 ]
	grep -qF -- "$long" "$BATS_TEST_TMPDIR/wide"
	! grep -qF -- "$long" "$BATS_TEST_TMPDIR/narrow" || false
	[ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$BATS_TEST_TMPDIR/wide")" -gt 100 ]
	# JSON is never cut, whatever COLUMNS says
	COLUMNS=60 "$REUSELAB" probe "$L" --json | jq -e --arg l "$long" '[.cases[].predicted] | index($l)' >/dev/null
}

@test "JUnit: time per testcase and suite (their sum); step lines name the verb once" {
	run "$REUSELAB" probe "$L" --claim C10 --junit "$BATS_TEST_TMPDIR/j.xml"
	[ "$status" -eq 0 ]
	run python3 - "$BATS_TEST_TMPDIR/j.xml" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
ms = lambda t: int(t.replace(".", "")) if re.fullmatch(r"\d+\.\d{3}", t or "") else sys.exit("bad time %r" % t)
cases = suite.findall("testcase")
assert cases, "no testcase"
assert ms(suite.get("time")) == sum(ms(c.get("time")) for c in cases), "suite time is not the sum"
steps = [l for c in cases for e in c for l in (e.text or "").splitlines() if re.match(r"\d+\. ", l)]
assert steps, "no step lines"
for l in steps:
    words = l.split(": ", 1)[1].split()
    if words[0] == words[1] or (len(words) > 3 and words[1] == "=" and words[2] == words[3]):
        sys.exit("verb twice: " + l)
print(len(cases), "cases,", len(steps), "step lines")
PY
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^3\. server: bind l \*:[0-9]* -&gt; ok$' "$BATS_TEST_TMPDIR/j.xml"
}

@test "--junit FILE replaces a planted symlink, never writes through it (defect 10)" {
	D="$BATS_TEST_TMPDIR"
	echo victim >"$D/victim"
	ln -s "$D/victim" "$D/j.xml"
	ln -s "$D/created-through-link" "$D/dangling.xml"
	run "$REUSELAB" probe "$L" --claim C10 --junit "$D/j.xml"
	[ "$status" -eq 0 ]
	[ "$(cat "$D/victim")" = victim ]
	[ ! -L "$D/j.xml" ] && [ -f "$D/j.xml" ]
	grep -q '<testsuite name="reuselab' "$D/j.xml"
	[ "$(stat -c %a "$D/j.xml")" = 644 ]
	run "$REUSELAB" probe "$L" --claim C10 --junit "$D/dangling.xml"
	[ "$status" -eq 0 ]
	[ ! -e "$D/created-through-link" ]
	grep -q '<testsuite name="reuselab' "$D/dangling.xml"
	# no temporary file left beside the report
	[ "$(ls -A "$D" | grep -c '^\.')" -eq 0 ]
}

@test "--junit FILE that cannot be written: one line naming --junit, exit 2, before any case runs" {
	D="$BATS_TEST_TMPDIR"
	mkdir "$D/dir.xml"
	# run: output is stderr and stdout; one line means no table was printed
	run "$REUSELAB" probe "$L" --claim C10 --junit "$D/dir.xml"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: probe: --junit $D/dir.xml: is a directory; give it a file" ]
	run "$REUSELAB" probe "$L" --claim C10 --junit "$D/missing/j.xml"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: probe: --junit $D/missing/j.xml: directory '$D/missing': No such file or directory" ]
	run "$REUSELAB" probe "$L" --claim C10 --junit "$D/dir.xml/"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$REUSELAB" probe "$L" --claim C10 --junit ""
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: probe: --junit: the path is empty; give it a file" ]
	# run refuses it before it builds the lab
	run "$REUSELAB" run topologies/two-nics.yml --claim C10 --junit "$D/missing/j.xml"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: run: --junit $D/missing/j.xml: directory '$D/missing': No such file or directory" ]
	[ "$(ls -A "$D")" = dir.xml ]
}

@test "--junit - with the table or JSON on stdout: refused, one line, exit 2" {
	run --separate-stderr "$REUSELAB" probe "$L" --claim C10 --json --junit -
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "reuselab: probe: --junit -: standard output already carries the JSON report; give --junit a file" ]
	run --separate-stderr "$REUSELAB" probe "$L" --claim C10 --junit -
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "reuselab: probe: --junit -: standard output already carries the table; give --junit a file" ]
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --claim C10 --json --junit -
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "user cases: expectations that hold, exit 0" {
	user_topology 'cases:
  - id: my-restart
    claim: C3
    description: a listener and a duplicate
    steps:
      - {on: server, do: "s = socket tcp4", expect: ok}
      - {on: server, do: "bind s 10.0.1.1:$P", expect: ok}
      - {on: server, do: "listen s"}
      - {on: server, do: "t = socket tcp4"}
      - {on: server, do: "bind t 10.0.1.1:$P", expect: EADDRINUSE}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "connect c 10.0.1.1:$P", expect: ok}
      - {on: client-c, do: "d = socket tcp4"}
      - {on: client-c, do: "connect d 10.0.2.1:$P", expect: ECONNREFUSED}'
	run "$REUSELAB" probe "$f" --name "$L" --case my-restart --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	[ "$(echo "$output" | jq -r '.cases[0].steps[4].expect')" = EADDRINUSE ]
	[ "$(echo "$output" | jq -r '.cases[0].steps[4].result')" = EADDRINUSE ]
	[ "$(echo "$output" | jq -r '.cases[0].steps[8].result')" = ECONNREFUSED ]
}

@test "user cases: a failed expectation is exit 1, verdict failed" {
	user_topology 'cases:
  - id: wrong
    steps:
      - {on: server, do: "s = socket udp4"}
      - {on: server, do: "bind s 10.0.1.1:$P"}
      - {on: server, do: "t = socket udp4"}
      - {on: server, do: "bind t 10.0.1.1:$P", expect: ok}'
	run "$REUSELAB" probe "$f" --name "$L" --case wrong --json
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = failed ]
	[[ "$(echo "$output" | jq -r '.cases[0].observed')" == *"step 4 bind: got EADDRINUSE"* ]]
}

@test "user cases: bad steps are FILE:LINE:COL errors, exit 2" {
	user_topology 'cases:
  - id: bad
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bnd s 10.0.1.1:$P"}
  - id: bad2
    steps:
      - {on: server, do: "bind s 10.0.1.1:$P"}
  - id: bad3
    steps:
      - {on: server, do: "s = socket tcp4", expect: EWHATEVER}
  - id: bad4
    steps:
      - {on: server, do: "d = start /nonexistent/daytimed -p $P"}
      - {on: server, do: "e = start no-such-program-here"}
      - {on: server, do: "wait-exit d"}
  - id: good
    steps:
      - {on: server, do: "d = start daytimed -p $P"}
      - {on: server, do: "e = start true"}
      - {on: server, do: "wait-exit e", expect: ok =0}
      - {on: server, do: "stop d"}'
	run "$REUSELAB" probe "$f" --name "$L"
	[ "$status" -eq 2 ]
	# a program start names must exist: found before anything is built
	line=$(grep -n 'nonexistent/daytimed' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*": error: case 'bad4': program '/nonexistent/daytimed' not found or not executable"* ]]
	[[ "$output" != *"no-such-program-here"* ]] # one error per case
	[[ "$output" != *"case 'good'"* ]]
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	[ "$(grep -c "error: case 'bad4'" <<<"$output")" -eq 1 ]
	line=$(grep -n 'bnd s' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*": error: case 'bad': unknown step 'bnd'"* ]]
	line=$(grep -n 'do: "bind s' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"socket 's' is used before it is made"* ]]
	line=$(grep -n 'EWHATEVER' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"bad expect 'EWHATEVER'"* ]]
}

@test "check resolves what a step names against its node: addresses it binds, interfaces; all cases in one pass; run builds nothing" {
	user_topology 'cases:
  - id: typo-addr
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.9.1:$P", expect: ok}
  - id: client-addr
    steps:
      - {on: client-b, do: "k6 = child tcp6 bind [fd00:1::1]:$P"}
  - id: mapped-typo
    steps:
      - {on: server, do: "m = socket tcp6"}
      - {on: server, do: "bind m [::ffff:10.0.9.1]:$P"}
  - id: typo-iface
    steps:
      - {on: server, do: "u = socket udp4"}
      - {on: server, do: "join u 239.1.1.1 eth7"}
  - id: meant-foreign
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.9.1:$P", expect: EADDRNOTAVAIL}
      - {on: server, do: "u = socket udp4"}
      - {on: server, do: "setsockopt u SO_BINDTODEVICE eth9", expect: ENODEV}
  - id: fine
    steps:
      - {on: server, do: "s = socket tcp4"}
      - {on: server, do: "bind s 10.0.1.2:$P", expect: ok}
      - {on: server, do: "u = socket udp4"}
      - {on: server, do: "bind u 239.1.1.1:$P", expect: ok}
      - {on: server, do: "join u 239.1.1.1 eth1", expect: ok}
      - {on: server, do: "v = socket tcp6"}
      - {on: server, do: "bind v [fd00:2::1]:$P", expect: ok}
      - {on: server, do: "w = socket tcp6"}
      - {on: server, do: "bind w [::ffff:10.0.2.1]:$P", expect: ok}
      - {on: client-b, do: "c = socket tcp4"}
      - {on: client-b, do: "connect c 10.0.9.1:$P"}'
	run "$REUSELAB" check "$f"
	echo "$output"
	[ "$status" -eq 2 ]
	# every mistake of the file in one pass, each at its step
	[ "$(grep -c ': error: ' <<<"$output")" -eq 4 ]
	[[ "$output" == *"case 'mapped-typo': ::ffff:10.0.9.1 is not an address of node 'server'"* ]]
	line=$(grep -n 'bind s 10.0.9.1:$P", expect: ok' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"case 'typo-addr': 10.0.9.1 is not an address of node 'server'"* ]]
	line=$(grep -n 'child tcp6' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"case 'client-addr': fd00:1::1 is not an address of node 'client-b'"* ]]
	line=$(grep -n 'eth7' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*"case 'typo-iface': node 'server' has no interface 'eth7'"* ]]
	[[ "$output" != *meant-foreign* && "$output" != *"'fine'"* ]]
	# run refuses the file before it builds anything
	run "$REUSELAB" run "$f" --name "$L-r"
	[ "$status" -eq 2 ]
	[[ "$output" != *"is up"* ]]
	[ -z "$(lab_namespaces "$L-r")" ]
}

@test "one socket as both fork-daytime operands: check refuses it, FILE:LINE:COL, exit 2" {
	user_topology 'cases:
  - id: same
    steps:
      - {on: server, do: "a = socket tcp4"}
      - {on: server, do: "bind a 10.0.1.1:$P"}
      - {on: server, do: "listen a"}
      - {on: server, do: "fork-daytime a a"}'
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	line=$(grep -n 'fork-daytime a a' "$f" | cut -d: -f1)
	[[ "$output" == *"$f:$line:"*": error: case 'same': the listener and the connection must be two sockets"* ]]
	run "$REUSELAB" probe "$f" --name "$L" --case same
	[ "$status" -eq 2 ]
}

@test "terminal escapes in case text are shown escaped: table, check errors, probe errors" {
	user_topology 'cases:
  - id: esc-claim
    claim: "\e[31mC3\e]0;pwned\a"
    steps:
      - {on: server, do: "s = socket tcp4", expect: ok}'
	run "$REUSELAB" probe "$f" --name "$L" --case esc-claim
	[ "$status" -eq 0 ]
	! printf '%s' "$output" | grep -q $'\e' || false
	! printf '%s' "$output" | grep -q $'\a' || false
	[[ "$output" == *'esc-claim  \x1b[31mC3\x1b]0;pwned\x07  '* ]]
	user_topology 'cases:
  - id: esc-step
    steps:
      - {on: server, do: "bnd\e[2J s"}'
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	! printf '%s' "$output" | grep -q $'\e' || false
	[[ "$output" == *"unknown step 'bnd\\x1b[2J'"* ]]
	run "$REUSELAB" probe "$L" --case $'x\e[2J'
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: probe: no case matches 'x\\x1b[2J' (see 'reuselab cases')" ]
}

# (probe FILE of a lab with nothing up builds an ephemeral lab: isolated.bats.)
@test "a lab that is not running: exit 3 naming the namespace" {
	local x=${L}x
	"$REUSELAB" up topologies/two-nics.yml --name "$x" >/dev/null
	ip netns del "rl-$x.server"
	run "$REUSELAB" probe topologies/two-nics.yml --name "$x"
	"$REUSELAB" down -q "$x"
	[ "$status" -eq 3 ]
	[[ "$output" == *"/run/netns/rl-$x.server"* ]]
	run "$REUSELAB" probe "nosuch$x"
	[ "$status" -eq 2 ]
	[[ "$output" == *"lab 'nosuch$x' is not up"* ]]
}

@test "cases lists the catalog with claims" {
	run "$REUSELAB" cases
	[ "$status" -eq 0 ]
	[[ "$output" == *"restart-tw-reuse-both"*"C10"* ]]
	run "$REUSELAB" cases --json --claim C7
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.[].claim] | unique | join(",")')" = C7 ]
	[ "$(echo "$output" | jq '.[0].steps | length')" -gt 3 ]
	run "$REUSELAB" cases --claim C99
	[ "$status" -eq 2 ]
}

@test "a lab lacking roles: those cases are skipped results with reasons, the rest run" {
	L3=$(uniq_lab ps)
	"$REUSELAB" up topologies/time-wait.yml --name "$L3" >/dev/null
	run --separate-stderr "$REUSELAB" probe "$L3" --json
	"$REUSELAB" probe "$L3" --claim C1 >"$BATS_TEST_TMPDIR/table.txt" 2>/dev/null || true
	"$REUSELAB" probe "$L3" --claim C1 --junit "$BATS_TEST_TMPDIR/j.xml" >/dev/null 2>&1 || true
	"$REUSELAB" down "$L3" >/dev/null 2>&1 || force_down "$L3"
	[ "$status" -eq 0 ]
	# every catalog case is in the report, in catalog order, skipped ones included
	# (the topology's own cases, if any, follow)
	n=$("$REUSELAB" cases --json | jq length)
	[ "$(echo "$output" | jq -c --argjson n "$n" '[.cases[:$n][].id]')" = "$("$REUSELAB" cases --json | jq -c '[.[].id]')" ]
	# time-wait has no third node (cli2: 3 c1-two-servers cases,
	# c2-listen-connect-other-addr, dup-tcp-bindtodevice) and one address per
	# node ($B, $A2: 7 diffaddr cases)
	skipped=$(echo "$output" | jq '[.cases[] | select(.verdict == "skipped")] | length')
	[ "$skipped" -eq 12 ]
	[ "$(echo "$output" | jq '.summary.skipped')" -eq 12 ]
	[ "$(echo "$output" | jq '.summary.exit_status')" -eq 0 ]
	# each with its reason, and nothing run
	[ "$(echo "$output" | jq -r '.cases[] | select(.id == "diffaddr-alias-1proc-reuseaddr") | .verdict + ": " + .skip_reason')" = "skipped: needs a second IPv4 address on the server's first interface (\$A2)" ]
	[ "$(echo "$output" | jq -r '.cases[] | select(.id == "c1-two-servers-none") | .verdict + ": " + .skip_reason')" = "skipped: needs a second client, linked to the server's second interface" ]
	# every reason says in words what the lab needs
	[ "$(echo "$output" | jq '[.cases[] | select(.verdict == "skipped") | select(.skip_reason | startswith("needs a ") | not)] | length')" -eq 0 ]
	[ "$(echo "$output" | jq '[.cases[] | select(.verdict == "skipped") | select((.skip_reason | length) == 0 or (.steps | length) > 0)] | length')" -eq 0 ]
	[ "$(echo "$output" | jq '[.cases[] | select(.verdict != "skipped") | select(has("skip_reason"))] | length')" -eq 0 ]
	# stderr: one line with the count, no per-case list
	[ "$stderr" = "reuselab: probe: 12 cases of lab '$L3' skipped (the report says why, case by case)" ]
	[ "$(echo "$output" | jq -r '.cases[] | select(.id == "c1-same-server-reuseaddr") | .verdict')" = holds ]
	[ "$(echo "$output" | jq '[.cases[] | select(.verdict == "error")] | length')" -eq 0 ]
	# the table shows the verdict and the reason; JUnit marks them skipped
	grep -Eq '^c1-two-servers-none +C1 .* skipped$' "$BATS_TEST_TMPDIR/table.txt"
	grep -q "^    skipped: needs a second client, linked to the server's second interface$" "$BATS_TEST_TMPDIR/table.txt"
	grep -Eq ', [1-9][0-9]* skipped$' "$BATS_TEST_TMPDIR/table.txt"
	grep -q "<skipped message=\"needs a second client, linked to the server&apos;s second interface\"/>" "$BATS_TEST_TMPDIR/j.xml"
}

#!/usr/bin/env bats
# Shipped labs: every topologies/*.yml runs end to end (`reuselab run FILE
# --json`: up, catalog and user cases, down) under a run-unique name, exits 0
# with no case in error or failed, its own user cases all hold, nothing of the
# lab is left on the host, and `graph FILE | dot -Tsvg` draws it.  Then, per
# lab, the outcomes that decide what the lab demonstrates (established on
# 6.18; docs/cases.md "Shipped labs" explains them).  As root.
load helpers

# Every lab runs once, here; the tests read the reports.
setup_file() {
	local f n L rc
	for f in topologies/*.yml; do
		n=$(basename "$f" .yml)
		L=$(uniq_lab "l${n:0:3}")
		echo "$L" >"$BATS_FILE_TMPDIR/$n.lab"
		rc=0
		"$REUSELAB" run "$f" --name "$L" --json >"$BATS_FILE_TMPDIR/$n.json" \
			2>"$BATS_FILE_TMPDIR/$n.err" || rc=$?
		echo "$rc" >"$BATS_FILE_TMPDIR/$n.rc"
	done
}

teardown_file() {
	local f
	for f in "$BATS_FILE_TMPDIR"/*.lab; do
		[ -e "$f" ] && force_down "$(cat "$f")"
	done
}

# user_ids FILE: the ids of the file's user cases, one a line.
user_ids() {
	sed -n 's/^  - id: *\([a-z0-9-]*\).*/\1/p' "$1"
}

# Report of lab $1 (basename) is $REPORT; res, val, args... (helpers.bash) read it.
use() {
	REPORT="$BATS_FILE_TMPDIR/$1.json"
	[ -s "$REPORT" ]
}
# want WHAT GOT EXPECTED: a readable failure.
want() {
	if [ "$2" != "$3" ]; then
		echo "$1: got '$2', want '$3'" >&2
		return 1
	fi
}
# sockets CASE JQ-FILTER: how many sockets of CASE's show snapshots match.
sockets() {
	jq --arg c "$1" "[.cases[] | select(.id == \$c) | .steps[] | select(.call == \"show\") | .sockets[] | select($2)] | length" "$REPORT"
}
# port CASE PREFIX: the port of the endpoint in the first step of CASE starting with PREFIX.
port() {
	args "$1" "$2" | sed 's/.*:\([0-9]*\).*/\1/'
}

@test "every shipped lab runs end to end: exit 0, no error or failed case, its user cases hold, nothing left" {
	local f n L ids id
	n=0
	for f in topologies/*.yml; do
		n=$((n + 1))
		b=$(basename "$f" .yml)
		L=$(cat "$BATS_FILE_TMPDIR/$b.lab")
		REPORT="$BATS_FILE_TMPDIR/$b.json"
		want "$b: exit" "$(cat "$BATS_FILE_TMPDIR/$b.rc")" 0
		want "$b: lab" "$(jq -r .lab "$REPORT")" "$L"
		want "$b: kernel" "$(jq -r .kernel "$REPORT")" "$(uname -r)"
		want "$b: error/failed cases" \
			"$(jq -r '[.cases[] | select(.verdict == "error" or .verdict == "failed") | .id] | join(" ")' "$REPORT")" ""
		want "$b: summary" "$(jq -c '[.summary.failed, .summary.error, .summary.exit_status]' "$REPORT")" "[0,0,0]"
		# the catalog ran too (every lab hosts most of it)
		[ "$(jq '[.cases[] | select(.source != $f and .verdict != "skipped")] | length' --arg f "$(realpath "$f")" "$REPORT")" -ge 40 ]
		ids=$(user_ids "$f")
		if [ "$b" != two-nics ]; then
			[ "$(echo "$ids" | wc -w)" -ge 5 ] || { echo "$b: too few user cases" >&2; return 1; }
		fi
		for id in $ids; do
			want "$b: case $id" "$(verdict "$id")" holds
			want "$b: case $id source" "$(jq -r --arg c "$id" '.cases[] | select(.id == $c) | .source' "$REPORT")" "$(realpath "$f")"
		done
		# every expectation of the file's cases was recorded and met
		want "$b: unmet expectations" "$(jq --arg f "$(realpath "$f")" '[.cases[] | select(.source == $f) | .steps[]
			| select(.expect) | select(.expect != .result and (.expect | test(" ") | not))] | length' "$REPORT")" 0
		# nothing of the lab is left behind
		want "$b: namespaces left" "$(lab_namespaces "$L")" ""
		[ ! -e "/run/reuselab/$L.json" ]
	done
	[ "$n" -ge 6 ]
}

@test "every shipped lab: commented with what it reproduces and its command; graph | dot -Tsvg draws it" {
	for f in topologies/*.yml; do
		b=$(basename "$f" .yml)
		head -1 "$f" | grep -q "^# $b: "
		grep -q "^# .*As root (or with sudo):$" "$f"
		grep -q "^#   ./reuselab run topologies/$b.yml$" "$f"
		grep -qi '^# .*reproduces' "$f"
		"$REUSELAB" check "$f" >/dev/null
		"$REUSELAB" graph "$f" | dot -Tsvg >"$BATS_TEST_TMPDIR/$b.svg"
		grep -q '<svg' "$BATS_TEST_TMPDIR/$b.svg"
		# every node of the lab is drawn
		for node in $(sed -n '/^nodes:/,/^[a-z]/s/^  \([a-z0-9-]*\):.*/\1/p' "$f"); do
			# dot writes '-' as '&#45;'
			grep -qF ">$(printf '%s' "$node" | sed 's/-/\&#45;/g')<" "$BATS_TEST_TMPDIR/$b.svg" || { echo "$b: $node not drawn" >&2; return 1; }
		done
	done
}

@test "ip-aliases: two TCP servers per address, four IPv4 and two IPv6, with SO_REUSEADDR and SO_REUSEPORT" {
	use ip-aliases
	# no option: one listener on each of the six addresses, same port; the wildcard is refused
	c=alias-one-port-per-address
	for i in 1 2 3 4 5 6; do
		want "$c bind s$i" "$(res $c "bind s$i ")" ok
		want "$c connect c$i" "$(res $c "connect c$i ")" ok
	done
	want "$c wildcard" "$(res $c "bind w ")" EADDRINUSE
	[ "$(sockets $c '.state == "LISTEN"')" -eq 6 ]
	[ "$(sockets $c '.state == "LISTEN" and (.local | startswith("[fd00:10::"))')" -eq 2 ]
	# SO_REUSEADDR: the second server of each address fails once the first listens
	c=alias-two-per-address-reuseaddr
	for i in 1 2 3 4 5 6; do
		want "$c listen a$i" "$(res $c "listen a$i")" ok
		want "$c bind b$i" "$(res $c "bind b$i ")" EADDRINUSE
	done
	[[ "$(args $c "bind b1 ")" == "bind b1 10.0.10.1:"* ]]
	[[ "$(args $c "bind b4 ")" == "bind b4 10.0.10.4:"* ]]
	[[ "$(args $c "bind b6 ")" == "bind b6 [fd00:10::2]:"* ]]
	[ "$(sockets $c '.state == "LISTEN"')" -eq 6 ]
	# both bound first: the duplicate TCP bind works, the second listen does not
	c=alias-two-per-address-reuseaddr-bind-first
	for i in 1 2 3 4 5 6; do
		want "$c bind b$i" "$(res $c "bind b$i ")" ok
		want "$c listen b$i" "$(res $c "listen b$i")" EADDRINUSE
	done
	# SO_REUSEPORT: two listeners on every address, clients reach each address
	c=alias-two-per-address-reuseport
	for i in 1 2 3 4 5 6; do
		want "$c listen b$i" "$(res $c "listen b$i")" ok
		want "$c connect c$i" "$(res $c "connect c$i ")" ok
	done
	for a in 10.0.10.1 10.0.10.2 10.0.10.3 10.0.10.4 '[fd00:10::1]' '[fd00:10::2]'; do
		want "$c listeners on $a" "$(sockets $c ".state == \"LISTEN\" and (.local | startswith(\"$a:\"))")" 2
	done
	# UDP with SO_REUSEADDR: twelve sockets, two per address
	c=alias-udp-two-per-address-reuseaddr
	for i in 1 2 3 4 5 6; do want "$c bind b$i" "$(res $c "bind b$i ")" ok; done
	[ "$(sockets $c '.proto == "udp"')" -eq 12 ]
	# a wildcard listener against the aliases
	c=alias-wildcard-listener-vs-aliases
	for i in 1 2 3 4; do want "$c bind s$i" "$(res $c "bind s$i ")" EADDRINUSE; done
	want "$c bind v" "$(res $c "bind v ")" ok
	c=alias-wildcard-listener-vs-aliases-reuseport
	for i in 1 2 3 4; do want "$c listen s$i" "$(res $c "listen s$i")" ok; done
	[ "$(sockets $c '.state == "LISTEN"')" -eq 5 ]
}

@test "autobind (C1): with no option, connect() shares the client's two automatic ports among four connections" {
	use autobind
	c=ab-four-connections-two-ports
	[ "$(jq -r --arg c "$c" '.cases[] | select(.id == $c) | .verdict' "$REPORT")" = holds ]
	for s in c1 c2 c3 c4; do want "$c connect $s" "$(res $c "connect $s ")" ok; done
	# four connections, every one from 50000 or 50001: some port carries two
	want "$c ESTAB" "$(sockets $c '.state == "ESTAB"')" 4
	want "$c from the range" "$(sockets $c '.state == "ESTAB" and (.local == "10.0.30.1:50000" or .local == "10.0.30.1:50001")')" 4
	# one server port: two 4-tuples, then none
	c=ab-same-server-twice-per-port
	want "$c c2" "$(res $c "connect c2 ")" ok
	want "$c c3" "$(res $c "connect c3 ")" EADDRNOTAVAIL
	# bind() does not share what connect() took, SO_REUSEADDR or not
	want "bind of a taken port" "$(res ab-bind-port-of-connections "bind b ")" EADDRINUSE
	want "with SO_REUSEADDR" "$(res ab-bind-reuseaddr-port-of-connections "bind b ")" EADDRINUSE
	# IP_BIND_ADDRESS_NO_PORT: three connections from two ports
	c=ab-bind-address-no-port
	want "$c ESTAB" "$(sockets $c '.state == "ESTAB"')" 3
	want "$c from the range" "$(sockets $c '.state == "ESTAB" and (.local == "10.0.30.1:50000" or .local == "10.0.30.1:50001")')" 3
	# UDP: no sharing, EAGAIN once both ports are taken
	want "udp third" "$(res ab-udp-no-sharing "connect u3 ")" EAGAIN
}

@test "three-hosts (C1): one local port to b and c at once; twice to b is EADDRNOTAVAIL" {
	use three-hosts
	for c in th-two-servers-reuseaddr th-two-servers-reuseport; do
		p=$(port $c "bind s1 ")
		want "$c bind s2" "$(res $c "bind s2 ")" ok
		want "$c connect s1" "$(res $c "connect s1 ")" ok
		want "$c connect s2" "$(res $c "connect s2 ")" ok
		# both connections leave from local port $P (connect's value is the local port)
		want "$c s1 local port" "$(val $c "connect s1 ")" "$p"
		want "$c s2 local port" "$(val $c "connect s2 ")" "$p"
		[[ "$(args $c "connect s1 ")" == "connect s1 10.0.20.2:"* ]]
		[[ "$(args $c "connect s2 ")" == "connect s2 10.0.21.2:"* ]]
		want "$c ESTAB to b" "$(sockets $c ".state == \"ESTAB\" and .local == \"10.0.20.1:$p\" and (.remote | startswith(\"10.0.20.2:\"))")" 1
		want "$c ESTAB to c" "$(sockets $c ".state == \"ESTAB\" and .local == \"10.0.21.1:$p\" and (.remote | startswith(\"10.0.21.2:\"))")" 1
		want "$c accept on c" "$(res $c "ac = accept")" ok
	done
	want "no option" "$(res th-two-servers-none "bind s2 ")" EADDRINUSE
	want "first only" "$(res th-two-servers-reuseaddr-first-only "bind s2 ")" EADDRINUSE
	c=th-two-servers-per-nic-none
	want "$c bind s2" "$(res $c "bind s2 ")" ok
	want "$c connect s2" "$(res $c "connect s2 ")" ok
	# the same server twice: bind works, the 4-tuple is taken
	c=th-same-server-twice-reuseaddr
	want "$c bind s2" "$(res $c "bind s2 ")" ok
	want "$c connect s2" "$(res $c "connect s2 ")" EADDRNOTAVAIL
	want "$c other port" "$(res th-same-server-other-port "connect s2 ")" ok
	# C2 from a's side
	want "C2 reuseaddr" "$(res th-listening-port-out-reuseaddr "bind s ")" EADDRINUSE
	c=th-listening-port-out-reuseport
	want "$c bind s" "$(res $c "bind s ")" ok
	want "$c from the listening port" "$(val $c "connect s ")" "$(port $c "bind l ")"
}

@test "multicast-lan (C6, C8, C9): who receives a group datagram, and a unicast one" {
	use multicast-lan
	c=mlan-group-reuseaddr
	want "$c bind r2" "$(res $c "bind r2 ")" ok
	want "$c rx1" "$(args $c "recv r1 r2")" "recv r1 r2 (r1=1 r2=1)"
	want "$c rx1 total" "$(val $c "recv r1 r2")" 2
	want "$c rx2" "$(args $c "recv r3")" "recv r3 (r3=1)"
	want "$c rx3 (not joined)" "$(args $c "recv r4")" "recv r4 (r4=0)"
	[ "$(jq -r --arg c $c '.cases[] | select(.id == $c) | [.steps[] | select(.call == "recv") | .node] | join(" ")' "$REPORT")" = "rx1 rx2 rx3" ]
	[ "$(sockets $c '.local | startswith("239.1.1.1:")')" -eq 2 ]
	c=mlan-group-reuseport
	want "$c bind r2" "$(res $c "bind r2 ")" ok
	want "$c rx1" "$(args $c "recv r1 r2")" "recv r1 r2 (r1=3 r2=3)"
	want "$c rx2" "$(args $c "recv r3")" "recv r3 (r3=3)"
	want "$c rx3" "$(args $c "recv r4")" "recv r4 (r4=0)"
	c=mlan-group-none
	want "$c bind r2" "$(res $c "bind r2 ")" EADDRINUSE
	want "$c rx1" "$(args $c "recv r1")" "recv r1 (r1=1)"
	want "second only" "$(res mlan-group-reuseaddr-second-only "bind r2 ")" EADDRINUSE
	c=mlan-two-processes
	want "$c child r2" "$(res $c "r2 = child")" ok
	want "$c rx1" "$(args $c "recv r1 r2")" "recv r1 r2 (r1=2 r2=2)"
	# unicast to a duplicate binding: exactly one socket gets it
	for c in mlan-unicast-dup-reuseaddr mlan-unicast-dup-reuseport; do
		want "$c bind r2" "$(res $c "bind r2 ")" ok
		want "$c total" "$(val $c "recv r1 r2")" 1
		[[ "$(args $c "recv r1 r2")" =~ \(r1=(0\ r2=1|1\ r2=0)\)$ ]]
	done
	# without SO_REUSEPORT the socket bound last gets it
	want "last bound" "$(args mlan-unicast-dup-reuseaddr "recv r1 r2")" "recv r1 r2 (r1=0 r2=1)"
}

@test "dual-stack (ipv6(7)): IPV6_V6ONLY 0 and 1 against the IPv4 wildcard, a specific IPv6 address" {
	use dual-stack
	want "v6only 0 after v4" "$(res ds-v6only0-after-v4wild "bind s6 ")" EADDRINUSE
	c=ds-v4wild-after-v6only0
	want "$c v4 client" "$(res $c "connect c4 ")" ok
	want "$c bind s4" "$(res $c "bind s4 ")" EADDRINUSE
	want "$c bind t4" "$(res $c "bind t4 ")" EADDRINUSE
	# the IPv4 client is a v4-mapped peer of the IPv6 socket
	[ "$(sockets $c '.state == "ESTAB" and (.local | startswith("[::ffff:10.0.40.1]:")) and (.remote | startswith("[::ffff:10.0.41.1]:"))')" -eq 1 ]
	want "reuseaddr" "$(res ds-v6only0-vs-v4wild-reuseaddr "bind s6 ")" EADDRINUSE
	c=ds-v6only0-vs-v4wild-reuseport
	want "$c bind s6" "$(res $c "bind s6 ")" ok
	want "$c listen s6" "$(res $c "listen s6")" ok
	c=ds-v6only1-after-v4wild
	want "$c bind s6" "$(res $c "bind s6 ")" ok
	want "$c v4 client" "$(res $c "connect c4 ")" ok
	want "$c v6 client" "$(res $c "connect c6 ")" ok
	want "$c accept s4" "$(res $c "a4 = accept s4")" ok
	want "$c accept s6" "$(res $c "a6 = accept s6")" ok
	[ "$(sockets $c '.state == "ESTAB" and (.local | startswith("10.0.40.1:"))')" -eq 1 ]
	[ "$(sockets $c '.state == "ESTAB" and (.local | startswith("[fd00:40::1]:"))')" -eq 1 ]
	c=ds-v4wild-after-v6only1
	want "$c v4 refused" "$(res $c "connect c4 ")" ECONNREFUSED
	want "$c bind s4" "$(res $c "bind s4 ")" ok
	want "$c v4 client" "$(res $c "connect d4 ")" ok
	want "v6 address vs v4 wildcard" "$(res ds-v6addr-vs-v4wild "bind s6 ")" ok
	want "v4 wildcard vs v6 address" "$(res ds-v4wild-vs-v6addr "bind s4 ")" ok
	c=ds-udp-v6only0-vs-v4wild
	want "$c v6only 0" "$(res $c "bind u6 ")" EADDRINUSE
	want "$c v6only 1" "$(res $c "bind v6 ")" ok
	want "$c v4 datagram" "$(args $c "recv u4")" "recv u4 (u4=1)"
	want "$c v6 datagrams" "$(args $c "recv v6")" "recv v6 (v6=2)"
}

@test "time-wait (C3, C10, C11, C12): restart over TIME-WAIT, who set SO_REUSEADDR" {
	use time-wait
	for c in tw-restart-none tw-restart-new-only tw-restart-old-only tw-restart-both tw-daytime-restart tw-daytime-restart-noreuse; do
		want "$c wait-timewait" "$(res $c "wait-timewait ")" ok
		p=$(port $c "bind l ")
		want "$c TIME-WAIT on the port" "$(sockets $c ".state == \"TIME-WAIT\" and (.local | endswith(\":$p\"))")" 1
	done
	want "none" "$(res tw-restart-none "bind n ")" EADDRINUSE
	want "new only (C3)" "$(res tw-restart-new-only "bind n ")" EADDRINUSE
	want "old only (C11)" "$(res tw-restart-old-only "bind n ")" EADDRINUSE
	c=tw-restart-both
	want "$c bind n" "$(res $c "bind n ")" ok
	want "$c listen n" "$(res $c "listen n")" ok
	want "$c new client" "$(res $c "b = accept n")" ok
	# C10: also over ESTABLISHED, not over LISTEN
	c=tw-restart-both-established
	want "$c bind n" "$(res $c "bind n ")" ok
	want "$c listen n" "$(res $c "listen n")" ok
	[ "$(sockets $c '.state == "ESTAB"')" -eq 1 ]
	want "old listening" "$(res tw-restart-both-old-listening "bind n ")" EADDRINUSE
	# C12: the daytime server writes 26 bytes and restarts at once
	c=tw-daytime-restart
	want "$c read" "$(val $c "read c")" 26
	want "$c bind n" "$(res $c "bind n ")" ok
	want "$c listen n" "$(res $c "listen n")" ok
	want "noreuse" "$(res tw-daytime-restart-noreuse "bind n ")" EADDRINUSE
	# the client's own TIME-WAIT: rebinding works with SO_REUSEADDR, and connect
	# takes the TIME-WAIT 4-tuple over
	c=tw-client-port-again
	p=$(port $c "bind c ")
	want "$c wait" "$(res $c "wait-timewait ")" ok
	want "$c bind d" "$(res $c "bind d ")" ok
	want "$c connect d" "$(res $c "connect d ")" ok
	want "$c same local port" "$(val $c "connect d ")" "$p"
	[ "$(sockets $c ".state == \"TIME-WAIT\"")" -eq 0 ]
	want "client noreuse" "$(res tw-client-port-again-noreuse "bind d ")" EADDRINUSE
}

@test "two-nics: the catalog's lab runs every catalog case" {
	use two-nics
	[ "$(jq '.cases | length' "$REPORT")" -eq "$("$REUSELAB" cases --json | jq length)" ]
	# nothing skipped, no error line (stderr only says the lab is up)
	! grep -v '^reuselab: lab .* is up; probing (ephemeral)$' "$BATS_FILE_TMPDIR/two-nics.err" || false
	want "C1" "$(res c1-two-servers-reuseaddr "connect b ")" ok
	want "C10" "$(res restart-tw-reuse-both "bind n ")" ok
	want "C12" "$(res c12-daytime-restart "bind n ")" ok
}

@test "daytime (C12): the article's server as a real process restarts over TIME-WAIT" {
	use daytime
	c=daytime-restart
	want "$c verdict" "$(verdict $c)" holds
	want "$c listens" "$(val $c "wait-listen d 10013")" 1
	want "$c time" "$(val $c "read c")" 26
	want "$c TIME-WAIT" "$(res $c "wait-timewait 10013")" ok
	want "$c stopped by SIGTERM" "$(val $c "stop d")" 143
	want "$c restart listens" "$(val $c "wait-listen d2 10013")" 1
	want "$c restart holds the listener" "$(val $c "holds d2 10013")" 1
	want "$c held by d2" "$(jq -r '[.cases[] | select(.id == "daytime-restart") | .steps[] | .sockets[] | select(.state == "LISTEN") | .owner] | unique | join(" ")' "$REPORT")" "d2[$(prog $c d2 pid)]"
	want "$c restart serves" "$(val $c "read c2")" 26
	want "$c d output" "$(prog $c d stdout)" "bind call OK!"
	want "$c d signal" "$(prog $c d signal)" 15
	[[ "$(prog $c d command)" == */daytimed ]]
	c=daytime-article-once
	want "$c parent exits after one connection" "$(val $c "wait-exit d")" 0
	want "$c exit code" "$(prog $c d exit_code)" 0
	want "$c restart at once listens" "$(val $c "wait-listen d2 ")" 1
	c=daytime-restart-noreuse
	want "$c restart without SO_REUSEADDR exits 1" "$(val $c "wait-exit n")" 1
	want "$c its stderr" "$(prog $c n stderr)" "bind: Address already in use"
	want "$c its stdout" "$(prog $c n stdout)" ""
	[ "$(sockets $c '.state == "TIME-WAIT"')" -ge 1 ]
	[ "$(sockets $c '.state == "LISTEN"')" -eq 0 ]
	c=daytime-old-listening
	want "$c second instance exits 1" "$(val $c "wait-exit n")" 1
	want "$c its stderr" "$(prog $c n stderr)" "bind: Address already in use"
	want "$c the first still holds it" "$(val $c "holds d ")" 1
	# the child kept the listener: after the parent ended it still holds the port
	c=daytime-child-keeps-listener
	want "$c parent ended" "$(val $c "wait-exit d")" 143
	want "$c a process of d holds the listener" "$(val $c "holds d ")" 1
	owner=$(jq -r '[.cases[] | select(.id == "daytime-child-keeps-listener") | .steps[] | select(.call == "holds") | .sockets[] | select(.state == "LISTEN") | .owner][0]' "$REPORT")
	[[ "$owner" == "d["*"]" ]]
	[ "$owner" != "d[$(prog $c d pid)]" ]
	want "$c restart fails" "$(val $c "wait-exit n")" 1
	want "$c its stderr" "$(prog $c n stderr)" "bind: Address already in use"
	# every program the lab started is gone, with its process group
	gone $(jq -r '.cases[] | .programs[]? | .pid' "$REPORT")
}

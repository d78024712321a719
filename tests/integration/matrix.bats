#!/usr/bin/env bats
# Bind matrix: run it in a real lab node and check cells whose answer on Linux
# was established by experiment (kernel 6.18; the same on every kernel since
# SO_REUSEPORT's uid check, 3.9).  As root; every lab/namespace is run-unique
# and removed, also when a test fails.
load helpers

setup_file() {
	export ML
	ML=$(uniq_lab mx)
	export HN="rl-$(uniq_lab mh).n" # a hand-made namespace, no reuselab state
	"$REUSELAB" up topologies/two-nics.yml --name "$ML" >/dev/null
	"$REUSELAB" matrix "$ML" server --json >"$BATS_FILE_TMPDIR/m.json"
}

teardown_file() {
	force_down "$ML"
	ip netns del "$HN" 2>/dev/null || true
}

# cell PROTO STATE FIRST-OPTS FIRST-ADDR SECOND-OPTS SECOND-ADDR UID -> result
cell() {
	jq -r --arg p "$1" --arg s "$2" --arg fo "$3" --arg fa "$4" --arg so "$5" --arg sa "$6" \
		--arg u "$7" '[.cells[] | select(.proto==$p and .state==$s and .first.opts==$fo
			and .first.addr==$fa and .second.opts==$so and .second.addr==$sa
			and .uid==$u) | .result] | if length == 1 then .[0] else "count \(length)" end' \
		"$BATS_FILE_TMPDIR/m.json"
}

@test "matrix --json: schema, kernel, addresses of the node, every cell" {
	M="$BATS_FILE_TMPDIR/m.json"
	[ "$(jq -r .schema "$M")" = reuselab-matrix/1 ]
	[ "$(jq -r .kernel "$M")" = "$(uname -r)" ]
	[ "$(jq -r '.lab + "/" + .node' "$M")" = "$ML/server" ]
	[ "$(jq -r '.addresses | [.wildcard.address, .A.address, .alias.address, .other.address,
		.A.interface, .other.interface] | join(" ")' "$M")" = "0.0.0.0 10.0.1.1 10.0.1.2 10.0.2.1 eth0 eth1" ]
	# 2 protocols x 4 states x 4 x 4 x 4 x 4 options/addresses x 2 uids
	[ "$(jq '.cells | length' "$M")" -eq 4096 ]
	[ "$(jq '.summary.cells' "$M")" -eq 4096 ]
	[ "$(jq '.summary.error' "$M")" -eq 0 ]
	# n/a exactly where UDP has no such state
	[ "$(jq '[.cells[] | select(.result == "n/a")] | length' "$M")" -eq 1024 ]
	[ "$(jq '[.cells[] | select(.proto == "udp" and (.state == "listening" or .state == "time-wait")
		and .result != "n/a")] | length' "$M")" -eq 0 ]
	[ "$(jq -r '[.cells[] | select(.proto == "udp") | .state] | unique | join(" ")' "$M")" = "bound connected listening time-wait" ]
	# a fresh port per cell
	[ "$(jq '[.cells[] | select(.port) | .port] | unique | length' "$M")" -eq 3072 ]
	# how long it took is recorded (never asserted: the machines are shared)
	jq -e '.elapsed_ms | type == "number" and . >= 0' "$M"
}

@test "TCP: no reuse options, a listener holds its address and port" {
	[ "$(cell tcp listening none A none A same)" = EADDRINUSE ]
	[ "$(cell tcp bound none A none A same)" = EADDRINUSE ]
	# the wildcard conflicts with every specific address, and back
	[ "$(cell tcp bound none wildcard none A same)" = EADDRINUSE ]
	[ "$(cell tcp bound none A none wildcard same)" = EADDRINUSE ]
	# C4: another local address (alias or NIC) on the same port is fine without options
	[ "$(cell tcp listening none A none alias same)" = ok ]
	[ "$(cell tcp listening none A none other same)" = ok ]
}

@test "TCP SO_REUSEADDR: bound sockets share, a listener does not" {
	[ "$(cell tcp bound reuseaddr A reuseaddr A same)" = ok ]
	[ "$(cell tcp bound reuseaddr A reuseaddr A other)" = ok ]
	[ "$(cell tcp listening reuseaddr A reuseaddr A same)" = EADDRINUSE ]
	[ "$(cell tcp listening reuseaddr wildcard reuseaddr A same)" = EADDRINUSE ]
	# C11: one side alone is not enough
	[ "$(cell tcp bound none A reuseaddr A same)" = EADDRINUSE ]
	[ "$(cell tcp bound reuseaddr A none A same)" = EADDRINUSE ]
}

@test "TCP restart (C3/C10): over ESTABLISHED and TIME-WAIT only with SO_REUSEADDR on both" {
	[ "$(cell tcp established reuseaddr A reuseaddr A same)" = ok ]
	[ "$(cell tcp established none A none A same)" = EADDRINUSE ]
	[ "$(cell tcp time-wait reuseaddr A reuseaddr A same)" = ok ]
	[ "$(cell tcp time-wait reuseaddr wildcard reuseaddr wildcard same)" = ok ]
	[ "$(cell tcp time-wait none A reuseaddr A same)" = EADDRINUSE ]
	[ "$(cell tcp time-wait none A none A same)" = EADDRINUSE ]
	# a listener on the wildcard accepted on A: the connection holds A, not the alias
	[ "$(cell tcp time-wait none wildcard none alias same)" = ok ]
	[ "$(cell tcp time-wait none wildcard none A same)" = EADDRINUSE ]
}

@test "TCP SO_REUSEPORT (C7): every socket sets it, and the same uid" {
	[ "$(cell tcp listening reuseport A reuseport A same)" = ok ]
	[ "$(cell tcp listening reuseport A reuseport A other)" = EADDRINUSE ]
	[ "$(cell tcp listening reuseport A none A same)" = EADDRINUSE ]
	[ "$(cell tcp listening none A reuseport A same)" = EADDRINUSE ]
	[ "$(cell tcp listening both wildcard both wildcard same)" = ok ]
	[ "$(cell tcp listening both wildcard both wildcard other)" = EADDRINUSE ]
}

@test "UDP: SO_REUSEADDR allows a full duplicate (C6), also across uids; other NIC always" {
	[ "$(cell udp bound reuseaddr A reuseaddr A same)" = ok ]
	[ "$(cell udp bound reuseaddr A reuseaddr A other)" = ok ]
	[ "$(cell udp bound both A both A same)" = ok ]
	[ "$(cell udp bound none A none A same)" = EADDRINUSE ]
	[ "$(cell udp bound none A none other same)" = ok ]
	[ "$(cell udp bound reuseport A reuseport A other)" = EADDRINUSE ]
	[ "$(cell udp connected reuseport A reuseport A same)" = ok ]
	[ "$(cell udp listening none A none A same)" = n/a ]
}

@test "time-wait cells really leave TIME-WAIT sockets on the first socket's address" {
	# Seen through sock_diag (ss): 512 time-wait cells, none of another state left.
	run ip netns exec "rl-$ML.server" ss -tanH state time-wait
	[ "$status" -eq 0 ]
	[ "$(grep -c ' 10\.0\.[12]\.[12]:' <<<"$output")" -ge 512 ]
	[ -z "$(ip netns exec "rl-$ML.server" ss -tanH state established)" ]
	# a second run skips the ports still in TIME-WAIT and agrees cell for cell
	"$REUSELAB" matrix "$ML" server --json >"$BATS_FILE_TMPDIR/m2.json"
	run "$REUSELAB" diff "$BATS_FILE_TMPDIR/m.json" "$BATS_FILE_TMPDIR/m2.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the grid prints, one per uid, with a legend" {
	run "$REUSELAB" matrix "$ML" server
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "bind matrix: lab $ML, node server, kernel $(uname -r)" ]]
	[[ "$output" == *"A = 10.0.1.1 (eth0), a = 10.0.1.2 (alias on eth0), o = 10.0.2.1 (eth1)"* ]]
	[[ "$output" == *". ok   U EADDRINUSE   N EADDRNOTAVAIL"* ]]
	[[ "$output" == *"second socket as the same uid"* ]]
	[[ "$output" == *"second socket as another uid"* ]]
	grep -q '^tcp   bound       none      \* U U U U   U U U U   U U U U   U U U U  $' <<<"$output"
	grep -q '^udp   listening   -  not applicable to UDP$' <<<"$output"
	[[ "${lines[-1]}" == "4096 cells in "*" ms: 1892 ok, 1180 refused, 1024 n/a" ]]
	[[ "$output" != *$'\033'* ]] # no colour into a pipe
}

@test "--proto tcp runs only TCP cells" {
	run "$REUSELAB" matrix "$ML" server --json --proto tcp
	[ "$status" -eq 0 ]
	[ "$(jq '.cells | length' <<<"$output")" -eq 2048 ]
	[ "$(jq -r '[.cells[].proto] | unique | join(",")' <<<"$output")" = tcp ]
}

@test "--html writes one self-contained page with the grid and the lab as SVG" {
	H="$BATS_FILE_TMPDIR/m.html"
	run "$REUSELAB" matrix "$ML" server --html "$H"
	[ "$status" -eq 0 ]
	grep -q '^<!DOCTYPE html>' "$H"
	grep -q '<svg ' "$H"
	grep -q '</html>' "$H"
	run grep -ci 'http' "$H" # no external resource, not even a namespace URL
	[ "$output" = 0 ]
	run grep -ciE '<(script|link|img|iframe|object)' "$H"
	[ "$output" = 0 ]
	# the lab drawn from its topology: every node, both links, the node highlighted
	grep -q '>client-b</text>' "$H"
	grep -q '>client-c</text>' "$H"
	[ "$(grep -c '<line class="link"' "$H")" -eq 2 ]
	grep -q 'class="node hl"' "$H"
	# coloured cells, a legend entry per result
	grep -q 'td.e98,.legend .e98{background:#e53935}' "$H"
	grep -q 'EADDRINUSE (1180)' "$H"
}

@test "--html FILE replaces a planted symlink, never writes through it (defect 10)" {
	D="$BATS_TEST_TMPDIR"
	echo victim >"$D/victim"
	ln -s "$D/victim" "$D/m.html"
	run "$REUSELAB" matrix "$ML" server --proto udp --html "$D/m.html"
	[ "$status" -eq 0 ]
	[ "$(cat "$D/victim")" = victim ]
	[ ! -L "$D/m.html" ]
	grep -q '^<!DOCTYPE html>' "$D/m.html"
	[ "$(ls -A "$D" | grep -c '^\.')" -eq 0 ]
}

@test "bad usage: unknown lab or node, bad --proto, missing arguments" {
	run "$REUSELAB" matrix "$ML" nosuchnode
	[ "$status" -eq 2 ]
	[[ "$output" == *"lab '$ML' has no node 'nosuchnode' up"* ]]
	run "$REUSELAB" matrix "$ML" server --proto sctp
	[ "$status" -eq 2 ]
	run "$REUSELAB" matrix "$ML"
	[ "$status" -eq 2 ]
	run "$REUSELAB" matrix ../etc server
	[ "$status" -eq 2 ]
	run "$REUSELAB" matrix --help
	[ "$status" -eq 0 ]
	[[ "$output" == "Usage: reuselab matrix LAB|FILE NODE"* ]]
}

@test "a hand-made namespace with one address: missing axes are n/a and said so" {
	ip netns add "$HN"
	ip -n "$HN" link set lo up
	ip -n "$HN" link add v0 type veth peer name v0p
	ip -n "$HN" addr add 192.0.2.1/24 dev v0
	ip -n "$HN" link set v0 up
	ip -n "$HN" link set v0p up
	lab=${HN#rl-}
	lab=${lab%.n}
	# Untagged, it is not the lab's: matrix refuses to enter it.
	run "$REUSELAB" matrix "$lab" n
	[ "$status" -eq 2 ]
	[[ "$output" == *"namespace $HN is not a reuselab namespace of lab $lab"* ]]
	# Tagged by hand as the lab's (what up does first), it is entered.
	ip -n "$HN" link set dev lo alias "reuselab:$lab"
	run "$REUSELAB" matrix "$lab" n --json --html "$BATS_FILE_TMPDIR/h.html"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.addresses.A.address' <<<"$output")" = 192.0.2.1 ]
	[ "$(jq -r '.addresses.alias, .addresses.other' <<<"$output" | tr '\n' ' ')" = "null null " ]
	[ "$(jq '.notes | length' <<<"$output")" -eq 2 ]
	[ "$(jq '[.cells[] | select((.first.addr == "alias" or .second.addr == "other"))
		| select(.result != "n/a")] | length' <<<"$output")" -eq 0 ]
	[ "$(jq -r '[.cells[] | select(.proto=="tcp" and .state=="listening" and .first.opts=="none"
		and .first.addr=="A" and .second.opts=="none" and .second.addr=="A")
		| .result] | unique | join(",")' <<<"$output")" = EADDRINUSE ]
	grep -q '<svg ' "$BATS_FILE_TMPDIR/h.html"
	grep -q '192.0.2.1/24' "$BATS_FILE_TMPDIR/h.html"
	ip netns del "$HN"
}

@test "a node with no IPv4 address up is the lab's failure (3), an --addr it lacks the user's (2)" {
	local nl
	nl=$(uniq_lab mn)
	"$REUSELAB" up topologies/two-nics.yml --name "$nl" >/dev/null
	# One run, so that the lab goes whatever fails in it.
	run bash -c 'ip -n "rl-$1.client-b" link set eth0 down &&
		ip -n "rl-$1.client-b" link set lo down && exec "$0" matrix "$1" client-b' \
		"$REUSELAB" "$nl"
	force_down "$nl"
	[ "$status" -eq 3 ]
	[ "$output" = "reuselab: matrix: node 'client-b' (namespace rl-$nl.client-b): no usable IPv4 address" ]
	run "$REUSELAB" matrix "$ML" client-b --addr A=10.0.1.99
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: matrix: node 'client-b' (namespace rl-$ML.client-b): A=10.0.1.99: the node has no such address" ]
}

@test "down removes the lab; nothing of ours is left" {
	"$REUSELAB" down "$ML"
	[ -z "$(lab_namespaces "$ML")" ]
	[ ! -e "/run/netns/$HN" ]
}

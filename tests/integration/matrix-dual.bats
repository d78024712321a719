#!/usr/bin/env bats
# Bind matrix, IPv6 and dual-stack axes (--axes dual|all, --addr): every cell
# that the kernel's own selftest tools/testing/selftests/net/bind_wildcard.c
# (torvalds/linux, the version with NR_SOCKETS 8 and expected_reuse_errno)
# asserts for a pair of addresses must read the same here.  Its 127.0.0.1 and
# ::1 stand for a specific address; here they are A and the node's IPv6
# address.  As root; the lab is run-unique and removed, also on failure.
load helpers

setup_file() {
	export DL
	DL=$(uniq_lab md)
	"$REUSELAB" up topologies/two-nics.yml --name "$DL" >/dev/null
	"$REUSELAB" matrix "$DL" server --axes dual --json >"$BATS_FILE_TMPDIR/d.json"
}

teardown_file() {
	force_down "$DL"
}

# One line per cell: "proto state fopts faddr sopts saddr uid result"
cells() {
	jq -r '.cells[] | [.proto, .state, .first.opts, .first.addr, .second.opts,
		.second.addr, .uid, .result] | join(" ")' "$1"
}

# bind_wildcard.c's variants as (first, second, expected_errno[1],
# expected_reuse_errno[1]); the selftest's address names mapped to our axes:
# v4_any=wildcard v4_local=A v6_any=v6-wildcard v6_any_only=v6only-wildcard
# v6_local=v6 v4mapped_any=mapped-wildcard v4mapped_local=mapped-A.
selftest_pairs() {
	cat <<'PAIRS'
wildcard A EADDRINUSE ok
A wildcard EADDRINUSE ok
wildcard v6-wildcard EADDRINUSE ok
wildcard v6only-wildcard ok ok
wildcard v6 ok ok
wildcard mapped-wildcard EADDRINUSE ok
wildcard mapped-A EADDRINUSE ok
A v6-wildcard EADDRINUSE ok
A v6only-wildcard ok ok
A v6 ok ok
A mapped-wildcard EADDRINUSE ok
A mapped-A EADDRINUSE ok
v6-wildcard wildcard EADDRINUSE ok
v6only-wildcard wildcard ok ok
v6-wildcard A EADDRINUSE ok
v6only-wildcard A ok ok
v6 wildcard ok ok
v6 A ok ok
mapped-wildcard wildcard EADDRINUSE ok
mapped-wildcard A EADDRINUSE ok
mapped-A wildcard EADDRINUSE ok
mapped-A A EADDRINUSE ok
v6-wildcard v6-wildcard EADDRINUSE ok
v6only-wildcard v6-wildcard EADDRINUSE ok
v6-wildcard v6only-wildcard EADDRINUSE ok
v6only-wildcard v6only-wildcard EADDRINUSE ok
v6-wildcard v6 EADDRINUSE ok
v6only-wildcard v6 EADDRINUSE ok
v6-wildcard mapped-wildcard EADDRINUSE ok
v6only-wildcard mapped-wildcard ok ok
v6-wildcard mapped-A EADDRINUSE ok
v6only-wildcard mapped-A ok ok
v6 v6-wildcard EADDRINUSE ok
v6 v6only-wildcard EADDRINUSE ok
v6 mapped-wildcard ok ok
v6 mapped-A ok ok
mapped-wildcard v6-wildcard EADDRINUSE ok
mapped-wildcard v6only-wildcard ok ok
mapped-wildcard v6 ok ok
mapped-wildcard mapped-A EADDRINUSE ok
mapped-A v6-wildcard EADDRINUSE ok
mapped-A v6only-wildcard ok ok
mapped-A v6 ok ok
mapped-A mapped-wildcard EADDRINUSE ok
PAIRS
}

@test "matrix --axes dual: addresses, axes and cell count" {
	M="$BATS_FILE_TMPDIR/d.json"
	[ "$(jq -r '.addresses | keys_unsorted | join(",")' "$M")" = \
		"wildcard,A,v6-wildcard,v6only-wildcard,v6,mapped-wildcard,mapped-A" ]
	[ "$(jq -r '.addresses | [.A.address, .v6.address, ."mapped-wildcard".address,
		."mapped-A".address, ."v6only-wildcard".v6only, ."v6-wildcard".v6only]
		| join(" ")' "$M")" = "10.0.1.1 fd00:1::1 ::ffff:0.0.0.0 ::ffff:10.0.1.1 true false" ]
	# 2 protocols x 4 states x (4 options x 7 addresses)^2 x 2 uids
	[ "$(jq '.summary.cells' "$M")" -eq 12544 ]
	[ "$(jq '.summary.error' "$M")" -eq 0 ]
	# n/a only where UDP has no such state
	[ "$(jq '.summary.na' "$M")" -eq 3136 ]
}

@test "matrix --axes dual agrees with bind_wildcard.c for every pair it asserts (TCP, bound)" {
	cells "$BATS_FILE_TMPDIR/d.json" >"$BATS_FILE_TMPDIR/d.txt"
	n=0
	while read -r first second plain reuse; do
		for o in "none none $plain" "reuseaddr reuseaddr $reuse" "reuseport reuseport $reuse"; do
			set -- $o
			want="tcp bound $1 $first $2 $second same $3"
			grep -qx -- "$want" "$BATS_FILE_TMPDIR/d.txt" || {
				echo "expected: $want"
				grep -- "^tcp bound $1 $first $2 $second same " "$BATS_FILE_TMPDIR/d.txt"
				return 1
			}
			n=$((n + 1))
		done
	done < <(selftest_pairs)
	[ "$n" -eq 132 ]
}

@test "dual-stack cells beyond bound: listeners, UDP, V6ONLY reached over IPv6" {
	cells "$BATS_FILE_TMPDIR/d.json" >"$BATS_FILE_TMPDIR/d.txt"
	# a dual-stack listener holds the IPv4 port; a V6ONLY one does not
	grep -qx 'tcp listening none v6-wildcard none wildcard same EADDRINUSE' "$BATS_FILE_TMPDIR/d.txt"
	grep -qx 'tcp listening none v6only-wildcard none wildcard same ok' "$BATS_FILE_TMPDIR/d.txt"
	# established through the V6ONLY wildcard: the peer came over IPv6, the cell ran
	grep -qx 'tcp established none v6only-wildcard none v6 same EADDRINUSE' "$BATS_FILE_TMPDIR/d.txt"
	# UDP follows the same address rules
	grep -qx 'udp bound none wildcard none v6-wildcard same EADDRINUSE' "$BATS_FILE_TMPDIR/d.txt"
	grep -qx 'udp bound none wildcard none v6only-wildcard same ok' "$BATS_FILE_TMPDIR/d.txt"
	grep -qx 'udp connected none mapped-A none A same EADDRINUSE' "$BATS_FILE_TMPDIR/d.txt"
}

@test "matrix --axes LIST and --addr choose the axes and the node's addresses" {
	run "$REUSELAB" matrix "$DL" server --json --proto udp --axes A,v6,mapped-A \
		--addr A=10.0.1.2 --addr v6=fd00:1::1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.addresses | keys_unsorted | join(",")' <<<"$output")" = "A,v6,mapped-A" ]
	[ "$(jq -r '.addresses.A.address, .addresses."mapped-A".address' <<<"$output" | tr '\n' ' ')" = \
		"10.0.1.2 ::ffff:10.0.1.2 " ]
	# udp: 4 states x (4 x 3)^2 x 2
	[ "$(jq '.summary.cells' <<<"$output")" -eq 1152 ]
	run "$REUSELAB" matrix "$DL" server --axes dual --proto tcp
	[ "$status" -eq 0 ]
	[[ "$output" == *"D = :: (IPv6 wildcard, dual-stack), V = :: (IPv6 wildcard, IPV6_V6ONLY), 6 = fd00:1::1 (eth0)"* ]]
	[[ "$output" == *"proto state       opts      @ * A D V 6 m M "* ]]
}

@test "matrix --addr/--axes: bad input is one line and exit 2" {
	run "$REUSELAB" matrix "$DL" server --addr A=10.9.9.9
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: matrix: node 'server' (namespace rl-$DL.server): A=10.9.9.9: the node has no such address" ]
	run "$REUSELAB" matrix "$DL" server --addr v6=10.0.1.1
	[ "$status" -eq 2 ]
	[[ "$output" == *"'10.0.1.1' is not an IPv6 address"* ]]
	run "$REUSELAB" matrix "$DL" server --addr wildcard=0.0.0.0
	[ "$status" -eq 2 ]
	run "$REUSELAB" matrix "$DL" server --axes A,nosuch
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown axis 'nosuch'"* ]]
}

@test "matrix --axes dual --html: a grid of 7 address columns per option" {
	run "$REUSELAB" matrix "$DL" server --axes dual --proto udp --html "$BATS_FILE_TMPDIR/d.html"
	[ "$status" -eq 0 ]
	grep -q '<th colspan="7" class="grp">reuseaddr</th>' "$BATS_FILE_TMPDIR/d.html"
	grep -q 'IPv6\|v6only-wildcard' "$BATS_FILE_TMPDIR/d.html"
	grep -q 'second none/v6only-wildcard' "$BATS_FILE_TMPDIR/d.html"
}

@test "run FILE --matrix NODE: the matrix in an ephemeral lab, same cells as on the up lab" {
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --matrix server --axes dual --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/e.json"
	[ "$(jq -r '.lab + "/" + .node' "$BATS_FILE_TMPDIR/e.json")" = two-nics/server ]
	[ "$(jq '.summary.cells' "$BATS_FILE_TMPDIR/e.json")" -eq 12544 ]
	run "$REUSELAB" diff "$BATS_FILE_TMPDIR/d.json" "$BATS_FILE_TMPDIR/e.json"
	[ "$status" -eq 0 ]
	run "$REUSELAB" run topologies/two-nics.yml --matrix nosuch
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: run --matrix: lab 'two-nics' has no node 'nosuch'" ]
	run "$REUSELAB" run topologies/two-nics.yml --matrix server --case x
	[ "$status" -eq 2 ]
}

@test "time-wait cells: a namespace with few TIME-WAIT buckets gets room for the run, and says so" {
	# A small machine's default (2048 in the 512 MB QEMU guest) is below the time-wait
	# cells of one run; past it the kernel drops TIME-WAIT and a cell would read ok.
	ip netns exec "rl-$DL.server" sysctl -qw net.ipv4.tcp_max_tw_buckets=16
	run --separate-stderr "$REUSELAB" matrix "$DL" server --proto tcp --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/tw.json"
	jq -e '.notes | any(test("tcp_max_tw_buckets raised from 16 to [0-9]+ .*then put back"))' \
		"$BATS_FILE_TMPDIR/tw.json"
	# The lab is the user's: its value is back once the cells are done.
	[ "$(ip netns exec "rl-$DL.server" sysctl -n net.ipv4.tcp_max_tw_buckets)" -eq 16 ]
	# the last time-wait cells still meet their TIME-WAIT
	[ "$(jq -r '.cells[] | select(.state == "time-wait" and .first.opts == "both"
		and .first.addr == "other" and .second.opts == "none" and .second.addr == "other"
		and .uid == "other") | .result' "$BATS_FILE_TMPDIR/tw.json")" = EADDRINUSE ]
}

@test "time-wait cells: a matrix interrupted mid-run puts the node's TIME-WAIT limit back" {
	command -v strace >/dev/null || skip "strace is not installed"
	ip netns exec "rl-$DL.server" sysctl -qw net.ipv4.tcp_max_tw_buckets=16
	# SIGTERM comes with the 50th bind(), in the middle of the cells.
	run --separate-stderr strace_without_leak_check -f -qq -o /dev/null -e trace=bind \
		-e inject=bind:signal=SIGTERM:when=50 "$REUSELAB" matrix "$DL" server --proto tcp
	[ "$(ip netns exec "rl-$DL.server" sysctl -n net.ipv4.tcp_max_tw_buckets)" -eq 16 ]
	[ "$status" -eq 143 ]
	[ "$stderr" = "reuselab: matrix: interrupted by signal 15" ]
	[ -z "$output" ]
}

#!/usr/bin/env bats
# status and verify against what the kernel holds: the lab is changed behind
# reuselab's back with `ip`, as people do, and verify must name each change
# exactly.  Real namespaces; every lab is named uniquely and removed in
# teardown, and so is the one foreign namespace a test makes.
load helpers

TOPO=tests/topologies/live.yml

setup() {
	L=$(uniq_lab lv)
	FOREIGN="rlx-$L"
	run "$REUSELAB" up "$TOPO" --name "$L"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

teardown() {
	force_down "$L"
	ip netns del "$FOREIGN" 2>/dev/null || true
}

ns() {
	echo "rl-$L.$1"
}

# Wait (bounded) until interface $2 of node $1 is gone: a namespace deleted
# with `ip netns del` is freed by the kernel asynchronously, and the other end
# of each of its veths with it.
wait_link_gone() {
	local deadline=$((SECONDS + 20))
	while ip -n "$(ns "$1")" link show dev "$2" >/dev/null 2>&1; do
		((SECONDS < deadline)) || { echo "$1:$2 still there"; return 1; }
		sleep 0.05
	done
}

verify_says() {
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 1 ] || { echo "exit $status: $output"; return 1; }
	[ "$output" = "$1" ] || { printf 'got:\n%s\nwant:\n%s\n' "$output" "$1"; return 1; }
}

@test "verify of a lab as built: exit 0, nothing printed; status exits 0" {
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ]
	run "$REUSELAB" status --verify "$L"
	[ "$status" -eq 0 ]
	run "$REUSELAB" status "$L"
	[ "$status" -eq 0 ]
}

@test "status --json: peers across namespaces, bridge members by node, routes, loopback addresses" {
	run "$REUSELAB" status "$L" --json
	[ "$status" -eq 0 ]
	j=$output
	node() { echo "$j" | jq -c --arg n "$1" '.[0].nodes[] | select(.name==$n)'; }
	iface() { node "$1" | jq -r --arg i "$2" ".interfaces[] | select(.name==\$i) | $3"; }
	[ "$(iface a eth0 .peer)" = r:eth0 ]
	[ "$(iface r eth0 .peer)" = a:eth0 ]
	[ "$(iface r eth1 .peer)" = b:eth0 ]
	[ "$(iface b eth0 .peer)" = r:eth1 ]
	[ "$(iface a eth0 .kind)" = veth ]
	[ "$(iface a eth0 .mtu)" = 1500 ]
	[ "$(iface a eth0 .mac)" = "$(ip -n "$(ns a)" -j link show dev eth0 | jq -r '.[0].address')" ]
	[ "$(iface .lans br0 '.members | join(",")')" = c:eth0,d:eth0 ]
	[ "$(iface .lans p0 .master)" = br0 ]
	[ "$(iface a lo '[.addresses[].address] | join(" ")')" = "127.0.0.1/8 ::1/128" ]
	[ "$(node a | jq -r '[.routes[] | select(.kernel | not) | .route] | join(";")')" = \
	  "10.1.2.0/24 via 10.1.1.254 dev eth0;fd01:2::/64 via fd01:1::fe dev eth0" ]
	[ "$(node b | jq -r '[.routes[] | select(.kernel | not) | .route] | join(";")')" = \
	  "default via 10.1.2.254 dev eth0" ]
	[ "$(echo "$j" | jq -r '.[0].degraded')" = false ]
}

@test "status --json: every main-table route the kernel holds, the per-interface fe80::/64 routes too" {
	# Node r has two veths, so the kernel holds fe80::/64 twice (one per
	# device); a route cache keyed on the prefix kept only one of them.
	run "$REUSELAB" status "$L" --json
	[ "$status" -eq 0 ]
	got=$(echo "$output" | jq -r '.[0].nodes[] | select(.name=="r") | .routes[] | "\(.route)"' | sort)
	want=$( (ip -n "$(ns r)" -4 -j route show table main; ip -n "$(ns r)" -6 -j route show table main) |
		jq -r '.[] | "\(.dst)\(if .gateway then " via " + .gateway else "" end) dev \(.dev)"' | sort)
	[ "$(echo "$want" | grep -c '^fe80::/64 dev eth')" -eq 2 ] || { echo "$want"; false; }
	[ "$got" = "$want" ] || { printf 'got:\n%s\nwant:\n%s\n' "$got" "$want"; false; }
}

@test "status table: aligned headings, peers, routes and sockets" {
	ip netns exec "$(ns a)" python3 -c 'import socket,time; s=socket.socket(); s.bind(("10.1.1.1", 7777)); s.listen(); time.sleep(30)' &
	pid=$!
	until ip netns exec "$(ns a)" ss -Htln | grep -q ':7777'; do kill -0 $pid || false; sleep 0.05; done
	run "$REUSELAB" status "$L"
	kill $pid
	[ "$status" -eq 0 ]
	head=$(echo "$output" | sed -n 2p)
	row=$(echo "$output" | grep -E '^ +eth0 +veth .* r:eth0 ' | head -1)
	# Each heading starts where its column does.
	for col in KIND STATE MTU MAC MASTER PEER ADDRESSES; do
		pos=$(awk -v h="$head" -v c="$col" 'BEGIN { print index(h, c) }')
		[ "$pos" -gt 0 ]
		[ "${row:pos-2:1}" = " " ] || { echo "$col at $pos: '$row'"; false; }
		[ "${row:pos-1:1}" != " " ] || { echo "$col at $pos: '$row'"; false; }
	done
	[[ $output == *"route      10.1.2.0/24 via 10.1.1.254 dev eth0"* ]]
	[[ $output == *"socket     tcp LISTEN 10.1.1.1:7777"* ]]
}

@test "verify: an address deleted" {
	ip -n "$(ns d)" addr del 10.1.3.4/24 dev eth0
	verify_says "d:eth0: address 10.1.3.4/24 missing"
}

@test "verify: an address added" {
	ip -n "$(ns d)" addr add 10.9.9.9/32 dev eth0
	verify_says "d:eth0: address 10.9.9.9/32 extra"
}

@test "verify: a link set down" {
	ip -n "$(ns r)" link set eth1 down
	verify_says "r:eth1: down"
}

@test "verify: a route deleted, a route added" {
	ip -n "$(ns a)" route del 10.1.2.0/24
	ip -n "$(ns b)" route add 10.7.0.0/16 via 10.1.2.254
	verify_says "a: route 10.1.2.0/24 via 10.1.1.254 missing
b: route 10.7.0.0/16 via 10.1.2.254 dev eth0 extra"
}

@test "verify and status: a namespace deleted with ip netns del" {
	ip netns del "$(ns b)"
	run "$REUSELAB" status "$L"
	[ "$status" -eq 1 ]
	[[ $output == *"b "*"MISSING"* ]]
	wait_link_gone r eth1
	verify_says "r:eth1: interface missing
b: namespace gone"
}

@test "verify and status: a namespace whose tag was removed is there, not gone" {
	ip -n "$(ns b)" link set lo alias not-reuselab
	run "$REUSELAB" status "$L"
	[ "$status" -eq 1 ]
	[[ $output == *"b "*"MISSING  namespace $(ns b) is there but not this lab's (its tag is gone, or an empty file)"* ]]
	[[ $output != *"$(ns b) is gone"* ]]
	run "$REUSELAB" status "$L" --json
	[ "$(jq -r '.[0].nodes[] | select(.name == "b") | "\(.present) \(.foreign)"' <<<"$output")" = "false true" ]
	[ "$(jq -r '[.[0].nodes[] | select(.name != "b") | .foreign] | unique | join(" ")' <<<"$output")" = false ]
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 1 ]
	[[ $output == *"b: namespace $(ns b) is there but not this lab's (untagged?)"* ]]
	[[ $output != *"b: namespace gone"* ]]
}

@test "verify: a veth deleted" {
	ip -n "$(ns a)" link del eth0
	verify_says "a:eth0: interface missing
a: route 10.1.2.0/24 via 10.1.1.254 missing
a: route fd01:2::/64 via fd01:1::fe missing
r:eth0: interface missing"
}

@test "status exits 1 when a veth's other end left the lab; verify names the peer" {
	ip netns add "$FOREIGN"
	ip -n "$(ns r)" link set eth1 netns "$FOREIGN"
	run "$REUSELAB" status "$L" --json
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '.[0].degraded')" = true ]
	[ "$(echo "$output" | jq -r '.[0].nodes[] | select(.name=="b") | .interfaces[] | select(.name=="eth0") | .peer')" = null ]
	verify_says "r:eth1: interface missing
b:eth0: peer r:eth1 gone"
}

@test "verify: usage and unknown labs" {
	run "$REUSELAB" verify
	[ "$status" -eq 2 ]
	run "$REUSELAB" verify "nosuch$L"
	[ "$status" -eq 2 ]
	[[ $output == *"is not up"* ]]
	run "$REUSELAB" verify --bogus
	[ "$status" -eq 2 ]
	run "$REUSELAB" verify --help
	[ "$status" -eq 0 ]
	[[ $output == *"Usage: reuselab verify"* ]]
}

@test "matrix --html of a lab without state draws the nodes read live (inspect_read)" {
	rm -f "/run/reuselab/$L.json"
	run "$REUSELAB" matrix "$L" a --html "$BATS_TEST_TMPDIR/m.html"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	for n in a r b c d; do
		grep -q ">$n</text>" "$BATS_TEST_TMPDIR/m.html" || { echo "node $n not drawn"; false; }
	done
	grep -q "10.1.2.254/24" "$BATS_TEST_TMPDIR/m.html"
	! grep -q ">.lans</text>" "$BATS_TEST_TMPDIR/m.html"
}

# Exit 3 when the kernel or the state cannot be read, not 1 (drift) or 0.  In
# a private /run (private_test), where the lab's files are this test's alone:
# a node's namespace file replaced by a UTS namespace (an nsfs file, but no
# network namespace to enter), then the state file replaced by a directory.
@test "verify exits 3 when it cannot read: a namespace file that is no netns, a state file that is a directory" {
	private_test '
		"$REUSELAB" up "$2" --name "$1" >/dev/null
		umount "/run/netns/rl-$1.r"
		mount --bind /proc/self/ns/uts "/run/netns/rl-$1.r"
		rc=0; out=$("$REUSELAB" verify "$1" 2>&1) || rc=$?
		echo "verify: exit $rc: $out"
		[ "$rc" -eq 3 ]
		[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ]
		[[ $out == "reuselab: verify: lab '"'"'$1'"'"': cannot read its namespaces: "* ]]
		rc=0; out=$("$REUSELAB" status "$1" 2>&1) || rc=$?
		echo "status: exit $rc: $out"
		[ "$rc" -eq 3 ]
		umount "/run/netns/rl-$1.r"
		rm "/run/reuselab/$1.json"
		mkdir "/run/reuselab/$1.json"
		rc=0; out=$("$REUSELAB" verify "$1" 2>&1) || rc=$?
		echo "verify: exit $rc: $out"
		[ "$rc" -eq 3 ]
		[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ]
		[ "$out" = "reuselab: lab '"'"'$1'"'"': cannot read its state /run/reuselab/$1.json: not a state file (a regular file of reuselab'"'"'s JSON)" ]' "$L" "$TOPO"
}

# Names the kernel holds go through the one escaper of human output
# (report_text_put): an interface named with a terminal control sequence
# shows as \x1b in status and verify, and the table stays aligned.
@test "status and verify escape interface names from the kernel" {
	ip -n "$(ns d)" link add $'ev\e[2J' type veth peer name evp
	run "$REUSELAB" status "$L"
	[ "$status" -eq 0 ]
	[[ $output != *$'\e'* ]]
	[[ $output == *'ev\x1b[2J'*'d:evp'* ]]
	head=$(echo "$output" | sed -n 2p)
	row=$(echo "$output" | grep -F 'ev\x1b[2J' | head -1)
	for col in KIND PEER; do
		pos=$(awk -v h="$head" -v c="$col" 'BEGIN { print index(h, c) }')
		[ "${row:pos-2:1}" = " " ] && [ "${row:pos-1:1}" != " " ] || { echo "$col: '$head' / '$row'"; false; }
	done
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 1 ]
	[[ $output != *$'\e'* ]]
	[[ $output == *'d:ev\x1b[2J: interface extra'* ]] || { echo "$output"; false; }
}

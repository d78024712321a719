#!/usr/bin/env bats
# Addresses on a node's loopback (`lo:` under interfaces), as the kernel's
# selftests put them: built on the real lo, checked by verify, bindable by
# cases, drawn by graph; lo cannot be linked.
load helpers

setup() {
	L=$(uniq_lab lo)
	f="$BATS_TEST_TMPDIR/lo.yml"
	cat >"$f" <<'YML'
name: lotest
nodes:
  a:
    interfaces:
      eth0: [10.0.0.1/24]
      lo: [10.9.9.9/32, 127.0.0.2/8, "fd00:9::9/128"]
  b: {interfaces: {eth0: [10.0.0.2/24]}}
  c: {interfaces: {lo: [10.8.8.8/32]}}
links:
  - endpoints: [a:eth0, b:eth0]
cases:
  - id: lo-bind
    steps:
      - {on: a, do: "s = socket tcp4"}
      - {on: a, do: "bind s 10.9.9.9:$P", expect: ok}
      - {on: a, do: "t = socket tcp6"}
      - {on: a, do: "bind t [fd00:9::9]:$P", expect: ok}
      - {on: a, do: "u = socket tcp4"}
      - {on: a, do: "bind u 127.0.0.2:$P", expect: ok}
      - {on: b, do: "v = socket tcp4"}
      - {on: b, do: "bind v 10.9.9.9:$P", expect: EADDRNOTAVAIL}
YML
}

teardown() {
	force_down "$L"
}

@test "lo addresses: on the node's loopback, verify agrees, cases bind them, another node cannot" {
	run "$REUSELAB" check "$f"
	[ "$status" -eq 0 ]
	[[ "$output" == *"6 addresses (5 IPv4, 1 IPv6)"* ]]
	"$REUSELAB" up "$f" --name "$L" >/dev/null
	addrs=$(ip -j -n "rl-$L.a" addr show dev lo | jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"' | sort | tr '\n' ' ')
	[ "$addrs" = "10.9.9.9/32 127.0.0.1/8 127.0.0.2/8 ::1/128 fd00:9::9/128 " ]
	[ "$(ip -j -n "rl-$L.a" addr show dev lo | jq -r '.[0].addr_info[] | select(.local == "127.0.0.2") | .scope')" = host ]
	[ "$(ip -j -n "rl-$L.c" addr show dev lo | jq -r '.[0].addr_info[] | select(.local == "10.8.8.8") | .prefixlen')" = 32 ]
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$REUSELAB" probe "$f" --name "$L" --case lo-bind --json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	# a drift on lo is one verify line
	ip -n "rl-$L.a" addr del 10.9.9.9/32 dev lo
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 1 ]
	[ "$output" = "a:lo: address 10.9.9.9/32 missing" ]
	"$REUSELAB" down "$L" >/dev/null
}

@test "lo addresses: up --dry-run and graph show them" {
	run "$REUSELAB" up --dry-run "$f"
	[ "$status" -eq 0 ]
	[[ "$output" == *"add address 127.0.0.2/8 on a:lo"* ]]
	[[ "$output" == *"add address 10.8.8.8/32 on c:lo"* ]]
	run "$REUSELAB" graph "$f"
	[[ "$output" == *'"c" [label="c\nlo: 10.8.8.8/32\l"]'* ]]
	"$REUSELAB" graph "$f" | dot -Tsvg >/dev/null
}

@test "lo is never linked, never takes 127.0.0.1 or ::1; loopback addresses stay off other interfaces" {
	sed -i 's/\[a:eth0, b:eth0\]/[a:eth0, b:lo]/' "$f"
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	[[ "$output" == *"endpoint 'b:lo': lo is the node's own loopback; it cannot be linked"* ]]
	sed -i 's/\[a:eth0, b:lo\]/[a:eth0, b:eth0]/; s/10.8.8.8\/32/"::1\/128"/; s/eth0: \[10.0.0.2\/24\]/eth0: [127.0.0.3\/8]/' "$f"
	run "$REUSELAB" check "$f"
	[ "$status" -eq 2 ]
	[[ "$output" == *"address ::1 on lo: already on every node's loopback"* ]]
	[[ "$output" == *"address 127.0.0.3 is a loopback address; interfaces need unicast addresses"* ]]
}

#!/usr/bin/env bats
# Lab core: up, inspect, exec, down, rollback, parallel labs.  Real
# namespaces, real pings; every lab is named uniquely and removed in teardown.
load helpers

setup() {
	L=$(uniq_lab l)
	L2=""
}

teardown() {
	force_down "$L"
	[ -z "$L2" ] || force_down "$L2"
}

up_two_nics_from() {
	run "$REUSELAB" up "$1" --name "$L"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

up_two_nics() {
	run "$REUSELAB" up topologies/two-nics.yml --name "$L"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"lab $L is up: 3 nodes"* ]]
}

@test "up builds every namespace, address and alias of two-nics" {
	up_two_nics
	[ "$(lab_namespaces "$L" | sort | tr '\n' ' ')" = "rl-$L.client-b rl-$L.client-c rl-$L.server " ]
	addrs() { ip -n "rl-$L.$1" -j addr show dev "$2" | jq -r '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"] | join(" ")'; }
	[ "$(addrs server eth0)" = "10.0.1.1/24 10.0.1.2/24 fd00:1::1/64" ]
	[ "$(addrs server eth1)" = "10.0.2.1/24 fd00:2::1/64" ]
	[ "$(addrs client-b eth0)" = "10.0.1.3/24 fd00:1::3/64" ]
	[ "$(addrs client-c eth0)" = "10.0.2.3/24 fd00:2::3/64" ]
	# Global IPv6 addresses are usable at once: none is tentative.
	g6='[.[].addr_info[] | select(.family=="inet6" and .scope=="global")]'
	[ "$(ip -n "rl-$L.server" -j addr show dev eth0 | jq "$g6 | length")" -eq 1 ]
	[ "$(ip -n "rl-$L.server" -j addr show dev eth0 | jq "$g6 | map(select(.tentative)) | length")" -eq 0 ]
	# Interfaces are up with carrier, lo is up.
	[ "$(ip -n "rl-$L.server" -j link show dev eth1 | jq -r '.[0].operstate')" = UP ]
	[ "$(ip -n "rl-$L.client-b" -j link show dev lo | jq -r '.[0].flags | index("UP") != null')" = true ]
	# State file: 0600 in a 0700 directory.
	[ "$(stat -c %a /run/reuselab)" = 700 ]
	[ "$(stat -c %a "/run/reuselab/$L.json")" = 600 ]
	[ "$(stat -c %a "/run/reuselab/$L.yml")" = 600 ]
	[ "$(jq -r .complete "/run/reuselab/$L.json")" = true ]
}

@test "nodes reach each other, the alias and the IPv6 address" {
	up_two_nics
	ip netns exec "rl-$L.client-b" ping -c1 -W1 10.0.1.1
	ip netns exec "rl-$L.client-b" ping -c1 -W1 10.0.1.2
	ip netns exec "rl-$L.client-b" ping -c1 -W1 fd00:1::1
	ip netns exec "rl-$L.client-c" ping -c1 -W1 10.0.2.1
	# client-b has no route to eth1's subnet: the lab has no forwarding.
	run ip netns exec "rl-$L.client-b" ping -c1 -W1 10.0.2.3
	[ "$status" -ne 0 ]
}

@test "interfaces never appear in the host namespace" {
	before=$(ip -o link | wc -l)
	up_two_nics
	[ "$(ip -o link | wc -l)" -eq "$before" ]
	run ip link show eth1
	[[ "$output" != *"rl-$L"* ]]
}

@test "exec runs in the node and passes the exit status through" {
	up_two_nics
	run "$REUSELAB" exec "$L" server -- ip -j -4 addr show dev eth1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].addr_info[0].local')" = 10.0.2.1 ]
	run "$REUSELAB" exec "$L" client-b -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run "$REUSELAB" exec "$L" nosuch -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"has no node 'nosuch'"* ]]
	run -127 "$REUSELAB" exec "$L" server -- /nonexistent/cmd
	[ "$status" -eq 127 ]
}

@test "status --json reports nodes, interfaces, addresses and state" {
	up_two_nics
	run "$REUSELAB" status "$L" --json
	[ "$status" -eq 0 ]
	j=$output
	[ "$(echo "$j" | jq -r '.[0].lab')" = "$L" ]
	[ "$(echo "$j" | jq -r '.[0].nodes | map(.name) | sort | join(",")')" = "client-b,client-c,server" ]
	[ "$(echo "$j" | jq -r '.[0].nodes[] | select(.name=="server") | .interfaces[] | select(.name=="eth0") | .addresses | map(select(.scope=="global") | .address) | join(" ")')" = "10.0.1.1/24 10.0.1.2/24 fd00:1::1/64" ]
	[ "$(echo "$j" | jq -r '.[0].nodes[] | select(.name=="server") | .interfaces[] | select(.name=="eth0") | .state')" = UP ]
	run "$REUSELAB" status "$L"
	[ "$status" -eq 0 ]
	[[ "$output" == *"10.0.1.1/24 10.0.1.2/24 fd00:1::1/64"* ]]
}

@test "status reports a node whose namespace vanished, and exits 1" {
	up_two_nics
	ip netns del "rl-$L.client-c"
	run "$REUSELAB" status "$L" --json
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '.[0].degraded')" = true ]
	[ "$(echo "$output" | jq -r '.[0].nodes[] | select(.name=="client-c") | .present')" = false ]
	run "$REUSELAB" status "$L"
	[[ "$output" == *"client-c"*"MISSING"* ]]
}

@test "up refuses a lab that is already up, with how to remove it" {
	up_two_nics
	run "$REUSELAB" up topologies/two-nics.yml --name "$L"
	[ "$status" -eq 2 ]
	[[ "$output" == *"already up"*"reuselab down $L"* ]]
	[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
}

@test "up --dry-run of a lab that is up gives up's refusal, exit 2, and no plan" {
	up_two_nics
	run --separate-stderr "$REUSELAB" up --dry-run topologies/two-nics.yml --name "$L"
	[ "$status" -eq 2 ] || { echo "$status: $output"; false; }
	[ -z "$output" ]
	[[ "$stderr" == "reuselab: lab '$L': already up (from "*"/topologies/two-nics.yml); remove it with 'reuselab down $L'" ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	"$REUSELAB" down -q "$L"
	run "$REUSELAB" up --dry-run topologies/two-nics.yml --name "$L"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"create namespace rl-$L.server" ]]
}

@test "down removes everything and is idempotent" {
	up_two_nics
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L is down: 3 namespaces removed" ]
	[ -z "$(lab_namespaces "$L")" ]
	! grep -q "/run/netns/rl-$L." /proc/self/mountinfo || false
	[ ! -e "/run/reuselab/$L.json" ]
	[ ! -e "/run/reuselab/$L.yml" ]
	[ ! -e "/run/reuselab/$L.lock" ]
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L: nothing to remove" ]
}

@test "down by topology file with --name" {
	up_two_nics
	run "$REUSELAB" down topologies/two-nics.yml --name "$L"
	[ "$status" -eq 0 ]
	[ -z "$(lab_namespaces "$L")" ]
}

@test "status, ls, verify, exec and matrix take the lab's FILE as down does; verify FILE of a lab not up is exit 2" {
	f=$BATS_TEST_TMPDIR/lab.yml
	sed "s/^name: .*/name: $L/" topologies/two-nics.yml >"$f"
	# not up: as by name, one line and exit 2, not a drift of every node
	run --separate-stderr "$REUSELAB" verify "$f"
	[ "$status" -eq 2 ] || { echo "$status: $output $stderr"; false; }
	[ -z "$output" ]
	[ "$stderr" = "reuselab: lab '$L' is not up (no state in /run/reuselab; see 'reuselab status')" ]
	up_two_nics_from "$f"
	run "$REUSELAB" status "$f"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "${lines[0]}" == "lab $L "* ]]
	run "$REUSELAB" ls "$f" --json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].nodes | length' <<<"$output")" -eq 3 ]
	run "$REUSELAB" ls "$f" --verify
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run "$REUSELAB" verify "$f"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run "$REUSELAB" exec "$f" client-b -- cat /proc/sys/net/ipv4/ip_forward
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run "$REUSELAB" exec "$f" server ip -br addr show eth1
	[[ "$output" == *10.0.2.1/24* ]]
	run "$REUSELAB" matrix "$f" server --proto udp --json
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -r .lab <<<"$output")" = "$L" ]
	# neither a name nor a file: said as such, not as a file that cannot be read
	for argv in "status No_Such" "exec No_Such x -- true" "matrix No_Such x" "down No_Such"; do
		read -ra a <<<"$argv"
		run "$REUSELAB" "${a[@]}"
		[ "$status" -eq 2 ]
		[ "$output" = "reuselab: ${a[0]}: 'No_Such' is neither a lab name ([a-z0-9-]) nor a topology file" ] || { echo "$argv: $output"; false; }
	done
}

@test "down works without a state file" {
	up_two_nics
	rm -f "/run/reuselab/$L.json"
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[[ "$output" == *"3 namespaces removed"* ]]
	[ -z "$(lab_namespaces "$L")" ]
}

# The foreign namespace is planted in a private /run/netns (private_test).
@test "down never removes a foreign namespace that matches the prefix" {
	private_test '
		"$REUSELAB" up topologies/two-nics.yml --name "$1"
		ip netns add "rl-$1.foreign"
		"$REUSELAB" down "$1"
		[ "$(ls -A /run/netns)" = "rl-$1.foreign" ]
		# Left, but never silently: named on stderr with the explicit way out.
		out=$("$REUSELAB" down "$1" 2>"$2/err")
		[ "$out" = "lab $1: nothing to remove" ]
		grep -q "namespace rl-$1.foreign is not tagged as this lab.s.*left in place.*reuselab down --force-name rl-$1.foreign" "$2/err"
		[ "$(ls -A /run/netns)" = "rl-$1.foreign" ]' "$L" "$BATS_TEST_TMPDIR"
}

# Every lab on the host: only in a private /run (private_test), where every
# lab is this test's.
@test "status and ls without a lab show every lab; down --all removes them all" {
	private_test '
		"$REUSELAB" up topologies/two-nics.yml --name "$1"
		"$REUSELAB" up tests/topologies/lan3.yml --name "$1x"
		[ "$("$REUSELAB" status --json | jq -r "[.[].lab] | sort | join(\" \")")" = "$1 $1x" ]
		[ "$("$REUSELAB" ls --json | jq -r "[.[].lab] | sort | join(\" \")")" = "$1 $1x" ]
		"$REUSELAB" status > "$2/table"
		[ "$(grep -c "^lab " "$2/table")" -eq 2 ]
		grep -q "^lab $1  (from " "$2/table"
		grep -q "^lab $1x  (from " "$2/table"
		"$REUSELAB" verify "$1" "$1x"
		out=$("$REUSELAB" down --all)
		[[ $out == *"lab $1 is down: 3 namespaces removed"* ]]
		[[ $out == *"lab $1x is down: "* ]]
		[ -z "$(ls -A /run/netns)" ]
		[ -z "$(ls -A /run/reuselab)" ]
		[ "$("$REUSELAB" status --json | jq length)" -eq 0 ]
		[ "$("$REUSELAB" status)" = "no labs" ]' "$L" "$BATS_TEST_TMPDIR"
}

# Under each mount, the name is a hard link of one inode the build made with
# O_TMPFILE: no inode is allocated per namespace (see ns_name_source_open).
@test "up names every namespace with links to one empty inode" {
	up_two_nics
	# Look under the mounts from a private mount namespace: the lab stays as it is.
	run unshare -m --propagation private sh -c '
		for ns in server client-b client-c; do
			umount "/run/netns/rl-$1.$ns" && stat -c "%i %h %s %F" "/run/netns/rl-$1.$ns"
		done' sh "$L"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 1 ]
	[[ ${lines[0]} == *" 3 0 regular empty file" ]]
	[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
	run "$REUSELAB" verify "$L"
	[ "$status" -eq 0 ]
}

# With the lab's state, a namespace still on the mount `up` made is the one
# `up` made: down removes it without reading its tag (nothing enters it).
@test "down removes the namespaces still on the mounts up made, tag or no tag, entering none" {
	up_two_nics
	jq -e --arg n "rl-$L.client-c" '.mounts[$n] > 0' "/run/reuselab/$L.json"
	ip -n "rl-$L.client-c" link set dev lo alias ""
	run strace_without_leak_check -f -e trace=setns,socket -o "$BATS_TEST_TMPDIR/trace" \
		"$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L is down: 3 namespaces removed" ]
	[ -z "$(lab_namespaces "$L")" ]
	! grep -E "setns|socket" "$BATS_TEST_TMPDIR/trace"
}

# A mount that is not the one `up` made proves nothing: the tag decides.
@test "down leaves a foreign namespace mounted over a lab node's name" {
	up_two_nics
	umount "/run/netns/rl-$L.client-c"
	unshare --net="/run/netns/rl-$L.client-c" true
	run --separate-stderr "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L is down: 2 namespaces removed" ]
	[[ $stderr == *"namespace rl-$L.client-c is not tagged as this lab's"* ]]
	[ "$(lab_namespaces "$L")" = "rl-$L.client-c" ]
	# ours again with our tag: then it goes (the tag check still works)
	ip -n "rl-$L.client-c" link set dev lo alias "reuselab:$L"
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L is down: 1 namespace removed" ]
	[ -z "$(lab_namespaces "$L")" ]
}

# Defect 8: down used to leave such a namespace mounted without a word.
# Without the state there is only the tag to go by.
@test "down names a lab namespace whose tag a user removed; --force-name removes it" {
	up_two_nics
	ip -n "rl-$L.client-c" link set dev lo alias ""
	rm "/run/reuselab/$L.json"
	run --separate-stderr "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L is down: 2 namespaces removed" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"namespace rl-$L.client-c is not tagged as this lab's"*"reuselab down --force-name rl-$L.client-c"* ]]
	[ "$(lab_namespaces "$L")" = "rl-$L.client-c" ]
	# The way out is explicit, limited to rl- names, and idempotent.
	run "$REUSELAB" down --force-name /etc
	[ "$status" -eq 2 ]
	[ -d /etc ]
	run "$REUSELAB" down --force-name "rl-$L.client-c"
	[ "$status" -eq 0 ]
	[ "$output" = "namespace rl-$L.client-c removed" ]
	[ -z "$(lab_namespaces "$L")" ]
	! grep -q "/run/netns/rl-$L." /proc/self/mountinfo || false
	run "$REUSELAB" down --force-name "rl-$L.client-c"
	[ "$status" -eq 0 ]
	[ "$output" = "namespace rl-$L.client-c: nothing to remove" ]
	run "$REUSELAB" down --help
	[[ $output == *"--force-name"* ]]
}

# Defect 7: probe LAB re-read the file after up, so a file swapped in between
# changed what root ran in the lab.  The state keeps the validated text.
@test "probe LAB runs the topology validated at up, not the file swapped since" {
	f=$BATS_TEST_TMPDIR/swap.yml
	case_yaml() { printf 'cases:\n  - id: %s\n    steps:\n      - {on: server, do: "s = socket udp4", expect: ok}\n' "$1"; }
	{ cat topologies/two-nics.yml; case_yaml kept; } >"$f"
	up_two_nics_from "$f"
	# The text in a file of its own: down parses only the small JSON.
	cmp "/run/reuselab/$L.yml" "$f"
	[ "$(jq -r 'has("topology")' "/run/reuselab/$L.json")" = false ]
	{ cat topologies/two-nics.yml; case_yaml swapped; } >"$f.new"
	mv "$f.new" "$f"
	run "$REUSELAB" probe "$L" --case kept --json
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq -r '.cases[0].id + " " + .cases[0].verdict' <<<"$output")" = "kept holds" ]
	run "$REUSELAB" probe "$L" --case swapped
	[ "$status" -eq 2 ]
}

@test "an up whose write-ahead state cannot be written leaves no topology file, lock or namespace" {
	mkdir -p /run/reuselab
	mkdir "/run/reuselab/$L.json.tmp" # the JSON's temporary name, taken
	run "$REUSELAB" up topologies/two-nics.yml --name "$L"
	rmdir "/run/reuselab/$L.json.tmp"
	[ "$status" -eq 2 ] # as for any unusable state file
	[[ "$output" == *"cannot write state in /run/reuselab: File exists"* ]]
	[ ! -e "/run/reuselab/$L.yml" ]
	[ ! -e "/run/reuselab/$L.json" ]
	[ ! -e "/run/reuselab/$L.lock" ]
	[ -z "$(lab_namespaces "$L")" ]
}

@test "an up over a state file that is a symlink or garbage: one line, exit 2, nothing built" {
	mkdir -p /run/reuselab
	for kind in symlink garbage; do
		if [ "$kind" = symlink ]; then
			ln -s "$BATS_TEST_TMPDIR/nowhere" "/run/reuselab/$L.json"
		else
			echo '{"lab": ' >"/run/reuselab/$L.json"
		fi
		run --separate-stderr "$REUSELAB" up topologies/two-nics.yml --name "$L"
		[ "$status" -eq 2 ] || { echo "$kind: $status $stderr"; false; }
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		[[ "$stderr" == "reuselab: lab '$L': unusable state file /run/reuselab/$L.json: "*"'reuselab down $L'" ]]
		[ -z "$(lab_namespaces "$L")" ]
		run "$REUSELAB" down "$L"
		[ "$status" -eq 0 ]
		[ ! -e "/run/reuselab/$L.json" ] && [ ! -L "/run/reuselab/$L.json" ]
	done
}

@test "a FIFO or directory in place of the lab's topology file is said in one line, nothing hangs" {
	up_two_nics
	s=/run/reuselab/$L.yml
	rm "$s"
	mkfifo "$s"
	run timeout 20 "$REUSELAB" probe "$L"
	[ "$status" -eq 3 ] # as for a state file that is not one (live.bats)
	[ "$output" = "reuselab: lab '$L': cannot read its topology $s: not a regular file" ]
	rm "$s"
	mkdir "$s"
	run timeout 20 "$REUSELAB" probe "$L"
	[ "$status" -eq 3 ] # as for a state file that is not one (live.bats)
	[ "$output" = "reuselab: lab '$L': cannot read its topology $s: not a regular file" ]
	rmdir "$s"
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
}

@test "a lab whose state holds the topology in its JSON (reuselab before 2026-12) still probes and goes down" {
	up_two_nics
	s=/run/reuselab/$L
	jq -c --rawfile t "$s.yml" '. + {topology: $t}' "$s.json" >"$BATS_TEST_TMPDIR/old.json"
	cat "$BATS_TEST_TMPDIR/old.json" >"$s.json"
	rm "$s.yml"
	run "$REUSELAB" probe "$L" --case c1-two-servers-none --json
	[ "$status" -le 1 ] || { echo "$output"; false; }
	[ "$(jq -r '.cases | length' <<<"$output")" -eq 1 ]
	rm "$s.json"
	run "$REUSELAB" probe "$L"
	[ "$status" -eq 2 ]
	[[ "$output" == *"lab '$L' is not up"* ]] || [[ "$output" == *"no state"* ]]
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	[ -z "$(lab_namespaces "$L")" ]
}

@test "a failure midway rolls back everything, naming the object and cause" {
	# Valid to the loader; the kernel refuses the last step (an unknown sysctl).
	f=$BATS_TEST_TMPDIR/late-fail.yml
	cat > "$f" <<-'YML'
	name: late-fail
	nodes:
	  a:
	    interfaces:
	      eth0: [10.9.0.1/24, fd09::1/64]
	  b:
	    interfaces:
	      eth0: [10.9.0.2/24]
	    sysctls:
	      net.ipv4.no_such_sysctl: 1
	links:
	  - endpoints: [a:eth0, b:eth0]
	YML
	run "$REUSELAB" check "$f"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run "$REUSELAB" up "$f" --name "$L"
	[ "$status" -eq 3 ]
	[[ "$output" == *"net.ipv4.no_such_sysctl"* ]]
	[[ "$output" == *"No such file or directory"* ]]
	[ -z "$(lab_namespaces "$L")" ]
	! grep -q "/run/netns/rl-$L." /proc/self/mountinfo || false
	[ ! -e "/run/reuselab/$L.json" ]
}

# A netlink request the kernel refuses: its extended ack is in the one line.
@test "a route the kernel refuses is named with the kernel's own reason, and rolled back" {
	f=$BATS_TEST_TMPDIR/bad-gw.yml
	cat > "$f" <<-'YML'
	name: bad-gw
	nodes:
	  a:
	    interfaces:
	      eth0: [10.9.0.1/24]
	    routes:
	      - {dst: 10.10.0.0/16, via: 10.11.0.1}
	  b:
	    interfaces:
	      eth0: [10.9.0.2/24]
	links:
	  - endpoints: [a:eth0, b:eth0]
	YML
	run --separate-stderr "$REUSELAB" up "$f" --name "$L"
	[ "$status" -eq 3 ]
	want="reuselab: lab '$L': route 10.10.0.0/16 via 10.11.0.1 on a: Network is unreachable"
	[ "$stderr" = "$want (kernel: Nexthop has invalid gateway)" ]
	[ -z "$(lab_namespaces "$L")" ]
	[ ! -e "/run/reuselab/$L.json" ]
}

@test "two labs from one file under two names build in parallel" {
	L2=$(uniq_lab m)
	"$REUSELAB" up topologies/two-nics.yml --name "$L" > "$BATS_TEST_TMPDIR/a" 2>&1 &
	a=$!
	"$REUSELAB" up topologies/two-nics.yml --name "$L2" > "$BATS_TEST_TMPDIR/b" 2>&1 &
	b=$!
	wait $a
	wait $b
	[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
	[ "$(lab_namespaces "$L2" | wc -l)" -eq 3 ]
	ip netns exec "rl-$L.client-b" ping -c1 -W1 10.0.1.2
	ip netns exec "rl-$L2.client-b" ping -c1 -W1 10.0.1.2
	"$REUSELAB" down "$L" "$L2"
	[ -z "$(lab_namespaces "$L")$(lab_namespaces "$L2")" ]
}

@test "a lan joins three nodes through a bridge in a hidden namespace" {
	before=$(ip -o link | wc -l)
	run "$REUSELAB" up tests/topologies/lan3.yml --name "$L"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(ip -o link | wc -l)" -eq "$before" ]
	[ "$(ip -n "rl-$L..lans" -j link show type bridge | jq length)" -eq 1 ]
	# Built down and brought up last: up, no multicast snooping (it floods
	# multicast like a hub), every port forwarding when up returns.
	br=$(ip -n "rl-$L..lans" -j -d link show type bridge)
	[ "$(jq -r '.[0].flags | index("UP") != null' <<<"$br")" = true ]
	[ "$(jq -r '.[0].linkinfo.info_data.mcast_snooping' <<<"$br")" = 0 ]
	[ "$(bridge -n "rl-$L..lans" -j link show | jq '[.[] | select(.state == "forwarding")] | length')" -eq 3 ]
	ip netns exec "rl-$L.a" ping -c1 -W1 192.168.7.2
	ip netns exec "rl-$L.a" ping -c1 -W1 192.168.7.3
	ip netns exec "rl-$L.c" ping -c1 -W1 fd07::2
	# The bridge and its ports carry the hosts' IPv6 but have none of their
	# own: no link-local address, no ff00::/8 route per port.
	[ "$(ip -n "rl-$L..lans" -j -6 addr show | jq '[.[] | select(.ifname != "lo") | .addr_info[]] | length')" -eq 0 ]
	[ "$(ip -n "rl-$L..lans" -6 route show table local | grep -c '^multicast ff00::/8')" -eq 0 ]
	[ "$(ip netns exec "rl-$L..lans" sysctl -n net.ipv6.conf.p0.disable_ipv6)" -eq 1 ]
	[ "$(ip netns exec "rl-$L.a" sysctl -n net.ipv6.conf.eth0.disable_ipv6)" -eq 0 ]
	run "$REUSELAB" down "$L"
	[ "$output" = "lab $L is down: 4 namespaces removed" ]
}

@test "bad arguments get one line and exit 2" {
	run "$REUSELAB" up
	[ "$status" -eq 2 ]
	run "$REUSELAB" up topologies/two-nics.yml --name "Bad/Name"
	[ "$status" -eq 2 ]
	[[ "$output" == *"invalid lab name 'Bad/Name'"* ]]
	run "$REUSELAB" down "../etc"
	[ "$status" -eq 2 ]
	run "$REUSELAB" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == "reuselab: unknown command 'frobnicate'"* ]]
}

@test "run into a closed pipe still tears the lab down" {
	# The reader goes away at once: writes fail (EPIPE), the lab must still
	# go; then the run ends quietly with SIGPIPE's status (closed-pipe.bats).
	run bash -c '"$0" run topologies/two-nics.yml --name "$1" | true; echo "rc=${PIPESTATUS[0]}"' "$REUSELAB" "$L"
	[[ "$output" == *"rc=141"* ]]
	[[ "$output" != *"Broken pipe"* ]]
	[ -z "$(lab_namespaces "$L")" ]
	[ ! -e "/run/reuselab/$L.json" ]
}

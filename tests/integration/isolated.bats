#!/usr/bin/env bats
# Isolated runs: `run` builds an ephemeral lab, held only by the process's
# fds (never in `ip netns list`, no state file, freed by the kernel whatever
# ends the process, SIGKILL included); parallel runs of one file need no
# --name; as an unprivileged user (uid 65534) `run` enters a user namespace of
# its own and gets the same verdicts as root, skipping only the cases that
# need a uid it cannot map; a host that forbids user namespaces gets one line
# naming the setting.  As root; every lab is named uniquely.  (That the test
# suites leave a foreign lab alone, tests/run-all checks around all of them.)
load helpers

setup() {
	L=$(uniq_lab e)
	BG_PIDS=()
	NOBODY_DIR=""
	FOREIGN=""
	# The lab file under a run-unique name: what it would publish is rl-$L-*.
	TOPO=$BATS_TEST_TMPDIR/$L.yml
	sed "s/^name: .*/name: $L/" topologies/two-nics.yml > "$TOPO"
}

teardown() {
	kill_bg_pids
	force_down "$L"
	[ -z "$FOREIGN" ] || force_down "$FOREIGN"
	[ -z "$NOBODY_DIR" ] || rm -rf "$NOBODY_DIR"
	return 0
}

# Processes running our binary (a run or a child it forked), one pid a line.
our_processes() {
	local exe p
	exe=$(readlink -f "$REUSELAB")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$exe" ] && echo "${p#/proc/}"
	done
	return 0
}

# Fails when anything named after lab $L exists: a namespace, a mount, a state file.
assert_nothing_named() {
	local ns
	ns=$(lab_namespaces "$L")
	[ -z "$ns" ] || { echo "namespaces of $L: $ns"; return 1; }
	! grep -F "/run/netns/rl-$L" /proc/self/mountinfo || { echo "mounts of $L (above)"; return 1; }
	! ls /run/reuselab/"$L".* 2>/dev/null || { echo "state files of $L (above)"; return 1; }
}

# A directory uid 65534 can reach with the binary and the lab file; sets NOBODY_DIR.
nobody_copy() {
	NOBODY_DIR=$(mktemp -d /tmp/rl-nobody.XXXXXX)
	chmod 755 "$NOBODY_DIR"
	cp "$REUSELAB" "$NOBODY_DIR/reuselab"
	cp "$TOPO" "$NOBODY_DIR/lab.yml"
	chmod 755 "$NOBODY_DIR/reuselab"
	chmod 644 "$NOBODY_DIR/lab.yml"
}

as_nobody() {
	(cd "$NOBODY_DIR" && setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
}

@test "run builds no named lab: nothing in ip netns list, no state file, report says ephemeral" {
	local seen=0
	"$REUSELAB" run "$TOPO" --json > "$BATS_TEST_TMPDIR/r.json" 2> "$BATS_TEST_TMPDIR/r.err" &
	BG_PIDS+=($!)
	# While it runs: never a name under /run/netns or /run/reuselab.
	while kill -0 "${BG_PIDS[0]}" 2>/dev/null; do
		assert_nothing_named
		seen=$((seen + 1))
	done
	wait "${BG_PIDS[0]}"
	BG_PIDS=()
	cat "$BATS_TEST_TMPDIR/r.err"
	echo "# looked $seen times while it ran" >&3
	[ "$(jq -r .isolation.ephemeral "$BATS_TEST_TMPDIR/r.json")" = true ]
	[ "$(jq -r .isolation.rootless "$BATS_TEST_TMPDIR/r.json")" = false ]
	[ "$(jq -c .isolation.uid_map "$BATS_TEST_TMPDIR/r.json")" = '[{"inside":0,"outside":0,"count":4294967295}]' ]
	[ "$(jq '.summary.error + .summary.failed + .summary.skipped' "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
	grep -q "lab $L is up; probing (ephemeral)" "$BATS_TEST_TMPDIR/r.err"
	assert_nothing_named
}

@test "run --keep builds a published lab, reports it not ephemeral, and leaves it up for down" {
	run --separate-stderr "$REUSELAB" run --keep "$TOPO" --case c1-two-servers-none --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[ "$(jq -r .isolation.ephemeral <<<"$output")" = false ]
	[[ $stderr == *"lab $L stays up"*"reuselab down $L"* ]]
	[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
	[ -f "/run/reuselab/$L.json" ]
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	assert_nothing_named
}

@test "JUnit properties say ephemeral, rootless and the uid map" {
	run "$REUSELAB" run "$TOPO" --case c1-two-servers-none --junit "$BATS_TEST_TMPDIR/j.xml"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	grep -q '<property name="ephemeral" value="true"/>' "$BATS_TEST_TMPDIR/j.xml"
	grep -q '<property name="rootless" value="false"/>' "$BATS_TEST_TMPDIR/j.xml"
	grep -q '<property name="uid_map" value="0 0 4294967295"/>' "$BATS_TEST_TMPDIR/j.xml"
}

@test "eight parallel runs of one file with no --name all pass" {
	local i pids=() rc n1
	for i in 1 2 3 4 5 6 7 8; do
		"$REUSELAB" run "$TOPO" --json > "$BATS_TEST_TMPDIR/run$i.json" 2> "$BATS_TEST_TMPDIR/run$i.err" &
		pids+=($!)
		BG_PIDS+=($!)
	done
	for i in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		[ "$rc" -eq 0 ] || { echo "run $i: exit $rc"; cat "$BATS_TEST_TMPDIR/run$i.err"; false; }
	done
	BG_PIDS=()
	n1=$(jq '.cases | length' "$BATS_TEST_TMPDIR/run1.json")
	[ "$n1" -gt 0 ]
	for i in 1 2 3 4 5 6 7 8; do
		f=$BATS_TEST_TMPDIR/run$i.json
		[ "$(jq '.cases | length' "$f")" -eq "$n1" ]
		[ "$(jq '.summary.error + .summary.failed' "$f")" -eq 0 ] ||
			{ jq -c '.cases[] | select(.verdict == "error")' "$f"; false; }
		[ "$(jq -r .isolation.ephemeral "$f")" = true ]
	done
	assert_nothing_named
	echo "# 8 parallel runs without --name, $n1 cases each" >&3
}

@test "SIGKILL of run at 100 random points leaves no namespace, mount, state file or process" {
	local i pid links0 delay
	links0=$(ip -o link | wc -l)
	for ((i = 1; i <= 100; i++)); do
		"$REUSELAB" run "$TOPO" --case 'c1-*' --json > /dev/null 2>&1 &
		pid=$!
		BG_PIDS=("$pid")
		# Anywhere from before the first namespace to the middle of the probe.
		delay=$(printf '0.%03d' $((RANDOM % 60)))
		sleep "$delay"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		BG_PIDS=()
	done
	# Forked probe children go with the run's sockets; give them their exit.
	local deadline=$((SECONDS + 10))
	while [ -n "$(our_processes)" ] && ((SECONDS < deadline)); do sleep 0.05; done
	[ -z "$(our_processes)" ] || { echo "processes left: $(our_processes)"; false; }
	assert_nothing_named
	[ "$(ip -o link | wc -l)" -eq "$links0" ]
}

@test "rootless: uid 65534 runs two-nics with root's verdicts, skipping only the uid cases with the reason" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	nobody_copy
	run --separate-stderr "$REUSELAB" run "$TOPO" --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -r '.cases[] | "\(.id) \(.verdict)"' | sort > "$BATS_TEST_TMPDIR/root"
	run --separate-stderr as_nobody ./reuselab run lab.yml --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" > "$BATS_TEST_TMPDIR/nobody.json"
	[[ $stderr == *"lab $L is up; probing (ephemeral, rootless)"* ]]
	jq -e '.isolation.rootless and .isolation.ephemeral' "$BATS_TEST_TMPDIR/nobody.json"
	[ "$(jq -c '.isolation.uid_map[0]' "$BATS_TEST_TMPDIR/nobody.json")" = '{"inside":0,"outside":65534,"count":1}' ]
	jq -r '.cases[] | "\(.id) \(.verdict)"' "$BATS_TEST_TMPDIR/nobody.json" | sort > "$BATS_TEST_TMPDIR/nobody"
	# Same cases; every difference is a skip for a uid the namespace lacks.
	[ "$(wc -l < "$BATS_TEST_TMPDIR/root")" -eq "$(wc -l < "$BATS_TEST_TMPDIR/nobody")" ]
	skipped=$(jq -r '.cases[] | select(.verdict == "skipped") | .id' "$BATS_TEST_TMPDIR/nobody.json")
	[ -n "$skipped" ]
	for id in $skipped; do
		jq -e --arg c "$id" '.cases[] | select(.id == $c) | .skip_reason | test("uid [0-9]+ is not mapped")' \
			"$BATS_TEST_TMPDIR/nobody.json" >/dev/null || { echo "$id: no uid reason"; false; }
	done
	diff <(grep -v -F -x -f <(printf '%s skipped\n' $skipped) "$BATS_TEST_TMPDIR/nobody") \
		<(grep -v -F -f <(printf '%s \n' $skipped) "$BATS_TEST_TMPDIR/root")
	[ "$(jq '.summary.error + .summary.failed' "$BATS_TEST_TMPDIR/nobody.json")" -eq 0 ]
	# each claim names the conditions it was judged without: the skipped cases
	[ "$(jq -r '[.claims[].cases[] | select(.verdict == "not-run") | .id] | sort | join(" ")' "$BATS_TEST_TMPDIR/nobody.json")" = "$(echo $skipped | tr ' ' '\n' | sort | paste -sd ' ')" ]
	[ "$(jq '[.claims[] | .conditions.not_run // [] | length] | add' "$BATS_TEST_TMPDIR/nobody.json")" -eq "$(echo $skipped | wc -w)" ]
	[[ $stderr == *"cases of lab '$L' skipped (the report says why, case by case)"* ]]
	echo "# rootless: $(wc -l < "$BATS_TEST_TMPDIR/nobody") cases, skipped: $(echo $skipped)" >&3
	assert_nothing_named
}

# The run's PID namespace is made inside the user namespace too: a SIGKILL of
# a rootless run takes what its program forked (marked by a sleep of this
# test's own) with it.
@test "rootless: a SIGKILL of the run leaves nothing its program forked" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	local m="sleep 3600.$$$RANDOM" n=0 pids
	nobody_copy
	printf '#!/bin/sh\n%s &\nexec %s\n' "$m" "$m" >"$NOBODY_DIR/fork.sh"
	chmod 0755 "$NOBODY_DIR/fork.sh"
	{
		sed '/^cases:/,$d' "$TOPO"
		printf 'cases:\n  - id: p-kill\n    steps:\n'
		printf '      - {on: server, do: "s = start %s/fork.sh", expect: ok}\n' "$NOBODY_DIR"
		for n in 1 2 3 4 5 6; do printf '      - {on: server, do: "sleep 5000"}\n'; done
	} >"$NOBODY_DIR/kill.yml"
	chmod 0644 "$NOBODY_DIR/kill.yml"
	(cd "$NOBODY_DIR" && exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		./reuselab run kill.yml --case 'p-*') >/dev/null 2>&1 &
	BG_PIDS+=($!)
	n=0
	until [ "$(pgrep -f -x "$m" | wc -l)" -eq 2 ]; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || false
		sleep 0.05
	done
	kill -KILL "${BG_PIDS[0]}"
	n=0
	while pids=$(pgrep -f -x "$m") && [ "$n" -lt 200 ]; do
		n=$((n + 1))
		sleep 0.05
	done
	[ -z "$pids" ] || { kill -KILL $pids; false; }
}

@test "rootless with a subordinate range (newuidmap): every case runs, verdicts as root's" {
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
		skip "newuidmap/newgidmap are not installed (package uidmap)"
	# The range is granted only inside a private mount namespace, by files
	# mounted over /etc/subuid and /etc/subgid: the host's stay as they are.
	[ -f /etc/subuid ] && [ -f /etc/subgid ] || skip "no /etc/subuid, /etc/subgid to mount over"
	nobody_copy
	printf '65534:100000:65536\n' > "$NOBODY_DIR/subuid"
	printf '65534:100000:65536\n' > "$NOBODY_DIR/subgid"
	chmod 644 "$NOBODY_DIR/subuid" "$NOBODY_DIR/subgid"
	run --separate-stderr "$REUSELAB" run "$TOPO" --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -r '.cases[] | "\(.id) \(.verdict)"' | sort > "$BATS_TEST_TMPDIR/root"
	run --separate-stderr unshare -m --propagation private sh -c '
		mount --bind "$0/subuid" /etc/subuid && mount --bind "$0/subgid" /etc/subgid &&
		cd "$0" && exec setpriv --reuid=65534 --regid=65534 --clear-groups ./reuselab run lab.yml --json' \
		"$NOBODY_DIR"
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" > "$BATS_TEST_TMPDIR/sub.json"
	[ "$(jq -c .isolation.uid_map "$BATS_TEST_TMPDIR/sub.json")" = \
		'[{"inside":0,"outside":65534,"count":1},{"inside":1,"outside":100000,"count":65536}]' ]
	[ "$(jq .summary.skipped "$BATS_TEST_TMPDIR/sub.json")" -eq 0 ]
	jq -r '.cases[] | "\(.id) \(.verdict)"' "$BATS_TEST_TMPDIR/sub.json" | sort |
		diff "$BATS_TEST_TMPDIR/root" -
	assert_nothing_named
}

# The catalog's lab has no lan: multicast-lan's own cases need a bridge (in
# the lab's hidden namespace) and multicast group traffic, rootless too.
@test "rootless: a lan's bridge and multicast work as under root (multicast-lan's cases)" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	nobody_copy
	sed "s/^name: .*/name: $L/" topologies/multicast-lan.yml > "$NOBODY_DIR/mlan.yml"
	chmod 644 "$NOBODY_DIR/mlan.yml"
	run --separate-stderr "$REUSELAB" run "$NOBODY_DIR/mlan.yml" --case 'mlan-*' --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	echo "$output" | jq -r '.cases[] | "\(.id) \(.verdict)"' | sort > "$BATS_TEST_TMPDIR/root"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/root")" -ge 4 ]
	run --separate-stderr as_nobody ./reuselab run mlan.yml --case 'mlan-*' --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[[ $stderr == *"(ephemeral, rootless)"* ]]
	[ "$(jq '.summary.error + .summary.failed + .summary.skipped' <<<"$output")" -eq 0 ]
	jq -r '.cases[] | "\(.id) \(.verdict)"' <<<"$output" | sort | diff "$BATS_TEST_TMPDIR/root" -
	assert_nothing_named
}

@test "rootless: up, down, exec, probe and run --keep say they need root, exit 2" {
	nobody_copy
	for cmd in "up lab.yml" "down $L" "exec $L server -- true" "probe $L" "run --keep lab.yml"; do
		# shellcheck disable=SC2086
		run --separate-stderr as_nobody ./reuselab $cmd
		[ "$status" -eq 2 ] || { echo "$cmd: exit $status: $stderr"; false; }
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ $stderr == *"root"* ]] || { echo "$cmd: $stderr"; false; }
	done
	assert_nothing_named
}

@test "rootless: probe FILE of a lab that is not up runs ephemeral and rootless, as run does" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	nobody_copy
	run --separate-stderr as_nobody ./reuselab probe ./lab.yml --case 'c1-*' --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[[ $stderr == *"lab $L is up; probing (ephemeral, rootless)"* ]]
	jq -e '.isolation.rootless and .isolation.ephemeral' <<<"$output"
	[ "$(jq '.cases | length' <<<"$output")" -ge 3 ]
	[ "$(jq '.summary.error + .summary.failed' <<<"$output")" -eq 0 ]
	# A lab that is up is root's to enter: one line, exit 2, nothing run.
	"$REUSELAB" up "$TOPO" >/dev/null
	run --separate-stderr as_nobody ./reuselab probe ./lab.yml --case 'c1-*'
	[ "$status" -eq 2 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ $stderr == *"needs root for a lab that is up"* ]]
	[ -z "$output" ]
	"$REUSELAB" down "$L"
	assert_nothing_named
}

# In a user namespace made by root (uids 0 and 65534 mapped to themselves)
# whose user.max_user_namespaces is 0: only that namespace and its
# descendants are limited, the host is not.  Runs run lab.yml as 65534 there.
run_where_userns_forbidden() {
	local fifo=$NOBODY_DIR/go map=$NOBODY_DIR/map p
	mkfifo "$fifo"
	printf '0 0 1\n65534 65534 1\n' > "$map"
	# exec bash again once mapped: the first exec ran unmapped, without capabilities.
	unshare -U bash -c 'read -r _ < "$0"; exec bash -c "echo 0 > /proc/sys/user/max_user_namespaces &&
		cd \"\$0\" && exec setpriv --reuid=65534 --regid=65534 --clear-groups ./reuselab run lab.yml" "$1"' \
		"$fifo" "$NOBODY_DIR" > "$NOBODY_DIR/out" 2> "$NOBODY_DIR/err" &
	p=$!
	BG_PIDS+=("$p")
	while [ "$(readlink /proc/$p/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do
		kill -0 "$p" || return 1
	done
	# One write each: a map is written once, whole.
	dd if="$map" of="/proc/$p/uid_map" bs=4096 status=none
	dd if="$map" of="/proc/$p/gid_map" bs=4096 status=none
	echo go > "$fifo"
	FORBID_RC=0
	wait "$p" || FORBID_RC=$?
	BG_PIDS=()
}

@test "rootless where user namespaces are forbidden: one line naming the setting, exit 2" {
	nobody_copy
	run_where_userns_forbidden
	cat "$NOBODY_DIR/err"
	[ "$FORBID_RC" -eq 2 ]
	[ "$(wc -l < "$NOBODY_DIR/err")" -eq 1 ]
	grep -q "user.max_user_namespaces=0" "$NOBODY_DIR/err"
	grep -q "sysctl -w user.max_user_namespaces=" "$NOBODY_DIR/err"
	[ ! -s "$NOBODY_DIR/out" ]
	assert_nothing_named
}

# tests/run-all keeps a foreign lab up beside every suite and checks it with
# tests/tools/foreign-lab afterwards (one more test in "N passed"); here that
# check is shown to fail when the lab is touched: an address added, then a
# namespace removed and remade under its name and tag.
@test "the foreign-lab check of make check notices a lab touched behind it" {
	local d=$BATS_TEST_TMPDIR/fl
	tests/tools/foreign-lab up "$d"
	FOREIGN=$(cat "$d/name")
	[ "$(lab_namespaces "$FOREIGN" | wc -l)" -eq 3 ]
	run tests/tools/foreign-lab check "$d"
	[[ $output == "ok - foreign lab $FOREIGN "* ]] || { echo "$output"; false; }
	ip -n "rl-$FOREIGN.server" addr add 10.9.9.9/32 dev eth0
	run tests/tools/foreign-lab check "$d"
	[[ $output == "not ok - foreign lab $FOREIGN was changed"*"+  rl-$FOREIGN.server eth0 "*"10.9.9.9/32"* ]] ||
		{ echo "$output"; false; }
	ip -n "rl-$FOREIGN.server" addr del 10.9.9.9/32 dev eth0
	run tests/tools/foreign-lab check "$d"
	[[ $output == "ok - "* ]] || { echo "$output"; false; }
	# The old namespace is held (an fd) while it is replaced: freed first, its
	# inode number could go to the new one, and the check would see no change.
	exec {old}<"/run/netns/rl-$FOREIGN.client-b"
	ip netns del "rl-$FOREIGN.client-b"
	ip netns add "rl-$FOREIGN.client-b"
	ip -n "rl-$FOREIGN.client-b" link set dev lo alias "reuselab:$FOREIGN"
	run tests/tools/foreign-lab check "$d"
	exec {old}<&-
	[[ $output == "not ok - "*"-ns rl-$FOREIGN.client-b inode "* ]] || { echo "$output"; false; }
	tests/tools/foreign-lab down "$d"
	[ -z "$(lab_namespaces "$FOREIGN")" ]
	[ ! -e "/run/reuselab/$FOREIGN.json" ]
	[ ! -e "/run/reuselab/$FOREIGN.lock" ]
}

# ------------------------------------------------- probe FILE

# Runs reuselab "$@" in the background (stdout, stderr to $BATS_TEST_TMPDIR/bg.*),
# checking that nothing of $L is named while it runs; sets BG_RC.
run_unnamed() {
	local seen=0
	"$REUSELAB" "$@" > "$BATS_TEST_TMPDIR/bg.out" 2> "$BATS_TEST_TMPDIR/bg.err" &
	BG_PIDS+=($!)
	while kill -0 "${BG_PIDS[0]}" 2>/dev/null; do
		assert_nothing_named
		seen=$((seen + 1))
	done
	BG_RC=0
	wait "${BG_PIDS[0]}" || BG_RC=$?
	BG_PIDS=()
	echo "# $1: looked $seen times while it ran" >&3
	assert_nothing_named
}

@test "probe FILE of a lab that is not up builds an ephemeral lab, as run does" {
	run_unnamed probe "$TOPO" --case 'c1-*' --json
	cat "$BATS_TEST_TMPDIR/bg.err"
	[ "$BG_RC" -eq 0 ]
	grep -q "lab $L is up; probing (ephemeral)" "$BATS_TEST_TMPDIR/bg.err"
	[ "$(jq -r .isolation.ephemeral "$BATS_TEST_TMPDIR/bg.out")" = true ]
	[ "$(jq -r .lab "$BATS_TEST_TMPDIR/bg.out")" = "$L" ]
	[ "$(jq '.cases | length' "$BATS_TEST_TMPDIR/bg.out")" -ge 3 ]
	[ "$(jq '.summary.error + .summary.failed' "$BATS_TEST_TMPDIR/bg.out")" -eq 0 ]
}

@test "probe FILE of a lab that is up probes that published lab" {
	"$REUSELAB" up "$TOPO" >/dev/null
	run --separate-stderr "$REUSELAB" probe "$TOPO" --case c1-two-servers-none --json
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[ "$(jq -r .isolation.ephemeral <<<"$output")" = false ]
	[[ $stderr != *ephemeral* ]]
	[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
	"$REUSELAB" down "$L"
	assert_nothing_named
}

@test "SIGKILL of probe FILE in its ephemeral lab leaves nothing" {
	local deadline=$((SECONDS + 60))
	"$REUSELAB" probe "$TOPO" --json > /dev/null 2> "$BATS_TEST_TMPDIR/err" &
	BG_PIDS=($!)
	until grep -q "probing (ephemeral)" "$BATS_TEST_TMPDIR/err"; do
		kill -0 "${BG_PIDS[0]}" 2>/dev/null && ((SECONDS < deadline)) || { cat "$BATS_TEST_TMPDIR/err"; false; }
	done
	kill -KILL "${BG_PIDS[0]}"
	wait "${BG_PIDS[0]}" || true
	BG_PIDS=()
	deadline=$((SECONDS + 10))
	while [ -n "$(our_processes)" ] && ((SECONDS < deadline)); do sleep 0.05; done
	[ -z "$(our_processes)" ] || { echo "processes left: $(our_processes)"; false; }
	assert_nothing_named
}

@test "rootless with a subordinate range: as-user really is that user in the user namespace, owner only owns" {
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
		skip "newuidmap/newgidmap are not installed (package uidmap)"
	[ -f /etc/subuid ] && [ -f /etc/subgid ] || skip "no /etc/subuid, /etc/subgid to mount over"
	cat >>"$TOPO" <<'YML'
cases:
  - id: as-user-rootless
    steps:
      - {on: server, do: "owner 65534"}
      - {on: server, do: "o = socket tcp4"}
      - {on: server, do: "bind o 10.0.1.2:80", expect: ok}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "u = socket tcp4", expect: ok}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "bind u 10.0.1.1:80", expect: EACCES}
      - {on: server, do: "as-user 65534"}
      - {on: server, do: "bind u 10.0.1.1:$P", expect: ok}
YML
	nobody_copy
	printf '65534:100000:65536\n' > "$NOBODY_DIR/subuid"
	printf '65534:100000:65536\n' > "$NOBODY_DIR/subgid"
	chmod 644 "$NOBODY_DIR/subuid" "$NOBODY_DIR/subgid"
	run --separate-stderr unshare -m --propagation private sh -c '
		mount --bind "$0/subuid" /etc/subuid && mount --bind "$0/subgid" /etc/subgid &&
		cd "$0" && exec setpriv --reuid=65534 --regid=65534 --clear-groups ./reuselab run lab.yml --case as-user-rootless --json' \
		"$NOBODY_DIR"
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[ "$(echo "$output" | jq -r '.isolation.rootless')" = true ]
	[ "$(echo "$output" | jq -r '.cases[0].verdict')" = holds ]
	assert_nothing_named
}

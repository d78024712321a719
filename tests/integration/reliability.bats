#!/usr/bin/env bats
# Reliability and security: every injected kernel failure of `up` rolls back
# completely; SIGINT/SIGTERM/SIGKILL during `up` and `run` leave nothing (or
# nothing `down` cannot remove); labs build in parallel and a raced name has
# one winner; 100 up/down cycles leak no namespace, mount, fd or memory;
# hostile names and planted symlinks never reach outside /run/netns and
# /run/reuselab.  Every lab is named uniquely and removed in teardown; files
# and namespaces are planted, and `down --all` run, only in a private /run
# (private_run, private_test in helpers.bash).
load helpers

setup() {
	L=$(uniq_lab r)
	EXTRA_LABS=()
	BG_PIDS=()
}

teardown() {
	local l
	kill_bg_pids
	force_down "$L"
	for l in "${EXTRA_LABS[@]}"; do force_down "$l"; done
	return 0
}

# Fails, saying what, when anything of lab $1 is left: a namespace (or the
# empty file of a half-made one), a mount, a state, topology, lock or temp file.
assert_gone() {
	local lab=$1 ns f
	ns=$(lab_namespaces "$lab")
	[ -z "$ns" ] || { echo "lab $lab left namespaces: $ns"; return 1; }
	if grep -F "/run/netns/rl-$lab." /proc/self/mountinfo; then
		echo "lab $lab left mounts (above)"
		return 1
	fi
	for f in json lock json.tmp yml yml.tmp; do
		if [ -e "/run/reuselab/$lab.$f" ] || [ -L "/run/reuselab/$lab.$f" ]; then
			echo "lab $lab left /run/reuselab/$lab.$f"
			return 1
		fi
	done
}

host_links() { ip -o link | wc -l; }

# Mounts other than namespaces under /run/netns: a stacked /run/netns bind
# mount or a stray one elsewhere shows up here.
other_mounts() { awk '$5 !~ "^/run/netns/" { print $5, $9, $10 }' /proc/self/mountinfo | sort; }

# Walk REUSELAB_FAULT_AT=1,2,... over `up FILE` until it succeeds; every
# failing N must exit 3, name the fault and leave nothing.  Sets WALKED.
fault_walk() {
	local file=$1 n rc out links0 re
	links0=$(host_links)
	for ((n = 1; n <= 5000; n++)); do
		rc=0
		out=$(REUSELAB_FAULT_AT=$n "$REUSELAB" up "$file" --name "$L" 2>&1) || rc=$?
		[ "$rc" -ne 0 ] || break
		[ "$rc" -eq 3 ] || { echo "N=$n: exit $rc, expected 3: $out"; return 1; }
		re="injected fault $n([^0-9]|\$)"
		[[ $out =~ $re ]] || { echo "N=$n: no 'injected fault $n' in: $out"; return 1; }
		assert_gone "$L" || { echo "N=$n: after: $out"; return 1; }
		[ "$(host_links)" -eq "$links0" ] ||
			{ echo "N=$n: host has $(host_links) links, had $links0"; ip -o link; return 1; }
	done
	[ "$rc" -eq 0 ] || { echo "up never succeeded (last N=$n): $out"; return 1; }
	WALKED=$((n - 1))
	[[ $out == *"lab $L is up"* ]] || { echo "N=$n: $out"; return 1; }
	"$REUSELAB" down -q "$L"
	assert_gone "$L"
	[ "$(host_links)" -eq "$links0" ]
	echo "# fault walk ${file##*/}: $WALKED operations, each rolled back" >&3
}

# A lab of $1 nodes on one lan (so $1 + 1 namespaces), written to $2:
# slow enough (hundreds of kernel operations) to signal mid-build.
gen_big() {
	local n=$1 i sep=""
	{
		echo "name: big"
		echo "nodes:"
		for ((i = 1; i <= n; i++)); do
			printf '  n%d:\n    interfaces:\n      eth0: [10.%d.%d.1/8, fd10::%x/64]\n' \
				"$i" $((i / 250)) $((i % 250)) "$i"
		done
		echo "lans:"
		echo "  seg:"
		printf '    members: ['
		for ((i = 1; i <= n; i++)); do
			printf '%sn%d:eth0' "$sep" "$i"
			sep=", "
		done
		echo "]"
	} > "$2"
}

BIG_NODES=150

big_topology() {
	BIG=$BATS_TEST_TMPDIR/big.yml
	gen_big "$BIG_NODES" "$BIG"
	run "$REUSELAB" check "$BIG"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

# Start "$@" in the background with SIGINT/SIGTERM/SIGHUP at their default
# dispositions (a non-interactive shell starts background jobs with SIGINT
# ignored), stdout and stderr to $BATS_TEST_TMPDIR/bg.{out,err}.  Sets BG.
start_bg() {
	env --default-signal=INT,TERM,HUP "$@" > "$BATS_TEST_TMPDIR/bg.out" 2> "$BATS_TEST_TMPDIR/bg.err" &
	BG=$!
	BG_PIDS+=("$BG")
}

# 0 once file $1 exists, 1 if process $2 ended first or 60 s passed.  No sleep:
# the state file appears a few ms before a large build gets going.
wait_for_file() {
	local deadline=$((SECONDS + 60))
	while [ ! -e "$1" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		((SECONDS < deadline)) || return 1
	done
}

# wait for $BG; sets BG_RC.
wait_bg() {
	BG_RC=0
	wait "$BG" || BG_RC=$?
	BG_PIDS=()
}

env_default_signal_or_skip() {
	env --default-signal=INT true 2>/dev/null || skip "env(1) has no --default-signal (coreutils < 8.31)"
}

# signal_during SIG CODE ARGS...: reuselab ARGS, building the big lab as $L,
# gets SIG once its state file is there; it ends with CODE, says it was
# interrupted, and nothing of $L is left.
signal_during() {
	local sig=$1 code=$2
	shift 2
	start_bg "$REUSELAB" "$@"
	wait_for_file "/run/reuselab/$L.json" "$BG" || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
	kill -"$sig" "$BG"
	wait_bg
	cat "$BATS_TEST_TMPDIR"/bg.*
	[ "$BG_RC" -eq "$code" ]
	grep -q "interrupted" "$BATS_TEST_TMPDIR/bg.err"
	assert_gone "$L"
}

signal_during_up() {
	local links0
	env_default_signal_or_skip
	big_topology
	links0=$(host_links)
	signal_during "$1" "$2" up "$BIG" --name "$L"
	! grep -q "is up" "$BATS_TEST_TMPDIR/bg.out" || false
	[ "$(host_links)" -eq "$links0" ]
}

signal_during_run_build() {
	env_default_signal_or_skip
	big_topology
	signal_during "$1" "$2" run --keep "$BIG" --name "$L" --json
}

# `up` of two-nics under strace(1), the exit of its $1-th rename(2) held for
# 2 s: the instant it has just written its state file (2: the write-ahead
# one, before signals are blocked, rename 1 being its topology's file; 3: the
# "complete" one, before they are unblocked).  SIGTERM lands in that instant
# and must still roll back.
sigterm_after_state_write() {
	local when=$1 pidf=$BATS_TEST_TMPDIR/pid
	command -v strace >/dev/null || skip "strace is not installed"
	env_default_signal_or_skip
	rm -f "$pidf"
	# LeakSanitizer cannot run under ptrace: keep ASan, drop only its leak pass.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	start_bg strace -f -o /dev/null -e trace=rename,renameat,renameat2 \
		-e inject=rename,renameat,renameat2:delay_exit=2000000:when="$when" \
		bash -c 'echo $$ > "$0"; exec "$1" up "$2" --name "$3"' \
		"$pidf" "$REUSELAB" topologies/two-nics.yml "$L"
	wait_for_file "/run/reuselab/$L.json" "$BG" || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
	if [ "$when" -eq 3 ]; then
		local deadline=$((SECONDS + 60))
		until grep -q '"complete":true' "/run/reuselab/$L.json" 2>/dev/null; do
			kill -0 "$BG" 2>/dev/null && ((SECONDS < deadline)) || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
		done
	fi
	wait_for_file "$pidf" "$BG"
	kill -TERM "$(cat "$pidf")"
	wait_bg
	cat "$BATS_TEST_TMPDIR"/bg.*
	[ "$BG_RC" -eq 143 ]
	assert_gone "$L"
}

# ---------------------------------------------------------------- faults

# The lower bounds count what each topology needs at the least; a walk that
# stops short means REUSELAB_FAULT_AT is not honoured (or not compiled in).
@test "fault walk: every failing kernel operation of up two-nics rolls back" {
	fault_walk topologies/two-nics.yml
	# 3 namespaces x (create + tag + mount), 2 veths, 2 peers up, 9 addresses.
	[ "$WALKED" -ge 22 ] || { echo "walk covered only $WALKED operations"; false; }
}

@test "fault walk: every failing kernel operation of up lan3 (bridges) rolls back" {
	fault_walk tests/topologies/lan3.yml
	# 4 namespaces x (create + tag + mount), 1 bridge, 3 member veths, 3 ports
	# attached, 6 addresses.
	[ "$WALKED" -ge 25 ] || { echo "walk covered only $WALKED operations"; false; }
}

# ---------------------------------------------------------------- signals

@test "SIGTERM during up of a $BIG_NODES-node lab rolls back, exit 143" {
	signal_during_up TERM 143
}

@test "SIGINT during up of a $BIG_NODES-node lab rolls back, exit 130" {
	signal_during_up INT 130
}

@test "SIGTERM during the build phase of run tears down, exit 143" {
	signal_during_run_build TERM 143
}

@test "SIGINT during the build phase of run tears down, exit 130" {
	signal_during_run_build INT 130
}

@test "SIGTERM during the probe phase of run: probe ends, lab removed, exit 143" {
	env_default_signal_or_skip
	start_bg "$REUSELAB" run topologies/two-nics.yml --name "$L" --json
	local deadline=$((SECONDS + 60))
	until grep -q "is up; probing" "$BATS_TEST_TMPDIR/bg.err"; do
		kill -0 "$BG" 2>/dev/null && ((SECONDS < deadline)) || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
		sleep 0.01
	done
	kill -TERM "$BG"
	wait_bg
	cat "$BATS_TEST_TMPDIR"/bg.err
	[ "$BG_RC" -eq 143 ]
	grep -q "interrupted by signal 15; lab $L removed" "$BATS_TEST_TMPDIR/bg.err"
	assert_gone "$L"
}

@test "SIGTERM right after up wrote its write-ahead state rolls back" {
	# Held by strace between the state file's rename and the signal block.
	sigterm_after_state_write 2
}

@test "SIGTERM while up records the finished lab still removes it" {
	# Held by strace between the "complete" rename and the signal unblock.
	sigterm_after_state_write 3
}

# Defect 5: up restored its signal mask after its last check, so a SIGTERM
# landing there killed it (143) with the lab up and its state complete.
# strace delivers SIGTERM at up's write of "lab ... is up" (its first write
# to the file -P names): exit 143 must mean nothing is left, and exit 0 that
# the lab is whole.
@test "SIGTERM as up reports the lab up: 143 means nothing left, 0 means it is up" {
	command -v strace >/dev/null || skip "strace is not installed"
	env_default_signal_or_skip
	local out=$BATS_TEST_TMPDIR/up.out
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	run env --default-signal=TERM strace -f -o "$BATS_TEST_TMPDIR/strace.log" -P "$out" \
		-e trace=write -e inject=write:signal=SIGTERM:when=1 \
		sh -c 'exec "$1" up topologies/two-nics.yml --name "$2" > "$3"' _ "$REUSELAB" "$L" "$out"
	echo "exit $status: $output"; cat "$out"
	if [ "$status" -eq 0 ]; then
		grep -q "lab $L is up" "$out"
		[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
		[ "$(jq -r .complete "/run/reuselab/$L.json")" = true ]
		run "$REUSELAB" down "$L"
		[ "$status" -eq 0 ]
	else
		[ "$status" -eq 143 ]
	fi
	assert_gone "$L"
}

@test "SIGKILL during up of a $BIG_NODES-node lab: down LAB removes every trace" {
	big_topology
	local links0
	links0=$(host_links)
	start_bg "$REUSELAB" up "$BIG" --name "$L"
	wait_for_file "/run/reuselab/$L.json" "$BG" || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
	# Let it get well into the build so namespaces, veths and the bridge exist.
	# Counted with up stopped: a fast build cannot end between count and kill.
	local deadline=$((SECONDS + 60))
	while kill -STOP "$BG" 2>/dev/null && [ "$(lab_namespaces "$L" | wc -l)" -lt 20 ]; do
		kill -CONT "$BG"
		((SECONDS < deadline)) || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
	done
	kill -KILL "$BG" || { cat "$BATS_TEST_TMPDIR"/bg.*; false; }
	wait_bg
	[ "$BG_RC" -eq 137 ]
	left=$(lab_namespaces "$L" | wc -l)
	echo "# SIGKILL left $left namespaces" >&3
	[ "$left" -gt 0 ]
	[ "$(jq -r .complete "/run/reuselab/$L.json")" = false ]
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ $output == "lab $L is down: "*" namespace"*" removed" ]]
	assert_gone "$L"
	[ "$(host_links)" -eq "$links0" ]
}

# In a private /run/netns and /run/reuselab (private_run): down --all sees
# only this test's lab, so it never removes another lab on the host.
@test "SIGKILL during up: down --all removes it" {
	big_topology
	run private_run '
		"$REUSELAB" up "$1" --name "$2" >/dev/null 2>&1 &
		pid=$!
		while kill -STOP $pid 2>/dev/null &&
			[ "$(ls /run/netns | grep -c "^rl-$2\\.")" -lt 20 ]; do
			kill -CONT $pid
		done
		kill -KILL $pid 2>/dev/null || { echo "up ended early"; exit 98; }
		wait $pid
		echo "up: exit $?"
		"$REUSELAB" down --all
		echo "down: exit $?"
		echo "left: $(ls -A /run/netns /run/reuselab | grep -v "^/run\|^$" | tr "\n" " ")"
		echo "mounts: $(grep -c " /run/netns/rl-$2\\." /proc/self/mountinfo)"' "$BIG" "$L"
	echo "$output"
	[ "$status" -ne 99 ]
	[ "$status" -ne 98 ]
	[[ $output == *"up: exit 137"* ]]
	[[ $output == *"lab $L is down: "*" namespace"*" removed"* ]]
	[[ $output == *"down: exit 0"* ]]
	[[ $output == *"left: "$'\n'"mounts: 0"* ]]
	assert_gone "$L"
}

# Defect 13: the descriptor budget counted only the lab's own needs, so a
# 500-node up with 200 inherited descriptors hit EMFILE.  Here: 100 nodes (2
# fds per namespace) under a soft limit of 300 with 200 fds inherited.
@test "up counts inherited descriptors when it budgets open files" {
	gen_big 100 "$BATS_TEST_TMPDIR/fds.yml"
	run bash -c 'for i in $(seq 200); do exec {x}</dev/null; done
		ulimit -Sn 300 || exit 99
		[ "$(ls /proc/self/fd | wc -l)" -gt 200 ] || exit 98
		exec "$REUSELAB" up "$1" --name "$2"' _ "$BATS_TEST_TMPDIR/fds.yml" "$L"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"lab $L is up: 100 nodes"* ]]
	run "$REUSELAB" down "$L"
	[ "$status" -eq 0 ]
	assert_gone "$L"
}

# down opens no descriptor per namespace (it checks each name's mount id by
# name, and before 2026-12-01 held each through an fd, with a fallback for
# a low limit): 101 namespaces go under a limit of 40 open files, and none
# is entered (entering is for a name not on the mount up made).
@test "down of more namespaces than it may open descriptors removes them all, entering none" {
	gen_big 100 "$BATS_TEST_TMPDIR/fds.yml"
	run "$REUSELAB" up "$BATS_TEST_TMPDIR/fds.yml" --name "$L"
	[ "$status" -eq 0 ]
	run bash -c 'ulimit -Sn 40 || exit 99
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			exec strace -f -e trace=setns,socket -o "$3" "$1" down "$2"' \
		_ "$REUSELAB" "$L" "$BATS_TEST_TMPDIR/trace"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $L is down: 101 namespaces removed" ]
	assert_gone "$L"
	! grep -E "setns|socket" "$BATS_TEST_TMPDIR/trace"
}

# ---------------------------------------------------------------- parallel

@test "two ups racing for one name: exactly one wins, the other says already up" {
	local round a b ra rb
	for round in 1 2 3 4 5; do
		"$REUSELAB" up topologies/two-nics.yml --name "$L" > "$BATS_TEST_TMPDIR/a" 2>&1 &
		a=$!
		"$REUSELAB" up topologies/two-nics.yml --name "$L" > "$BATS_TEST_TMPDIR/b" 2>&1 &
		b=$!
		BG_PIDS=("$a" "$b")
		ra=0 rb=0
		wait "$a" || ra=$?
		wait "$b" || rb=$?
		BG_PIDS=()
		echo "round $round: $ra $rb"
		cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
		if [ "$ra" -eq 0 ]; then loser=b lrc=$rb; else loser=a lrc=$ra; fi
		[ "$((ra + rb))" -eq 2 ] && { [ "$ra" -eq 0 ] || [ "$rb" -eq 0 ]; }
		[ "$lrc" -eq 2 ]
		grep -q "already up" "$BATS_TEST_TMPDIR/$loser"
		[ "$(lab_namespaces "$L" | wc -l)" -eq 3 ]
		run "$REUSELAB" down "$L"
		[ "$status" -eq 0 ]
		[ "$output" = "lab $L is down: 3 namespaces removed" ]
		assert_gone "$L"
	done
}

# ---------------------------------------------------------------- cycles

# valgrind --track-fds on `up` of two-nics: "TOTAL OWN", the fds open at exit
# and those of them not inherited (opened by reuselab and never closed).
fds_at_exit() {
	local log=$BATS_TEST_TMPDIR/fds.log
	valgrind --track-fds=yes --log-file="$log" "$REUSELAB" up topologies/two-nics.yml --name "$L" >/dev/null
	awk '/FILE DESCRIPTORS: [0-9]+ open/ { for (i = 1; i <= NF; i++) if ($i == "DESCRIPTORS:") total = $(i + 1) }
	     /Open (file descriptor|[A-Z0-9_]+ socket) [0-9]+/ { pending = 1; next }
	     pending && /inherited from parent/ { pending = 0; next }
	     pending && /[^= ]/ { own++; pending = 0 }
	     END { print total + 0, own + 0 }' "$log"
}

# 100 up/down cycles of two-nics as $L in the current /run (a private one:
# private_test, so the mount table compared, cycle 1 against cycle 100, is
# this test's alone); maxrss
# and the fds at exit of up (valgrind, when $1 is 1) of cycles 1 and 100 go
# to $BATS_TEST_TMPDIR/{rss,fd}{1,100}.
up_down_cycles() {
	local i netnsmounts1
	for ((i = 1; i <= 100; i++)); do
		if [ "$i" -eq 1 ] || [ "$i" -eq 100 ]; then
			"$BATS_TEST_TMPDIR/maxrss" "$REUSELAB" up topologies/two-nics.yml --name "$L" \
				> /dev/null 2> "$BATS_TEST_TMPDIR/rss$i"
			"$REUSELAB" down -q "$L"
			if [ "$1" -eq 1 ]; then
				fds_at_exit > "$BATS_TEST_TMPDIR/fd$i"
				"$REUSELAB" down -q "$L"
			fi
		else
			"$REUSELAB" up topologies/two-nics.yml --name "$L" > /dev/null
			"$REUSELAB" down -q "$L"
		fi
		# After the first cycle: the first up makes /run/netns a shared
		# mount of its own, as ip-netns(8) does, once.
		if [ "$i" -eq 1 ]; then
			other_mounts > "$BATS_TEST_TMPDIR/mounts1"
			netnsmounts1=$(awk '$5 == "/run/netns"' /proc/self/mountinfo | wc -l)
		fi
	done
	# Everything under this /run was ours: all of it must be gone.
	[ -z "$(ls -A /run/netns)" ] || { echo "left in /run/netns: $(ls -A /run/netns)"; return 1; }
	[ -z "$(ls -A /run/reuselab)" ] || { echo "left in /run/reuselab: $(ls -A /run/reuselab)"; return 1; }
	other_mounts > "$BATS_TEST_TMPDIR/mounts100"
	diff "$BATS_TEST_TMPDIR/mounts1" "$BATS_TEST_TMPDIR/mounts100"
	[ "$(awk '$5 == "/run/netns"' /proc/self/mountinfo | wc -l)" -eq "$netnsmounts1" ]
}

@test "100 up/down cycles leave no namespace or mount and do not grow fds or memory" {
	local rss1 rss100 fd1="" fd100="" links0 valgrind=1
	cc -std=gnu11 -O2 -o "$BATS_TEST_TMPDIR/maxrss" tests/integration/maxrss.c
	command -v valgrind >/dev/null || valgrind=0
	# valgrind cannot run an AddressSanitizer binary.
	! ldd "$REUSELAB" 2>/dev/null | grep -q libasan || valgrind=0
	links0=$(host_links)
	export L BATS_TEST_TMPDIR
	export -f up_down_cycles fds_at_exit other_mounts
	private_test 'up_down_cycles "$1"' "$valgrind"
	rss1=$(sed -n 's/^maxrss //p' "$BATS_TEST_TMPDIR/rss1")
	rss100=$(sed -n 's/^maxrss //p' "$BATS_TEST_TMPDIR/rss100")
	if [ "$valgrind" -eq 1 ]; then
		fd1=$(cat "$BATS_TEST_TMPDIR/fd1")
		fd100=$(cat "$BATS_TEST_TMPDIR/fd100")
	fi
	echo "# 100 cycles: maxrss cycle 1 ${rss1} KiB, cycle 100 ${rss100} KiB; fds open at exit of up (total, own): ${fd1:-n/a} / ${fd100:-n/a}" >&3
	[ -n "$rss1" ]
	[ -n "$rss100" ]
	[ "$((rss100 * 2))" -le "$((rss1 * 3))" ] || { echo "RSS grew: $rss1 -> $rss100 KiB"; false; }
	if [ "$valgrind" -eq 1 ]; then
		# Same count both times, and none opened by reuselab left open.
		[ -n "$fd1" ] && [ "$fd1" = "$fd100" ] || { echo "fds at exit: $fd1 -> $fd100"; false; }
		[ "${fd1#* }" -eq 0 ] || { echo "up left fds open: $(cat "$BATS_TEST_TMPDIR/fds.log")"; false; }
	fi
	[ "$(host_links)" -eq "$links0" ]
}

# ---------------------------------------------------------------- hostile input

@test "lab names that would leave /run/netns or /run/reuselab are refused in one line" {
	# In a private /run (private_test): whatever escaped would show there.
	PRIVATE_RUN_WHOLE=1 private_test '
		refused() {
			local out rc=0
			out=$("$REUSELAB" "$@" 2>&1) || rc=$?
			[ "$rc" -eq 2 ] || { echo "$*: exit $rc: $out"; return 1; }
			[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ] || { echo "$*: $out"; return 1; }
		}
		for name in ../x a/b .. . ../../etc/passwd "x/../../y" "-x" "A" ""; do
			refused up topologies/two-nics.yml --name "$name"
			refused run topologies/two-nics.yml --name "$name"
			refused down topologies/two-nics.yml --name "$name"
			if [ -n "$name" ]; then refused status "$name"; fi
		done
		left=$(find /run -mindepth 1 ! -path /run/netns ! -path /run/reuselab)
		[ -z "$left" ] || { echo "left in /run: $left"; false; }'
}

@test "a node named ../../etc is refused in one line, nothing created" {
	f=$BATS_TEST_TMPDIR/evil.yml
	cat > "$f" <<-'YML'
	name: evil
	nodes:
	  ../../etc:
	    interfaces:
	      eth0: [10.66.0.1/24]
	  b:
	    interfaces:
	      eth0: [10.66.0.2/24]
	links:
	  - endpoints: [../../etc:eth0, b:eth0]
	YML
	etc0=$(stat -c %Y /etc)
	for cmd in up run; do
		run "$REUSELAB" "$cmd" "$f" --name "$L"
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ $output == *"evil.yml:3:3: error: invalid node name '../../etc'"* ]]
	done
	run "$REUSELAB" exec "$L" ../../etc -- true
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_gone "$L"
	[ ! -e "/run/netns/rl-$L..." ] && [ ! -e /run/etc ]
	[ "$(stat -c %Y /etc)" = "$etc0" ]
}

@test "up never writes through a state file planted as a symlink" {
	target=$BATS_TEST_TMPDIR/precious
	echo "precious content" > "$target"
	sum0=$(sha256sum < "$target")
	meta0=$(stat -c %a:%u:%Y "$target")
	# Planted in a private /run/reuselab (private_test): it reaches no one else.
	private_test '
		ln -s "$2" "/run/reuselab/$1.json"
		rc=0; out=$("$REUSELAB" up topologies/two-nics.yml --name "$1" 2>&1) || rc=$?
		echo "up: exit $rc"
		echo "$out"
		if [ "$rc" -eq 0 ]; then
			# Accepted: then the link was replaced, never followed.
			[ ! -L "/run/reuselab/$1.json" ]
			[ "$(jq -r .lab "/run/reuselab/$1.json")" = "$1" ]
		else
			[ -z "$(ls -A /run/netns)" ]
		fi
		# down removes the link (or the file), never the target.
		"$REUSELAB" down "$1"
		[ -z "$(ls -A /run/netns)" ]
		[ ! -e "/run/reuselab/$1.json" ]
		[ ! -L "/run/reuselab/$1.json" ]' "$L" "$target"
	[ "$(sha256sum < "$target")" = "$sum0" ]
	[ "$(stat -c %a:%u:%Y "$target")" = "$meta0" ]
	echo "# planted state symlink: ${lines[0]} (0: replaced, else refused), target untouched" >&3
}

# Defect 6: a FIFO planted under a lab's names once hung up, down, status
# and exec (open() of a FIFO waits for a writer) with signals blocked.  Each
# command runs under timeout(1) only so a regression fails instead of hanging.
@test "FIFOs planted in /run/netns and /run/reuselab hang nothing" {
	run private_run '
		mkfifo "/run/netns/rl-$1.server" "/run/reuselab/$1.json" "/run/reuselab/$1.lock"
		t() { timeout 20 "$REUSELAB" "$@"; echo "$1: exit $?"; }
		t up topologies/two-nics.yml --name "$1"
		t exec "$1" server -- true
		t status "$1"
		t down "$1"
		[ -p "/run/netns/rl-$1.server" ] && echo "netns fifo kept"
		[ -e "/run/reuselab/$1.json" ] || echo "state fifo gone"
		[ -f "/run/reuselab/$1.lock" ] || [ ! -e "/run/reuselab/$1.lock" ] && echo "lock fifo replaced"
		rm -f "/run/netns/rl-$1.server"
		t up topologies/two-nics.yml --name "$1"
		t exec "$1" server -- true
		t down "$1"' "$L"
	echo "$output"
	[ "$status" -ne 99 ]
	[[ $output != *": exit 124"* ]] # timeout: something hung
	[[ $output == *"lock file /run/reuselab/$L.lock is not a regular file; 'reuselab down $L' replaces it"*"up: exit 2"* ]]
	[[ $output == *"is not a reuselab namespace of lab $L"*"exec: exit 2"* ]]
	[[ $output == *"status: exit "[0-3]* ]]
	[[ $output == *"down: exit 0"*"netns fifo kept"*"state fifo gone"*"lock fifo replaced"* ]]
	[[ $output == *"lab $L is up"*"up: exit 0"*"exec: exit 0"*"lab $L is down: 3 namespaces removed"*"down: exit 0" ]]
	assert_gone "$L"
}

# Defect 9: /run/netns as a symlink was followed: namespaces were mounted in
# (and down unlinked from) whatever it pointed to.
@test "a symlink at /run/netns is refused, never followed" {
	PRIVATE_RUN_WHOLE=1 run private_run '
		mkdir /run/elsewhere /run/reuselab
		ln -s /run/elsewhere /run/netns
		: > /run/elsewhere/keep
		"$REUSELAB" up topologies/two-nics.yml --name "$1"; echo "up: exit $?"
		"$REUSELAB" down "$1"; echo "down: exit $?"
		"$REUSELAB" exec "$1" server -- true; echo "exec: exit $?"
		echo "elsewhere: $(ls -A /run/elsewhere | tr "\n" " ")"
		echo "mounts: $(grep -c " /run/elsewhere/" /proc/self/mountinfo)"
		[ -L /run/netns ] && echo "link kept"' "$L"
	echo "$output"
	[ "$status" -ne 99 ]
	[[ $output == *"/run/netns: Too many levels of symbolic links"*"up: exit 3"* ]]
	[[ $output == *"down: exit 3"* ]]
	[[ $output == *"exec: exit 3"* ]]
	[[ $output == *"elsewhere: keep "$'\n'"mounts: 0"$'\n'"link kept"* ]]
	assert_gone "$L"
}

# Defect 14: a planted lock symlink used to block the lab for good (down
# refused it too).  up refuses it naming the file and the fix; down replaces
# the link (never its target) and the lab comes up again.
@test "a lock file planted as a symlink: up says how to fix it, down replaces it" {
	target=$BATS_TEST_TMPDIR/precious
	echo "precious content" > "$target"
	sum0=$(sha256sum < "$target")
	dangling=$BATS_TEST_TMPDIR/not-there
	for t in "$target" "$dangling"; do
		# In a private /run/reuselab: the planted link reaches no one else.
		run private_run '
			ln -s "$2" "/run/reuselab/$1.lock"
			"$REUSELAB" up topologies/two-nics.yml --name "$1"; echo "up: exit $?"
			ls /run/netns | grep -c "^rl-$1\\."
			[ -e "/run/reuselab/$1.json" ] && echo "state written"
			"$REUSELAB" down "$1"; echo "down: exit $?"
			[ -L "/run/reuselab/$1.lock" ] && echo "link kept"
			"$REUSELAB" up topologies/two-nics.yml --name "$1"; echo "up again: exit $?"
			"$REUSELAB" down "$1"; echo "down again: exit $?"
			echo "left: $(ls -A /run/netns /run/reuselab | grep -v "^/run\\|^$" | tr "\\n" " ")"' \
			"$L" "$t"
		echo "$output"
		[ "$status" -ne 99 ]
		[[ $output == "reuselab: lab '$L': lock file /run/reuselab/$L.lock is a symlink; 'reuselab down $L' replaces it"$'\n'"up: exit 2"$'\n'0$'\n'* ]]
		[[ $output != *"state written"* && $output != *"link kept"* ]]
		[[ $output == *"down: exit 0"*"lab $L is up"*"up again: exit 0"*"down again: exit 0"$'\n'"left: " ]]
		[ "$(sha256sum < "$target")" = "$sum0" ]
		[ ! -e "$dangling" ]
	done
	assert_gone "$L"
}

@test "up never writes through a temp state file planted as a symlink" {
	target=$BATS_TEST_TMPDIR/precious
	echo "precious content" > "$target"
	sum0=$(sha256sum < "$target")
	# Planted in a private /run/reuselab (private_test): it reaches no one else.
	private_test '
		ln -s "$2" "/run/reuselab/$1.json.tmp"
		rc=0; "$REUSELAB" up topologies/two-nics.yml --name "$1" || rc=$?
		[ ! -L "/run/reuselab/$1.json.tmp" ] || [ "$rc" -ne 0 ]
		"$REUSELAB" down "$1"
		[ -z "$(ls -A /run/netns)" ]' "$L" "$target"
	[ "$(sha256sum < "$target")" = "$sum0" ]
}

@test "a namespace rl-LAB.server made before up: up refuses naming it, down keeps it" {
	# Planted in a private /run/netns (private_test): it reaches no one else.
	private_test '
		ip netns add "rl-$1.server"
		ip -n "rl-$1.server" link add keepme type veth peer name keepme-peer
		rc=0; out=$("$REUSELAB" up topologies/two-nics.yml --name "$1" 2>&1) || rc=$?
		[ "$rc" -eq 2 ]
		[ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ]
		[[ $out == *"rl-$1.server"*"another lab or program uses that name"* ]]
		[ "$(ls -A /run/netns)" = "rl-$1.server" ]
		ip -n "rl-$1.server" link show keepme
		[ ! -e "/run/reuselab/$1.json" ]
		[ ! -e "/run/reuselab/$1.lock" ]
		out=$("$REUSELAB" down "$1" 2>"$2/err")
		[ "$out" = "lab $1: nothing to remove" ]
		grep -q "namespace rl-$1.server is not tagged as this lab.s.*left in place" "$2/err"
		[ "$(ls -A /run/netns)" = "rl-$1.server" ]
		ip -n "rl-$1.server" link show keepme
		# Also when a state file names it (a stale one, say): still not ours.
		"$REUSELAB" down topologies/two-nics.yml --name "$1"
		ip -n "rl-$1.server" link show keepme' "$L" "$BATS_TEST_TMPDIR"
}

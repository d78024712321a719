#!/usr/bin/env bats
# Real programs in a case (lab/probe/probe_proc.c, probe_spawn.c): start
# (argv, no shell, user, environment), wait-listen, holds, signal,
# wait-exit, stop, output into the report, and that every process a case
# started -- forked children included -- is gone when the case ends: after
# a normal end, a failed step, a system error, and SIGINT or SIGTERM of
# reuselab.  Real processes, real namespaces; as root.
load helpers

# lab FILE CASES...: a two-node lab file whose cases are the YAML text given.
lab() {
	local f=$1
	shift
	cat >"$f" <<YAML
name: progs
nodes:
  server: {interfaces: {eth0: [10.0.77.1/24]}}
  client: {interfaces: {eth0: [10.0.77.2/24]}}
links:
  - endpoints: [server:eth0, client:eth0]
cases:
$(printf '%s\n' "$@")
YAML
}

# run_lab FILE: the lab's user cases only, JSON into $REPORT; status in $rc.
run_lab() {
	REPORT="$BATS_TEST_TMPDIR/report.json"
	rc=0
	"$REUSELAB" run "$1" --case 'p-*' --json >"$REPORT" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	# on failure, what the run said (bats shows it)
	cat "$BATS_TEST_TMPDIR/err"
	jq -c '.cases[] | [.id, .verdict, .observed, .error]' "$REPORT" || true
}

# marked PATTERN: the pids of processes whose whole command line is PATTERN.
marked() {
	pgrep -f -x "$1" || true
}

# A case that starts the daytime server whose connection child lingers, so
# the program has two processes when its case ends.
LINGER='  - id: p-linger
    steps:
      - {on: server, do: "d = start daytimed -l 600 -p $P", expect: ok}
      - {on: server, do: "wait-listen d $P", expect: "ok =1"}
      - {on: client, do: "c = socket tcp4"}
      - {on: client, do: "connect c 10.0.77.1:$P", expect: ok}
      - {on: client, do: "read c", expect: "ok =26"}'

@test "start, wait-listen, holds, signal, wait-exit, stop: outcomes and values" {
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-steps
    steps:
      - {on: server, do: "d = start daytimed -p $P", expect: ok}
      - {on: server, do: "wait-listen d $P", expect: "ok =1"}
      - {on: server, do: "holds d $P", expect: "ok =1"}
      - {on: client, do: "holds d $P", expect: "ok =0"}
      - {on: server, do: "k = start daytimed -p $P2", expect: ok}
      - {on: server, do: "wait-listen k $P2", expect: "ok =1"}
      - {on: server, do: "holds k $P", expect: "ok =0"}
      - {on: server, do: "signal k KILL", expect: ok}
      - {on: server, do: "wait-exit k", expect: "ok =137"}
      - {on: server, do: "signal k TERM", expect: ESRCH}
      - {on: server, do: "stop d", expect: "ok =143"}
      - {on: server, do: "n = start daytimed -p nope", expect: ok}
      - {on: server, do: "wait-listen n $P3", expect: ESRCH}
      - {on: server, do: "wait-exit n", expect: "ok =2"}'
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 0 ]
	[ "$(jq -r '.cases[0].verdict' "$REPORT")" = holds ]
	[ "$(val p-steps "d = start")" = "$(prog p-steps d pid)" ]
	[ "$(jq -r '[.cases[0].steps[] | select(.call == "holds") | .sockets[] | select(.state == "LISTEN") | .owner][0]' "$REPORT")" = "d[$(prog p-steps d pid)]" ]
	[ "$(prog p-steps k signal)" = 9 ]
	[ "$(prog p-steps n exit_code)" = 2 ]
	[ "$(prog p-steps n stderr)" = "daytimed: bad port 'nope'" ]
	gone "$(prog p-steps d pid)" "$(prog p-steps k pid)" "$(prog p-steps n pid)"
}

@test "start: argv without a shell, user and environment; exec failures are outcomes" {
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-env
    steps:
      - {on: server, do: "e = start env GREETING=hi;$(id) /usr/bin/env", expect: ok}
      - {on: server, do: "wait-exit e", expect: "ok =0"}
      - {on: server, do: "u = start user 65534:65533 id", expect: ok}
      - {on: server, do: "wait-exit u", expect: "ok =0"}
      - {on: server, do: "x = start /nonexistent/prog", expect: ENOENT}
      - {on: server, do: "y = start no-such-program-here", expect: ENOENT}
      - {on: server, do: "z = start '"$BATS_TEST_TMPDIR"'/plain", expect: EACCES}
      - {on: server, do: "b = start printf \\377ok\\n", expect: ok}
      - {on: server, do: "wait-exit b", expect: "ok =0"}
      - {on: server, do: "h = start head -c 100000 /dev/zero", expect: ok}
      - {on: server, do: "wait-exit h"}'
	: >"$BATS_TEST_TMPDIR/plain"
	chmod 0644 "$BATS_TEST_TMPDIR/plain"
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 0 ]
	# the word reaches the program as it is: no shell expanded $(id) or split at ';'
	[ "$(prog p-env e stdout | grep -c '^GREETING=hi;\$(id)$')" -eq 1 ]
	[ "$(prog p-env e stdout | grep -c '^PATH=/usr/local/sbin:')" -eq 1 ]
	[ "$(prog p-env e stdout | grep -c .)" -eq 2 ] # nothing of reuselab's environment
	[[ "$(prog p-env u stdout)" == "uid=65534("*") gid=65533 groups=65533" ]]
	[[ "$(prog p-env u command)" == /*/id ]]
	# output is kept as valid UTF-8 (other bytes and NUL as '?'), 4 KiB at most
	[ "$(prog p-env b stdout)" = "?ok" ]
	[ "$(prog p-env h stdout | tr -d '\n' | wc -c)" -eq 4096 ]
	[ "$(prog p-env h stdout_truncated)" = true ]
	[ "$(prog p-env b stdout_truncated)" = false ]
	[ "$(jq '.cases[0].programs | length' "$REPORT")" -eq 4 ] # failed starts leave no program
}

# In the run's PID namespace the program's /proc is its namespace's: the
# pid it reads of itself there is the one getpid() gives it (NSpid: one
# level), and the host's processes are not in it.
@test "start: a program's /proc is its PID namespace's, the host's mounts untouched" {
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-proc
    steps:
      - {on: server, do: "s = start cat /proc/self/status", expect: ok}
      - {on: server, do: "wait-exit s", expect: "ok =0"}
      - {on: server, do: "l = start ls /proc", expect: ok}
      - {on: server, do: "wait-exit l", expect: "ok =0"}'
	local procs_before
	procs_before=$(grep -c ' /proc ' /proc/self/mountinfo)
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 0 ]
	[[ "$(prog p-proc s stdout | grep '^NSpid:')" =~ ^NSpid:[[:space:]]+[0-9]+$ ]]
	[[ "$(prog p-proc s stdout | grep '^Name:')" =~ ^Name:[[:space:]]+cat$ ]]
	# a handful of pids (the reaper, reuselab's children), not the host's
	[ "$(prog p-proc l stdout | grep -c '^[0-9][0-9]*$')" -lt 10 ]
	# the program's /proc stayed in its own mount namespace
	[ "$(grep -c ' /proc ' /proc/self/mountinfo)" -eq "$procs_before" ]
}

# As under ip netns exec, a program's /sys shows its node's network
# namespace: /sys/class/net lists the node's interfaces, not the host's.
@test "start: a program's /sys/class/net is its node's interfaces, the host's /sys untouched" {
	# interface names no host has, so the host's /sys cannot pass for the node's
	cat >"$BATS_TEST_TMPDIR/l.yml" <<'YAML'
name: progsys
nodes:
  server: {interfaces: {rlx7a: [10.0.77.1/24], rlx7b: [10.0.78.1/24]}}
  client: {interfaces: {rlx7c: [10.0.77.2/24]}}
  other: {interfaces: {rlx7d: [10.0.78.2/24]}}
links:
  - endpoints: [server:rlx7a, client:rlx7c]
  - endpoints: [server:rlx7b, other:rlx7d]
cases:
  - id: p-sys
    steps:
      - {on: server, do: "s = start ls /sys/class/net", expect: ok}
      - {on: server, do: "wait-exit s", expect: "ok =0"}
      - {on: client, do: "c = start ls /sys/class/net", expect: ok}
      - {on: client, do: "wait-exit c", expect: "ok =0"}
YAML
	local sys_before
	sys_before=$(grep -c ' /sys ' /proc/self/mountinfo)
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 0 ]
	[ "$(prog p-sys s stdout | grep . | sort | paste -sd ' ')" = "lo rlx7a rlx7b" ]
	[ "$(prog p-sys c stdout | grep . | sort | paste -sd ' ')" = "lo rlx7c" ]
	[ "$(grep -c ' /sys ' /proc/self/mountinfo)" -eq "$sys_before" ]
}

@test "check refuses a program path relative to a directory, and bad start words" {
	local f=$BATS_TEST_TMPDIR/l.yml
	lab "$f" '  - id: p-bad
    steps:
      - {on: server, do: "d = start ./daytimed"}'
	run -2 "$REUSELAB" check "$f"
	[[ "$output" == *"$f:"*":"*": error: case 'p-bad': program './daytimed' must be an absolute path or a bare name"* ]]
	lab "$f" '  - id: p-bad
    steps:
      - {on: server, do: "d = start env NOEQUALS daytimed"}'
	run -2 "$REUSELAB" check "$f"
	[[ "$output" == *"env needs NAME=VALUE, not 'NOEQUALS'"* ]]
	lab "$f" '  - id: p-bad
    steps:
      - {on: server, do: "signal d BOGUS"}'
	run -2 "$REUSELAB" check "$f"
	[[ "$output" == *"unknown signal 'BOGUS'"* ]]
	lab "$f" '  - id: p-bad
    steps:
      - {on: server, do: "d = start daytimed"}
      - {on: server, do: "stop e"}'
	run -2 "$REUSELAB" check "$f"
	[[ "$output" == *"$f:"*": error: case 'p-bad': program 'e' is used before it is started"* ]]
}

@test "a case's programs, forked children included, are gone when it ends without stop" {
	lab "$BATS_TEST_TMPDIR/l.yml" "$LINGER" \
	    '      - {on: server, do: "holds d $P", expect: "ok =1"}'
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 0 ]
	# the listener is d's; the lingering child closed its copies, as the article's does
	[ "$(jq -r '[.cases[0].steps[] | select(.call == "holds") | .sockets[] | select(.owner != null) | .state] | sort | join(" ")' "$REPORT")" = "LISTEN" ]
	[ "$(prog p-linger d signal)" = 9 ]
	gone "$(prog p-linger d pid)"
}

@test "what a program left in a session of its own (setsid) is gone when the case ends" {
	local d=$BATS_TEST_TMPDIR u="$$$RANDOM" pids
	# The background job is not a group leader, so setsid(1) calls setsid()
	# in place; sh exits only once it is in its own session (the fifo says
	# so), leaving it an orphan outside the program's process group, marked
	# by a sleep of this test's own.  The next case looks for it (pgrep's
	# pattern has no space: a step's words are split at spaces).
	cat >"$d/leave.sh" <<SH
#!/bin/sh
mkfifo $d/ready
setsid sh -c 'echo >$d/ready; exec sleep 600.$u' &
read ready <$d/ready
SH
	chmod 0755 "$BATS_TEST_TMPDIR/leave.sh"
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-orphan
    steps:
      - {on: server, do: "s = start '"$BATS_TEST_TMPDIR"'/leave.sh", expect: ok}
      - {on: server, do: "wait-exit s", expect: "ok =0"}
  - id: p-orphan-gone
    steps:
      - {on: server, do: "g = start pgrep -f -x sleep.600.'"$u"'", expect: ok}
      - {on: server, do: "wait-exit g", expect: "ok =1"}'
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	pids=$(marked "sleep 600.$u")
	[ -z "$pids" ] || { kill -KILL $pids; false; }
	[ "$rc" -eq 0 ]
	[ "$(verdict p-orphan) $(verdict p-orphan-gone)" = "holds holds" ]
}

@test "programs are gone after a failed step and after a system error" {
	lab "$BATS_TEST_TMPDIR/l.yml" "$LINGER" \
	    '      - {on: server, do: "holds d $P", expect: "ok =5"}' \
	    "${LINGER/p-linger/p-linger-err}" \
	    '      - {on: server, do: "d = start daytimed -p $P2", expect: ok}'
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 3 ]
	[ "$(jq -r '.cases[0].verdict' "$REPORT")" = failed ]
	[ "$(jq -r '.cases[1].verdict' "$REPORT")" = error ]
	[[ "$(jq -r '.cases[1].error' "$REPORT")" == *"program name 'd' already used"* ]]
	gone "$(prog p-linger d pid)" "$(prog p-linger-err d pid)"
}

# interrupt SIGNAL CMD...: run CMD in the background until the case's program
# and its lingering child are up, send SIGNAL to reuselab, and check its exit
# and that neither process survived.
interrupt() {
	local sig=$1 rpid leader n=0 st=0
	shift
	"$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	rpid=$!
	# the program is reuselab's child; its group has two once a client was served
	until leader=$(pgrep -P "$rpid" -x daytimed) && [ "$(pgrep -g "$leader" | wc -l)" -eq 2 ]; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || { kill -KILL "$rpid"; false; }
		sleep 0.05
	done
	kill -"$sig" "$rpid"
	wait "$rpid" || st=$?
	echo "$st" >"$BATS_TEST_TMPDIR/status"
	gone "$leader"
}

WAITS='      - {on: server, do: "wait-exit d", expect: "ok =0"}'
@test "SIGINT of reuselab run: the case's processes are gone, exit 130" {
	lab "$BATS_TEST_TMPDIR/l.yml" "$LINGER" "$WAITS" "$WAITS" "$WAITS" "$WAITS" "$WAITS" "$WAITS"
	interrupt INT "$REUSELAB" run "$BATS_TEST_TMPDIR/l.yml" --case 'p-*'
	[ "$(cat "$BATS_TEST_TMPDIR/status")" -eq 130 ]
	grep -q "interrupted by signal 2" "$BATS_TEST_TMPDIR/err"
}

@test "SIGTERM of reuselab probe on a published lab: the case's processes are gone" {
	local L
	L=$(uniq_lab pg)
	lab "$BATS_TEST_TMPDIR/l.yml" "$LINGER" "$WAITS" "$WAITS" "$WAITS" "$WAITS" "$WAITS" "$WAITS"
	"$REUSELAB" up "$BATS_TEST_TMPDIR/l.yml" --name "$L" >/dev/null
	interrupt TERM "$REUSELAB" probe "$BATS_TEST_TMPDIR/l.yml" --name "$L" --case 'p-*' || { force_down "$L"; false; }
	force_down "$L"
	[ "$(cat "$BATS_TEST_TMPDIR/status")" -eq 143 ]
}

SLEEPS='      - {on: server, do: "sleep 5000"}'
# SIGKILL leaves reuselab no say: the program (PR_SET_PDEATHSIG) and what it
# forked go with the run's PID namespace, whose pid 1 dies with reuselab.
# The forked sleep is marked by a duration of this test's own.
@test "SIGKILL of reuselab run: what its program forked is gone too, and with it the lab" {
	local m="sleep 3600.$$$RANDOM" rpid n=0 pid pids
	printf '#!/bin/sh\n%s &\nexec %s\n' "$m" "$m" >"$BATS_TEST_TMPDIR/fork.sh"
	chmod 0755 "$BATS_TEST_TMPDIR/fork.sh"
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-sigkill
    steps:
      - {on: server, do: "s = start '"$BATS_TEST_TMPDIR"'/fork.sh", expect: ok}' \
	    "$SLEEPS" "$SLEEPS" "$SLEEPS" "$SLEEPS" "$SLEEPS" "$SLEEPS"
	"$REUSELAB" run "$BATS_TEST_TMPDIR/l.yml" --case 'p-*' >/dev/null 2>&1 &
	rpid=$!
	until [ "$(marked "$m" | wc -l)" -eq 2 ]; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || { kill -KILL "$rpid"; false; }
		sleep 0.05
	done
	# both are in the lab's server namespace: alive, they keep it
	for pid in $(marked "$m"); do
		[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	done
	kill -KILL "$rpid"
	wait "$rpid" || true
	n=0
	while pids=$(marked "$m") && [ -n "$pids" ] && [ "$n" -lt 200 ]; do
		n=$((n + 1))
		sleep 0.05
	done
	[ -z "$pids" ] || { kill -KILL $pids; false; }
}

# Once the namespace lost its pid 1 no process can be forked in it (ENOMEM):
# a start after that is an error that says why.  The reaper is killed while
# the case waits for its program, which dies with the namespace.
@test "a reaper killed from outside: the next start is an error that says why" {
	local rpid reaper n=0
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-reaper
    steps:
      - {on: server, do: "s = start sleep 600", expect: ok}' \
	    '      - {on: server, do: "wait-exit s"}' '      - {on: server, do: "wait-exit s"}' \
	    '      - {on: server, do: "wait-exit s"}' '      - {on: server, do: "wait-exit s"}' \
	    '      - {on: server, do: "wait-exit s"}' '      - {on: server, do: "wait-exit s"}' \
	    '      - {on: server, do: "t = start true", expect: ok}'
	REPORT="$BATS_TEST_TMPDIR/report.json"
	"$REUSELAB" run "$BATS_TEST_TMPDIR/l.yml" --case 'p-*' --json >"$REPORT" 2>"$BATS_TEST_TMPDIR/err" &
	rpid=$!
	until reaper=$(pgrep -P "$rpid" -x reuselab-reaper) && [ -n "$(pgrep -P "$rpid" -x sleep)" ]; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || { kill -KILL "$rpid"; false; }
		sleep 0.05
	done
	kill -KILL "$reaper"
	rc=0
	wait "$rpid" || rc=$?
	cat "$BATS_TEST_TMPDIR/err"
	jq -c '.cases[0] | [.verdict, .error, .observed]' "$REPORT"
	[ "$rc" -eq 3 ]
	[ "$(verdict p-reaper)" = error ]
	[[ "$(jq -r '.cases[0].error' "$REPORT")" == *"fork: the run's PID namespace is gone (its pid 1, reuselab's reaper $reaper, was killed)"* ]]
	[ "$(prog p-reaper s signal)" = 9 ]
}

@test "JUnit: a case's programs and what they wrote are in its <system-out> or <failure>" {
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-junit
    steps:
      - {on: server, do: "d = start daytimed -p $P", expect: ok}
      - {on: server, do: "wait-listen d $P", expect: "ok =1"}
      - {on: server, do: "n = start daytimed -n -p $P", expect: ok}
      - {on: server, do: "wait-exit n", expect: "ok =1"}' \
	    '  - id: p-junit-failed
    steps:
      - {on: server, do: "e = start printf <&>", expect: ok}
      - {on: server, do: "wait-exit e", expect: "ok =7"}'
	rc=0
	"$REUSELAB" run "$BATS_TEST_TMPDIR/l.yml" --case 'p-*' --junit "$BATS_TEST_TMPDIR/j.xml" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 1 ]
	python3 - "$BATS_TEST_TMPDIR/j.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = {c.get('name').split(':')[0]: c for c in ET.parse(sys.argv[1]).getroot().iter('testcase')}
ok = cases['p-junit'].find('system-out').text
assert 'program n[' in ok and '--- stderr\nbind: Address already in use\n' in ok, ok
assert '--- stdout\nbind call OK!\n' in ok, ok
failed = cases['p-junit-failed'].find('failure').text
assert '--- stdout\n<&>\n' in failed, failed
PY
}

@test "step records: an expectation in full, and a step that could not run is an error, not ok" {
	lab "$BATS_TEST_TMPDIR/l.yml" '  - id: p-exit-code
    steps:
      - {on: server, do: "d = start /bin/false", expect: ok}
      - {on: server, do: "wait-exit d", expect: "ok =3"}' \
	    '  - id: p-not-started
    steps:
      - {on: server, do: "d = start '"$BATS_TEST_TMPDIR"'/no-interpreter"}
      - {on: server, do: "wait-exit d", expect: "ok =0"}'
	# there for check, but execve fails: its interpreter is missing
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/no-interpreter"
	chmod +x "$BATS_TEST_TMPDIR/no-interpreter"
	run_lab "$BATS_TEST_TMPDIR/l.yml"
	[ "$rc" -eq 3 ]
	# the value and the whole expectation it was held against
	[ "$(jq -c '.cases[0].steps[1] | [.result, .expect, .expectation, .value]' "$REPORT")" = '["ok","ok","ok =3",1]' ]
	# the step that could not run says why, in the case's words
	[ "$(jq -r '.cases[1].steps[0].result' "$REPORT")" = ENOENT ]
	[ "$(jq -c '.cases[1].steps[1] | [.result, .expectation]' "$REPORT")" = '["error","ok =0"]' ]
	[ "$(jq -r '.cases[1].steps[1].error' "$REPORT")" = "$(jq -r '.cases[1].error' "$REPORT")" ]
	[[ "$(jq -r '.cases[1].error' "$REPORT")" == *"no program named 'd'"* ]]
	rc=0
	"$REUSELAB" run "$BATS_TEST_TMPDIR/l.yml" --case 'p-*' --junit "$BATS_TEST_TMPDIR/j.xml" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 3 ]
	python3 - "$BATS_TEST_TMPDIR/j.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = {c.get('name').split(':')[0]: c for c in ET.parse(sys.argv[1]).getroot().iter('testcase')}
failed = cases['p-exit-code'].find('failure').text
assert '2. server: wait-exit d -> ok =1 (expected ok =3)\n' in failed, failed
err = cases['p-not-started'].find('error').text
assert "2. server: wait-exit d -> error: step 'wait-exit d' in server: no program named 'd'" in err, err
assert err.split('\n')[1].endswith('(expected ok =0)'), err
PY
}

#!/usr/bin/env bats
# Every wait of a probe ends on the event it waits for, its bound only a
# ceiling: under strace(1), no poll, epoll_wait or select of a run returns 0
# (its bound ran out) and nothing sleeps.  Nothing here measures time.  Runs
# are ephemeral (`run`), so no namespace outlives them.
load helpers

setup() {
	command -v strace >/dev/null || skip "strace is not installed"
}

WAITS=poll,ppoll,epoll_wait,epoll_pwait,epoll_pwait2,select,pselect6,nanosleep,clock_nanosleep

# traced FILE ARGS...: reuselab ARGS under strace, its waits logged to FILE.
traced() {
	local log=$1
	shift
	strace_without_leak_check -f -qq -o "$log" -e trace="$WAITS" "$REUSELAB" "$@"
}

# expired FILE: the waits in an strace log whose bound ran out, and sleeps.
expired() {
	grep -E '= 0( \(Timeout\))?$|sleep' "$1" || true
}

@test "the two-nics catalog: every wait ends on its event, none on its bound" {
	log="$BATS_TEST_TMPDIR/waits.log"
	run traced "$log" run topologies/two-nics.yml --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | sed -n '/^{/,$p' >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq '[.cases[] | select(.verdict == "error")] | length' "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
	# the waiting steps ran and saw what they wait for
	[ "$(jq '[.cases[] | select(.id == "reuseport-spread") | .steps[] | select(.call == "accept-all") | .value] | add' "$BATS_TEST_TMPDIR/r.json")" -eq 30 ]
	[ "$(jq '[.cases[] | select(.id == "mcast-reuseaddr") | .steps[] | select(.call == "recv")][0].value' "$BATS_TEST_TMPDIR/r.json")" -eq 2 ]
	[ "$(jq '[.cases[] | select(.id == "restart-tw-reuse-none") | .steps[] | select(.call == "wait-timewait")][0].result' -r "$BATS_TEST_TMPDIR/r.json")" = ok ]
	grep -q poll "$log"
	[ -z "$(expired "$log")" ] || { expired "$log"; false; }
}

@test "nothing arrives: recv and accept-all end at once, on a sentinel and on sock_diag" {
	user_topology 'cases:
  - id: no-datagram
    steps:
      - {on: server, do: "r = socket udp4"}
      - {on: server, do: "bind r 10.0.1.1:$P"}
      - {on: client-b, do: "u = socket udp4"}
      - {on: client-b, do: "send u 10.0.1.1:$P2", expect: ok}
      - {on: server, do: "recv r", expect: ok}
  - id: no-connection
    steps:
      - {on: server, do: "l = socket tcp4"}
      - {on: server, do: "bind l 10.0.1.1:$P"}
      - {on: server, do: "listen l"}
      - {on: server, do: "accept-all l", expect: ok}'
	log="$BATS_TEST_TMPDIR/waits.log"
	run traced "$log" run "$f" --case 'no-*' --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | sed -n '/^{/,$p' >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq -r '[.cases[].verdict] | join(" ")' "$BATS_TEST_TMPDIR/r.json")" = "holds holds" ]
	# nothing counted: no value at all
	[ "$(jq '[.cases[].steps[] | select(.call == "recv" or .call == "accept-all") | .value // 0] | add' "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
	grep -q poll "$log" # the trace was written: an empty one shows no expiry either
	[ -z "$(expired "$log")" ] || { expired "$log"; false; }
}

@test "recv still counts a datagram whose sender closed before it (no sentinel can follow)" {
	user_topology 'cases:
  - id: sender-gone
    steps:
      - {on: server, do: "r = socket udp4"}
      - {on: server, do: "bind r 10.0.1.1:$P"}
      - {on: client-b, do: "u = socket udp4"}
      - {on: client-b, do: "send u 10.0.1.1:$P 3", expect: ok}
      - {on: client-b, do: "close u"}
      - {on: server, do: "recv r", expect: ok}'
	run "$REUSELAB" run "$f" --case sender-gone --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | sed -n '/^{/,$p' >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq '.cases[0].steps[5].value' "$BATS_TEST_TMPDIR/r.json")" -eq 3 ]
}

@test "a sentinel is never counted: recv counts exactly what the case sent" {
	user_topology 'cases:
  - id: wildcard-receiver
    steps:
      - {on: server, do: "r = socket udp4"}
      - {on: server, do: "bind r *:$P"}
      - {on: client-b, do: "u = socket udp4"}
      - {on: client-b, do: "send u 10.0.1.1:$P 2", expect: ok}
      - {on: server, do: "recv r", expect: ok}
      - {on: client-b, do: "send u 10.0.1.1:$P 1", expect: ok}
      - {on: server, do: "recv r", expect: ok}'
	run "$REUSELAB" run "$f" --case wildcard-receiver --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | sed -n '/^{/,$p' >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq '.cases[0].steps[4].value' "$BATS_TEST_TMPDIR/r.json")" -eq 2 ]
	[ "$(jq '.cases[0].steps[6].value' "$BATS_TEST_TMPDIR/r.json")" -eq 1 ]
}

@test "wait-timewait ends when the peer closes during it (an orphan turns TIME-WAIT silently)" {
	# The peer holds the connection half a second, then exits: its FIN
	# reaches our orphan while the wait runs.  That orphan is already a
	# timewait socket in FIN-WAIT-2, which turns TIME-WAIT without a destroy
	# in our node; what ends the wait is the peer's socket freed in its node.
	prog="$BATS_TEST_TMPDIR/hold.sh"
	printf '#!/bin/bash\nexec 3<>"/dev/tcp/$1/$2" || exit 1\nsleep 0.5\n' >"$prog"
	chmod +x "$prog"
	user_topology "cases:
  - id: peer-closes-late
    steps:
      - {on: server, do: \"l = socket tcp4\"}
      - {on: server, do: \"bind l 10.0.1.1:\$P\"}
      - {on: server, do: \"listen l\"}
      - {on: client-b, do: \"p = start $prog 10.0.1.1 \$P\"}
      - {on: server, do: \"a = accept l\", expect: ok}
      - {on: server, do: \"close a\"}
      - {on: server, do: \"wait-timewait \$P\", expect: ok}
      - {on: server, do: \"show\"}
      - {on: client-b, do: \"wait-exit p\", expect: ok =0}"
	run "$REUSELAB" run "$f" --case peer-closes-late --json
	printf '%s\n' "$output" | sed -n '/^{/,$p' >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq -r '.cases[0].steps[6].result' "$BATS_TEST_TMPDIR/r.json")" = ok ]
	tw='[.cases[0].steps[7].sockets[] | select(.state == "TIME-WAIT")] | length'
	[ "$(jq "$tw" "$BATS_TEST_TMPDIR/r.json")" -eq 1 ]
	[ "$(jq -r '.cases[0].verdict' "$BATS_TEST_TMPDIR/r.json")" = holds ]
	[ "$status" -eq 0 ]
}

@test "wait-timewait hears a peer past the case's 16th node" {
	# The same late close, in a case that ran steps in 16 other nodes
	# first: the wait watches every node the case ran in, not a fixed few.
	prog="$BATS_TEST_TMPDIR/hold.sh"
	printf '#!/bin/bash\nexec 3<>"/dev/tcp/$1/$2" || exit 1\nsleep 0.5\n' >"$prog"
	chmod +x "$prog"
	f="$BATS_TEST_TMPDIR/hosts18.yml"
	{
		printf 'name: hosts18\nnodes:\n'
		for i in $(seq 18); do
			printf '  h%d:\n    interfaces:\n      eth0: [10.0.0.%d/24]\n' "$i" "$i"
		done
		printf 'lans:\n  seg:\n    members: [%s]\ncases:\n' \
			"$(seq -f 'h%g:eth0' -s ', ' 18)"
		printf '  - id: peer-17th\n    steps:\n'
		for i in $(seq 16); do
			printf '      - {on: h%d, do: "s = socket tcp4"}\n' "$i"
		done
		printf '      - {on: h17, do: "l = socket tcp4"}\n'
		printf '      - {on: h17, do: "bind l 10.0.0.17:$P"}\n'
		printf '      - {on: h17, do: "listen l"}\n'
		printf '      - {on: h18, do: "p = start %s 10.0.0.17 $P"}\n' "$prog"
		printf '      - {on: h17, do: "a = accept l", expect: ok}\n'
		printf '      - {on: h17, do: "close a"}\n'
		printf '      - {on: h17, do: "wait-timewait $P", expect: ok}\n'
		printf '      - {on: h18, do: "wait-exit p", expect: ok =0}\n'
	} >"$f"
	run "$REUSELAB" run "$f" --case peer-17th --json
	printf '%s\n' "$output" | sed -n '/^{/,$p' >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq -r '.cases[0].steps[22].call' "$BATS_TEST_TMPDIR/r.json")" = wait-timewait ]
	[ "$(jq -r '.cases[0].steps[22].result' "$BATS_TEST_TMPDIR/r.json")" = ok ]
	[ "$(jq -r '.cases[0].verdict' "$BATS_TEST_TMPDIR/r.json")" = holds ]
	[ "$status" -eq 0 ]
}

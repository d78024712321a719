#!/usr/bin/env bats
# A reader that goes away (`reuselab ... | head -1`): the command stops
# quietly, as coreutils do under SIGPIPE (no "Broken pipe", exit 141), once it
# has removed everything it built.  The pipe's reader is closed before the
# command starts, which is where `| head -1` leaves it once it has its line,
# without the race.  As root; every lab is run-unique and removed.
load helpers

setup_file() {
	export PL
	PL=$(uniq_lab cp)
	"$REUSELAB" up topologies/two-nics.yml --name "$PL" >/dev/null
}

teardown_file() {
	force_down "$PL"
}

# Run "$@" with stdout a pipe nobody reads any more, SIGPIPE at its default
# as a shell leaves it: $status, $output (empty) and $stderr as bats `run`.
into_closed_pipe() {
	run --separate-stderr python3 -c 'import os, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
os.close(w)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

@test "matrix LAB NODE | head: quiet, 141, the lab as it was" {
	into_closed_pipe "$REUSELAB" matrix "$PL" server
	[[ "$stderr" != *"Broken pipe"* ]]
	[ -z "$stderr" ]
	[ "$status" -eq 141 ]
	[ "$(lab_namespaces "$PL" | wc -l)" -eq 3 ]
}

@test "probe LAB | head, status LAB | head: quiet, 141" {
	into_closed_pipe "$REUSELAB" probe "$PL" --claim C1
	[[ "$stderr" != *"Broken pipe"* ]]
	[ "$status" -eq 141 ]
	into_closed_pipe "$REUSELAB" status "$PL"
	[ -z "$stderr" ]
	[ "$status" -eq 141 ]
}

@test "exec LAB NODE -- CMD | head: CMD gets SIGPIPE, not an ignored one" {
	into_closed_pipe "$REUSELAB" exec "$PL" server -- seq 1000000
	[[ "$stderr" != *"Broken pipe"* ]]
	[ -z "$stderr" ]
	[ "$status" -eq 141 ]
}

@test "run --matrix | head: quiet, 141" {
	into_closed_pipe "$REUSELAB" run topologies/two-nics.yml --matrix server
	[[ "$stderr" != *"Broken pipe"* ]]
	[ "$status" -eq 141 ]
}

@test "run FILE | head: quiet, 141, no program it started is left" {
	# In a PID namespace of its own, where every daytimed is the run's.
	into_closed_pipe unshare --pid --fork --mount-proc bash -c \
		'"$0" run topologies/daytime.yml; rc=$?
		! pgrep daytimed >/dev/null || echo LEFT-BEHIND >&2; exit $rc' "$REUSELAB"
	[[ "$stderr" != *"Broken pipe"* ]]
	[[ "$stderr" != *LEFT-BEHIND* ]]
	[ "$status" -eq 141 ]
}

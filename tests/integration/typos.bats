#!/usr/bin/env bats
# Near misses of a command or option name: one line with a suggestion,
# exit 2, no help text; far misses keep pointing at --help.
load helpers

@test "a mistyped command suggests the nearest one" {
	run "$REUSELAB" statsu
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: unknown command 'statsu'; did you mean 'status'?" ]
	run "$REUSELAB" grpah
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: unknown command 'grpah'; did you mean 'graph'?" ]
	run "$REUSELAB" xyzzy
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: unknown command 'xyzzy' (try 'reuselab --help')" ]
}

@test "a mistyped option suggests the nearest one, in one line" {
	run "$REUSELAB" up --nmae x topologies/two-nics.yml
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: up: unknown option '--nmae'; did you mean '--name'?" ]
	run "$REUSELAB" check --quite topologies/two-nics.yml
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: check: unknown option '--quite'; did you mean '--quiet'?" ]
	run "$REUSELAB" cases --jsno
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: cases: unknown option '--jsno'; did you mean '--json'?" ]
	run "$REUSELAB" up --dry-rn topologies/two-nics.yml
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: up: unknown option '--dry-rn'; did you mean '--dry-run'?" ]
}

@test "every command reports a bad option in one line without its help" {
	for c in up down status verify check graph probe cases matrix; do
		run "$REUSELAB" "$c" --bogus-option x
		[ "$status" -eq 2 ] || { echo "$c: $status"; false; }
		[ "${#lines[@]}" -eq 1 ] || { echo "$c: $output"; false; }
		[ "$output" = "reuselab: $c: unknown option '--bogus-option' (try 'reuselab $c --help')" ] || { echo "$c: $output"; false; }
	done
}

@test "a missing or extra operand is one line pointing at --help, not the help itself" {
	for argv in "matrix lab" "matrix lab server extra" "matrix" "diff a.json" "diff" \
		"cases bogus" "up" "up a.yml b.yml" "down" "verify" "exec lab" "check" "graph" \
		"probe" "run" "labs x" "kernels x"; do
		read -ra a <<<"$argv"
		run --separate-stderr "$REUSELAB" "${a[@]}"
		[ "$status" -eq 2 ] || { echo "$argv: $status"; false; }
		[ -z "$output" ] || { echo "$argv: stdout: $output"; false; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$argv: $stderr"; false; }
		[[ "$stderr" == "reuselab: ${a[0]}: "*"(try 'reuselab ${a[0]} --help')" ]] || { echo "$argv: $stderr"; false; }
	done
}

@test "options missing a value or given one they do not take" {
	run "$REUSELAB" up topologies/two-nics.yml --name
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: up: option '--name' needs a value (try 'reuselab up --help')" ]
	run "$REUSELAB" up topologies/two-nics.yml -n
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: up: option '-n' needs a value (try 'reuselab up --help')" ]
	run "$REUSELAB" up --dry-run=yes topologies/two-nics.yml
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: up: option '--dry-run' takes no value (try 'reuselab up --help')" ]
	run "$REUSELAB" cases -x
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: cases: unknown option '-x' (try 'reuselab cases --help')" ]
}

@test "a node indented under another is named as swallowed" {
	run "$REUSELAB" check tests/bad/node-swallowed.yml
	[ "$status" -eq 2 ]
	[[ "$output" == *"node 'client' is indented under node 'server', which swallowed it"* ]]
	[[ "$output" != *"duplicate key"* ]]
}

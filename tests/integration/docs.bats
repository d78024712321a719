#!/usr/bin/env bats
# What the documentation tells people to run works as printed, also in a
# root shell without sudo (a container).
load helpers

setup() {
	L=$(uniq_lab d)
}

teardown() {
	force_down "$L"
}

DOCS="README.md docs/*.md docs/*.1 docs/*.5 topologies/*.yml"

@test "examples run commands bare and say 'as root (or with sudo)' instead of prefixing sudo" {
	# a command line (shell block, console prompt, man example, lab
	# comment, inline code) that starts with sudo
	bad=$(grep -nE '^(\$ |# |#   )?sudo |`sudo ' $DOCS || true)
	[ -z "$bad" ] || { echo "$bad"; false; }
	for f in README.md docs/cases.md docs/report.md docs/topology.md docs/reuselab.1 topologies/*.yml; do
		grep -qiE 'as root,? \(?or with sudo' "$f" || { echo "$f: no 'as root (or with sudo)'"; false; }
	done
}

@test "the README's quick tour runs as printed in a root shell" {
	# every ./reuselab line of the tour, on a lab name of this run
	tour=$(sed -n '/^`check` and `graph` need no privileges/,/^```$/p' README.md |
		grep -E '^(\./reuselab|ip netns) ' | sed 's/ *#.*//' |
		grep -v -- '--name ci-1' | grep -v '> two-nics.svg')
	[ "$(wc -l <<<"$tour")" -ge 9 ]
	"$REUSELAB" up topologies/two-nics.yml --name "$L" >/dev/null
	while read -r line; do
		[[ "$line" == "./reuselab up "* ]] && continue # built above under $L
		line=$(sed -E "s/(^| )two-nics( |$)/\1$L\2/g; s/rl-two-nics\./rl-$L./g" <<<"$line")
		line=${line/#.\/reuselab/$REUSELAB}
		read -ra argv <<<"$line"
		run "${argv[@]}"
		[ "$status" -eq 0 ] || { echo "$line: $status: $output"; false; }
	done <<<"$tour"
	[ -z "$(lab_namespaces "$L")" ]
}

@test "reuselab-cases(7): generated from the step table, every step with an example, linked where users look" {
	# the STEPS section is what the table says now
	run tests/tools/steps-man --check "$REUSELAB" docs/reuselab-cases.7
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run groff -man -Tutf8 -ww docs/reuselab-cases.7
	[ "$status" -eq 0 ]
	[ -z "$(groff -man -Tutf8 -ww docs/reuselab-cases.7 2>&1 >/dev/null)" ]
	page=$(MANWIDTH=100 man -l docs/reuselab-cases.7 2>/dev/null)
	# every step of `cases --steps` is on the page, with its example
	n=0
	while IFS=$'\t' read -r syn ex; do
		grep -qF -- "$syn" <<<"$page" || { echo "missing: $syn"; false; }
		grep -qF -- "do: \"$ex\"" <<<"$page" || { echo "no example: $ex"; false; }
		n=$((n + 1))
	done < <("$REUSELAB" cases --steps --json | jq -r '.[] | [.synopsis, .example] | @tsv')
	[ "$n" -ge 18 ]
	# linked from the format reference, the man pages and probe --help
	grep -q 'reuselab-cases(7)' docs/topology.md
	grep -q 'reuselab\\-cases (7)' docs/reuselab.1
	grep -q 'reuselab\\-cases (7)' docs/reuselab-topology.5
	"$REUSELAB" probe --help | grep -q 'reuselab-cases(7)'
}

@test "reuselab-cases(7): its EXAMPLE passes check and holds on a real lab" {
	f=$BATS_TEST_TMPDIR/example.yml
	sed '/^cases:/,$d' topologies/two-nics.yml >"$f"
	MANWIDTH=200 man -l docs/reuselab-cases.7 2>/dev/null |
		sed -n '/^EXAMPLE/,/^SEE ALSO/p' | sed -n '/^ *cases:$/,/^$/p' |
		awk 'NR == 1 { cut = index($0, "c") - 1 } { print substr($0, cut + 1) }' >>"$f"
	grep -q 'two-listeners-reuseaddr' "$f"
	run "$REUSELAB" check "$f"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	"$REUSELAB" run "$f" --name "$L" --case two-listeners-reuseaddr --json >"$BATS_TEST_TMPDIR/r.json"
	jq -r '.cases[] | select(.id == "two-listeners-reuseaddr") | .verdict' "$BATS_TEST_TMPDIR/r.json" >"$BATS_TEST_TMPDIR/v"
	cat "$BATS_TEST_TMPDIR/v"
	[ "$(cat "$BATS_TEST_TMPDIR/v")" = holds ]
}

# reuselab(1) rendered without hyphenation, a paragraph to a line as far as
# 300 columns go; then the entry of command $1 under COMMANDS: its synopsis
# line(s) and its text.
man1_entry() {
	groff -man -Tascii -P-cbou -rHY=0 -rLL=300n docs/reuselab.1 2>/dev/null |
		sed -n '/^COMMANDS/,/^EXIT STATUS/p' |
		awk -v c="$1" '/^       [a-z]/ { on = ($1 == c) } on'
}

@test "reuselab(1): every option of a command's --help is in its entry, and the usage's in its synopsis" {
	for c in up down status verify exec check graph probe cases matrix run diff kernels labs; do
		entry=$(man1_entry "$c")
		[ -n "$entry" ] || { echo "$c: no entry in reuselab(1)"; false; }
		help=$("$REUSELAB" "$c" --help)
		# the long option each option line of the help starts with
		for o in $(sed -nE 's/^ +(-[a-zA-Z], +)?(--[a-z][a-z-]*).*/\2/p' <<<"$help" | grep -vx -- --help); do
			grep -qE -- "$o([^a-z-]|$)" <<<"$entry" || { echo "$c: $o is not in reuselab(1)"; false; }
		done
		# the options of the usage lines, in the synopsis unless it says [options]
		syn=$(grep -E "^       $c( |$)" <<<"$entry")
		[[ "$syn" != *"[options]"* ]] || continue
		for o in $(awk '/^$/ { exit } { print }' <<<"$help" | grep -E "^(Usage: +)?reuselab $c( |$)|^ +reuselab $c( |$)|^ +\[" |
			grep -oE -- '--[a-z][a-z-]*'); do
			grep -qE -- "$o([^a-z-]|$)" <<<"$syn" || { echo "$c: $o is not in the synopsis: $syn"; false; }
		done
	done
}

@test "the namespaces the docs tell people to enter are named rl-LAB.NODE" {
	found=$({ grep -ohE 'ip (netns exec|-n) rl-[^ `]+' README.md docs/*.md topologies/*.yml || true
		for m in docs/reuselab.1 docs/reuselab-topology.5 docs/reuselab-cases.7; do
			groff -man -Tascii -P-cbou -rHY=0 -rLL=300n "$m" 2>/dev/null |
				grep -oE 'ip (netns exec|-n) rl-[^ ]+' || true
		done; })
	[ -n "$found" ]
	bad=$(grep -vE ' rl-[a-z0-9-]+\.[a-z0-9-]*[a-z0-9]$' <<<"$found" || true)
	[ -z "$bad" ] || { echo "$bad"; false; }
}

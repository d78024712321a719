#!/usr/bin/env bats
# The command line as users meet it: help, version, man pages, install,
# bash completion (against a real lab for lab and node names).
load helpers

setup() {
	L=$(uniq_lab c)
}

teardown() {
	force_down "$L"
}

@test "every command has --help on stdout, exit 0" {
	for c in up down status ls verify exec check graph probe cases matrix run diff labs; do
		run "$REUSELAB" "$c" --help
		[ "$status" -eq 0 ] || { echo "$c: $status"; false; }
		[[ "$output" == "Usage: reuselab $c"* || ( "$c" = ls && "$output" == *"reuselab ls"* ) ]] || { echo "$c: $output"; false; }
	done
	run "$REUSELAB" --help
	[ "$status" -eq 0 ]
	for c in up down status verify exec check graph probe cases matrix run diff; do
		[[ "$output" == *"  $c "* ]]
	done
}

@test "help says what the commands do: probe of a lab not up is 2, ls takes --verify" {
	run "$REUSELAB" probe "$L"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: lab '$L' is not up (no state in /run/reuselab; see 'reuselab status')" ]
	help=$("$REUSELAB" probe --help | tr '\n' ' ')
	[[ "$help" == *"2 bad usage or input (a LAB that is not up included), 3 system failure"* ]]
	[[ "$help" != *"3 system failure (lab not running"* ]]
	run "$REUSELAB" ls "$L" --verify
	[ "$status" -eq 2 ]
	"$REUSELAB" ls --help | grep -q '^       reuselab ls \[LAB|FILE...\] \[--json\] \[--verify\]$'
}

@test "run: an option of --kernel or --matrix without it, or the probe's with --matrix: one line, exit 2" {
	for a in "--accel tcg" "--kernel-log x.log" "--kernel-timeout 5" "--proto udp" "--axes dual" \
		"--addr A=10.0.1.1"; do
		run --separate-stderr "$REUSELAB" run topologies/two-nics.yml $a
		[ "$status" -eq 2 ] || { echo "$a: $status"; false; }
		want=--kernel
		[[ $a == --proto* || $a == --axes* || $a == --addr* ]] && want=--matrix
		[[ $stderr == "reuselab: run: ${a%% *} goes with $want "* ]] || { echo "$a: $stderr"; false; }
		[ "${#stderr_lines[@]}" -eq 1 ]
		[ -z "$output" ]
	done
	for a in "--case x" "--claim C1" "--junit j.xml" "--wide" "--keep"; do
		run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --matrix server $a
		[ "$status" -eq 2 ]
		[ "$stderr" = "reuselab: run --matrix: ${a%% *} is the probe's, not the matrix's (it takes --json, --proto, --axes, --addr, --name)" ]
	done
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --matrix server --bogus
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ ! -e j.xml ] && [ ! -e x.log ]
}

@test "--version names the version; no arguments is a usage error" {
	run "$REUSELAB" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^reuselab\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run "$REUSELAB"
	[ "$status" -eq 2 ]
}

@test "man pages render without warnings" {
	for m in docs/reuselab.1 docs/reuselab-topology.5 docs/reuselab-cases.7; do
		run groff -man -Tutf8 -ww "$m"
		[ "$status" -eq 0 ]
		[ -z "$(groff -man -Tutf8 -ww "$m" 2>&1 >/dev/null)" ]
	done
	[[ "$(groff -man -Tutf8 -P-cbou docs/reuselab.1 2>/dev/null)" == *"EXIT STATUS"* ]]
}

@test "make install honours PREFIX and DESTDIR" {
	d=$BATS_TEST_TMPDIR/root
	run make --no-print-directory install DESTDIR="$d" PREFIX=/opt/rl
	[ "$status" -eq 0 ]
	[ -x "$d/opt/rl/bin/reuselab" ]
	[ -f "$d/opt/rl/share/man/man1/reuselab.1" ]
	[ -f "$d/opt/rl/share/man/man5/reuselab-topology.5" ]
	[ -f "$d/opt/rl/share/man/man7/reuselab-cases.7" ]
	[ -f "$d/opt/rl/share/bash-completion/completions/reuselab" ]
	[[ "$("$d/opt/rl/bin/reuselab" --version)" == reuselab* ]]
}

# Prints completions for the words given, in a bash without startup files,
# extglob or the bash-completion package.
complete_words() {
	bash --norc --noprofile -c 'shopt -u extglob; source docs/reuselab.bash-completion
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _reuselab
		printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}

# Lab names come from every lab on the host: only in a private /run
# (private_test), where the one lab is this test's and the answer is exact.
@test "bash completion: commands, lab names, node names" {
	[ "$(complete_words "$REUSELAB" pr)" = probe ]
	export -f complete_words
	private_test '
		"$REUSELAB" up topologies/two-nics.yml --name "$1" >/dev/null
		[ "$(complete_words reuselab down "${1:0:3}")" = "$1" ]
		[ "$(complete_words reuselab exec "${1:0:3}")" = "$1" ]
		[ "$(complete_words reuselab exec "$1" cl | sort | tr "\n" " ")" = "client-b client-c " ]
		out=$(complete_words reuselab matrix "$1" "")
		[[ "$out" == *server* ]]
		[[ "$out" != *.lans* ]]
		# a topology FILE in the lab position, its nodes by its name:
		sed "s/^name: .*/name: $1/" topologies/two-nics.yml >"$2"
		[ "$(complete_words reuselab exec "${2%.yml}")" = "$2" ]
		[ "$(complete_words reuselab exec "$2" cl | sort | tr "\n" " ")" = "client-b client-c " ]
		[[ "$(complete_words reuselab matrix "$2" "")" == *server* ]]' "$L" "$BATS_TEST_TMPDIR/lab.yml"
}

@test "bash completion: plain bash -i, each command's own options, case ids and claims" {
	# sourcing in an interactive bash without startup files registers it
	run bash --norc --noprofile -i -c 'source docs/reuselab.bash-completion && complete -p reuselab' </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"complete -F _reuselab reuselab"* ]]
	want() { [ "$(complete_words "$REUSELAB" "$@" | sort | tr '\n' ' ')" = "$W" ] || { echo "$*: $(complete_words "$REUSELAB" "$@" | tr '\n' ' ')"; false; }; }
	W="--dry-run --help --name " want up --
	W="--help --mermaid " want graph -
	W="--help --quiet " want check --
	W="--all --force-name --help --name --quiet " want down -
	W="--claim --help --json --steps " want cases -
	W="--addr --axes --help --html --json --proto " want matrix lab node -
	W="all dual v4 " want matrix lab node --axes ""
	W="tcp udp " want matrix lab node --proto ""
	W="--help " want diff -
	# case ids from the catalog, and from the topology file on the line
	W="c1-two-servers-none c1-two-servers-reuseaddr c1-two-servers-reuseport " want probe lab --case c1-two
	W="mlan-group-none mlan-group-reuseaddr mlan-group-reuseaddr-second-only mlan-group-reuseport " \
		want run topologies/multicast-lan.yml --case mlan-gr
	W="C1 C10 C11 C12 " want cases --claim C1
	# a claim with a space or parentheses comes back as one quoted word
	W='UNP\ 7.5 ' want probe lab --claim U
	W='UNP\ 7.5 ' want probe lab --claim 'UNP\ 7'
	W='ipv6\(7\) ' want cases --claim ip
	# topology files and directories only
	W="topologies/two-nics.yml " want up topologies/two
	W="topologies " want run topolog
	[ -z "$(complete_words "$REUSELAB" check README)" ]
}

@test "reuselab(1): no command synopsis is broken inside a [...] group, at any width" {
	for w in 60 80 100; do
		out=$(MANWIDTH=$w man -l docs/reuselab.1 2>/dev/null)
		[[ "$out" == *"cases [--json] [--claim Cn]..."* ]]
		[[ "$out" == *"graph [--mermaid] FILE"* ]]
		# every rendered line closes the brackets it opens
		bad=$(awk '{ o = gsub(/\[/, "["); c = gsub(/\]/, "]"); if (o != c) print }' <<<"$out")
		[ -z "$bad" ] || { echo "width $w: $bad"; false; }
	done
}

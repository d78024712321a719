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

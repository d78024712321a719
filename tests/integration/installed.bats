#!/usr/bin/env bats
# The installed tool finds the labs it ships: `make install` puts them in
# $(PREFIX)/share/reuselab/topologies, a bare lab name resolves there from
# any directory, `reuselab labs` lists them; the programs its labs start
# (daytimed) are in $(PREFIX)/libexec/reuselab.
load helpers

setup() {
	L=$(uniq_lab i)
}

teardown() {
	force_down "$L"
}

@test "installed: 'reuselab run two-nics' from / runs the catalog on the shipped lab" {
	p=$BATS_TEST_TMPDIR/prefix
	run make --no-print-directory install PREFIX="$p"
	[ "$status" -eq 0 ]
	for f in topologies/*.yml; do
		[ -f "$p/share/reuselab/topologies/${f##*/}" ] || { echo "$f not installed"; false; }
	done
	cd /
	run env -u REUSELAB_TOPOLOGIES "$p/bin/reuselab" labs
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Labs in $p/share/reuselab/topologies (run one with 'reuselab run NAME'):" ]
	[ "${#lines[@]}" -eq $(( $(ls "$REUSELAB_TOP"/topologies/*.yml | wc -l) + 1 )) ]
	[[ "$output" == *"  two-nics         one server with two NICs on two subnets"* ]]
	# the bare name and the clone's spelling both work outside the clone
	run env -u REUSELAB_TOPOLOGIES "$p/bin/reuselab" check two-nics topologies/time-wait.yml
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "$p/share/reuselab/topologies/two-nics.yml: lab two-nics: 3 nodes"* ]]
	[[ "${lines[1]}" == "$p/share/reuselab/topologies/time-wait.yml: lab time-wait:"* ]]
	env -u REUSELAB_TOPOLOGIES "$p/bin/reuselab" run two-nics --name "$L" --json >"$BATS_TEST_TMPDIR/r.json"
	[ "$(jq -r .lab "$BATS_TEST_TMPDIR/r.json")" = "$L" ]
	# the catalog ran: every C1 case has a verdict
	[ "$(jq '[.cases[] | select(.claim == "C1")] | length' "$BATS_TEST_TMPDIR/r.json")" -ge 3 ]
	[ "$(jq '[.cases[] | select(.verdict == null)] | length' "$BATS_TEST_TMPDIR/r.json")" -eq 0 ]
	[ -z "$(lab_namespaces "$L")" ]
	# the programs cases start are found in $(PREFIX)/libexec/reuselab
	[ -x "$p/libexec/reuselab/daytimed" ]
	[ ! -e "$p/bin/daytimed" ]
	env -u REUSELAB_TOPOLOGIES PATH=/usr/bin:/bin "$p/bin/reuselab" run daytime --case 'daytime-*' --json >"$BATS_TEST_TMPDIR/d.json"
	[ "$(jq -r '[.cases[].verdict] | unique | join(" ")' "$BATS_TEST_TMPDIR/d.json")" = holds ]
	[ "$(jq -r '[.cases[].programs[].command | split(" ")[0]] | unique | join(" ")' "$BATS_TEST_TMPDIR/d.json")" = "$p/libexec/reuselab/daytimed" ]
}

@test "a bare name: a file of that name wins, then \$REUSELAB_TOPOLOGIES; unknown names say cannot read" {
	d=$BATS_TEST_TMPDIR/labs
	mkdir -p "$d" "$BATS_TEST_TMPDIR/cwd"
	sed 's/^name: two-nics$/name: mine/; s/^# two-nics:/# mine:/' topologies/two-nics.yml >"$d/mine.yml"
	cd "$BATS_TEST_TMPDIR/cwd"
	run env REUSELAB_TOPOLOGIES="$d" "$REUSELAB" check mine
	[ "$status" -eq 0 ]
	[[ "$output" == "$d/mine.yml: lab mine: 3 nodes"* ]]
	run env REUSELAB_TOPOLOGIES="$d" "$REUSELAB" graph mine
	[ "$status" -eq 0 ]
	[[ "$output" == 'graph "mine" {'* ]]
	run env REUSELAB_TOPOLOGIES="$d" "$REUSELAB" up --dry-run mine
	[ "$status" -eq 0 ]
	[[ "$output" == *rl-mine.server* ]]
	# a file in the current directory named like the lab wins
	sed 's/^name: two-nics$/name: local/' "$REUSELAB_TOP/topologies/two-nics.yml" >mine
	run env REUSELAB_TOPOLOGIES="$d" "$REUSELAB" check mine
	[[ "$output" == "mine: lab local: "* ]]
	run env REUSELAB_TOPOLOGIES="$d" "$REUSELAB" check nosuch
	[ "$status" -eq 2 ]
	[ "$output" = "nosuch: error: cannot read: No such file or directory" ]
	run env REUSELAB_TOPOLOGIES="$d" "$REUSELAB" labs
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  mine             one server with two NICs on two subnets, and an IP alias plus an IPv6 address on the first." ]
}

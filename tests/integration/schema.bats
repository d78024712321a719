#!/usr/bin/env bats
# JSON output against the published schemas (docs/*.schema.json, JSON Schema
# draft 2020-12), with python3-jsonschema (Debian; in `make deps`).
load helpers

setup_file() {
	export SL
	SL=$(uniq_lab sc)
	"$REUSELAB" up topologies/two-nics.yml --name "$SL" >/dev/null
}

teardown_file() {
	force_down "$SL"
}

setup() {
	# Debian's python3 (a pyenv or venv python3 first in PATH may lack the module).
	PY=""
	for p in /usr/bin/python3 python3; do
		if "$p" -c 'import jsonschema' 2>/dev/null; then PY=$p; break; fi
	done
	[ -n "$PY" ] || skip "python3-jsonschema not installed (make deps)"
}

# validate SCHEMA FILE: prints the first errors, fails on any.
validate() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))),
                key=lambda e: list(e.path))
for e in errors[:5]:
    print("%s: /%s: %s" % (sys.argv[2], "/".join(map(str, e.path)), e.message))
sys.exit(1 if errors else 0)
PYEOF
}

@test "matrix --json matches docs/matrix.schema.json" {
	"$REUSELAB" matrix "$SL" server --json >"$BATS_TEST_TMPDIR/m.json"
	run validate docs/matrix.schema.json "$BATS_TEST_TMPDIR/m.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "matrix --axes all --json matches docs/matrix.schema.json" {
	"$REUSELAB" matrix "$SL" server --axes all --proto udp --json >"$BATS_TEST_TMPDIR/m.json"
	[ "$(jq '.addresses | length' "$BATS_TEST_TMPDIR/m.json")" -eq 9 ]
	run validate docs/matrix.schema.json "$BATS_TEST_TMPDIR/m.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "probe --json matches docs/report.schema.json" {
	run "$REUSELAB" probe "$SL" --json
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/r.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# the claims section is there, and the schema holds it to its words
	[ "$(jq '.claims | length' "$BATS_TEST_TMPDIR/r.json")" -eq 12 ]
	jq '.claims[0].verdict = "mostly"' "$BATS_TEST_TMPDIR/r.json" >"$BATS_TEST_TMPDIR/bad.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/claims/0/verdict: 'mostly' is not one of"* ]]
	jq 'del(.claims[2].conditions.differs)' "$BATS_TEST_TMPDIR/r.json" >"$BATS_TEST_TMPDIR/bad.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/claims/2/conditions: 'differs' is a required property"* ]]
	# and the report diffs cleanly against itself
	run "$REUSELAB" diff "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/r.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "status --json matches docs/status.schema.json, with routes and peers" {
	"$REUSELAB" status "$SL" --json >"$BATS_TEST_TMPDIR/s.json"
	run validate docs/status.schema.json "$BATS_TEST_TMPDIR/s.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(jq '[.[0].nodes[].routes[]] | length' "$BATS_TEST_TMPDIR/s.json")" -gt 0 ]
	[ "$(jq -r '.[0].nodes[] | select(.name=="server") | .interfaces[] | select(.name=="eth1") | .peer' "$BATS_TEST_TMPDIR/s.json")" = client-c:eth0 ]
	# and the schema rejects a peer that names no interface
	jq '.[0].nodes[0].interfaces[1].peer = "server"' "$BATS_TEST_TMPDIR/s.json" >"$BATS_TEST_TMPDIR/bad.json"
	run validate docs/status.schema.json "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/0/nodes/0/interfaces/1/peer: 'server' does not match"* ]]
}

@test "the schemas reject what they should" {
	echo '{"schema": "reuselab-report/1", "kernel": "x", "lab": "y", "sysctls": {},
	       "cases": [{"id": "c", "claim": null, "title": null, "source": null, "nodes": [],
	                  "steps": [], "predicted": null, "observed": null, "verdict": "maybe"}],
	       "summary": {"cases": 1, "holds": 0, "differs": 0, "failed": 0, "error": 0,
	                   "exit_status": 0}}' >"$BATS_TEST_TMPDIR/bad.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/cases/0/verdict: 'maybe' is not one of"* ]]
}

@test "a report with programs (the daytime lab) matches docs/report.schema.json and reads back" {
	"$REUSELAB" run topologies/daytime.yml --case 'daytime-*' --json >"$BATS_TEST_TMPDIR/d.json"
	[ "$(jq '[.cases[].programs[]] | length' "$BATS_TEST_TMPDIR/d.json")" -eq 10 ]
	[ "$(jq '[.cases[].steps[].sockets[] | select(.owner)] | length' "$BATS_TEST_TMPDIR/d.json")" -gt 0 ]
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/d.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run "$REUSELAB" diff "$BATS_TEST_TMPDIR/d.json" "$BATS_TEST_TMPDIR/d.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# and the schema checks the programs too
	jq '.cases[0].programs[0].pid = 0' "$BATS_TEST_TMPDIR/d.json" >"$BATS_TEST_TMPDIR/bad.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/cases/0/programs/0/pid: 0 is less than the minimum of 1"* ]]
}

@test "a step's expectation in full and a step in error match docs/report.schema.json" {
	user_topology 'cases:
  - id: u-exit
    steps:
      - {on: server, do: "d = start /bin/false"}
      - {on: server, do: "wait-exit d", expect: "ok =3"}
  - id: u-not-started
    steps:
      - {on: server, do: "d = start '"$BATS_TEST_TMPDIR"'/no-interpreter"}
      - {on: server, do: "wait-exit d", expect: fail}'
	# there for check, but execve fails: its interpreter is missing
	printf '#!/nonexistent/interpreter\n' >"$BATS_TEST_TMPDIR/no-interpreter"
	chmod +x "$BATS_TEST_TMPDIR/no-interpreter"
	rc=0
	"$REUSELAB" run "$f" --case 'u-*' --json >"$BATS_TEST_TMPDIR/u.json" || rc=$?
	[ "$rc" -eq 3 ]
	[ "$(jq -c '[.cases[].steps[1] | [.result, .expectation]]' "$BATS_TEST_TMPDIR/u.json")" = '[["ok","ok =3"],["error","fail"]]' ]
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/u.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# read back: the same report is no change
	run "$REUSELAB" diff "$BATS_TEST_TMPDIR/u.json" "$BATS_TEST_TMPDIR/u.json"
	[ "$status" -eq 0 ]
	jq '.cases[1].steps[1].result = "erro"' "$BATS_TEST_TMPDIR/u.json" >"$BATS_TEST_TMPDIR/bad.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/bad.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/cases/1/steps/1/result: 'erro' does not match"* ]]
}

@test "a case's time (wall and CPU, in µs) is in every report, and the schema checks it" {
	run "$REUSELAB" probe "$SL" --case 'c1-*' --case reuseport-spread --json
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/r.json"
	run validate docs/report.schema.json "$BATS_TEST_TMPDIR/r.json"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# every case ran for some time and took some CPU: 30 connections cost more than nothing
	[ "$(jq '[.cases[] | select(.time.wall_us > 0)] | length' "$BATS_TEST_TMPDIR/r.json")" -eq 7 ]
	[ "$(jq '.cases[] | select(.id == "reuseport-spread") | .time.cpu_us' "$BATS_TEST_TMPDIR/r.json")" -gt 0 ]
	# a time is what a run cost, not an outcome: diff does not report it
	jq '.cases[0].time.wall_us += 1000000 | .cases[0].time.cpu_us = 0' "$BATS_TEST_TMPDIR/r.json" \
		>"$BATS_TEST_TMPDIR/slow.json"
	run "$REUSELAB" diff "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/slow.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	for bad in '.cases[0].time.wall_us = -1' '.cases[0].time.cpu_us = 1.5' 'del(.cases[0].time)' \
		'.cases[0].time.ms = 3'; do
		jq "$bad" "$BATS_TEST_TMPDIR/r.json" >"$BATS_TEST_TMPDIR/bad.json"
		run validate docs/report.schema.json "$BATS_TEST_TMPDIR/bad.json"
		[ "$status" -eq 1 ] || { echo "schema accepted: $bad"; false; }
		[[ "$output" == *"/cases/0"* ]]
	done
}

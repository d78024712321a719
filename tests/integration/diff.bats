#!/usr/bin/env bats
# reuselab diff: probe reports and bind matrices, changed outcomes only, and
# exit 0 (same) / 1 (changes) / 2 (bad input).  Inputs are written here with
# jq, so the test needs no lab.
load helpers

setup() {
	D="$BATS_TEST_TMPDIR"
	jq -n '{
	  schema: "reuselab-report/1", kernel: "6.1.0", lab: "t",
	  sysctls: {"net.ipv6.bindv6only": "0"},
	  cases: [
	    {id: "restart-tw-none", claim: "C3", title: "restart over TIME-WAIT", source: "UNP",
	     nodes: ["server"],
	     steps: [{node: "server", call: "bind", args: "bind n *:10013", result: "EADDRINUSE",
	              sockets: [{proto: "tcp", state: "TIME-WAIT", local: "10.0.1.1:10013",
	                         remote: "10.0.1.3:40012", uid: 0}]}],
	     predicted: "EADDRINUSE", observed: "EADDRINUSE", verdict: "holds"},
	    {id: "dup-udp", claim: "C6", title: null, source: null, nodes: ["server"],
	     steps: [{node: "server", call: "bind", args: "bind b 10.0.1.1:5000", result: "ok",
	              sockets: []}],
	     predicted: "ok", observed: "ok", verdict: "holds"}
	  ],
	  summary: {cases: 2, holds: 2, differs: 0, failed: 0, error: 0, exit_status: 0}
	}' >"$D/a.json"
	jq -n '{schema: "reuselab-matrix/1", kernel: "6.1.0", lab: "t", node: "server",
	  cells: [
	    {proto: "tcp", state: "time-wait", first: {opts: "reuseaddr", addr: "A"},
	     second: {opts: "none", addr: "A"}, uid: "same", result: "EADDRINUSE"},
	    {proto: "udp", state: "bound", first: {opts: "none", addr: "A"},
	     second: {opts: "none", addr: "other"}, uid: "other", result: "ok"}
	  ]}' >"$D/m.json"
}

@test "a report against itself: no output, exit 0" {
	run "$REUSELAB" diff "$D/a.json" "$D/a.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# reformatting is not a change
	jq -c . "$D/a.json" >"$D/compact.json"
	run "$REUSELAB" diff "$D/a.json" "$D/compact.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a step that became another one with the same result says which step on each side" {
	jq '(.cases[] | select(.id == "dup-udp") | .steps[0]) |= (.node = "client" | .call = "connect"
		| .args = "connect b 10.0.1.1:5000")' "$D/a.json" >"$D/b.json"
	run "$REUSELAB" diff "$D/a.json" "$D/b.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "dup-udp: steps changed" ]
	[ "${lines[1]}" = "  step 1 (another step): server bind b 10.0.1.1:5000: ok -> client connect b 10.0.1.1:5000: ok" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "one changed outcome: exit 1, that case and nothing else" {
	jq '(.cases[] | select(.id == "restart-tw-none")) |= (.observed = "ok" | .verdict = "differs"
		| .steps[0].result = "ok")' "$D/a.json" >"$D/b.json"
	run "$REUSELAB" diff "$D/a.json" "$D/b.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "restart-tw-none: EADDRINUSE -> ok (verdict holds -> differs)" ]
	[ "${lines[1]}" = "  step 1 (bind n *:10013): EADDRINUSE -> ok" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" != *dup-udp* ]]
}

@test "a verdict alone or a step alone changing is reported" {
	jq '.cases[1].verdict = "failed"' "$D/a.json" >"$D/b.json"
	run "$REUSELAB" diff "$D/a.json" "$D/b.json"
	[ "$status" -eq 1 ]
	[ "$output" = "dup-udp: verdict holds -> failed (observed ok)" ]
	jq '.cases[1].steps[0].result = "EADDRINUSE"' "$D/a.json" >"$D/c.json"
	run "$REUSELAB" diff "$D/a.json" "$D/c.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "dup-udp: steps changed" ]
	[ "${lines[1]}" = "  step 1 (bind b 10.0.1.1:5000): ok -> EADDRINUSE" ]
}

@test "a claim whose verdict changed: one line, exit 1; reports without claims compare as before" {
	jq '.claims = [{id: "C3", claim: "restart", verdict: "holds-with-conditions",
		conditions: {holds: ["same program"], differs: ["new socket only"]},
		cases: [{id: "restart-tw-none", when: "same program", article_setting: true, verdict: "holds"}]}]' \
		"$D/a.json" >"$D/ca.json"
	jq '.claims[0].verdict = "differs"' "$D/ca.json" >"$D/cb.json"
	run "$REUSELAB" diff "$D/ca.json" "$D/cb.json"
	[ "$status" -eq 1 ]
	[ "$output" = "claim C3: holds-with-conditions -> differs" ]
	run "$REUSELAB" diff "$D/ca.json" "$D/ca.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# one side without claims (an older report): nothing to say about them
	run "$REUSELAB" diff "$D/a.json" "$D/cb.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "two runs on one kernel: values that vary from run to run are no change, exit 0" {
	# What two runs of two-nics on one kernel gave: reuseport's hash of the
	# 4-tuple picks which listener accepts and which socket gets a datagram.
	jq -n '{schema: "reuselab-report/1", kernel: "6.18.0", lab: "t", cases: [
	    {id: "ucast-dup-reuseport", claim: "UNP 7.5", title: null, source: null,
	     nodes: ["server"], predicted: "exactly one socket gets it",
	     observed: "recv (r1=1 r2=0): ok =1", verdict: "holds",
	     steps: [{node: "server", call: "recv", args: "recv r1 r2 (r1=1 r2=0)", result: "ok",
	              value: 1, sockets: []}]},
	    {id: "reuseport-spread", claim: "socket(7)", title: null, source: null,
	     nodes: ["server"], predicted: "every listener gets some connections",
	     observed: "accept-all l1: ok =9; accept-all l2: ok =21", verdict: "holds",
	     steps: [{node: "server", call: "accept-all", args: "accept-all l1", result: "ok",
	              value: 9, sockets: []},
	             {node: "server", call: "accept-all", args: "accept-all l2", result: "ok",
	              value: 21, sockets: []}]}]}' >"$D/r1.json"
	jq '.cases[0] |= (.observed = "recv (r1=0 r2=1): ok =1" | .steps[0].args = "recv r1 r2 (r1=0 r2=1)")
	  | .cases[1] |= (.observed = "accept-all l1: ok =17; accept-all l2: ok =13"
	    | .steps[0].value = 17 | .steps[1].value = 13)' "$D/r1.json" >"$D/r2.json"
	run "$REUSELAB" diff "$D/r1.json" "$D/r2.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the same answer as the table of several reports
	run "$REUSELAB" diff "$D/r1.json" "$D/r2.json" "$D/r1.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a result that changed still counts, with the case's observed text
	jq '.cases[1] |= (.observed = "accept-all l1: EMFILE =0; accept-all l2: ok =13"
	    | .steps[0].result = "EMFILE")' "$D/r2.json" >"$D/r3.json"
	run "$REUSELAB" diff "$D/r1.json" "$D/r3.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "reuseport-spread: accept-all l1: ok =9; accept-all l2: ok =21 -> accept-all l1: EMFILE =0; accept-all l2: ok =13 (verdict holds)" ]
	[ "${lines[1]}" = "  step 1 (accept-all l1): ok -> EMFILE" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "sockets, titles and the kernel are context, not outcomes" {
	jq '.kernel = "6.18.0" | .cases[0].steps[0].sockets = [] | .cases[0].title = "x"' \
		"$D/a.json" >"$D/b.json"
	run "$REUSELAB" diff "$D/a.json" "$D/b.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "cases present in only one report" {
	jq 'del(.cases[1]) | .cases += [{id: "new-case", claim: null, title: null, source: null,
		nodes: [], steps: [], predicted: null, observed: "ok", verdict: "holds"}]' \
		"$D/a.json" >"$D/b.json"
	run "$REUSELAB" diff "$D/a.json" "$D/b.json"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "dup-udp: only in $D/a.json" ]
	[ "${lines[1]}" = "new-case: only in $D/b.json" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "a case skipped in one report and run in the other: one line, exit 1" {
	jq '(.cases[] | select(.id == "restart-tw-none")) |= (.steps = [] | .nodes = []
		| .observed = null | .verdict = "skipped"
		| .skip_reason = "the lab has no node for role '"'cli2'"'")' "$D/a.json" >"$D/s.json"
	run "$REUSELAB" diff "$D/a.json" "$D/s.json"
	[ "$status" -eq 1 ]
	[ "$output" = "restart-tw-none: verdict holds -> skipped (the lab has no node for role 'cli2')" ]
	run "$REUSELAB" diff "$D/s.json" "$D/a.json"
	[ "$status" -eq 1 ]
	[ "$output" = "restart-tw-none: verdict skipped -> holds (the lab has no node for role 'cli2')" ]
	# skipped in both is no change, whatever the reasons say
	jq '.cases[0].skip_reason = "the lab has no value for $A2"' "$D/s.json" >"$D/s2.json"
	run "$REUSELAB" diff "$D/s.json" "$D/s2.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "matrices: changed cells only" {
	run "$REUSELAB" diff "$D/m.json" "$D/m.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	jq '.cells[0].result = "ok"' "$D/m.json" >"$D/m2.json"
	run "$REUSELAB" diff "$D/m.json" "$D/m2.json"
	[ "$status" -eq 1 ]
	[ "$output" = "tcp time-wait first reuseaddr@A second none@A uid same: EADDRINUSE -> ok" ]
	jq 'del(.cells[1])' "$D/m.json" >"$D/m3.json"
	run "$REUSELAB" diff "$D/m.json" "$D/m3.json"
	[ "$status" -eq 1 ]
	[ "$output" = "udp bound first none@A second none@other uid other: only in $D/m.json" ]
}

@test "bad input: one line naming the file and the cause, exit 2" {
	run "$REUSELAB" diff "$D/a.json" "$D/missing.json"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: diff: $D/missing.json: cannot read: No such file or directory" ]

	printf '{"schema": "reuselab-report/1",\n "cases": [\n' >"$D/trunc.json"
	run "$REUSELAB" diff "$D/trunc.json" "$D/a.json"
	[ "$status" -eq 2 ]
	[[ "$output" == "reuselab: diff: $D/trunc.json:3: not JSON: "* ]]
	[ "${#lines[@]}" -eq 1 ]

	echo 'not json at all' >"$D/text.json"
	run "$REUSELAB" diff "$D/a.json" "$D/text.json"
	[ "$status" -eq 2 ]
	[[ "$output" == "reuselab: diff: $D/text.json:1: not JSON: "* ]]

	echo '{"a": 1} {"b": 2}' >"$D/two.json"
	run "$REUSELAB" diff "$D/two.json" "$D/a.json"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: diff: $D/two.json:1: not JSON: text after the JSON value" ]

	echo '{"schema": "other/9", "cases": []}' >"$D/other.json"
	run "$REUSELAB" diff "$D/a.json" "$D/other.json"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: diff: $D/other.json: unknown schema 'other/9' (known: reuselab-report/1, reuselab-matrix/1)" ]

	echo '[1, 2]' >"$D/arr.json"
	run "$REUSELAB" diff "$D/arr.json" "$D/a.json"
	[ "$status" -eq 2 ]
	[[ "$output" == "reuselab: diff: $D/arr.json: "* ]]

	jq '.cases[0].id = 7' "$D/a.json" >"$D/badid.json"
	run "$REUSELAB" diff "$D/a.json" "$D/badid.json"
	[ "$status" -eq 2 ]
	[ "$output" = "reuselab: diff: $D/badid.json: bad input: case 1 is malformed" ]

	run "$REUSELAB" diff "$D/a.json" "$D/m.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"is a reuselab-report/1 but $D/m.json is a reuselab-matrix/1"* ]]

	run "$REUSELAB" diff "$D/a.json"
	[ "$status" -eq 2 ]
	run "$REUSELAB" diff "$D"  "$D/a.json"
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot read: Is a directory" ]]
}

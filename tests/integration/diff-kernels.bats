#!/usr/bin/env bats
# reuselab diff over three or more probe reports (the same lab on several
# kernels): one row per case whose step results differ, one column per
# report headed by its kernel.  Inputs are written with jq: no lab needed.
load helpers

setup() {
	D="$BATS_TEST_TMPDIR"
	jq -n '{
	  schema: "reuselab-report/1", kernel: "6.1.0", lab: "t", sysctls: {},
	  cases: [
	    {id: "v6only0-after-v4wild", claim: null, title: null, source: "ipv6(7)", nodes: ["server"],
	     steps: [{node: "server", call: "bind", args: "bind s4 0.0.0.0:1", result: "ok", sockets: []},
	             {node: "server", call: "bind", args: "bind s6 [::]:1", result: "EADDRINUSE", sockets: []}],
	     predicted: "EADDRINUSE", observed: "bind s6: EADDRINUSE", verdict: "holds"},
	    {id: "dup-udp", claim: "C6", title: null, source: null, nodes: ["server"],
	     steps: [{node: "server", call: "bind", args: "bind b 10.0.1.1:5000", result: "ok",
	              value: 3, sockets: []}],
	     predicted: "ok", observed: "ok", verdict: "holds"}
	  ],
	  summary: {cases: 2, holds: 2, differs: 0, failed: 0, error: 0, exit_status: 0}
	}' >"$D/a.json"
	jq '.kernel = "6.12.0" | .cases[1].steps[0].value = 7' "$D/a.json" >"$D/b.json"
	jq '.kernel = "6.18.0" | .cases[0].steps[1].result = "ok" | .cases[0].verdict = "differs"' \
		"$D/a.json" >"$D/c.json"
}

@test "three reports that agree (values aside): exit 0, no output" {
	run "$REUSELAB" diff "$D/a.json" "$D/b.json" "$D/a.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "one case differing on one kernel: a row with each kernel's result" {
	run "$REUSELAB" diff "$D/a.json" "$D/b.json" "$D/c.json"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	read -ra head <<<"${lines[0]}"
	[ "${head[*]}" = "case 6.1.0 6.12.0 6.18.0" ]
	[[ "${lines[1]}" =~ ^v6only0-after-v4wild\ +bind\ server:\ EADDRINUSE\ +bind\ server:\ EADDRINUSE\ +bind\ server:\ ok\ *$ ]]
}

@test "a case one report lacks shows '-' in that column" {
	jq 'del(.cases[1])' "$D/b.json" >"$D/b1.json"
	run "$REUSELAB" diff "$D/a.json" "$D/b1.json" "$D/a.json"
	[ "$status" -eq 1 ]
	[[ "${lines[1]}" =~ ^dup-udp\ +bind\ server:\ ok\ +-\ +bind\ server:\ ok\ *$ ]]
}

@test "a file that is not a report: one line naming it, exit 2" {
	echo '{"schema": "reuselab-matrix/1", "cells": []}' >"$D/m.json"
	run --separate-stderr "$REUSELAB" diff "$D/a.json" "$D/b.json" "$D/m.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: diff: $D/m.json: not a reuselab-report/1 JSON report" ]
	run --separate-stderr "$REUSELAB" diff "$D/a.json" "$D/b.json" "$D/none.json"
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "reuselab: diff: $D/none.json: "* ]]
}

# Three bind matrices (reuselab-matrix/1): one cell differs on one kernel.
matrices() {
	jq -n '{schema: "reuselab-matrix/1", kernel: "5.10.0", lab: "t", node: "server",
	  cells: [
	    {proto: "tcp", state: "bound", first: {opts: "none", addr: "v6only-wildcard"},
	     second: {opts: "none", addr: "mapped-A"}, uid: "same", result: "ok", port: 10000},
	    {proto: "tcp", state: "bound", first: {opts: "none", addr: "wildcard"},
	     second: {opts: "none", addr: "v6-wildcard"}, uid: "same", result: "EADDRINUSE", port: 10001}
	  ]}' >"$D/m1.json"
	jq '.kernel = "6.1.0" | .cells[0].result = "EADDRINUSE"' "$D/m1.json" >"$D/m2.json"
	jq '.kernel = "6.18.0"' "$D/m1.json" >"$D/m3.json"
}

@test "three matrices: one row per differing cell, one column per kernel with its errno" {
	matrices
	run "$REUSELAB" diff "$D/m1.json" "$D/m2.json" "$D/m3.json"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	read -ra head <<<"${lines[0]}"
	[ "${head[*]}" = "cell 5.10.0 6.1.0 6.18.0" ]
	read -ra row <<<"${lines[1]}"
	[ "${row[*]}" = "tcp bound first none@v6only-wildcard second none@mapped-A uid same ok EADDRINUSE ok" ]
	run "$REUSELAB" diff "$D/m1.json" "$D/m3.json" "$D/m1.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a cell one matrix lacks (other --axes): "-"
	jq 'del(.cells[1])' "$D/m3.json" >"$D/m4.json"
	run "$REUSELAB" diff "$D/m1.json" "$D/m1.json" "$D/m4.json"
	[ "$status" -eq 1 ]
	[[ "${lines[1]}" =~ ^tcp\ bound\ first\ none@wildcard\ second\ none@v6-wildcard\ uid\ same\ +EADDRINUSE\ +EADDRINUSE\ +-\ *$ ]]
	# a probe report among matrices is bad input
	run --separate-stderr "$REUSELAB" diff "$D/m1.json" "$D/m2.json" "$D/a.json"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: diff: $D/a.json: not a bind matrix (reuselab-matrix/1)" ]
}

#!/usr/bin/env bats
# The corpus (tests/corpus/*.yml): scenarios of the kernel's selftests
# (tools/testing/selftests/net) and gVisor's socket tests
# (test/syscalls/linux) re-expressed as reuselab user cases, each `expect:`
# what the source test asserts.  Every file runs as an ephemeral lab and every
# one of its cases must hold on the running kernel.  A file is named after its
# source (kselftest-FILE.yml for FILE.c, gvisor-FILE.yml for FILE.cc) and each
# case names that file as its claim and the test in its description.
load helpers

# src FILE: the source file a corpus file re-expresses.
src() {
	local b=${1##*/}
	b=${b%.yml}
	case "$b" in
	kselftest-*) echo "${b#kselftest-}.c" ;;
	gvisor-*) echo "${b#gvisor-}.cc" ;;
	*) echo "?" ;;
	esac
}

@test "corpus: every file names a source among the suites of issue 11, and every case its source file and test" {
	local known=" bind_wildcard.c bind_timewait.c reuseaddr_conflict.c reuseport_addr_any.c reuseport_dualstack.c reuseaddr_ports_exhausted.c tcp_port_share.c sk_bind_sendto_listen.c reuseport_bpf.c reuseport_bpf_cpu.c reuseport_bpf_numa.c so_incoming_cpu.c socket_inet_loopback.cc socket_inet_loopback_nogotsan.cc socket_inet_loopback_isolated.cc socket_ipv4_udp_unbound.cc socket_ip_udp_generic.cc "
	local n=0 f s
	for f in tests/corpus/*.yml; do
		s=$(src "$f")
		[[ "$known" == *" $s "* ]] || { echo "$f: source $s is not one of the suites"; false; }
		run "$REUSELAB" check "$f"
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		# every case: claim = the source file, description names the test
		[ "$(grep -c '^  - id: ' "$f")" -eq "$(grep -c "^    claim: $s\$" "$f")" ] || { echo "$f: a case's claim is not $s"; false; }
		[ "$(grep -c '^  - id: ' "$f")" -eq "$(grep -cE "^    description: (selftests/net/$s (TEST(_F)?\(|main\(\))|gVisor $s [A-Za-z0-9]+Test\.[A-Za-z])" "$f")" ] || { echo "$f: a case does not name its test"; false; }
		n=$((n + $(grep -c '^  - id: ' "$f")))
	done
	echo "# $n corpus cases" >&3
	[ "$n" -ge 30 ]
}

@test "corpus: every scenario agrees with the running kernel" {
	local f s out
	for f in tests/corpus/*.yml; do
		s=$(src "$f")
		out="$BATS_TEST_TMPDIR/$(basename "$f" .yml).json"
		run --separate-stderr "$REUSELAB" run "$f" --claim "$s" --json
		[ "$status" -eq 0 ] || { echo "$f: exit $status: $stderr"; jq -r '.cases[] | select(.verdict != "holds") | "\(.id): \(.verdict): \(.observed) \(.error // "")"' <<<"$output"; false; }
		printf '%s\n' "$output" >"$out"
		# all of the file's cases ran, and every expectation held
		[ "$(jq '.cases | length' "$out")" -eq "$(grep -c '^  - id: ' "$f")" ]
		[ "$(jq '[.cases[] | select(.verdict != "holds")] | length' "$out")" -eq 0 ] || { jq -r '.cases[] | select(.verdict != "holds") | "\(.id): \(.observed)"' "$out"; false; }
		# and each case asserted something
		[ "$(jq '[.cases[] | select([.steps[] | select(has("expect"))] | length == 0)] | length' "$out")" -eq 0 ]
	done
}

@test "corpus: a case whose expectation the kernel does not meet fails the run (the corpus can fail)" {
	local f="$BATS_TEST_TMPDIR/flip.yml"
	# bind_timewait's assertion turned around: the kernel refuses the bind
	sed 's/bind n $s", expect: EADDRINUSE/bind n $s", expect: ok/' \
		tests/corpus/kselftest-bind_timewait.yml >"$f"
	! cmp -s "$f" tests/corpus/kselftest-bind_timewait.yml || false
	run --separate-stderr "$REUSELAB" run "$f" --claim bind_timewait.c --json
	[ "$status" -eq 1 ]
	[ "$(jq -r '.cases[] | select(.id == "bind-timewait-1-localhost") | .verdict' <<<"$output")" = failed ]
}

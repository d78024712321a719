#!/usr/bin/env bats
# Memcheck on the lifecycle commands: `up`, `probe` (of a lab that is up and
# of a FILE in an ephemeral lab), `down` of two-nics, `status`, `verify`, and
# `up` of a bridged lan and of a rolled-back build.  No definite or indirect
# leak and no memory error in any process (probe forks; children are checked
# too).  "Still reachable" blocks (libc and json-c keep global caches) are
# not counted.  Needs the non-ASan test build: valgrind cannot run ASan.
load helpers

setup() {
	command -v valgrind >/dev/null || skip "valgrind is not installed (apt-get install valgrind)"
	case $REUSELAB in
	*/build/san/*) skip "REUSELAB is the ASan build; valgrind cannot run it" ;;
	esac
	if ldd "$REUSELAB" 2>/dev/null | grep -q libasan; then
		skip "REUSELAB is linked with AddressSanitizer; valgrind cannot run it"
	fi
	L=$(uniq_lab v)
	VGLOG=$BATS_TEST_TMPDIR/vg
}

teardown() {
	force_down "$L"
}

# vg EXPECTED_STATUS ARGS...: run reuselab ARGS under memcheck, one log per
# process in $VGLOG.PID; fail on exit 99 (an error) or another status.
vg() {
	local want=$1
	shift
	rm -f "$VGLOG".*
	run valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --track-origins=no --log-file="$VGLOG.%p" "$REUSELAB" "$@"
	[ "$status" -ne 99 ] || { echo "$output"; cat "$VGLOG".*; false; }
	[ "$status" -eq "$want" ] || { echo "exit $status, expected $want: $output"; false; }
	vg_clean
}

# Every log: 0 errors, nothing definitely or indirectly lost.
vg_clean() {
	local f n=0
	for f in "$VGLOG".*; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		grep -q "ERROR SUMMARY: 0 errors" "$f" || { cat "$f"; return 1; }
		if grep -qE "(definitely|indirectly) lost: [1-9]" "$f"; then cat "$f"; return 1; fi
		grep -qE "All heap blocks were freed|definitely lost: 0 bytes" "$f" || { cat "$f"; return 1; }
	done
	[ "$n" -gt 0 ] || { echo "no valgrind log"; return 1; }
	echo "# valgrind ${BATS_TEST_DESCRIPTION%% *}: $n process(es), 0 errors, 0 lost" >&3
}

@test "up of two-nics: no memory error, no leak" {
	vg 0 up topologies/two-nics.yml --name "$L"
	[[ $output == *"lab $L is up"* ]]
}

@test "probe of two-nics: no memory error, no leak (every forked process)" {
	"$REUSELAB" up topologies/two-nics.yml --name "$L"
	vg 0 probe "$L"
}

@test "probe FILE in an ephemeral lab (as run builds): no memory error, no leak" {
	vg 0 probe topologies/two-nics.yml --case 'c1-*'
	[[ $output == *c1-two-servers-none* ]]
}

@test "down of two-nics: no memory error, no leak" {
	"$REUSELAB" up topologies/two-nics.yml --name "$L"
	vg 0 down "$L"
	[ "$output" = "lab $L is down: 3 namespaces removed" ]
	[ -z "$(lab_namespaces "$L")" ]
}

@test "status --json of two-nics: no memory error, no leak" {
	"$REUSELAB" up topologies/two-nics.yml --name "$L"
	vg 0 status "$L" --json
}

@test "status of a lab with routes and a lan: no memory error, no leak" {
	"$REUSELAB" up tests/topologies/live.yml --name "$L"
	vg 0 status "$L"
	[[ $output == *"10.1.2.0/24 via 10.1.1.254 dev eth0"* ]]
}

@test "verify of a changed lab: no memory error, no leak" {
	"$REUSELAB" up tests/topologies/live.yml --name "$L"
	ip -n "rl-$L.d" addr del 10.1.3.4/24 dev eth0
	vg 1 verify "$L"
	[ "$output" = "d:eth0: address 10.1.3.4/24 missing" ]
}

# Every lab and the exit-3 paths: in a private /run (private_test), where the
# one lab is this test's and its node r's namespace file can be swapped for
# a UTS namespace (an nsfs file with no network namespace to enter).
@test "status of every lab; verify and status that cannot read (exit 3): no memory error, no leak" {
	rm -f "$VGLOG".*
	export VGLOG
	private_test '
		vgrun() {
			valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
				--error-exitcode=99 --track-origins=no --log-file="$VGLOG.%p" "$REUSELAB" "$@"
		}
		"$REUSELAB" up tests/topologies/live.yml --name "$1" >/dev/null
		vgrun status > "$2/all"
		grep -q "^lab $1 " "$2/all"
		umount "/run/netns/rl-$1.r"
		mount --bind /proc/self/ns/uts "/run/netns/rl-$1.r"
		rc=0; vgrun verify "$1" || rc=$?
		[ "$rc" -eq 3 ]
		rc=0; vgrun status "$1" --json || rc=$?
		[ "$rc" -eq 3 ]' "$L" "$BATS_TEST_TMPDIR"
	vg_clean
}

@test "up of lan3 (bridge in the hidden namespace): no memory error, no leak" {
	vg 0 up tests/topologies/lan3.yml --name "$L"
}

@test "up rolled back by an injected fault: no memory error, no leak" {
	REUSELAB_FAULT_AT=12 vg 3 up tests/topologies/lan3.yml --name "$L"
	[[ $output == *"injected fault 12"* ]]
	[ -z "$(lab_namespaces "$L")" ]
}

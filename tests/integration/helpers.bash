# Shared by the integration tests: run-unique lab names and leak checks.
bats_require_minimum_version 1.5.0

# REUSELAB is set by tests/run-all; default to the build in the tree.
: "${REUSELAB:=$BATS_TEST_DIRNAME/../../reuselab}"
: "${REUSELAB_TOP:=$BATS_TEST_DIRNAME/../..}"
cd "$REUSELAB_TOP" || exit 1

# A lab name unique to this run (<= 24 chars): prefix + pid + random.
uniq_lab() {
	printf '%s%x%04x\n' "${1:-t}" "$$" "$RANDOM"
}

# Namespaces of lab $1 still on the host, by name only: a glob on its own
# prefix (`ip netns list` would open every namespace there, others' too).
lab_namespaces() {
	local f
	for f in /run/netns/rl-"$1".*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		echo "${f#/run/netns/}"
	done
}

# Remove lab $1 even if the test failed midway.
force_down() {
	"$REUSELAB" down -q "$1" >/dev/null 2>&1 || true
	for ns in $(lab_namespaces "$1"); do ip netns del "$ns" 2>/dev/null || true; done
}

# strace ARGS... with LeakSanitizer off: it cannot run under ptrace, and
# $REUSELAB is the ASan build under make asan (the other checks still run).
strace_without_leak_check() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}

# Kill and reap what a test started in the background (the pids in BG_PIDS).
kill_bg_pids() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# Run bash code $1 as root in a private mount namespace whose /run/netns and
# /run/reuselab are fresh, empty tmpfs mounts, so a test may plant files
# there, list all labs or run `down --all` without reaching anybody else's
# labs; every namespace made inside is mounted only there and goes when it
# ends.  The code sees $REUSELAB, exported variables and `export -f`
# functions, and $2... as "$1"...  With PRIVATE_RUN_WHOLE=1 the tmpfs covers
# all of /run instead (to plant something at /run/netns itself).  Exit 99:
# the private /run could not be made.
private_run() {
	local code=$1
	shift
	unshare -m --propagation private env REUSELAB="$REUSELAB" \
		PRIVATE_RUN_WHOLE="${PRIVATE_RUN_WHOLE:-0}" bash -c '
		if [ "$PRIVATE_RUN_WHOLE" = 1 ]; then
			mount -t tmpfs -o mode=0755 none /run || exit 99
		else
			mkdir -p /run/netns /run/reuselab &&
			mount -t tmpfs -o mode=0755 none /run/netns &&
			mount -t tmpfs -o mode=0700 none /run/reuselab || exit 99
		fi
		'"$code" bash "$@"
}

# A test body in private_run: bash code $1 (args $2...) runs under `set -e`
# like a bats test, so its first failing command ends it, named with its
# line on stderr; fails (printing all the code said) unless the code ends 0.
# As in bats, only the last command of an && list fails a test: one
# assertion a line.
private_test() {
	local code=$1
	shift
	run private_run 'set -eE
		trap '"'"'echo "private_test: line $LINENO: $BASH_COMMAND failed" >&2'"'"' ERR
		'"$code" "$@"
	[ "$status" -eq 0 ] || { echo "exit $status: $output"; return 1; }
}

# $f: two-nics with the cases YAML $1 appended (a file of this test's own).
user_topology() {
	f="$BATS_TEST_TMPDIR/user.yml"
	{ cat topologies/two-nics.yml; printf '%s\n' "$1"; } >"$f"
}

# gone PID...: no process with that pid, nor in its process group.
gone() {
	local pid
	[ $# -gt 0 ] || return 1
	for pid in "$@"; do
		[ -n "$pid" ] || return 1
		[ "$pid" != null ] || return 1
		! kill -0 "$pid" 2>/dev/null || false
		[ -z "$(pgrep -g "$pid" || true)" ]
	done
}

# Queries of the JSON report in the file $REPORT (the test file sets it).
# step_field FIELD CASE PREFIX [N]: FIELD (a jq path) of the Nth (default
# 1st) step of CASE whose args start with PREFIX.
step_field() {
	jq -r --arg c "$2" --arg p "$3" --argjson n "${4:-1}" \
		"[.cases[] | select(.id == \$c) | .steps[] | select(.args | startswith(\$p))][\$n - 1].$1" "$REPORT"
}
# res / val (0 when absent) / args CASE PREFIX [N]: that step's result, value, args.
res() {
	step_field result "$@"
}
val() {
	step_field 'value // 0' "$@"
}
args() {
	step_field args "$@"
}
# verdict CASE: the case's verdict.
verdict() {
	jq -r --arg c "$1" '.cases[] | select(.id == $c) | .verdict' "$REPORT"
}
# prog CASE NAME FIELD: a field of program NAME of CASE.
prog() {
	jq -r --arg c "$1" --arg n "$2" --arg f "$3" \
		'.cases[] | select(.id == $c) | .programs[] | select(.name == $n) | .[$f]' "$REPORT"
}

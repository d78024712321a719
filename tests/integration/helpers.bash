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

# Namespaces of lab $1 still on the host.
lab_namespaces() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^rl-$1\\." || true
}

# Remove lab $1 even if the test failed midway.
force_down() {
	"$REUSELAB" down -q "$1" >/dev/null 2>&1 || true
	for ns in $(lab_namespaces "$1"); do ip netns del "$ns" 2>/dev/null || true; done
}

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

# Run sh code $1 as root in a private mount namespace whose /run/netns and
# /run/reuselab are fresh, empty tmpfs mounts, so a test may plant files
# there or run `down --all` without reaching anybody else's labs; every
# namespace made inside is mounted only there and goes when it ends.  The code
# sees $REUSELAB, and $2... as "$1"...  With PRIVATE_RUN_WHOLE=1 the tmpfs
# covers all of /run instead (to plant something at /run/netns itself).
private_run() {
	local code=$1
	shift
	unshare -m --propagation private env REUSELAB="$REUSELAB" \
		PRIVATE_RUN_WHOLE="${PRIVATE_RUN_WHOLE:-0}" sh -c '
		if [ "$PRIVATE_RUN_WHOLE" = 1 ]; then
			mount -t tmpfs -o mode=0755 none /run || exit 99
		else
			mkdir -p /run/netns /run/reuselab &&
			mount -t tmpfs -o mode=0755 none /run/netns &&
			mount -t tmpfs -o mode=0700 none /run/reuselab || exit 99
		fi
		'"$code" sh "$@"
}

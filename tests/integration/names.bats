#!/usr/bin/env bats
# Namespace names are "rl-<lab>.<node>": lab and node names hold no '.', so
# two labs never want one name (lab X with node "b-x" is rl-X.b-x, lab "X-b"
# with node "x" is rl-X-b.x; under the old "rl-<lab>-<node>" both were
# rl-X-b-x).  The name alone still never decides what is ours: the tag does,
# and a stale file is removed only under a name the lab's own state gives it.
# Commands that enter a node (exec, probe, matrix) refuse a namespace that is
# not the lab's.
load helpers

setup() {
	X=$(uniq_lab n)
	XB="$X-b"
	# Lab X: nodes b-x and y.  Lab X-b: nodes x and z.  Once both rl-X-b-x.
	FX=$BATS_TEST_TMPDIR/x.yml
	cat > "$FX" <<-'YML'
	name: x
	nodes:
	  b-x:
	    interfaces:
	      eth0: [10.71.0.1/24]
	  y:
	    interfaces:
	      eth0: [10.71.0.2/24]
	links:
	  - endpoints: [b-x:eth0, y:eth0]
	YML
	FXB=$BATS_TEST_TMPDIR/xb.yml
	cat > "$FXB" <<-'YML'
	name: xb
	nodes:
	  x:
	    interfaces:
	      eth0: [10.72.0.1/24]
	  z:
	    interfaces:
	      eth0: [10.72.0.2/24]
	links:
	  - endpoints: [x:eth0, z:eth0]
	YML
	# For the tests that plant files and namespaces in a private /run (private_test).
	export X XB FX FXB
	export -f lab_namespaces tag_of
}

teardown() {
	force_down "$XB"
	force_down "$X"
}

# The loopback alias of namespace $1 ("" when none).
tag_of() {
	ip -n "$1" -j link show dev lo | jq -r '.[0].ifalias // ""'
}

# Lab $1 came up from file $2 and owns namespace $3.
up_ok() {
	run "$REUSELAB" up "$2" --name "$1"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(tag_of "$3")" = "reuselab:$1" ]
}

# Both labs are up side by side, each with its own namespaces and tags.
both_up() {
	[ "$(tag_of "rl-$X.b-x")" = "reuselab:$X" ]
	[ "$(tag_of "rl-$X.y")" = "reuselab:$X" ]
	[ "$(tag_of "rl-$XB.x")" = "reuselab:$XB" ]
	[ "$(tag_of "rl-$XB.z")" = "reuselab:$XB" ]
	[ "$(lab_namespaces "$X" | sort | tr '\n' ' ')" = "rl-$X.b-x rl-$X.y " ]
	[ "$(lab_namespaces "$XB" | sort | tr '\n' ' ')" = "rl-$XB.x rl-$XB.z " ]
	ip netns exec "rl-$X.y" ping -c1 -W1 10.71.0.1
	ip netns exec "rl-$XB.z" ping -c1 -W1 10.72.0.1
	run "$REUSELAB" exec "$X" b-x -- ip -br addr show dev eth0
	[ "$status" -eq 0 ] && [[ $output == *10.71.0.1/24* ]]
	run "$REUSELAB" exec "$XB" x -- ip -br addr show dev eth0
	[ "$status" -eq 0 ] && [[ $output == *10.72.0.1/24* ]]
}

# Defect 12: these once shared rl-X-b-x, and the second up failed.
@test "labs X (node b-x) and X-b (node x) come up together, in either order" {
	up_ok "$X" "$FX" "rl-$X.b-x"
	up_ok "$XB" "$FXB" "rl-$XB.x"
	both_up
	# Down of one leaves the other whole.
	run "$REUSELAB" down "$X"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $X is down: 2 namespaces removed" ]
	[ "$(tag_of "rl-$XB.x")" = "reuselab:$XB" ]
	up_ok "$X" "$FX" "rl-$X.b-x"
	both_up
	run "$REUSELAB" down "$XB"
	[ "$status" -eq 0 ]
	[ "$output" = "lab $XB is down: 2 namespaces removed" ]
	[ "$(tag_of "rl-$X.b-x")" = "reuselab:$X" ]
	run "$REUSELAB" down "$X"
	[ "$output" = "lab $X is down: 2 namespaces removed" ]
	[ -z "$(lab_namespaces "$X")" ] && [ -z "$(lab_namespaces "$XB")" ]
}

# Planted files go in a private /run/netns (private_test), where they reach
# no one else's lab.
@test "down X never removes a stale-looking file X's state does not name" {
	private_test '
		"$REUSELAB" up "$FX" --name "$X"
		[ "$(tag_of "rl-$X.b-x")" = "reuselab:$X" ]
		touch "/run/netns/rl-$X.foreign" "/run/netns/rl-$X.b-z"
		[ "$("$REUSELAB" down "$X")" = "lab $X is down: 2 namespaces removed" ]
		[ -f "/run/netns/rl-$X.foreign" ]
		[ -f "/run/netns/rl-$X.b-z" ]
		[ ! -e "/run/netns/rl-$X.b-x" ]
		[ ! -e "/run/netns/rl-$X.y" ]
		# Without any state, no stale file at all.
		[ "$("$REUSELAB" down "$X")" = "lab $X: nothing to remove" ]
		[ -f "/run/netns/rl-$X.foreign" ]
		[ -f "/run/netns/rl-$X.b-z" ]'
}

@test "down X removes the stale empty file of a node in X's state, counted apart" {
	private_test '
		"$REUSELAB" up "$FX" --name "$X"
		# What a create killed before its mount leaves: an empty file.
		ip netns del "rl-$X.y"
		touch "/run/netns/rl-$X.y" "/run/netns/rl-$X..lans"
		[ "$("$REUSELAB" down "$X")" = "lab $X is down: 2 stale files and 1 namespace removed" ]
		[ ! -e "/run/netns/rl-$X.y" ]
		[ ! -e "/run/netns/rl-$X..lans" ]
		[ ! -e "/run/netns/rl-$X.b-x" ]
		[ -z "$(ls -A /run/netns)" ]'
}

# ------------------------------------------------- entering only our own

# A namespace of the lab's node name made by someone else: exec, probe and
# matrix refuse it with exit 2 and run nothing inside.
# In a private /run/netns (private_test): the planted namespace and file
# reach no one else.
@test "exec, probe and matrix refuse a foreign rl-X.server, exit 2" {
	private_test '
		ip netns add "rl-$X.server"
		marker=$1/ran
		refused() {
			local out rc=0
			out=$("$REUSELAB" "$@" 2>&1) || rc=$?
			[ "$rc" -eq 2 ] || { echo "$*: exit $rc: $out"; return 1; }
			[[ $out == *"namespace rl-$X.server is not a reuselab namespace of lab $X"* ]] ||
				{ echo "$*: $out"; return 1; }
		}
		refused exec "$X" server -- touch "$marker"
		[ ! -e "$marker" ]
		refused probe topologies/two-nics.yml --name "$X"
		refused matrix "$X" server
		# Nothing was made in it: still only a down loopback, no sockets.
		[ "$(ip -n "rl-$X.server" -o link | wc -l)" -eq 1 ]
		[ "$(ip -n "rl-$X.server" -j link show dev lo | jq -r ".[0].operstate")" = DOWN ]
		[ -z "$(ip netns exec "rl-$X.server" ss -Htan)" ]
		[ -z "$(ip netns exec "rl-$X.server" ss -Huan)" ]
		# Another lab'"'"'s tag is not this lab'"'"'s either.
		ip -n "rl-$X.server" link set dev lo alias "reuselab:$X-other"
		refused exec "$X" server -- touch "$marker"
		[ ! -e "$marker" ]' "$BATS_TEST_TMPDIR"
}

@test "exec: an empty leftover file is not ours; a missing name does not exist" {
	private_test '
		touch "/run/netns/rl-$X.server"
		rc=0; out=$("$REUSELAB" exec "$X" server -- true 2>&1) || rc=$?
		[ "$rc" -eq 2 ]
		[[ $out == *"is not a reuselab namespace of lab $X"* ]]
		rm -f "/run/netns/rl-$X.server"
		rc=0; out=$("$REUSELAB" exec "$X" server -- true 2>&1) || rc=$?
		[ "$rc" -eq 2 ]
		[[ $out == *"namespace rl-$X.server does not exist"* ]]'
}

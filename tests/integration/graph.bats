#!/usr/bin/env bats
# `graph` as people look at it: rendered by Graphviz, a lab reads at a glance
# (no long strip); `--mermaid` gives the same edges for Markdown.
load helpers

# "W H" of `graph FILE | dot -Tsvg`, in points.
svg_size() {
	"$REUSELAB" graph "$1" | dot -Tsvg >"$BATS_TEST_TMPDIR/g.svg"
	sed -n 's/^<svg width="\([0-9]*\)pt" height="\([0-9]*\)pt".*/\1 \2/p' "$BATS_TEST_TMPDIR/g.svg"
}

@test "graph: a seven-node lab with three lans renders about as tall as wide" {
	read -r w h < <(svg_size tests/topologies/three-nics.yml)
	echo "three-nics: ${w}x${h}"
	[ -n "$w" ] && [ -n "$h" ]
	# was 2,067x148 (one row of every node); now within 2:1 either way
	[ $((w * 10)) -le $((h * 20)) ]
	[ $((h * 10)) -le $((w * 20)) ]
	[ "$w" -le 800 ]
	# every lan is its own box holding its ellipse and its two clients
	run "$REUSELAB" graph tests/topologies/three-nics.yml
	[ "$status" -eq 0 ]
	[ "$(grep -c '^  subgraph "cluster_lan-' <<<"$output")" -eq 3 ]
	grep -A4 '^  subgraph "cluster_lan-b"' <<<"$output" | grep -q '^    "b2" \[label='
}

@test "graph: every shipped lab fits a screen's width" {
	png=$BATS_TEST_TMPDIR/lab.png
	for f in topologies/*.yml tests/topologies/*.yml; do
		read -r w h < <(svg_size "$f")
		echo "$f: ${w}x${h}"
		[ -n "$w" ] && [ "$w" -le 800 ] && [ "$h" -le 800 ]
	done
	# and the PNG a README would show has those proportions too
	"$REUSELAB" graph tests/topologies/three-nics.yml | dot -Tpng >"$png"
	read -r w h < <(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(*struct.unpack(">II", d[16:24]))' "$png")
	echo "png: ${w}x${h}"
	[ $((w * 10)) -le $((h * 20)) ]
}

@test "graph --mermaid: a flowchart with every link and lan member as an edge" {
	run "$REUSELAB" graph --mermaid tests/topologies/three-nics.yml
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "flowchart LR" ]
	edges=$(python3 "$BATS_TEST_DIRNAME/mermaid_edges.py" <<<"$output")
	echo "$edges"
	[ "$(wc -l <<<"$edges")" -eq 9 ]
	grep -qx 'server -eth0- lan-a' <<<"$edges"
	grep -qx 'server -eth2- lan-c' <<<"$edges"
	grep -qx 'lan-b -eth0- b2' <<<"$edges"
	grep -qx 'lan-c -eth0- c1' <<<"$edges"
	# a point-to-point link names both ends
	run "$REUSELAB" graph --mermaid topologies/two-nics.yml
	[ "$status" -eq 0 ]
	[[ "$output" == *'n0 ---|"eth1 - eth0"| n2'* ]]
	[[ "$output" == *'n2["client-c<br/>eth0: 10.0.2.3/24 fd00:2::3/64"]'* ]]
}

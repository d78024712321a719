#!/usr/bin/env bats
# The bind matrix as an HTML page: built in a real two-nics lab, checked to be
# one self-contained file (no network fetch of any kind), and - when Chromium
# is installed - rendered headless to prove a browser builds the grid from it.
# As root; the lab is run-unique and removed, also when a test fails.
load helpers

: "${CHROMIUM:=/usr/bin/chromium}" # override to test the skip

setup_file() {
	export HL
	HL=$(uniq_lab ht)
	"$REUSELAB" up topologies/two-nics.yml --name "$HL" >/dev/null
	"$REUSELAB" matrix "$HL" server --html "$BATS_FILE_TMPDIR/m.html" >/dev/null
}

teardown_file() {
	force_down "$HL"
}

# chromium_run ARGS...: headless, offline, with a throwaway profile.
chromium_run() {
	local profile rc=0
	profile=$(mktemp -d)
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>"$BATS_TEST_TMPDIR/chromium.err" || rc=$?
	rm -rf "$profile"
	return "$rc"
}

@test "matrix --html: one self-contained page with the lab as SVG and the grid" {
	H="$BATS_FILE_TMPDIR/m.html"
	[ -s "$H" ]
	head -1 "$H" | grep -qx '<!DOCTYPE html>'
	tail -1 "$H" | grep -q '</html>'
	# nothing fetched from anywhere: no URL, no src= or href= at all, no external element
	run grep -ciE 'https?:|//[a-z0-9.-]+\.[a-z]{2,}/' "$H"
	[ "$output" = 0 ]
	run grep -ciE '(src|href|xlink:href)[[:space:]]*=' "$H"
	[ "$output" = 0 ]
	run grep -ciE '<(script|link|img|iframe|object|embed|audio|video|source)[[:space:]>]|@import|url\(' "$H"
	[ "$output" = 0 ]
	# the lab drawn inline
	grep -q '<svg ' "$H"
	grep -q '>server</text>' "$H"
	# the grid: two tables (same uid, other uid), one cell per tested bind
	[ "$(grep -c '<table class="grid">' "$H")" -eq 2 ]
	[ "$(grep -o '<td class="ok' "$H" | wc -l)" -eq 1892 ]
	[ "$(grep -o '<td class="e98' "$H" | wc -l)" -eq 1180 ]
	grep -q 'title="tcp listening, first none/A, second none/A: EADDRINUSE">U</td>' "$H"
	grep -q 'title="tcp bound, first reuseaddr/A, second reuseaddr/A: ok">.</td>' "$H"
	grep -q "Bind matrix: lab $HL, node server" "$H"
	grep -q "kernel $(uname -r)" "$H"
}

@test "matrix --html renders in headless Chromium: the DOM has the grid cells" {
	[ -x "$CHROMIUM" ] || skip "no $CHROMIUM: cannot render the page in a browser"
	H="$BATS_FILE_TMPDIR/m.html"
	D="$BATS_TEST_TMPDIR/dom.html"
	chromium_run --dump-dom "file://$H" >"$D" || {
		cat "$BATS_TEST_TMPDIR/chromium.err" >&2
		return 1
	}
	# the parsed document, not the file: tbody inserted by the parser, every cell there
	grep -q '<tbody>' "$D"
	[ "$(grep -o '<table class="grid">' "$D" | wc -l)" -eq 2 ]
	[ "$(grep -o '<td class="ok' "$D" | wc -l)" -eq 1892 ]
	[ "$(grep -o '<td class="e98' "$D" | wc -l)" -eq 1180 ]
	grep -q 'title="tcp listening, first none/A, second none/A: EADDRINUSE">U</td>' "$D"
	grep -q '<svg ' "$D"
	grep -q '</body></html>' "$D"
}

@test "matrix --html renders to a screenshot of real size" {
	[ -x "$CHROMIUM" ] || skip "no $CHROMIUM: cannot render the page in a browser"
	P="$BATS_TEST_TMPDIR/m.png"
	chromium_run --screenshot="$P" --window-size=1300,1600 "file://$BATS_FILE_TMPDIR/m.html" >/dev/null || {
		cat "$BATS_TEST_TMPDIR/chromium.err" >&2
		return 1
	}
	# a PNG, 1300x1600, not blank (a blank page compresses to a few kB)
	[ "$(head -c 8 "$P" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	[ "$(od -An -tu1 -j16 -N8 "$P" | awk '{print $3*256+$4, $7*256+$8}')" = "1300 1600" ]
	[ "$(stat -c %s "$P")" -gt 30000 ]
}

@test "matrix --html: the first screen (1400x900) shows the grid; radio buttons switch uid, protocol and state" {
	[ -x "$CHROMIUM" ] || skip "no $CHROMIUM: cannot render the page in a browser"
	H="$BATS_FILE_TMPDIR/m.html"
	P="$BATS_TEST_TMPDIR/first.png"
	chromium_run --screenshot="$P" --window-size=1400,900 "file://$H" >/dev/null || {
		cat "$BATS_TEST_TMPDIR/chromium.err" >&2
		return 1
	}
	[ "$(od -An -tu1 -j16 -N8 "$P" | awk '{print $3*256+$4, $7*256+$8}')" = "1400 900" ]
	# pixels of the ok (#43a047) and EADDRINUSE (#e53935) cells in the first screen:
	# dozens of 18x18 cells each, far more than the legend's two swatches
	read -r ok inuse < <(python3 "$BATS_TEST_DIRNAME/png_colour.py" "$P" 43a047 e53935)
	echo "first screen: $ok ok pixels, $inuse EADDRINUSE pixels"
	[ "$ok" -gt 20000 ]
	[ "$inuse" -gt 20000 ]
	# the grids come before the drawing of the lab; the views are radio buttons
	# (no script) placed before the grids, which CSS hides by choice
	grid=$(grep -n '<table class="grid">' "$H" | head -1 | cut -d: -f1)
	svg=$(grep -n '<svg ' "$H" | head -1 | cut -d: -f1)
	[ "$grid" -lt "$svg" ]
	for id in u0 u1 pa p0 p1 sa s0 s1 s2 s3; do
		grep -q "<input type=\"radio\" name=\"[a-z]*\" id=\"$id\"" "$H"
	done
	grep -q '#u0:checked~.uid1,#u1:checked~.uid0{display:none}' "$H"
	grep -q '#p1:checked~div tbody tr:not(.p1){display:none}' "$H"
	grep -q '#s3:checked~div tbody tr:not(.s3){display:none}' "$H"
	# each (protocol, state) block is 16 rows, in each of the two grids
	[ "$(grep -c '<tr class="p0 s1' "$H")" -eq 32 ]
}

@test "matrix --html: interface labels do not cover each other where links leave one box close together" {
	L4=$(uniq_lab hl)
	"$REUSELAB" up tests/topologies/three-nics.yml --name "$L4" >/dev/null
	"$REUSELAB" matrix "$L4" server --proto udp --html "$BATS_TEST_TMPDIR/three.html" >/dev/null || true
	"$REUSELAB" down "$L4" >/dev/null 2>&1 || force_down "$L4"
	[ -z "$(lab_namespaces "$L4")" ]
	run python3 "$BATS_TEST_DIRNAME/svg_labels.py" "$BATS_TEST_TMPDIR/three.html"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "9 labels, 0 overlapping pairs" ]]
}

@test "matrix --html that cannot be written, or - beside the grid or JSON: one line, exit 2, no cell run" {
	D="$BATS_TEST_TMPDIR"
	run --separate-stderr "$REUSELAB" matrix "$HL" server --proto udp --html "$D/missing/m.html"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "reuselab: matrix: --html $D/missing/m.html: directory '$D/missing': No such file or directory" ]
	run --separate-stderr "$REUSELAB" matrix "$HL" server --proto udp --html ""
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "reuselab: matrix: --html: the path is empty; give it a file" ]
	run --separate-stderr "$REUSELAB" matrix "$HL" server --proto udp --json --html -
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "reuselab: matrix: --html -: standard output already carries the JSON matrix; give --html a file" ]
	run --separate-stderr "$REUSELAB" matrix "$HL" server --proto udp --html -
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "the lab is removed" {
	"$REUSELAB" down "$HL" >/dev/null
	[ -z "$(lab_namespaces "$HL")" ]
}

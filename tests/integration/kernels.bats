#!/usr/bin/env bats
# run --kernel: the lab inside another kernel under QEMU.  Needs a kernel in
# the cache (`make deps-kernels`); without one the booting tests skip and
# say why.
load helpers

cache=${REUSELAB_KERNEL_CACHE:-/var/cache/reuselab/kernels}

# The first kernel `reuselab kernels` lists with a modules directory.
first_kernel() {
	"$REUSELAB" kernels --json | jq -r '[.[] | select(.modules != null)][0].release // empty'
}

need_kernel() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (make deps-kernels)"
	K=$(first_kernel)
	[ -n "$K" ] || skip "no kernel in $cache or /boot (make deps-kernels)"
}

setup() {
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

@test "kernels: --json lists release, vmlinuz and modules of each cached kernel" {
	run "$REUSELAB" kernels --json --cache "$T"
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -ge 0 ]
	mkdir -p "$T/9.9.9-test/boot" "$T/9.9.9-test/lib/modules/9.9.9-test"
	: >"$T/9.9.9-test/boot/vmlinuz-9.9.9-test"
	run "$REUSELAB" kernels --json --cache "$T"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[] | select(.release == "9.9.9-test") | .modules' <<<"$output")" = "$T/9.9.9-test/lib/modules/9.9.9-test" ]
	run "$REUSELAB" kernels --cache "$T"
	[[ "$output" == *"9.9.9-test"*"$T/9.9.9-test/boot/vmlinuz-9.9.9-test"* ]]
}

@test "run --kernel: two-nics catalog inside the cached kernel, report names the guest's release" {
	need_kernel
	# Under a run-unique name, so the host check below looks only at ours.
	L=$(uniq_lab k)
	sed "s/^name: .*/name: $L/" topologies/two-nics.yml > "$T/$L.yml"
	run --separate-stderr "$REUSELAB" run "$T/$L.yml" --kernel "$K" --accel tcg \
		--json --junit "$T/j.xml" --kernel-log "$T/console.log"
	# shown by bats only if the test fails: what the guest said went wrong
	printf '%s\n' "$stderr"
	jq -c '.cases[]? | select(.verdict == "error") | {id, error}' <<<"$output" || true
	[ "$status" -eq 0 ]
	[ "$(jq -r .kernel <<<"$output")" = "$K" ]
	[ "$(jq '.cases | length' <<<"$output")" -ge 50 ]
	[ "$(jq '[.cases[] | select(.verdict == "error")] | length' <<<"$output")" -eq 0 ]
	grep -q "<testsuite" "$T/j.xml"
	[ -f "$T/console.log" ]
	# nothing of the guest is left: no temporary file, no lab on the host
	[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "reuselab-guest-*-$$.log")" ]
	[ -z "$(lab_namespaces "$L")" ]
}

@test "run --kernel: a missing kernel is one line and exit 2" {
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$T/vmlinuz-nope"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: run: --kernel $T/vmlinuz-nope: no such kernel image (and no release of that name; see 'reuselab kernels')" ]
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel 0.0-none
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "run --kernel --keep is refused before any kernel is looked up or booted: one line, exit 2" {
	# the guest's published lab would go with the guest while the host said
	# it stays up; no kernel is needed to refuse the combination
	for keep in --keep -k -jk; do
		run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$T/vmlinuz-nope" $keep
		[ "$status" -eq 2 ] || { echo "$keep: $status: $stderr"; false; }
		[ "$stderr" = "reuselab: run: --keep cannot be combined with --kernel: the lab would exist only inside the guest, which is gone when the run ends" ]
		[ -z "$output" ]
	done
}

@test "run --kernel: a --kernel-log or --junit that cannot be written is one line naming it, exit 2, before any kernel is looked up" {
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$T/vmlinuz-nope" \
		--kernel-log "$T/missing/console.log"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: run: --kernel-log $T/missing/console.log: directory '$T/missing': No such file or directory" ]
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$T/vmlinuz-nope" --kernel-log "$T"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: run: --kernel-log $T: is a directory; give it a file" ]
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$T/vmlinuz-nope" --json --junit -
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: run: --junit -: standard output already carries the JSON report; give --junit a file" ]
	[ -z "$(ls -A "$T")" ]
}

@test "run --kernel: a --kernel-log that is a FIFO, a symlink or another user's file is refused, exit 2, nothing written" {
	mkfifo "$T/fifo"
	ln -s "$T/elsewhere" "$T/link"
	echo planted >"$T/theirs"
	chown nobody "$T/theirs"
	chmod 666 "$T/theirs"
	for f in fifo link theirs; do
		run --separate-stderr timeout 20 "$REUSELAB" run topologies/two-nics.yml \
			--kernel "$T/vmlinuz-nope" --kernel-log "$T/$f"
		[ "$status" -eq 2 ]
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		[[ "$stderr" == "reuselab: run: --kernel-log $T/$f: "* ]]
	done
	[[ "$stderr" == *"another user's file; not written" ]]
	[ "$(cat "$T/theirs")" = planted ]
	[ ! -e "$T/elsewhere" ]
}

# A kernel cache is a directory anyone with root may have filled: what its
# modules.dep names is read from inside the tree only, and a FIFO there is
# refused at once (no guest boots in either case).
@test "run --kernel: a FIFO for modules.dep, or a module outside the tree, is one line at once" {
	mods="$T/9.9.9-fake/lib/modules/9.9.9-fake"
	mkdir -p "$T/9.9.9-fake/boot" "$mods"
	: >"$T/9.9.9-fake/boot/vmlinuz-9.9.9-fake"
	mkfifo "$mods/modules.dep"
	run --separate-stderr timeout 20 "$REUSELAB" run topologies/two-nics.yml --kernel 9.9.9-fake --kernel-cache "$T"
	[ "$status" -eq 3 ]
	[ "$stderr" = "reuselab: run: $mods/modules.dep: not a regular file" ]
	rm "$mods/modules.dep"
	printf '%s:\n' ../../../../../../../../etc/veth.ko kernel/bridge.ko kernel/inet_diag.ko \
		kernel/tcp_diag.ko kernel/udp_diag.ko >"$mods/modules.dep"
	run --separate-stderr timeout 20 "$REUSELAB" run topologies/two-nics.yml --kernel 9.9.9-fake --kernel-cache "$T"
	[ "$status" -eq 3 ]
	[ "$stderr" = "reuselab: run: initramfs: $mods/modules.dep names ../../../../../../../../etc/veth.ko, outside the tree" ]
}

@test "run --kernel: a kernel without the lab's modules is one line and exit 2" {
	need_kernel
	vmlinuz=$("$REUSELAB" kernels --json | jq -r --arg k "$K" '.[] | select(.release == $k) | .vmlinuz')
	mkdir "$T/mods"
	: >"$T/mods/modules.dep"
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$vmlinuz" --kernel-modules "$T/mods"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: run: $T/mods: module veth is neither in modules.dep nor built in" ]
}

@test "run --kernel: a guest that panics is one line with the panic and the log, exit 3" {
	need_kernel
	# Under a run-unique name, so the host check below looks only at ours.
	L=$(uniq_lab k)
	sed "s/^name: .*/name: $L/" topologies/two-nics.yml > "$T/$L.yml"
	run --separate-stderr "$REUSELAB" run "$T/$L.yml" --kernel "$K" --accel tcg \
		--kernel-append rdinit=/nonexistent --kernel-log "$T/console.log" --kernel-timeout 120
	[ "$status" -eq 3 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"guest panicked (Kernel panic - not syncing: "*"console log: $T/console.log" ]]
}

@test "run --kernel: a hung guest is killed at the deadline, exit 3 with the log path" {
	need_kernel
	# no init and panic=0: the kernel stops and waits forever
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$K" --accel tcg \
		--kernel-append "rdinit=/nonexistent panic=0" --kernel-log "$T/console.log" --kernel-timeout 4
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"guest did not finish within 4 s; killed; console log: $T/console.log" ]]
}

@test "run --kernel: SIGINT kills QEMU and exits 130" {
	need_kernel
	"$REUSELAB" run topologies/two-nics.yml --kernel "$K" --accel tcg --kernel-log "$T/console.log" \
		>/dev/null 2>"$T/err" &
	pid=$!
	# wait for our QEMU child to exist (state, not time), bounded
	qemu=
	for _ in $(seq 100); do qemu=$(pgrep -P "$pid" qemu-system || true); [ -n "$qemu" ] && break; sleep 0.05; done
	[ -n "$qemu" ]
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	! kill -0 "$qemu" 2>/dev/null || false
	grep -q "interrupted by signal 2" "$T/err"
}

@test "run --kernel twice: one report per kernel, then the comparison" {
	need_kernel
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$K" --kernel "$K" \
		--accel tcg --claim C12 --kernel-log "$T/c.log"
	[ "$status" -eq 0 ]
	[ -s "$T/c.log.$K" ] # one console log per kernel: FILE.RELEASE
	[ ! -e "$T/c.log" ]
	[ "$(grep -c "^lab two-nics, kernel $K\$" <<<"$output")" -eq 2 ]
	[ "$(grep -c '^2 cases: ' <<<"$output")" -eq 2 ]
	# each table, read back from the guest's JSON, keeps its claim verdicts
	[ "$(grep -c '^C12    holds$' <<<"$output")" -eq 2 ]
	[ "${lines[-2]}" = "across kernels, the cases whose results differ:" ]
	[ "${lines[-1]}" = "(none: every case gave the same results)" ]
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$K" --kernel "$K" --junit "$T/j.xml"
	[ "$status" -eq 2 ]
	[ "$stderr" = "reuselab: run: --junit takes one --kernel (run once per kernel)" ]
}

@test "docs/examples/v4-mapped.yml (the kernel comparison in docs/kernels.md) is a valid topology" {
	run "$REUSELAB" check docs/examples/v4-mapped.yml
	[ "$status" -eq 0 ]
	[[ "$output" == *"28 cases"* ]]
}

@test "run --kernel: a user case's source is the topology's path, as on the host" {
	need_kernel
	run --separate-stderr "$REUSELAB" run docs/examples/v4-mapped.yml --kernel "$K" --accel tcg \
		--case v4wild-then-mapwild --json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.cases[0].source' <<<"$output")" = "$(realpath docs/examples/v4-mapped.yml)" ]
	[ "$(jq -r '.cases[0].steps | map(select(.call == "bind")) | length' <<<"$output")" -eq 2 ]
	# A clone under /tmp (CI's may be): the guest keeps /tmp on its initramfs.
	mkdir -p "$BATS_TEST_TMPDIR/clone"
	cp docs/examples/v4-mapped.yml "$BATS_TEST_TMPDIR/clone/"
	t=$(realpath "$BATS_TEST_TMPDIR/clone/v4-mapped.yml")
	[[ $t == /tmp/* ]] || skip "BATS_TEST_TMPDIR is not under /tmp"
	run --separate-stderr "$REUSELAB" run "$t" --kernel "$K" --accel tcg --case v4wild-then-mapwild --json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.cases[0].source' <<<"$output")" = "$t" ]
}

@test "bash completion: run --kernel offers the releases 'kernels' lists; --accel kvm and tcg" {
	need_kernel
	complete_words() {
		bash --norc --noprofile -c 'shopt -u extglob; source docs/reuselab.bash-completion
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _reuselab
			printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
	}
	run complete_words "$REUSELAB" run topologies/two-nics.yml --kernel "${K:0:3}"
	[[ "$output" == *"$K"* ]]
	[ "$(complete_words "$REUSELAB" run x.yml --accel "" | sort | tr '\n' ' ')" = "kvm tcg " ]
	[[ "$(complete_words "$REUSELAB" run x.yml --kernel-l)" == *--kernel-log* ]]
	[ "$(complete_words "$REUSELAB" kernels --j)" = "--json" ]
}

@test "run --kernel --matrix: the bind matrix inside the guest, JSON naming the guest's release" {
	need_kernel
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml --kernel "$K" --accel tcg \
		--matrix server --axes A,v6-wildcard,v6only-wildcard --proto tcp --json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(jq -r .kernel <<<"$output")" = "$K" ]
	# 4 states x (4 options x 3 addresses)^2 x 2 uids, none failed to set up
	[ "$(jq '.summary.cells' <<<"$output")" -eq 1152 ]
	[ "$(jq '.summary.error' <<<"$output")" -eq 0 ]
	# what every kernel since 2.6 answers: a dual-stack [::] takes A's port, V6ONLY does not
	[ "$(jq -r '[.cells[] | select(.state == "bound" and .first.opts == "none" and .second.opts == "none"
		and .first.addr == "A" and .uid == "same") | .second.addr + "=" + .result] | join(" ")' \
		<<<"$output")" = "A=EADDRINUSE v6-wildcard=EADDRINUSE v6only-wildcard=ok" ]
}

@test "run --kernel --matrix: the difference docs/kernels.md records for Debian 6.1.0-57 ([::ffff:0.0.0.0] then [::ffff:A])" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (make deps-kernels)"
	k=6.1.0-57-cloud-amd64
	"$REUSELAB" kernels --json | jq -e --arg k "$k" 'any(.[]; .release == $k and .modules != null)' >/dev/null ||
		skip "kernel $k not in the cache (docs/kernels.md recorded it; make deps-kernels fetches the newest 6.1)"
	args=(--matrix server --axes A,mapped-wildcard,mapped-A --proto tcp --json)
	"$REUSELAB" run topologies/two-nics.yml "${args[@]}" --kernel "$k" --accel tcg >"$T/k.json"
	"$REUSELAB" run topologies/two-nics.yml "${args[@]}" >"$T/host.json"
	pair='.cells[] | select(.state == "bound" and .first.opts == "none" and .second.opts == "none"
		and .uid == "same" and .first.addr == "mapped-wildcard" and .second.addr == "mapped-A") | .result'
	[ "$(jq -r "$pair" "$T/k.json")" = ok ]
	# the host's kernel answers as bind_wildcard.c expects
	[ "$(jq -r "$pair" "$T/host.json")" = EADDRINUSE ]
	# and that family of cells is all that differs: 21 bound + 28 listening
	run "$REUSELAB" diff "$T/k.json" "$T/host.json"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 49 ]
	[ -z "$(grep -v 'first [a-z]*@mapped-wildcard second [a-z]*@mapped-A .*: ok -> EADDRINUSE$' <<<"$output")" ]
	# beside another cached kernel in one run: the same 49 cells in the comparison
	other=$("$REUSELAB" kernels --json | jq -r --arg k "$k" '[.[] | select(.modules != null and .release != $k)][0].release // empty')
	[ -n "$other" ] || return 0
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml "${args[@]:0:6}" --accel tcg --kernel "$other" --kernel "$k"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 51 ] # heading, table header, 49 rows
	read -ra head <<<"${lines[1]}"
	[ "${head[*]}" = "cell $other $k" ]
	[[ "${lines[2]}" =~ ^tcp\ bound\ first\ none@mapped-wildcard\ second\ none@mapped-A\ uid\ same\ +EADDRINUSE\ +ok\ *$ ]]
}

@test "run --matrix with several --kernel: each guest's matrix, then the cells that differ" {
	need_kernel
	# two boots only (CI time): --json, one matrix per kernel on stdout, the
	# comparison on stderr; the table on stdout is tested with Debian 6.1 above
	# --matrix=NODE: once read as a probe report with several kernels
	args=(--matrix=server --axes A --proto udp --accel tcg --kernel "$K" --kernel "$K")
	run --separate-stderr "$REUSELAB" run topologies/two-nics.yml "${args[@]}" --json
	[ "$status" -eq 0 ]
	[ "$(jq -s 'length' <<<"$output")" -eq 2 ]
	[ "$(jq -rs '[.[].kernel] | unique | join(" ")' <<<"$output")" = "$K" ]
	[[ "$stderr" == *"across kernels, the matrix cells whose results differ:"*"(none: every cell gave the same result)"* ]]
}

@test "run --kernel: the daytime lab starts its real program inside the guest (daytimed in the initramfs)" {
	need_kernel
	run --separate-stderr "$REUSELAB" run topologies/daytime.yml --kernel "$K" --accel tcg \
		--case 'daytime-restart*' --json
	[ "$status" -eq 0 ]
	[ "$(jq -r .kernel <<<"$output")" = "$K" ]
	[ "$(jq -r '[.cases[].verdict] | unique | join(" ")' <<<"$output")" = holds ]
	[ "$(jq -r '[.cases[].programs[].command | split(" ")[0]] | unique | join(" ")' <<<"$output")" = /bin/daytimed ]
	[ "$(jq -r '.cases[] | select(.id == "daytime-restart-noreuse") | .programs[] | select(.name == "n") | .stderr' <<<"$output")" = "bind: Address already in use" ]
}

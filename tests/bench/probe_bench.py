#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/bench/probe_bench.py: the probe section of `make bench` (issue 14).

  two-nics catalog  `reuselab run topologies/two-nics.yml --json`, the whole
                    command (build, every catalog case, teardown), REPS times;
                    per case, the wall and CPU time the report records (`time`).
  bind-only case    K user cases of four steps on two-nics (s = socket tcp4,
                    bind s *:$P -> ok, t = socket tcp4, bind t *:$P ->
                    EADDRINUSE); the median case's wall time against the same
                    system calls made in a loop (tests/bench/probe-floor.c).

Targets: the two-nics catalog under 0.4 s of wall time, and a bind-only user
case within 2x of its system calls.  Marked PASS or FAIL; timing never makes
the bench fail.  `tests/bench/run` prints this section; alone:
`python3 tests/bench/probe_bench.py` (root; REUSELAB, BENCH_REPS as for run).
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CATALOG_TARGET_MS = 400
BIND_TARGET = 2.0
BIND_K = 200


def med(xs):
    return statistics.median(xs) if xs else None


def floor_binary(out):
    src = os.path.join(HERE, "probe-floor.c")
    binary = os.path.join(out, "probe-floor")
    if not os.path.exists(binary) or os.path.getmtime(binary) < os.path.getmtime(src):
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-std=gnu11", "-O2", "-Wall", "-Wextra", "-o", binary, src],
                       check=True)
    return binary


def run_json(argv):
    """(wall ms of the whole command, its report or None)."""
    t0 = time.perf_counter_ns()
    r = subprocess.run(argv, capture_output=True, text=True)
    ms = (time.perf_counter_ns() - t0) / 1e6
    try:
        return ms, json.loads(r.stdout)
    except ValueError:
        return ms, None


def bind_only_topology(path):
    with open(os.path.join(ROOT, "topologies", "two-nics.yml")) as f:
        text = f.read()
    text += "\ncases:\n"
    for i in range(BIND_K):
        text += (f"  - id: bind-only-{i}\n    steps:\n"
                 '      - {on: server, do: "s = socket tcp4"}\n'
                 '      - {on: server, do: "bind s *:$P", expect: ok}\n'
                 '      - {on: server, do: "t = socket tcp4"}\n'
                 '      - {on: server, do: "bind t *:$P", expect: EADDRINUSE}\n')
    with open(path, "w") as f:
        f.write(text)


def catalog(reuselab, reps, log):
    topo = os.path.join(ROOT, "topologies", "two-nics.yml")
    whole, wall, cpu, per_case = [], [], [], {}
    for _ in range(reps):
        ms, rep = run_json([reuselab, "run", topo, "--json"])
        if not rep or "cases" not in rep:
            log("probe bench: `reuselab run two-nics.yml --json` gave no report")
            return None, ["probe: the two-nics catalog did not run (see log)"]
        whole.append(ms)
        wall.append(sum(c["time"]["wall_us"] for c in rep["cases"]) / 1000)
        cpu.append(sum(c["time"]["cpu_us"] for c in rep["cases"]) / 1000)
        for c in rep["cases"]:
            per_case.setdefault(c["id"], []).append((c["time"]["wall_us"], c["time"]["cpu_us"]))
    n = len(per_case)
    slow = sorted(per_case.items(), key=lambda kv: -med([w for w, _ in kv[1]]))[:5]
    lines = [f"probe: two-nics catalog ({n} cases), {reps} reps; ms, median (min-max)",
             f"  reuselab run two-nics.yml (build, cases, teardown) "
             f"{med(whole):6.0f} ({min(whole):.0f}-{max(whole):.0f})",
             f"  the cases alone: wall {med(wall):.1f} ms, CPU {med(cpu):.1f} ms "
             f"(sums of the report's per-case time)",
             "  slowest cases, wall / CPU in ms (median): " +
             ", ".join(f"{cid} {med([w for w, _ in v]) / 1000:.1f}/"
                       f"{med([c for _, c in v]) / 1000:.1f}" for cid, v in slow)]
    return med(whole), lines


def bind_only(reuselab, reps, out, log):
    d = os.path.join(out, "work")
    os.makedirs(d, exist_ok=True)
    yml = os.path.join(d, "bind-only.yml")
    bind_only_topology(yml)
    walls, cpus = [], []
    for _ in range(reps):
        _, rep = run_json([reuselab, "run", yml, "--case", "bind-only-*", "--json"])
        if not rep or len(rep.get("cases", [])) != BIND_K or \
                any(c["verdict"] != "holds" for c in rep["cases"]):
            log("probe bench: the bind-only cases did not all hold")
            return None, ["probe: the bind-only user cases did not run as expected (see log)"]
        walls.append(med([c["time"]["wall_us"] for c in rep["cases"]]))
        cpus.append(med([c["time"]["cpu_us"] for c in rep["cases"]]))
    floors = []
    binary = floor_binary(out)
    for _ in range(reps):
        r = subprocess.run([binary, "binds", str(BIND_K)], capture_output=True, text=True)
        if r.returncode != 0:
            log(f"probe-floor: {r.stderr.strip()}")
            return None, ["probe: probe-floor failed (see log)"]
        floors.append(float(r.stdout.split()[0]))
    ratio = med(walls) / med(floors)
    lines = [f"probe: a bind-only user case (socket, bind, socket, bind -> EADDRINUSE), "
             f"{BIND_K} cases, {reps} reps; us per case, median (min-max)",
             f"  reuselab, wall        {med(walls):7.1f} ({min(walls):.1f}-{max(walls):.1f})",
             f"  reuselab, CPU         {med(cpus):7.1f} ({min(cpus):.1f}-{max(cpus):.1f})",
             f"  its system calls alone (probe-floor, best of 5 batches) "
             f"{med(floors):.1f} ({min(floors):.1f}-{max(floors):.1f})",
             f"  ratio case / its system calls: {ratio:.2f}x"]
    return ratio, lines


def section(reuselab, reps, out, log):
    """(lines, target lines, raw numbers) of the probe section."""
    cat_ms, cat_lines = catalog(reuselab, reps, log)
    ratio, bind_lines = bind_only(reuselab, reps, out, log)
    checks = []
    if cat_ms is not None:
        checks.append(f"  {'PASS' if cat_ms < CATALOG_TARGET_MS else 'FAIL'}  two-nics catalog "
                      f"under {CATALOG_TARGET_MS / 1000:.1f} s wall (whole `run`): "
                      f"{cat_ms:.0f} ms")
    if ratio is not None:
        checks.append(f"  {'PASS' if ratio <= BIND_TARGET else 'FAIL'}  bind-only user case "
                      f"within {BIND_TARGET:.0f}x of its system calls: {ratio:.2f}x")
    return cat_lines + [""] + bind_lines, checks, {"catalog_ms": cat_ms, "bind_ratio": ratio}


def main():
    if os.geteuid() != 0:
        sys.exit("probe bench: needs root (it builds namespaces)")
    reuselab = os.path.abspath(os.environ.get("REUSELAB", os.path.join(ROOT, "reuselab")))
    reps = int(os.environ.get("BENCH_REPS", "5"))
    out = os.path.join(ROOT, "build", "bench")
    os.makedirs(out, exist_ok=True)
    lines, checks, _ = section(reuselab, reps, out, lambda m: print(m, file=sys.stderr))
    print("\n".join(lines + ["", "probe targets:"] + checks))


if __name__ == "__main__":
    main()

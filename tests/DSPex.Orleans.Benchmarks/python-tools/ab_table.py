#!/usr/bin/env python3
"""The A/B table of one benchmark run: arm A against arm B, cell by cell (both measured side by side in that run).

    python3 ab_table.py RUN/results.json cluster-remote cluster-remote-NAME

prints a markdown row per workload and caller count that both arms ran: calls/s and their ratio (A / B), p50, p99,
silo CPU and context switches per call, the client's (bench) switches per call and Python's CPU per call.
"""
import json
import sys


def number(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2f}"


def main(path: str, a: str, b: str) -> None:
    cells = json.load(open(path, encoding="utf-8"))["cells"]
    by = {(c["scenario"], c["workload"], c["callers"]): c for c in cells}
    print(f"| workload | callers | calls/s {a} | calls/s {b} | ratio | p50 us | p50 us {b} | p99 us | p99 us {b} "
          f"| silo CPU us/call | {b} | silo cs/call | {b} | bench cs/call | {b} | python CPU us/call | {b} |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (scenario, workload, callers), c in sorted(by.items(), key=lambda k: (k[0][1], k[0][2])):
        d = by.get((b, workload, callers))
        if scenario != a or d is None:
            continue
        row = [workload, str(callers), number(c["callsPerSecond"]), number(d["callsPerSecond"]),
               f"{c['callsPerSecond'] / d['callsPerSecond']:.2f}",
               number(c["p50Micros"]), number(d["p50Micros"]), number(c["p99Micros"]), number(d["p99Micros"]),
               number(c["siloCpuMicrosPerCall"]), number(d["siloCpuMicrosPerCall"]),
               f"{c['switches']['silo']:.2f}", f"{d['switches']['silo']:.2f}",
               f"{c['switches']['bench']:.1f}", f"{d['switches']['bench']:.1f}",
               number(c["pythonCpuMicrosPerCall"]), number(d["pythonCpuMicrosPerCall"])]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

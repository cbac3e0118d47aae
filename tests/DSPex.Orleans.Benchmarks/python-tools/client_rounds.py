#!/usr/bin/env python3
"""Round-by-round client cost of two scenarios measured side by side, from the benchmark's console output.

    dspex-bench ... --scenarios cluster-remote orleans-floor floor-delay ... | tee run.log
    python3 client_rounds.py run.log cluster-remote floor-delay [orleans-floor]

For each workload and caller count, and each round in which both ran: arm A's client CPU and context switches per call
over arm B's (and, with a third arm, each over that one, e.g. the floor's client), the two arms' mean latencies, and
the geometric mean over the rounds. Reads the lines "rN workload C callers scenario X/s ... mean M us  client U us S sw".
"""
import math
import re
import sys
from collections import defaultdict

LINE = re.compile(
    r"^\s*r(\d+)\s+(\S+)\s+(\d+) callers\s+(\S+)\s+([\d.]+)/s.*?mean\s+([\d.]+) us\s+client\s+([\d.]+) us\s+([\d.]+) sw"
    r"(?:.*?delay (\d+) ms)?")


def geomean(values: list[float]) -> float:
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main(path: str, a: str, b: str, base: str | None) -> None:
    seen: dict[tuple[str, int, int], dict[str, tuple[float, float, float, float, str]]] = defaultdict(dict)
    for line in open(path, encoding="utf-8"):
        m = LINE.match(line)
        if m:
            seen[(m[2], int(m[3]), int(m[1]))][m[4]] = (float(m[5]), float(m[6]), float(m[7]), float(m[8]), m[9] or "")
    header = f"| workload | callers | round | {a} mean us | {b} mean us (delay) | client CPU {a}/{b} | client switches {a}/{b} |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if base:
        header += f" CPU {a}/{base} | CPU {b}/{base} | switches {a}/{base} | switches {b}/{base} |"
        rule += "---:|---:|---:|---:|"
    print(header)
    print(rule)
    cells: dict[tuple[str, int], list[list[float]]] = defaultdict(list)
    for (workload, callers, rnd), arms in sorted(seen.items()):
        if a not in arms or b not in arms or (base and base not in arms):
            continue
        _, mean_a, cpu_a, sw_a, _ = arms[a]
        _, mean_b, cpu_b, sw_b, delay = arms[b]
        ratios = [cpu_a / cpu_b if cpu_b else 0, sw_a / sw_b if sw_b else 0]
        row = f"| {workload} | {callers} | {rnd} | {mean_a:.0f} | {mean_b:.0f}{f' ({delay} ms)' if delay else ''} | {ratios[0]:.2f} | {ratios[1]:.2f} |"
        if base:
            _, _, cpu_f, sw_f, _ = arms[base]
            more = [cpu_a / cpu_f if cpu_f else 0, cpu_b / cpu_f if cpu_f else 0, sw_a / sw_f if sw_f else 0, sw_b / sw_f if sw_f else 0]
            ratios += more
            row += "".join(f" {r:.2f} |" for r in more)
        cells[(workload, callers)].append(ratios)
        print(row)
    for (workload, callers), rows in sorted(cells.items()):
        means = [geomean([r[i] for r in rows]) for i in range(len(rows[0]))]
        print(f"| {workload} | {callers} | geomean of {len(rows)} | | | " + " | ".join(f"{m:.2f}" for m in means) + " |")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)

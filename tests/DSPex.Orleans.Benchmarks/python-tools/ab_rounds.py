#!/usr/bin/env python3
"""Round-by-round ratios of an A/B run, from the benchmark's console output (its lines "rN workload C callers scenario X/s").

    dotnet run ... | tee run.log
    python3 ab_rounds.py run.log cluster-remote-NAME cluster-remote

prints a markdown row per workload and caller count: calls/s of arm A over arm B in each round (the two measured
side by side in that round), their geometric mean, then the geometric mean per workload and over every cell. A cell
is one workload at one caller count; each round measures both arms of every cell one after the other.
"""
import math
import re
import sys
from collections import defaultdict

LINE = re.compile(r"^\s*r(\d+)\s+(\S+)\s+(\d+) callers\s+(\S+)\s+([\d.]+)/s")


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main(path: str, a: str, b: str) -> None:
    rate: dict[tuple[str, int, int], dict[str, float]] = defaultdict(dict)
    for line in open(path, encoding="utf-8"):
        m = LINE.match(line)
        if m:
            rate[(m[2], int(m[3]), int(m[1]))][m[4]] = float(m[5])
    cells: dict[tuple[str, int], list[float]] = defaultdict(list)
    for (workload, callers, _), arms in sorted(rate.items()):
        if a in arms and b in arms and arms[b] > 0 and arms[a] > 0:
            cells[(workload, callers)].append(arms[a] / arms[b])
    print(f"| workload | callers | {a} / {b}, each round | geometric mean |")
    print("|---|---:|---|---:|")
    by_workload: dict[str, list[float]] = defaultdict(list)
    for (workload, callers), ratios in sorted(cells.items()):
        by_workload[workload].extend(ratios)
        print(f"| {workload} | {callers} | {', '.join(f'{r:.2f}' for r in ratios)} | {geomean(ratios):.2f} |")
    for workload, ratios in sorted(by_workload.items()):
        print(f"| {workload} | all | {len(ratios)} cell-rounds | {geomean(ratios):.2f} |")
    every = [r for ratios in cells.values() for r in ratios]
    if every:
        print(f"| all | all | {len(every)} cell-rounds | {geomean(every):.2f} |")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

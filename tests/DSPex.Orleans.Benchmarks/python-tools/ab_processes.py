#!/usr/bin/env python3
"""A/B of a process-wide runtime option of the benchmark (client) process, round by round in one series.

A runtime option such as DOTNET_ThreadPool_UnfairSemaphoreSpinLimit is read once when a process starts, so both arms
cannot share one benchmark process. This runs the benchmark once per arm per round, alternating the arms (A, B, then
B, A in the next round, so neither always goes first), each a one-round run of the same scenarios with the built
benchmark (`--no-build`), and writes one log in the benchmark's console format with each round's lines renumbered
and arm B's scenario names suffixed, so ab_rounds.py reads it like a one-process A/B:

    python3 ab_processes.py --out DIR --rounds 4 --b-name spin0 --b-env DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \\
        -- --scenarios cluster-remote orleans-floor --workloads ping cpu-spin --duration 2 --warmup 0.5
    python3 ab_rounds.py DIR/run.log cluster-remote-spin0 cluster-remote

The remote silo is a child of the benchmark process and inherits its environment; pass only options the silo
already has (its runtimeconfig ships the spin limit 0) or that it ignores, so only the client differs.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

LINE = re.compile(r"^(\s*)r1(\s+\S+\s+\d+ callers\s+)(\S+)(.*)$")


def run_arm(args: argparse.Namespace, arm: str, env: dict[str, str], round_no: int, log) -> None:
    out = os.path.join(args.out, f"{arm}-r{round_no}")
    command = ["dotnet", "run", "-c", "Release", "--no-build", "--project", "tests/DSPex.Orleans.Benchmarks", "--",
               *args.bench, "--rounds", "1", "--out", out]
    log.write(f"# round {round_no} arm {arm}: {' '.join(f'{k}={v}' for k, v in env.items())} {' '.join(command)}\n")
    log.flush()
    with open(os.path.join(args.out, f"{arm}-r{round_no}.log"), "w", encoding="utf-8") as raw:
        proc = subprocess.run(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        raw.write(proc.stdout)
    for line in proc.stdout.splitlines():
        m = LINE.match(line)
        if m:
            scenario = m[3] if arm == "A" else f"{m[3]}-{args.b_name}"
            line = f"{m[1]}r{round_no}{m[2]}{scenario:<20}{m[4]}"
        log.write(line + "\n")
    log.flush()
    if proc.returncode != 0:
        sys.exit(f"arm {arm} round {round_no} failed with exit code {proc.returncode}")


def client_costs(args: argparse.Namespace) -> None:
    """Prints, per cell, arm B's client CPU and context switches per call over arm A's, each round and geometric mean."""
    ratios: dict[tuple[str, str, int], dict[str, list[float]]] = {}
    for round_no in range(1, args.rounds + 1):
        cells = {}
        for arm in ("A", "B"):
            with open(os.path.join(args.out, f"{arm}-r{round_no}", "results.json"), encoding="utf-8") as f:
                for cell in json.load(f)["cells"]:
                    cells[(arm, cell["scenario"], cell["workload"], cell["callers"])] = cell
        for (arm, scenario, workload, callers), a in cells.items():
            b = cells.get(("B", scenario, workload, callers))
            if arm != "A" or b is None:
                continue
            entry = ratios.setdefault((scenario, workload, callers), {"cpu": [], "cs": []})
            if a.get("benchCpuMicrosPerCall") and b.get("benchCpuMicrosPerCall"):
                entry["cpu"].append(b["benchCpuMicrosPerCall"] / a["benchCpuMicrosPerCall"])
            if a["switches"].get("bench") and b["switches"].get("bench"):
                entry["cs"].append(b["switches"]["bench"] / a["switches"]["bench"])

    def cells_of(values: list[float]) -> str:
        if not values:
            return "-", "-"
        return ", ".join(f"{v:.2f}" for v in values), f"{math.exp(sum(map(math.log, values)) / len(values)):.2f}"

    print(f"| scenario | workload | callers | client CPU/call {args.b_name} / A, each round | geo. mean | client switches/call, each round | geo. mean |")
    print("|---|---|---:|---|---:|---|---:|")
    for (scenario, workload, callers), entry in sorted(ratios.items()):
        cpu, cpu_mean = cells_of(entry["cpu"])
        cs, cs_mean = cells_of(entry["cs"])
        print(f"| {scenario} | {workload} | {callers} | {cpu} | {cpu_mean} | {cs} | {cs_mean} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--b-name", required=True)
    parser.add_argument("--b-env", action="append", default=[], help="KEY=VALUE of arm B's benchmark process")
    parser.add_argument("--summarize", action="store_true", help="only print the client-cost table of a finished series")
    parser.add_argument("bench", nargs=argparse.REMAINDER, help="-- then the benchmark's options (not --rounds, --out)")
    args = parser.parse_args()
    args.bench = [a for a in args.bench if a != "--"]
    env_b = dict(kv.split("=", 1) for kv in args.b_env)
    if args.summarize:
        client_costs(args)
        return
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "run.log"), "w", encoding="utf-8") as log:
        for round_no in range(1, args.rounds + 1):
            order = [("A", {}), ("B", env_b)] if round_no % 2 else [("B", env_b), ("A", {})]
            for arm, env in order:
                run_arm(args, arm, env, round_no, log)
    client_costs(args)


if __name__ == "__main__":
    main()

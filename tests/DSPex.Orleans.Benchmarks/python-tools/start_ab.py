#!/usr/bin/env python3
"""A/B of two copies of the worker bridge's start in one run: one cold start and N started at once, for each copy,
interleaved (order swapped every repeat), spawn to the first byte of the ready frame on the protocol pipe. Prints
each repeat and the medians, and concurrent / (2 x cold) per copy (the benchmark's start-up target).

  python3 start_ab.py --a DIR_WITH_dspex_bridge.py --b OTHER_DIR [--n 2] [--repeats 10] [--python python3]

Every process it starts it stops by its pid (SIGTERM, then SIGKILL), and it checks none is left.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTER_DIR = os.path.join(HERE, "..", "python")


def start(python: str, bridge_dir: str, cluster: str) -> subprocess.Popen:
    marker = "dspex:v1;cluster=%s;silo=ab;worker=w%s;token=%s" % (cluster, uuid.uuid4().hex[:6], uuid.uuid4().hex)
    env = dict(os.environ)
    env["PYTHONPATH"] = ADAPTER_DIR
    return subprocess.Popen(
        [python, os.path.join(bridge_dir, "dspex_bridge.py"), "--dspex-marker", marker, "--parent-pid", str(os.getpid()),
         "--adapter", "dspex_bench_adapter"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)


def timed_start(python: str, bridge_dir: str, count: int, cluster: str) -> float:
    """Milliseconds from spawning `count` bridges at once until each has written its ready frame's first byte."""
    began = time.perf_counter()
    procs = [start(python, bridge_dir, cluster) for _ in range(count)]
    waiting = {p.stdout.fileno(): p for p in procs}
    try:
        while waiting:
            ready, _, _ = select.select(list(waiting), [], [], 60)
            if not ready:
                raise TimeoutError("no ready frame within 60 s")
            for fd in ready:
                if not os.read(fd, 1):
                    raise RuntimeError("a bridge exited before its ready frame")
                del waiting[fd]
        return (time.perf_counter() - began) * 1000
    finally:
        for p in procs:
            stop(p)


def stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        os.kill(p.pid, signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
    for stream in (p.stdin, p.stdout):
        stream.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--n", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--python", default="python3")
    args = parser.parse_args()
    cluster = "start-ab-%d" % os.getpid()
    arms = {"A": args.a, "B": args.b}
    cold: dict[str, list[float]] = {"A": [], "B": []}
    together: dict[str, list[float]] = {"A": [], "B": []}
    paired: dict[str, list[float]] = {"A": [], "B": []}
    with open("/proc/loadavg") as f:
        print("load before:", f.read().split()[:3])
    for repeat in range(args.repeats):
        order = ["A", "B"] if repeat % 2 == 0 else ["B", "A"]
        for arm in order:
            c = timed_start(args.python, arms[arm], 1, cluster)
            t = timed_start(args.python, arms[arm], args.n, cluster)
            cold[arm].append(c)
            together[arm].append(t)
            paired[arm].append(t / (2 * c))
            print("repeat %d %s: cold %.1f ms, %d at once %.1f ms, ratio %.2f" % (repeat + 1, arm, c, args.n, t, t / (2 * c)))
    with open("/proc/loadavg") as f:
        print("load after:", f.read().split()[:3])
    for arm in ("A", "B"):
        print("%s (%s): cold %.1f ms, %d at once %.1f ms, concurrent / (2 x cold) of medians %.2f, paired median %.2f" % (
            arm, arms[arm], statistics.median(cold[arm]), args.n, statistics.median(together[arm]),
            statistics.median(together[arm]) / (2 * statistics.median(cold[arm])), statistics.median(paired[arm])))
    left = left_behind(cluster)
    if left:
        print("left behind (not killed here, reported):", left)
    return 0 if not left else 1


def left_behind(cluster: str) -> list[int]:
    """Live processes carrying this run's marker (its bridges stop with their stdin closed and SIGTERM)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % name, "rb") as f:
                if cluster.encode() in f.read():
                    found.append(int(name))
        except OSError:
            pass
    return found


if __name__ == "__main__":
    sys.exit(main())

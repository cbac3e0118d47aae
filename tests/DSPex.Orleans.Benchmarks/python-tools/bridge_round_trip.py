#!/usr/bin/env python3
"""The Python side alone: drives one dspex_bridge.py over its pipes, as the silo does, with sequential pings.

Reports the round trip p50 and the bridge process's CPU time per call (from /proc), so a change to the bridge
can be A/B'd without .NET in the way. Used for docs/benchmarks/PROFILE.md.

    python3 bridge_round_trip.py BRIDGE_DIR [CALLS] [MODE] [LABEL]

MODE: default | single-thread (one serving thread, no leader/follower) | switch-1ms (sys.setswitchinterval).
"""
import os
import struct
import subprocess
import sys
import time

LAUNCHERS = {
    "default": "import sys, dspex_bridge as b; b.main(sys.argv[1:])",
    "single-thread": "import sys, dspex_bridge as b; b.Bridge.serve_forever = lambda self: self._serve(); b.main(sys.argv[1:])",
    "switch-1ms": "import sys; sys.setswitchinterval(0.001); import dspex_bridge as b; b.main(sys.argv[1:])",
}
WARM_UP = 2000


def main():
    bridge_dir = sys.argv[1]
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    mode = sys.argv[3] if len(sys.argv) > 3 else "default"
    label = sys.argv[4] if len(sys.argv) > 4 else mode
    bridge = subprocess.Popen(
        [sys.executable, "-c", LAUNCHERS[mode], "--dspex-marker", "dspex:v1;cluster=bridge-round-trip;",
         "--parent-pid", str(os.getpid())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=bridge_dir,
        env=dict(os.environ, PYTHONPATH=bridge_dir), bufsize=0)

    def read_frame():
        (length,) = struct.unpack(">I", bridge.stdout.read(4))
        body = b""
        while len(body) < length:
            body += bridge.stdout.read(length - len(body))
        return body

    def cpu_seconds():
        fields = open("/proc/%d/stat" % bridge.pid).read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100.0

    read_frame()  # the ready frame
    latencies = []
    for i in range(calls + WARM_UP):
        if i == WARM_UP:
            cpu_start, wall_start = cpu_seconds(), time.perf_counter()
        body = ('{"id":%d,"type":"call","cmd":"ping","args":{}}' % i).encode()
        started = time.perf_counter()
        bridge.stdin.write(struct.pack(">I", len(body)) + body)
        read_frame()
        latencies.append(time.perf_counter() - started)
    cpu, wall = cpu_seconds() - cpu_start, time.perf_counter() - wall_start
    latencies = sorted(latencies[WARM_UP:])
    print("%-14s p50 %6.1f us  bridge CPU %6.1f us/call  wall %6.1f us/call"
          % (label, latencies[len(latencies) // 2] * 1e6, cpu * 1e6 / calls, wall * 1e6 / calls))
    bridge.stdin.close()
    bridge.wait()


if __name__ == "__main__":
    main()

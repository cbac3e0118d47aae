#!/usr/bin/env python3
"""Python CPU per ping call of one or more dspex_bridge.py builds, one call at a time and in bursts of 16 frames.

The bridge's CPU per call depends on how many frames each of its pipe reads carries (about 2x between 1 and 16 here),
so a saturated benchmark cell's Python figure says as much about batching as about the bridge. This drives each
bridge over its pipes with no .NET (as bridge_round_trip.py does, plus bursts), 3 rounds, both builds interleaved:

    python3 bridge_burst_cpu.py CALLS BRIDGE_DIR [BRIDGE_DIR ...]

Each bridge is started, warmed with 200 pings, measured (utime + stime from /proc, 10 ms ticks: use CALLS >= 20000)
and ended by closing its stdin and waiting for it.
"""
import json, os, struct, subprocess, sys, time

H = struct.Struct(">I")

def read_frame(f):
    h = f.read(4)
    if len(h) < 4:
        raise EOFError
    (n,) = H.unpack(h)
    return json.loads(f.read(n))

def frame(obj):
    b = json.dumps(obj, separators=(",", ":")).encode()
    return H.pack(len(b)) + b

def ticks(pid):
    with open(f"/proc/{pid}/stat") as s:
        parts = s.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])  # utime + stime (fields 14, 15)

def run(bridge_dir, calls, burst):
    p = subprocess.Popen([sys.executable, os.path.join(bridge_dir, "dspex_bridge.py"),
                          "--dspex-marker", "dspex:v1;cluster=bisect-cpu;silo=x;worker=w0;instance=i",
                          "--parent-pid", str(os.getpid())],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    try:
        while read_frame(p.stdout).get("type") != "ready":
            pass
        nid = 1
        for _ in range(200):  # warm-up
            p.stdin.write(frame({"id": nid, "type": "call", "cmd": "ping", "args": {}})); nid += 1
            read_frame(p.stdout)
        t0, w0 = ticks(p.pid), time.perf_counter()
        done = 0
        while done < calls:
            batch = b"".join(frame({"id": nid + i, "type": "call", "cmd": "ping", "args": {}}) for i in range(burst))
            nid += burst
            p.stdin.write(batch)
            for _ in range(burst):
                r = read_frame(p.stdout)
                assert r.get("type") == "result", r
            done += burst
        t1, w1 = ticks(p.pid), time.perf_counter()
        hz = os.sysconf("SC_CLK_TCK")
        return (t1 - t0) / hz / done * 1e6, (w1 - w0) / done * 1e6
    finally:
        p.stdin.close()
        p.wait(timeout=30)

if __name__ == "__main__":
    calls = int(sys.argv[1])
    dirs = sys.argv[2:]
    for rnd in range(3):
        for burst in (1, 16):
            for d in dirs:
                cpu, wall = run(d, calls, burst)
                print(f"round {rnd+1} burst {burst:2d} {d}: python CPU {cpu:6.1f} us/call, wall {wall:6.1f} us/call", flush=True)

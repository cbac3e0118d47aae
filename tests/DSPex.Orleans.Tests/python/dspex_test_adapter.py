"""Commands the test suite uses to drive real workers into each behaviour."""

import os
import subprocess
import sys
import time

import dspex
from dspex import command


@command("pid")
def pid(args):
    return os.getpid()


@command("sleep")
def sleep(args):
    """Sleeps cooperatively: returns early (with cancelled=true) once the request is cancelled."""
    deadline = time.monotonic() + float(args.get("seconds", 1))
    while time.monotonic() < deadline:
        if dspex.cancelled():
            return {"cancelled": True}
        time.sleep(0.01)
    return {"cancelled": False}


@command("sleep_uncooperative")
def sleep_uncooperative(args):
    time.sleep(float(args.get("seconds", 1)))
    return "done"


@command("raise_error")
def raise_error(args):
    raise ValueError(args.get("message", "bad value"))


@command("print_and_return")
def print_and_return(args):
    print("this line goes to stderr, not the protocol stream")
    print(args.get("text", ""), flush=True)
    sys.stdout.write("raw write to sys.stdout\n")
    os.write(1, b"bytes written straight to fd 1\n")
    return {"text": args.get("text", "")}


@command("unserializable")
def unserializable(args):
    return {"value": object()}


@command("big_result")
def big_result(args):
    return "x" * int(args["size"])


@command("spawn_child")
def spawn_child(args):
    """Starts a grandchild that outlives this call, to prove the group kill ends it too."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    return child.pid


@command("spawn_detached_child")
def spawn_detached_child(args):
    """Starts a grandchild that leaves this worker's process group and session (setsid), then sleeps."""
    child = subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(600)"])
    deadline = time.monotonic() + 30
    while os.getsid(child.pid) != child.pid and time.monotonic() < deadline:
        time.sleep(0.01)  # wait until it has left our session: the test relies on the escape having happened
    return {"worker": os.getpid(), "child": child.pid, "detached": os.getsid(child.pid) == child.pid}


@command("spawn_forked_daemon")
def spawn_forked_daemon(args):
    """The classic daemon without exec: fork, setsid, fork, the middle process exits. The grandchild is a copy of this
    bridge (its command line and environment, the worker's pipes still open in it) in a session of its own."""
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.setsid()
            grandchild = os.fork()
            if grandchild == 0:
                os.close(read_end)
                os.close(write_end)
                while True:
                    time.sleep(600)
            os.write(write_end, str(grandchild).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(middle, 0)
    with os.fdopen(read_end) as pipe:
        child = int(pipe.read())
    return {"worker": os.getpid(), "child": child, "detached": os.getsid(child) != os.getsid(0)}


@command("spawn_orphaned_grandchild")
def spawn_orphaned_grandchild(args):
    """Double fork: a child starts a detached grandchild and exits at once, so the grandchild loses its parent while this worker lives."""
    code = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', 'import os, time; os.setsid(); time.sleep(600)'], "
            "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(p.pid)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {"worker": os.getpid(), "child": int(out.strip()), "detached": True}


@command("spawn_detached_without_environment")
def spawn_detached_without_environment(args):
    """setsid + exec with an empty environment: the grandchild carries no marker at all (not on its command line, not
    in its environment), in a session and group of its own."""
    child = subprocess.Popen([sys.executable, "-S", "-c", "import time; time.sleep(600)"], env={}, start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"worker": os.getpid(), "child": child.pid, "detached": os.getsid(child.pid) == child.pid}


@command("spawn_orphaned_without_environment")
def spawn_orphaned_without_environment(args):
    """Double fork, the grandchild exec'd with an empty environment in a session of its own: its parent exits at once,
    so it loses its parent while this worker lives, and carries no marker."""
    code = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-S', '-c', 'import time; time.sleep(600)'], env={}, "
            "start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(p.pid)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {"worker": os.getpid(), "child": int(out.strip()), "detached": True}


@command("remember")
def remember(args):
    """Sets session variable args['name'] to args['value'] and returns what it held before."""
    previous = dspex.get_var(args["name"])
    dspex.set_var(args["name"], args["value"])
    return {"previous": previous, "pid": os.getpid(), "session": dspex.session_id()}


@command("forget")
def forget(args):
    dspex.delete_var(args["name"])
    return True


@command("exit_now")
def exit_now(args):
    os._exit(int(args.get("code", 7)))


@command("segfault")
def segfault(args):
    import ctypes

    ctypes.string_at(0)


@command("hold_gil_in_c")
def hold_gil_in_c(args):
    """Catastrophic regex backtracking: runs in C for minutes without releasing the GIL, like a stuck extension.
    args['started_file'], when given, is created just before the match starts, so a test knows the GIL is taken."""
    import re

    if args and args.get("started_file"):
        with open(args["started_file"], "w") as started:
            started.write(str(os.getpid()))
    return bool(re.match(r"(a+)+$", "a" * 64 + "b"))


@command("stderr_flood")
def stderr_flood(args):
    line = "x" * 200 + "\n"
    for _ in range(int(args.get("lines", 20000))):
        sys.stderr.write(line)
    sys.stderr.flush()
    return "flooded"


def _protocol_fd():
    """Finds the bridge's private protocol pipe (a write-only pipe that is not stderr's)."""
    import fcntl

    stderr_target = os.readlink("/proc/self/fd/2")
    for fd in range(3, 64):
        try:
            target = os.readlink("/proc/self/fd/%d" % fd)
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        except OSError:
            continue
        if target.startswith("pipe:") and target != stderr_target and flags & os.O_ACCMODE == os.O_WRONLY:
            return fd
    raise RuntimeError("protocol fd not found")


@command("corrupt_protocol")
def corrupt_protocol(args):
    """Writes a frame that is not JSON straight onto the protocol pipe, as a rogue C extension might."""
    garbage = b"\x00\x00\x00\x05hello"
    os.write(_protocol_fd(), garbage)
    return "unreachable"


_ballast = []


@command("grow_memory")
def grow_memory(args):
    _ballast.append(bytearray(int(args["mb"]) * 1024 * 1024))
    return os.getpid()


@command("exit_unless_marker")
def exit_unless_marker(args):
    """Crashes the first time (leaving a marker file), succeeds after: a crash an idempotent retry survives."""
    path = args["path"]
    if not os.path.exists(path):
        open(path, "w").close()
        os._exit(9)
    return os.getpid()


_produced = {}
_closed = {}


@command("numbers")
def numbers(args):
    """A generator command: yields {"i": 0..count-1}, counting what it produced under args['name'].

    With args['pause'], it first sleeps that many seconds before each item (a slow producer).
    """
    name = args.get("name", "default")
    _produced[name] = 0
    _closed.pop(name, None)
    try:
        for i in range(int(args.get("count", 10))):
            if args.get("pause"):
                sleep({"seconds": args["pause"]})
            _produced[name] = i + 1
            yield {"i": i}
            if args.get("fail_at") == i:
                raise ValueError("failed at %d" % i)
    finally:
        _closed[name] = True  # closed: ran out, raised, or was closed by a cancel


@command("session_items")
def session_items(args):
    """A stream in a session: each item carries the worker's pid, the session id and session variable args['name']."""
    for i in range(int(args.get("count", 3))):
        yield {"i": i, "pid": os.getpid(), "session": dspex.session_id(), "value": dspex.get_var(args.get("name", "greeting"))}


@command("session_bytes")
def session_bytes(args):
    """A data call in a session: the bytes reversed, the floats times session variable 'scale', and the worker's pid.
    Stores the byte count in session variable 'last_length'."""
    import array
    data = args["data"]
    dspex.set_var("last_length", len(data))
    scale = dspex.get_var("scale", 1)
    floats = array.array("f", [x * scale for x in args["vector"]])
    return {"data": bytes(data)[::-1], "vector": floats, "pid": os.getpid(), "session": dspex.session_id()}


@command("stream_progress")
def stream_progress(args):
    """How far the named ``numbers`` generator got, and whether it is closed (its finally ran)."""
    name = args.get("name", "default")
    return {"produced": _produced.get(name, 0), "closed": _closed.get(name, False)}


@command("produced")
def produced(args):
    return _produced.get(args.get("name", "default"), 0)


@dspex.program_type("sleeper")
class Sleeper:
    """A program whose calls take as long as the caller asks, cooperatively."""

    def __init__(self, spec):
        self.calls = 0

    def __call__(self, args):
        self.calls += 1
        return {"calls": self.calls, **sleep(args)}


@command("deep_result")
def deep_result(args):
    """A result nested args['levels'] deep, built without recursion."""
    value = []
    for _ in range(int(args["levels"]) - 1):
        value = [value]
    return value


@command("lone_surrogate_result")
def lone_surrogate_result(args):
    return {"text": "bytes that were not UTF-8: \udcff"}


@command("raise_lone_surrogate")
def raise_lone_surrogate(args):
    """An exception whose text is not Unicode, as surrogate-escaped OS data gives."""
    raise AttributeError("'int' object has no attribute '\ud800'")


@command("huge_error")
def huge_error(args):
    """An exception message of args['chars'] escape-heavy characters (each written as \\uXXXX)."""
    raise ValueError("\x01\ud800" * int(args["chars"]))


@command("write_frame")
def write_frame(args):
    """Writes args['envelope'] (with {id} replaced by this request's id) straight onto the protocol pipe."""
    import struct

    body = args["envelope"].replace("{id}", str(dspex.current_request_id())).encode("utf-8")
    os.write(_protocol_fd(), struct.pack(">I", len(body)) + body)
    return "written"


@command("environment")
def environment(args):
    """The worker's environment variable names, and the values of those asked for."""
    return {"names": sorted(os.environ), "values": {name: os.environ.get(name) for name in args.get("show", [])}}


@command("print_secret")
def print_secret(args):
    """Writes a caller's secret to stderr and answers: a later crash of this worker must not show it to another caller."""
    sys.stderr.write(f"caller-secret: {args['secret']}\n")
    sys.stderr.flush()
    return os.getpid()


@command("print_secret_and_crash")
def print_secret_and_crash(args):
    """Writes a caller's secret to stderr, then dies: crash details must reach only this caller."""
    sys.stderr.write(f"secret of this caller: {args['secret']}\n")
    sys.stderr.flush()
    os._exit(3)


# Async commands: what each observed is kept per name, so a test reads it back with async_observed.
_async_observed = {}


@command("async_wait")
async def async_wait(args):
    """Awaits args['seconds'] on the event loop, recording under args['name'] that it started, then how it ended
    ("finished", or "cancelled" when CancelledError reached it)."""
    import asyncio

    name = args.get("name", "default")
    _async_observed[name] = "started"
    try:
        await asyncio.sleep(float(args.get("seconds", 1)))
    except asyncio.CancelledError:
        _async_observed[name] = "cancelled"
        raise
    _async_observed[name] = "finished"
    return {"name": name, "cancelled": dspex.cancelled(), "request": dspex.current_request_id()}


@command("async_observed")
def async_observed(args):
    return _async_observed.get(args.get("name", "default"))


@command("async_remember")
async def async_remember(args):
    """remember, from an async command, after an await and from a task it starts (the context is copied to both)."""
    import asyncio

    await asyncio.sleep(0)
    previous = dspex.get_var(args["name"])

    async def set_it():
        dspex.set_var(args["name"], args["value"])

    await asyncio.create_task(set_it())
    return {"previous": previous, "session": dspex.session_id()}


@command("async_trace")
async def async_trace(args):
    """The caller's trace context as Python sees it, from an async command and (as trace) from a sync one."""
    import asyncio

    await asyncio.sleep(0)
    return dspex.trace_context()


@command("trace")
def trace(args):
    return dspex.trace_context()


@command("async_spin")
async def async_spin(args):
    """CPU-bound for args['seconds'] without ever awaiting: it holds the event loop (not the GIL, which Python passes
    between threads), as a careless async command would."""
    deadline = time.monotonic() + float(args.get("seconds", 1))
    spins = 0
    while time.monotonic() < deadline:
        spins += 1
    return spins


@command("async_numbers")
async def async_numbers(args):
    """numbers as an async generator: yields {"i": 0..count-1}, counting what it produced under args['name']."""
    import asyncio

    name = args.get("name", "default")
    _produced[name] = 0
    for i in range(int(args.get("count", 10))):
        await asyncio.sleep(float(args.get("pause", 0)))
        _produced[name] = i + 1
        yield {"i": i}


@command("async_wait_for_file")
async def async_wait_for_file(args):
    """Awaits, on the event loop, until the file args['path'] exists: a gate a test opens whatever the pool's load."""
    import asyncio

    while not os.path.exists(args["path"]):
        await asyncio.sleep(0.01)
    return os.getpid()


@command("async_hold_gil_in_c")
async def async_hold_gil_in_c(args):
    """hold_gil_in_c from an async command: the loop and every other thread stop, heartbeats too."""
    return hold_gil_in_c(args)


@command("count_run")
def count_run(args):
    """Counts its runs: appends a fresh token to the file args['path'] (one line per run), then, when args['release']
    names a file, waits for it to exist before answering; returns the run's token and how many runs the file holds.
    A test sees every run, even one whose answer never reached it."""
    token = os.urandom(8).hex()
    with open(args["path"], "a", encoding="utf-8") as runs:
        runs.write(token + "\n")
    release = args.get("release")
    while release and not os.path.exists(release):
        time.sleep(0.02)
    with open(args["path"], encoding="utf-8") as runs:
        count = sum(1 for _ in runs)
    return {"token": token, "runs": count}


@command("wait_for_file")
def wait_for_file(args):
    """Creates args['started'] (when given), then waits until args['path'] exists, the request is cancelled or
    args['seconds'] (default 300) pass: a call the test holds in flight and releases when it chooses."""
    if args.get("started"):
        open(args["started"], "w").close()
    deadline = time.monotonic() + float(args.get("seconds", 300))
    while time.monotonic() < deadline and not os.path.exists(args["path"]):
        if dspex.cancelled():
            return {"released": False, "cancelled": True}
        time.sleep(0.01)
    return {"released": os.path.exists(args["path"]), "cancelled": False}


@command("lying_parts")
def lying_parts(args):
    """Writes this call's result frame straight onto the protocol pipe with a binary part that declares 10 bytes and
    carries 3, as a buggy C extension might; the bridge's own result for the call comes after it and is ignored."""
    import json
    import struct

    import dspex.context

    body = json.dumps({"id": dspex.context.current_request_id(), "type": "result", "result": {"$bytes": 0},
                       "parts": [10]}).encode("ascii") + b"\x00abc"
    os.write(_protocol_fd(), struct.pack(">I", len(body)) + body)
    return "unreachable"


@command("upload_digest")
def upload_digest(args):
    """Reads this call's upload (dspex.upload()) and answers its SHA-256, size and chunk count. With "taken_path", it
    writes the count of chunks taken so far to that file after each one, so a test can compare it with what the
    client produced."""
    import hashlib

    digest, size, chunks = hashlib.sha256(), 0, 0
    path = (args or {}).get("taken_path")
    for chunk in dspex.upload():
        digest.update(chunk)
        size += len(chunk)
        chunks += 1
        if path:
            with open(path + ".tmp", "w") as file:
                file.write(str(chunks))
            os.replace(path + ".tmp", path)
    return {"sha256": digest.hexdigest(), "size": size, "chunks": chunks}


def download_pattern(index, size):
    """Chunk ``index`` of a download: byte j is (index * 7 + j) % 256 (DownloadStreamTests computes the same)."""
    pattern = bytes((index * 7 + j) % 256 for j in range(256))
    return (pattern * (size // 256 + 1))[:size]


@command("download_chunks")
def download_chunks(args):
    """A download: yields args['count'] chunks of args['size'] bytes (download_pattern), as bytes, bytearray and
    memoryview in turn, counting what it produced under args['name'] (stream_progress). With "fail_at" it raises
    after that chunk; with "oversize_at" that chunk is args['oversize'] bytes."""
    name = args.get("name", "default")
    _produced[name] = 0
    _closed.pop(name, None)
    try:
        for i in range(int(args["count"])):
            size = int(args["oversize"]) if args.get("oversize_at") == i else int(args["size"])
            data = download_pattern(i, size)
            _produced[name] = i + 1
            yield (data, bytearray(data), memoryview(data))[i % 3]
            if args.get("fail_at") == i:
                raise OSError("the disk went away after chunk %d" % i)
    finally:
        _closed[name] = True


@command("data_items")
def data_items(args):
    """Stream items with binary parts beside their JSON (StreamDataTests): each a dict holding download_pattern(i,
    args['size']) as bytes, a float32 array [i, i + 0.5] and the worker's pid, the session id and session variable
    args['name'] (null outside a session)."""
    import array
    name = args.get("name", "greeting")
    for i in range(int(args.get("count", 3))):
        value = dspex.get_var(name) if dspex.session_id() else None
        yield {"i": i, "data": download_pattern(i, int(args.get("size", 100))), "vector": array.array("f", [i, i + 0.5]),
               "pid": os.getpid(), "session": dspex.session_id(), "value": value}


@command("session_chunks")
def session_chunks(args):
    """A download in a session: args['count'] chunks, each "<pid>:<session variable args['name']>:<i>" in UTF-8."""
    for i in range(int(args.get("count", 3))):
        yield ("%d:%s:%d" % (os.getpid(), dspex.get_var(args.get("name", "greeting")), i)).encode("utf-8")


@command("session_upload")
def session_upload(args):
    """An upload in a session: the bytes read from dspex.upload(), the worker's pid, the session id and session
    variable args['name']."""
    size = 0
    for chunk in dspex.upload():
        size += len(chunk)
    return {"size": size, "pid": os.getpid(), "session": dspex.session_id(), "value": dspex.get_var(args.get("name", "greeting"))}


@command("slow_session_items")
async def slow_session_items(args):
    """An async generator in a session: item 0 at once, then each next item after args['pause'] seconds. Before
    pausing for item 1 it creates the file args['waiting_path'] (with StreamWindow 1 that is when the silo has asked
    for item 1), and when it is closed or cancelled it creates args['closed_path']."""
    import asyncio
    try:
        for i in range(int(args.get("count", 3))):
            if i > 0:
                if i == 1 and args.get("waiting_path"):
                    open(args["waiting_path"], "w").close()
                await asyncio.sleep(float(args.get("pause", 1)))
            yield {"i": i, "pid": os.getpid(), "value": dspex.get_var(args.get("name", "greeting"))}
    finally:
        if args.get("closed_path"):
            open(args["closed_path"], "w").close()

"""DSPex worker bridge: one Python process serving commands to its .NET worker grain.

Protocol: frames of a 4-byte big-endian length and a UTF-8 JSON envelope, on private
duplicates of the pipes the silo gave us. fd 0 and fd 1 are pointed away at start, so a
print() or a C library writing to stdout cannot corrupt a frame.

  silo -> bridge  {"id": N, "type": "call", "cmd": "...", "args": ...}
                  {"id": N, "type": "cancel"}
                  {"id": N, "type": "heartbeat"}
  bridge -> silo  {"type": "ready", "pid": ..., "pgid": ..., "protocol": 1, "commands": [...]}
                  {"id": N, "type": "result", "result": ...}
                  {"id": N, "type": "error", "error": {"kind": ..., "type": ..., "message": ..., "traceback": ...}}
                  {"id": N, "type": "heartbeat"}
                  {"type": "fatal", "message": ...}   (start-up failed; the process then exits)
"""

import argparse
import json
import os
import signal
import struct
import sys
import threading
import time
import traceback

PROTOCOL_VERSION = 1
HEADER = struct.Struct(">I")


class FrameWriter:
    """Writes whole frames; a lock keeps frames from interleaving across threads."""

    def __init__(self, fd, max_frame):
        self._fd = fd
        self._max_frame = max_frame
        self._lock = threading.Lock()

    def send(self, envelope_bytes):
        data = HEADER.pack(len(envelope_bytes)) + envelope_bytes
        view = memoryview(data)
        with self._lock:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]

    def send_json(self, obj):
        self.send(json.dumps(obj, separators=(",", ":")).encode("utf-8"))

    def send_result(self, request_id, result):
        try:
            body = json.dumps(result, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError) as exc:
            self.send_error(request_id, "ResultNotSerializable", exc, with_traceback=False)
            return
        envelope = ('{"id":%d,"type":"result","result":%s}' % (request_id, body)).encode("utf-8")
        if len(envelope) > self._max_frame:
            self.send_json({"id": request_id, "type": "error", "error": {
                "kind": "FrameTooLarge", "type": "FrameTooLarge",
                "message": "result frame of %d bytes exceeds the limit of %d bytes" % (len(envelope), self._max_frame)}})
            return
        self.send(envelope)

    def send_error(self, request_id, kind, exc, with_traceback=True):
        self.send_json({"id": request_id, "type": "error", "error": {
            "kind": kind,
            "type": type(exc).__name__,
            "message": str(exc),
            "traceback": traceback.format_exc() if with_traceback else None,
        }})


class FrameReader:
    def __init__(self, fd, max_frame):
        self._stream = os.fdopen(fd, "rb", buffering=1 << 16)
        self._max_frame = max_frame

    def _read_exact(self, n):
        data = self._stream.read(n)
        if data is None or len(data) < n:
            return None
        return data

    def read(self):
        """Returns (envelope bytes or None when oversized, length) or None at end of input."""
        header = self._read_exact(4)
        if header is None:
            return None
        (length,) = HEADER.unpack(header)
        if length > self._max_frame:
            remaining = length
            while remaining:
                chunk = self._stream.read(min(remaining, 1 << 16))
                if not chunk:
                    return None
                remaining -= len(chunk)
            return (None, length)
        body = self._read_exact(length)
        if body is None:
            return None
        return (body, length)


class Bridge:
    """Serves frames with a leader/follower set of threads.

    One thread at a time holds the reader role. When it reads a call, it passes the role on and runs the
    call itself, so no hand-off between threads sits on a request's path. Control frames (cancel, heartbeat)
    are answered by the reader at once, so a long-running command is never taken for a hang.
    """

    def __init__(self, reader, writer, concurrency):
        from dspex import context, registry

        self._context = context
        self._commands = registry._commands
        self._reader = reader
        self._writer = writer
        self._reader_role = threading.Lock()
        self._active = {}
        self._active_lock = threading.Lock()
        self._threads = concurrency + 1

    def serve_forever(self):
        for index in range(self._threads - 1):
            threading.Thread(target=self._serve, name="dspex-serve-%d" % index, daemon=True).start()
        self._serve()

    def _serve(self):
        while True:
            self._reader_role.acquire()
            try:
                call = self._read_until_call()
            finally:
                self._reader_role.release()
            self._run(*call)

    def _read_until_call(self):
        while True:
            frame = self._reader.read()
            if frame is None:
                os._exit(0)  # stdin closed: the silo stopped us or died
            body, length = frame
            if body is None:
                self._writer.send_json({"type": "protocol_error",
                                        "message": "frame of %d bytes exceeds the limit" % length})
                continue
            try:
                envelope = json.loads(body)
                if not isinstance(envelope, dict):
                    raise ValueError("envelope is not a JSON object")
            except ValueError as exc:
                self._writer.send_json({"type": "protocol_error", "message": "malformed frame: %s" % exc})
                continue
            kind = envelope.get("type")
            request_id = envelope.get("id")
            if kind == "call":
                ctx = self._context.RequestContext(request_id)
                with self._active_lock:
                    self._active[request_id] = ctx
                return ctx, envelope.get("cmd"), envelope.get("args")
            if kind == "cancel":
                with self._active_lock:
                    ctx = self._active.get(request_id)
                if ctx is not None:
                    ctx.cancel()
            elif kind == "heartbeat":
                self._writer.send_json({"id": request_id, "type": "heartbeat"})

    def _run(self, ctx, name, args):
        request_id = ctx.request_id
        self._context.set_current(ctx)
        try:
            func = self._commands.get(name)
            if func is None:
                self._writer.send_json({"id": request_id, "type": "error", "error": {
                    "kind": "UnknownCommand", "type": "UnknownCommand",
                    "message": "unknown command %r; this worker has: %s" % (name, ", ".join(sorted(self._commands)))}})
                return
            try:
                result = func(args)
            except BaseException as exc:  # noqa: B036 - a command's SystemExit must not end the worker
                self._writer.send_error(request_id, "PythonException", exc)
                return
            self._writer.send_result(request_id, result)
        except OSError:
            os._exit(4)  # the pipe to the silo is gone
        finally:
            self._context.set_current(None)
            with self._active_lock:
                self._active.pop(request_id, None)


def start_parent_watchdog(parent_pid, interval):
    """Exits when the silo that started us is gone, even if our stdin stays open somehow."""

    def watch():
        while True:
            time.sleep(interval)
            if os.getppid() != parent_pid:
                os._exit(3)

    threading.Thread(target=watch, name="dspex-parent-watchdog", daemon=True).start()


def parse_args(argv):
    parser = argparse.ArgumentParser(description="DSPex worker bridge")
    parser.add_argument("--dspex-marker", required=True, help="cluster/silo/worker identity; read by the reaper")
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--adapter", action="append", default=[])
    parser.add_argument("--max-frame", type=int, default=16 * 1024 * 1024)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--watchdog-interval", type=float, default=0.5)
    return parser.parse_args(argv)


def take_protocol_fds():
    """Keeps private copies of stdin/stdout for frames and points fd 0 and 1 away from them."""
    in_fd = os.dup(0)
    out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, "r")
    sys.stdout = sys.stderr
    return in_fd, out_fd


def main(argv):
    args = parse_args(argv)
    try:
        os.setsid()  # own process group: a group kill also ends what user code spawned
    except OSError:
        pass
    if os.getppid() != args.parent_pid:
        os._exit(3)
    start_parent_watchdog(args.parent_pid, args.watchdog_interval)
    in_fd, out_fd = take_protocol_fds()
    writer = FrameWriter(out_fd, args.max_frame)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import dspex
        import dspex.builtins  # noqa: F401 - registers ping, echo, list_commands

        adapters = dspex.load_adapters(args.adapter)
    except BaseException as exc:  # noqa: B036 - report any start-up failure to the silo, then exit
        writer.send_json({"type": "fatal", "message": "adapter import failed: %s: %s" % (type(exc).__name__, exc),
                          "traceback": traceback.format_exc()})
        os._exit(2)

    reader = FrameReader(in_fd, args.max_frame)
    bridge = Bridge(reader, writer, max(1, args.concurrency))
    writer.send_json({
        "type": "ready", "pid": os.getpid(), "pgid": os.getpgid(0), "protocol": PROTOCOL_VERSION,
        "adapters": adapters, "commands": sorted(dspex.commands().keys()),
        "python": sys.version.split()[0], "concurrency": args.concurrency,
    })
    bridge.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])

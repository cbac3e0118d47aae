"""DSPex worker bridge: one Python process serving commands to its .NET worker grain.

Protocol: frames of a 4-byte big-endian length and a UTF-8 JSON envelope, on private
duplicates of the pipes the silo gave us. fd 0 and fd 1 are pointed away at start, so a
print() or a C library writing to stdout cannot corrupt a frame.

  silo -> bridge  {"id": N, "type": "call", "cmd": "...", "args": ...,
                   "session": {"id": ..., "vars": {...}},            (optional)
                   "program": {"id": ..., "rev": N, "spec": {...}}}  (optional: run this program instead of cmd)
                  {"id": N, "type": "cancel"}
                  {"id": N, "type": "credit", "n": K}    (a streaming call may send K more items)
                  {"id": N, "type": "heartbeat"}
                  {"id": N, "type": "tool_result", "tool_id": T, "result": ...}   (or "error": {kind, type, message})
  bridge -> silo  {"type": "ready", "pid": ..., "pgid": ..., "protocol": 1, "commands": [...]}
                  {"id": N, "type": "result", "result": ..., "session": {"set": {...}, "deleted": [...]}}
                  {"id": N, "type": "error", "error": {"kind": ..., "type": ..., "message": ..., "traceback": ...}}
                  {"id": N, "type": "item", "item": ...}   (a generator command's items, then its result)
                  {"id": N, "type": "heartbeat"}
                  {"id": N, "type": "tool_call", "tool_id": T, "tool": "...", "args": {...}}  (dspex.call_tool, mid-request)
                  {"id": N, "type": "list_tools", "tool_id": T}
                  {"type": "fatal", "message": ...}   (start-up failed; the process then exits)
                  {"type": "protocol_error", "message": ...}   (a frame that could not be read or handled)

Every frame written fits --max-frame: a result or item that does not is a FrameTooLarge error, and error text
is bounded and cut until the frame fits. A call whose envelope Python cannot read (an integer past its digit
limit, nesting past its recursion limit) is answered by its id, which the silo always writes first.

The frame types, error kinds and exit codes come from dspex/protocol.json (through dspex.protocol), the one
definition the silo is tested against too.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from types import ModuleType
from typing import Any, Callable, Iterator, NoReturn, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dspex import protocol  # noqa: E402 - the bridge's own package, found beside this file
from dspex.framing import (  # noqa: E402 - after the path insert above
    FrameOverLimit,
    FrameReader,
    FrameWriter,
    MAX_MESSAGE_CHARS,
    MAX_NAME_CHARS,
    bounded,
    describe,
)

PROTOCOL_VERSION = protocol.VERSION

# What the serving threads hand each other: the request's context, its command name, its args, its program.
Call = tuple[Any, Any, Any, Optional[dict[str, Any]]]

class Bridge:
    """Serves frames with a leader/follower set of threads.

    One thread at a time holds the reader role. When it reads a call, it passes the role on and runs the
    call itself, so no hand-off between threads sits on a request's path. Control frames (cancel, heartbeat)
    are answered by the reader at once, so a long-running command is never taken for a hang.
    """

    def __init__(self, reader: FrameReader, writer: FrameWriter, concurrency: int) -> None:
        from dspex import context, errors, programs, registry, tools

        self._context: ModuleType = context
        self._errors: ModuleType = errors
        self._programs: ModuleType = programs
        self._registry: ModuleType = registry
        self._tools: ModuleType = tools
        tools.install(lambda body: self._writer.send(body))
        self._reader = reader
        self._writer = writer
        self._reader_role = threading.Lock()
        self._active: dict[Any, Any] = {}
        self._active_lock = threading.Lock()
        self._threads = concurrency + 1

    def serve_forever(self) -> None:
        for index in range(self._threads - 1):
            threading.Thread(target=self._serve, name="dspex-serve-%d" % index, daemon=True).start()
        self._serve()

    def _serve(self) -> None:
        """One serving thread. Its last-resort guard: whatever escapes reading or running (a bug in the bridge, a
        KeyboardInterrupt) ends the worker with a distinct exit code, so the silo replaces it, rather than leaving a
        worker that silently lost a serving thread (or, on the main thread, exited as if stopped)."""
        try:
            while True:
                with self._reader_role:
                    call = self._read_until_call()
                self._run(*call)
        except OSError:
            exit_with_group(protocol.EXIT_SILO_PIPE_GONE)
        except BaseException:  # noqa: B036 - the last resort: nothing may end a serving thread quietly
            fail_bridge("serving thread %s failed" % threading.current_thread().name)

    def _read_until_call(self) -> Call:
        while True:
            frame = self._reader.read()
            if frame is None:
                exit_with_group(protocol.EXIT_STOPPED)  # stdin closed: the silo stopped us or died
            body, length = frame
            if body is None:
                self._writer.send_json({"type": protocol.PROTOCOL_ERROR,
                                        "message": "frame of %d bytes exceeds the limit" % length})
                continue
            call = self._handle(body)
            if call is not None:
                return call

    def _handle(self, body: bytes) -> Optional[Call]:
        """Acts on one frame; returns the call to run, or None. Raises only OSError (the pipe to the silo is gone)."""
        try:
            return self._handle_frame(body)
        except OSError:
            raise
        except Exception as exc:  # a frame this bridge cannot handle must not end the thread holding the reader role
            self._writer.send_json({"type": protocol.PROTOCOL_ERROR,
                                    "message": bounded("frame not handled: %s: %s" % (type(exc).__name__, describe(exc)),
                                                       MAX_MESSAGE_CHARS)})
            return None

    def _handle_frame(self, body: bytes) -> Optional[Call]:
        """Acts on one frame; returns the call to run, or None when the frame was control (or answered already)."""
        try:
            envelope = json.loads(body)
            if not isinstance(envelope, dict):
                raise ValueError("envelope is not a JSON object")
        except (ValueError, RecursionError) as exc:
            # Valid JSON Python reads differently (an integer past its digit limit, say) is the caller's error:
            # answer the call by its id, which the silo always writes first.
            request_id = call_id_of(body)
            if request_id is None:
                self._writer.send_json({"type": protocol.PROTOCOL_ERROR,
                                        "message": bounded("malformed frame: %s" % exc, MAX_MESSAGE_CHARS)})
            else:
                self._writer.send_error_text(request_id, protocol.INVALID_ARGUMENTS, type(exc).__name__,
                                             "the request could not be read as Python reads JSON: %s" % exc)
            return None
        kind = envelope.get("type")
        request_id = envelope.get("id")
        if kind == protocol.CALL:
            try:
                ctx = self._context.RequestContext(request_id, envelope.get("session"), envelope.get("credit"))
            except (AttributeError, TypeError, ValueError) as exc:
                self._writer.send_error_text(request_id, protocol.INVALID_ARGUMENTS, type(exc).__name__,
                                             "the call's session or credit is not valid: %s" % exc)
                return None
            with self._active_lock:
                self._active[request_id] = ctx
            return ctx, envelope.get("cmd"), envelope.get("args"), envelope.get("program")
        if kind in (protocol.CANCEL, protocol.CREDIT):
            with self._active_lock:
                ctx = self._active.get(request_id)
            if ctx is not None:
                if kind == protocol.CANCEL:
                    ctx.cancel()
                else:
                    ctx.grant(int(envelope.get("n", 0)))
        elif kind == protocol.HEARTBEAT:
            self._writer.send_json({"id": request_id, "type": protocol.HEARTBEAT_REPLY})
        elif kind == protocol.TOOL_RESULT:
            self._tools.resolve(envelope)  # wakes the command waiting in dspex.call_tool
        return None

    def _error_kind(self, exc: BaseException) -> str:
        return protocol.INVALID_ARGUMENTS if isinstance(exc, self._errors.InvalidArguments) else protocol.PYTHON_EXCEPTION

    def _stream(self, ctx: Any, generator: Iterator[Any]) -> bool:
        """Sends a generator's items, each only once the silo granted credit for it (backpressure).
        Returns False when the stream ended in an error (already sent)."""
        try:
            for item in generator:
                if not ctx.wait_for_credit():
                    close(generator)  # cancelled: the caller stopped reading
                    return True
                if not self._writer.send_item(ctx.request_id, item):
                    close(generator)
                    return False
        except BaseException as exc:  # noqa: B036 - a failing generator ends its stream with the error
            self._writer.send_error(ctx.request_id, self._error_kind(exc), exc)
            return False
        return True

    def _run(self, ctx: Any, name: Any, args: Any, program: Optional[dict[str, Any]]) -> None:
        request_id: int = ctx.request_id
        func: Optional[Callable[[Any], Any]]
        self._context.set_current(ctx)
        try:
            if program is not None:
                try:
                    func, _ = self._programs.resolve(ctx.session_id, program)
                except BaseException as exc:  # noqa: B036 - a failed build is the caller's error, not the worker's
                    self._writer.send_error(request_id, self._error_kind(exc), exc)
                    return
            else:
                func = self._registry.find(name) if isinstance(name, str) else None
            if func is None:
                self._writer.send_error_text(request_id, protocol.UNKNOWN_COMMAND, "UnknownCommand", "unknown command %s; this worker has: %s"
                                             % (bounded(repr(name), MAX_NAME_CHARS), ", ".join(self._registry.names())))
                return
            try:
                result = func(args)
            except BaseException as exc:  # noqa: B036 - a command's SystemExit must not end the worker
                self._writer.send_error(request_id, self._error_kind(exc), exc)
                return
            if inspect.isgenerator(result):
                if not self._stream(ctx, result):
                    return
                result = None
            self._writer.send_result(request_id, result, ctx.session_changes())
        except OSError:
            os._exit(protocol.EXIT_SILO_PIPE_GONE)  # the pipe to the silo is gone
        except Exception as exc:  # last resort: the request is answered and this serving thread lives on
            try:
                self._writer.send_error_text(request_id, protocol.INTERNAL, type(exc).__name__,
                                             "the bridge failed serving this request: %s" % exc, traceback.format_exc())
            except Exception:  # noqa: BLE001 - nothing can be sent: the stream is no longer to be trusted
                os._exit(protocol.EXIT_SILO_PIPE_GONE)
        finally:
            ctx.fail_tool_calls()  # a call a thread of the command still waits for can never be answered now
            self._context.set_current(None)
            with self._active_lock:
                self._active.pop(request_id, None)


CALL_PREFIX = re.compile(rb'\{"id":(\d{1,18}),"type":"' + protocol.CALL.encode("ascii") + rb'",')


def close(generator: Iterator[Any]) -> None:
    """Closes a generator a stream stopped reading (an iterator that is not a generator has nothing to close)."""
    closer = getattr(generator, "close", None)
    if closer is not None:
        closer()


def fail_bridge(what: str) -> NoReturn:
    """Ends the worker after a failure of the bridge itself: its traceback to stderr (the silo's log), then a distinct
    exit code, so the silo replaces the worker and the pool returns to full capacity."""
    try:
        sys.stderr.write("dspex bridge: %s; the worker exits (code %d)\n%s" % (what, protocol.EXIT_BRIDGE_FAILED, traceback.format_exc()))
        sys.stderr.flush()
    finally:
        exit_with_group(protocol.EXIT_BRIDGE_FAILED)


def call_id_of(body: bytes) -> Optional[int]:
    """The id of a call frame as the silo writes it (id first), read without parsing the rest; None otherwise."""
    match = CALL_PREFIX.match(body)
    return int(match.group(1)) if match else None


def exit_with_group(code: int) -> NoReturn:
    """Ends this worker and everything its commands spawned into its process group (the silo is gone)."""
    try:
        if os.getpgid(0) == os.getpid():  # only a group we lead: never the silo's
            os.killpg(0, signal.SIGKILL)
    finally:
        os._exit(code)


def start_parent_watchdog(parent_pid: int, interval: float) -> None:
    """Exits when the silo that started us is gone, even if our stdin stays open somehow."""

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent_pid:
                exit_with_group(protocol.EXIT_PARENT_GONE)

    threading.Thread(target=watch, name="dspex-parent-watchdog", daemon=True).start()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="DSPex worker bridge")
    parser.add_argument("--dspex-marker", required=True, help="cluster/silo/worker identity; read by the reaper")
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--adapter", action="append", default=[])
    parser.add_argument("--max-frame", type=int, default=16 * 1024 * 1024)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--watchdog-interval", type=float, default=0.5)
    return parser.parse_args(argv)


def take_protocol_fds() -> tuple[int, int]:
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


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    try:
        os.setsid()  # own process group: a group kill also ends what user code spawned
    except OSError:
        pass
    if os.getppid() != args.parent_pid:
        os._exit(protocol.EXIT_PARENT_GONE)
    start_parent_watchdog(args.parent_pid, args.watchdog_interval)
    in_fd, out_fd = take_protocol_fds()
    writer = FrameWriter(out_fd, args.max_frame)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(protocol.EXIT_STOPPED))

    try:
        import dspex
        import dspex.builtins  # noqa: F401 - registers ping, echo, list_commands

        adapters = dspex.load_adapters(args.adapter)
    except BaseException as exc:  # noqa: B036 - report any start-up failure to the silo, then exit
        writer.send_json({"type": protocol.FATAL, "message": "adapter import failed: %s: %s" % (type(exc).__name__, exc),
                          "traceback": traceback.format_exc()})
        os._exit(protocol.EXIT_ADAPTER_IMPORT_FAILED)

    reader = FrameReader(in_fd, args.max_frame)
    bridge = Bridge(reader, writer, max(1, args.concurrency))
    writer.send_json({
        "type": protocol.READY, "pid": os.getpid(), "pgid": os.getpgid(0), "protocol": PROTOCOL_VERSION,
        "adapters": adapters, "commands": sorted(dspex.commands().keys()),
        "python": sys.version.split()[0], "concurrency": args.concurrency,
    })
    bridge.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])

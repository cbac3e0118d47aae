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
  bridge -> silo  {"type": "ready", "pid": ..., "pgid": ..., "protocol": 1, "commands": [...]}
                  {"id": N, "type": "result", "result": ..., "session": {"set": {...}, "deleted": [...]}}
                  {"id": N, "type": "error", "error": {"kind": ..., "type": ..., "message": ..., "traceback": ...}}
                  {"id": N, "type": "item", "item": ...}   (a generator command's items, then its result)
                  {"id": N, "type": "heartbeat"}
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
import struct
import sys
import threading
import time
import traceback
from types import ModuleType
from typing import Any, Callable, Iterator, NoReturn, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dspex import protocol  # noqa: E402 - the bridge's own package, found beside this file

PROTOCOL_VERSION = protocol.VERSION
HEADER = struct.Struct(">I")

# What the serving threads hand each other: the request's context, its command name, its args, its program.
Call = tuple[Any, Any, Any, Optional[dict[str, Any]]]

# Error frames carry bounded, always-encodable text: an error must reach the silo whatever the exception held.
MAX_MESSAGE_CHARS = 4000
MAX_TRACEBACK_CHARS = 16000
MAX_NAME_CHARS = 200


def encodable(text: str) -> str:
    """The text with lone UTF-16 surrogates written as \\udXXX escapes, so it always encodes as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def bounded(text: Any, limit: int) -> Optional[str]:
    """At most ``limit`` characters of the text's start, saying how much was cut."""
    if text is None:
        return None
    text = text if isinstance(text, str) else str(text)
    if len(text) > limit:
        text = "%s... (%d more characters cut)" % (text[:limit], len(text) - limit)
    return encodable(text)


def bounded_tail(text: Optional[str], limit: int) -> Optional[str]:
    """At most ``limit`` characters of the text's end (where a traceback's cause is), saying how much was cut."""
    if text is None:
        return None
    if len(text) > limit:
        text = "(%d characters cut)...%s" % (len(text) - limit, text[-limit:])
    return encodable(text)


def describe(exc: BaseException) -> str:
    """str(exc), which user code can make fail."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - any failure of a user's __str__
        return "(the exception's message could not be read)"


class FrameOverLimit(ValueError):
    """A frame the bridge was about to write is past the frame limit (a bug: every writer fits its frames)."""


class FrameWriter:
    """Writes whole frames; a lock keeps frames from interleaving across threads. No frame past the limit is written:
    results and items that do not fit become a FrameTooLarge error, and error frames are cut down until they fit."""

    def __init__(self, fd: int, max_frame: int) -> None:
        self._fd = fd
        self._max_frame = max_frame
        self._lock = threading.Lock()

    def send(self, envelope_bytes: bytes) -> None:
        if len(envelope_bytes) > self._max_frame:
            raise FrameOverLimit("frame of %d bytes exceeds the limit of %d bytes" % (len(envelope_bytes), self._max_frame))
        data = HEADER.pack(len(envelope_bytes)) + envelope_bytes
        view = memoryview(data)
        with self._lock:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]

    def send_json(self, obj: dict[str, Any]) -> None:
        """A control frame built by the bridge itself (ASCII: lone surrogates in it are escaped, never fatal)."""
        self.send(json.dumps(obj, separators=(",", ":")).encode("ascii"))

    def send_result(self, request_id: int, result: Any, session_changes: Optional[dict[str, Any]] = None) -> None:
        extra: Optional[tuple[str, Any]] = None
        if session_changes is not None:
            extra = ("session", session_changes)
        envelope = self._value_frame(request_id, protocol.RESULT, result, extra)
        if envelope is not None:
            self.send(envelope)

    def send_item(self, request_id: int, item: Any) -> bool:
        """One streamed item; False when it could not be sent (the stream then ends with the error)."""
        envelope = self._value_frame(request_id, protocol.ITEM, item, None)
        if envelope is None:
            return False
        self.send(envelope)
        return True

    def _value_frame(self, request_id: int, kind: str, value: Any, extra: Optional[tuple[str, Any]]) -> Optional[bytes]:
        """The encoded frame carrying a command's value, or None after answering the request with why it cannot be."""
        what = "stream item" if kind == protocol.ITEM else "result"
        try:
            body = json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
            if extra is not None:
                body = '%s,"%s":%s' % (body, extra[0], json.dumps(extra[1], separators=(",", ":"), allow_nan=False, ensure_ascii=False))
            envelope = ('{"id":%d,"type":"%s","%s":%s}' % (request_id, kind, kind, body)).encode("utf-8")
        except UnicodeEncodeError as exc:
            self.send_error_text(request_id, protocol.RESULT_NOT_SERIALIZABLE, "UnicodeEncodeError",
                                 "the %s holds a lone UTF-16 surrogate, which is not Unicode text and cannot be sent as JSON (%s)"
                                 % (what, exc.reason))
            return None
        except (TypeError, ValueError, RecursionError) as exc:
            self.send_error_text(request_id, protocol.RESULT_NOT_SERIALIZABLE, type(exc).__name__, str(exc))
            return None
        if len(envelope) > self._max_frame:
            self.send_error_text(request_id, protocol.FRAME_TOO_LARGE, "FrameTooLarge",
                                 "%s frame of %d bytes exceeds the limit of %d bytes" % (what, len(envelope), self._max_frame))
            return None
        return envelope

    def send_error(self, request_id: int, kind: str, exc: BaseException, with_traceback: bool = True) -> None:
        self.send_error_text(request_id, kind, type(exc).__name__, describe(exc),
                             traceback.format_exc() if with_traceback else None)

    def send_error_text(self, request_id: int, kind: str, type_name: str, message: str, tb: Optional[str] = None) -> None:
        """An error frame that always fits: text bounded and made encodable, then cut further if still too big."""
        error: dict[str, Any] = {"kind": kind, "type": bounded(type_name, MAX_NAME_CHARS),
                 "message": bounded(message, MAX_MESSAGE_CHARS),
                 "traceback": bounded_tail(tb, MAX_TRACEBACK_CHARS)}
        envelope = self._error_frame(request_id, error)
        if len(envelope) > self._max_frame:
            error["traceback"] = None
            envelope = self._error_frame(request_id, error)
        if len(envelope) > self._max_frame:
            # An escaped character takes at most 12 bytes (a surrogate pair as two \uXXXX).
            budget = max(0, (self._max_frame - 512) // 12)
            error["type"] = error["type"][:64] if error["type"] else None
            error["message"] = bounded(error["message"], budget)
            envelope = self._error_frame(request_id, error)
        self.send(envelope)

    @staticmethod
    def _error_frame(request_id: int, error: dict[str, Any]) -> bytes:
        return json.dumps({"id": request_id, "type": protocol.ERROR, "error": error}, separators=(",", ":")).encode("ascii")


class FrameReader:
    """Reads whole frames; a frame past the limit is skipped and reported by its length."""

    def __init__(self, fd: int, max_frame: int) -> None:
        self._stream = os.fdopen(fd, "rb", buffering=1 << 16)
        self._max_frame = max_frame

    def _read_exact(self, n: int) -> Optional[bytes]:
        data = self._stream.read(n)
        if data is None or len(data) < n:
            return None
        return data

    def read(self) -> Optional[tuple[Optional[bytes], int]]:
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

    def __init__(self, reader: FrameReader, writer: FrameWriter, concurrency: int) -> None:
        from dspex import context, errors, programs, registry

        self._context: ModuleType = context
        self._errors: ModuleType = errors
        self._programs: ModuleType = programs
        self._registry: ModuleType = registry
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

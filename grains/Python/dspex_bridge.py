"""DSPex worker bridge: one Python process serving commands to its .NET worker grain.

Protocol: frames of a 4-byte big-endian length and a UTF-8 JSON envelope, on private
duplicates of the pipes the silo gave us. fd 0 and fd 1 are pointed away at start, so a
print() or a C library writing to stdout cannot corrupt a frame. Every frame type and its
fields are defined in dspex/protocol.json and explained in docs/protocol.md; in short:

  silo -> bridge  call (id, cmd, args, optional credit, session, program, trace), cancel, credit, heartbeat,
                  tool_result (the answer to a tool_call or list_tools)
  bridge -> silo  ready (the handshake, naming the protocol version), result, error, item (a stream's items, then
                  its result), heartbeat, tool_call and list_tools (mid-request), fatal (start-up failed; the
                  process then exits), protocol_error (a frame that could not be read or handled)

`dspex_bridge.py --list-commands --adapter M ...` serves nothing: it prints what a worker would serve (dspex.listing).

Every frame written fits --max-frame: a result or item that does not is a FrameTooLarge error, and error text
is bounded and cut until the frame fits. A call whose envelope Python cannot read (an integer past its digit
limit, nesting past its recursion limit) is answered by its id, which the silo always writes first; a tool_result
Python cannot read fails that tool call (ResultNotSerializable) by its tool_id, also written first.

The frame types, error kinds and exit codes come from dspex/protocol.json (through dspex.protocol), the one
definition the silo is tested against too.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and "--list-commands" not in sys.argv:
    # A worker's own session and process group from its first line, before the imports below: a group kill covers
    # everything from here, and where the kernel shares CPU time out by session (Linux autogroup) the rest of the
    # start runs on the worker's own share, not its silo's, so the workers of a pool started at once start in
    # parallel. main() checks the parent; the silo checks the group in the ready frame (a worker that does not lead
    # its own group fails to start).
    try:
        os.setsid()
    except OSError:
        pass

import argparse
import collections
import contextvars
import inspect
import json
import re
import signal
import threading
import time
import traceback
from types import ModuleType
from typing import Any, Callable, Iterator, NoReturn, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dspex import binary, protocol, uploads  # the bridge's own package, found beside this file
from dspex.framing import (  # after the path insert above
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

    An async command (a coroutine or an async generator) is handed to the worker's event loop (dspex.event_loop)
    and its thread goes back to serving. Threads are started as calls need them: whenever the last idle thread
    takes a call, one more starts (up to concurrency + 1), so there is always a reader while synchronous commands
    run, and a worker serving async commands keeps a few threads however high its concurrency.
    """

    def __init__(self, reader: FrameReader, writer: FrameWriter, concurrency: int) -> None:
        from dspex import context, errors, programs, registry, tools
        from dspex.event_loop import EventLoopRunner, is_async_work

        self._context: ModuleType = context
        self._errors: ModuleType = errors
        self._programs: ModuleType = programs
        self._registry: ModuleType = registry
        self._tools: ModuleType = tools
        tools.install(lambda body, parts=None: self._writer.send(body, parts=parts))
        self._reader = reader
        self._writer = writer
        self._reader_role = threading.Lock()
        self._active: dict[Any, Any] = {}
        self._active_lock = threading.Lock()
        self._max_threads = concurrency + 1
        self._threads_lock = threading.Lock()
        self._threads = 1  # the thread that calls serve_forever
        self._idle = 1  # threads not running a call: waiting for the reader role, or holding it
        self._is_async_work = is_async_work
        self._event_loop = EventLoopRunner(writer, self._error_kind, self._finished,
                                           lambda: os._exit(protocol.EXIT_SILO_PIPE_GONE))
        # The silo may send a sync call ahead while this worker's slots are busy (DSPex:Pool:SendAhead): it is held
        # here until a slot frees, so no more than `concurrency` sync calls ever run at once, and the reader stays
        # free to answer cancels and heartbeats meanwhile.
        self._concurrency = concurrency
        self._running = 0
        self._held: collections.deque[Call] = collections.deque()
        self._slots_lock = threading.Lock()

    def serve_forever(self) -> None:
        self._serve()

    def thread_count(self) -> int:
        """Serving threads started so far (at most concurrency + 1)."""
        return self._threads

    def _took_call(self) -> None:
        """A thread left the idle set to run a call: when it was the last idle one, another starts to read."""
        with self._threads_lock:
            self._idle -= 1
            if self._idle > 0 or self._threads >= self._max_threads:
                return
            self._threads += 1
            self._idle += 1
            index = self._threads - 1
        try:
            threading.Thread(target=self._serve, name="dspex-serve-%d" % index, daemon=True).start()
        except RuntimeError:  # no more threads in this process: serve on with those there are
            with self._threads_lock:
                self._threads -= 1
                self._idle -= 1
            sys.stderr.write("dspex bridge: could not start serving thread %d\n" % index)

    def _back_to_idle(self) -> None:
        with self._threads_lock:
            self._idle += 1

    def _finished(self, ctx: Any) -> None:
        ctx.ended = True  # before its calls are failed: a task of the command can start no tool call from now on
        ctx.fail_tool_calls()  # a tool call a task of the command still waits for can never be answered now
        with self._active_lock:
            self._active.pop(ctx.request_id, None)
        uploads.forget(ctx.request_id)

    def _serve(self) -> None:
        """One serving thread. Its last-resort guard: whatever escapes reading or running (a bug in the bridge, a
        KeyboardInterrupt) ends the worker with a distinct exit code, so the silo replaces it, rather than leaving a
        worker that silently lost a serving thread (or, on the main thread, exited as if stopped)."""
        try:
            while True:
                with self._reader_role:
                    call: Optional[Call] = self._read_until_call()
                self._took_call()
                try:
                    while call is not None:
                        self._run(*call)
                        call = self._next_held()
                finally:
                    self._back_to_idle()
        except OSError:
            exit_with_group(protocol.EXIT_SILO_PIPE_GONE)
        except BaseException:  # the last resort: nothing may end a serving thread quietly
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
            if call is not None and self._admit(call):
                return call

    def _admit(self, call: Call) -> bool:
        """Takes a slot for a call just read, or holds the call (sent ahead) until a running one ends."""
        with self._slots_lock:
            if self._running < self._concurrency:
                self._running += 1
                return True
            self._held.append(call)
            return False

    def _next_held(self) -> Optional[Call]:
        """After a call ends: the held call that takes over its slot, or None (the slot is free)."""
        with self._slots_lock:
            if self._held:
                return self._held.popleft()
            self._running -= 1
            return None

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
            # A call's binary parts follow its envelope (dspex.binary); a part that does not add up is a PartError,
            # a ValueError: the call fails by its id with InvalidArguments and this worker keeps serving.
            text, region = binary.split(body)
            parts: list[memoryview] = []
            if region is None:
                envelope = json.loads(text)
                if isinstance(envelope, dict) and envelope.get("parts"):
                    binary.cut(envelope.get("parts"), None)  # declares parts it does not carry: a PartError
            else:
                declared = json.loads(text)
                if not isinstance(declared, dict):
                    raise ValueError("envelope is not a JSON object")
                parts = binary.cut(declared.get("parts"), region)
                envelope = binary.decode(text, parts)
            if not isinstance(envelope, dict):
                raise ValueError("envelope is not a JSON object")
        except (ValueError, RecursionError) as exc:
            # Valid JSON Python reads differently (an integer past its digit limit, say) is the caller's error:
            # answer the call by its id, which the silo always writes first.
            call_id = call_id_of(body)
            tool_call = tool_result_ids_of(body) if call_id is None else None
            if tool_call is not None:
                # A tool's answer Python cannot read: that tool call fails, in the task that waits for it.
                self._tools.fail_unreadable(tool_call[1], "the tool's result could not be read as Python reads JSON: %s"
                                            % bounded(describe(exc), MAX_MESSAGE_CHARS), type(exc).__name__)
            elif call_id is None and chunk_call_id_of(body) is not None:
                # A chunk that does not add up: its upload fails (the command's next read raises, naming the part);
                # a chunk of no running upload is dropped, as any late chunk is.
                reader = uploads.find(chunk_call_id_of(body))
                if reader is not None:
                    reader.end("a chunk frame could not be read: %s" % bounded(describe(exc), MAX_MESSAGE_CHARS))
            elif call_id is None:
                self._writer.send_json({"type": protocol.PROTOCOL_ERROR,
                                        "message": bounded("malformed frame: %s" % exc, MAX_MESSAGE_CHARS)})
            elif isinstance(exc, binary.PartError):
                self._writer.send_error_text(call_id, protocol.INVALID_ARGUMENTS, type(exc).__name__,
                                             "the call's binary parts do not add up: %s" % exc)
            else:
                self._writer.send_error_text(call_id, protocol.INVALID_ARGUMENTS, type(exc).__name__,
                                             "the request could not be read as Python reads JSON: %s" % exc)
            return None
        kind = envelope.get("type")
        request_id: Any = envelope.get("id")  # a JSON value, as the silo wrote it
        if kind == protocol.CALL:
            try:
                ctx = self._context.RequestContext(request_id, envelope.get("session"), envelope.get("credit"),
                                                   envelope.get("trace"))
            except (AttributeError, TypeError, ValueError) as exc:
                self._writer.send_error_text(request_id, protocol.INVALID_ARGUMENTS, type(exc).__name__,
                                             "the call's session, credit or trace is not valid: %s" % exc)
                return None
            upload: Any = envelope.get("upload")  # a JSON value: UploadReader checks it is a window
            if upload is not None:
                try:
                    uploads.register(request_id, uploads.UploadReader(upload, self._chunk_credit(request_id)))
                except ValueError as exc:
                    self._writer.send_error_text(request_id, protocol.INVALID_ARGUMENTS, type(exc).__name__,
                                                 "the call's upload is not valid: %s" % exc)
                    return None
            with self._active_lock:
                self._active[request_id] = ctx
            name = envelope.get("cmd")
            if envelope.get("program") is None and isinstance(name, str):
                func = self._registry.find(name)
                if func is not None and is_async_function(func):
                    self._start_async(ctx, func, envelope.get("args"))
                    return None
            return ctx, name, envelope.get("args"), envelope.get("program")
        if kind in (protocol.CANCEL, protocol.CREDIT):
            with self._active_lock:
                ctx = self._active.get(request_id)
            if ctx is not None:
                if kind == protocol.CANCEL:
                    ctx.cancel()
                    reader = uploads.find(request_id)
                    if reader is not None:
                        reader.wake()
                else:
                    ctx.grant(int(envelope.get("n", 0)))
        elif kind in (protocol.CHUNK, protocol.CHUNKS_END):
            self._upload_frame(kind, request_id, envelope, parts)
        elif kind == protocol.HEARTBEAT:
            # Passes frames other threads queued: a worker whose pipe is full of big tool calls is busy, not hung.
            self._writer.send_json({"id": request_id, "type": protocol.HEARTBEAT_REPLY}, urgent=True)
        elif kind == protocol.TOOL_RESULT:
            self._tools.resolve(envelope)  # wakes the command waiting in dspex.call_tool
        return None

    def _chunk_credit(self, request_id: Any) -> Callable[[int], None]:
        return lambda n: self._writer.send_json({"id": request_id, "type": protocol.CHUNK_CREDIT, "n": n})

    def _upload_frame(self, kind: str, request_id: Any, envelope: dict[str, Any], parts: list[memoryview]) -> None:
        """A chunk (or the end) of an upload: queued for the command's reader. A chunk for no running upload (its call
        ended) is dropped; one that breaks the upload's rules fails the upload, and so the call, naming the chunk."""
        reader = uploads.find(request_id)
        if reader is None:
            return
        if kind == protocol.CHUNKS_END:
            error = envelope.get("error")
            reader.end(None if error is None else bounded(str(error), MAX_MESSAGE_CHARS))
            return
        if len(parts) != 1:
            reader.end("a chunk frame carries %d binary parts, not 1" % len(parts))
            return
        problem = reader.put(bytes(parts[0]))
        if problem is not None:
            reader.end(problem)

    def _start_async(self, ctx: Any, func: Callable[[Any], Any], args: Any) -> None:
        """Starts an async command on the event loop from the reading thread, which keeps the reader role: calling an
        async function runs none of its code, so an async call costs no hand-off between serving threads."""
        context = contextvars.copy_context()
        context.run(self._context.set_current, ctx)
        try:
            work = context.run(func, args)
        except BaseException as exc:  # a bad call (wrong arguments) is that request's error
            self._finished(ctx)
            self._writer.send_error(ctx.request_id, self._error_kind(exc), exc)
            return
        self._event_loop.start(ctx, work, context)

    def _error_kind(self, exc: BaseException) -> str:
        return protocol.INVALID_ARGUMENTS if isinstance(exc, self._errors.InvalidArguments) else protocol.PYTHON_EXCEPTION

    def _stream(self, ctx: Any, generator: Iterator[Any]) -> bool:
        """Sends a generator's items, each only once the silo granted credit for it (backpressure).
        Returns False when the stream ended in an error (already sent).

        The credit is taken before the generator is asked for its next item, not after: so the generator has made
        no more items than the silo granted (the silo grants as the client reads, docs/streams.md), and a cancel
        while it waits closes it without running it one item further."""
        sent = 0
        try:
            while True:
                if not ctx.wait_for_credit():
                    close(generator)  # cancelled: the caller stopped reading
                    return True
                try:
                    item = next(generator)
                except StopIteration:
                    return True
                sent += 1
                if not self._writer.send_item(ctx.request_id, item, sent - 1):
                    close(generator)
                    return False
        except BaseException as exc:  # a failing generator ends its stream with the error
            self._writer.send_error(ctx.request_id, self._error_kind(exc), exc)
            return False
        return True

    def _run(self, ctx: Any, name: Any, args: Any, program: Optional[dict[str, Any]]) -> None:
        request_id: int = ctx.request_id
        func: Optional[Callable[[Any], Any]]
        handed_off = False
        self._context.set_current(ctx)
        try:
            if program is not None:
                try:
                    func, _ = self._programs.resolve(ctx.session_id, program)
                except BaseException as exc:  # a failed build is the caller's error, not the worker's
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
            except BaseException as exc:  # a command's SystemExit must not end the worker
                self._writer.send_error(request_id, self._error_kind(exc), exc)
                return
            if self._is_async_work(result):
                # The loop answers it; this thread goes back to serving. The task runs in a copy of this context,
                # which holds the current request.
                self._event_loop.start(ctx, result, contextvars.copy_context())
                handed_off = True
                return
            if inspect.isgenerator(result):
                if not ctx.is_stream:
                    close(result)  # an exec call: its items would be dropped, so none are made
                    self._writer.send_error_text(request_id, protocol.INVALID_ARGUMENTS, "InvalidArguments",
                                                 self._errors.stream_called_with_exec(self._errors.describe_command(name, program)))
                    return
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
            except Exception:  # nothing can be sent: the stream is no longer to be trusted
                os._exit(protocol.EXIT_SILO_PIPE_GONE)
        finally:
            self._context.set_current(None)
            if not handed_off:
                self._finished(ctx)


CALL_PREFIX = re.compile(rb'\{"id":(\d{1,18}),"type":"' + protocol.CALL.encode("ascii") + rb'",')
CHUNK_PREFIX = re.compile(rb'\{"id":(\d{1,18}),"type":"' + protocol.CHUNK.encode("ascii") + rb'",')
TOOL_RESULT_PREFIX = re.compile(rb'\{"id":(\d{1,18}),"type":"' + protocol.TOOL_RESULT.encode("ascii") + rb'","tool_id":(\d{1,18}),')


def is_async_function(func: Any) -> bool:
    """A command that is an ``async def`` function or an async generator function (a method or a partial of one too)."""
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


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


def chunk_call_id_of(body: bytes) -> Optional[int]:
    """The call id of a chunk frame as the silo writes it (id first); None otherwise."""
    match = CHUNK_PREFIX.match(body)
    return int(match.group(1)) if match else None


def tool_result_ids_of(body: bytes) -> Optional[tuple[int, int]]:
    """(request id, tool-call id) of a tool_result frame as the silo writes it (those fields first); None otherwise."""
    match = TOOL_RESULT_PREFIX.match(body)
    return (int(match.group(1)), int(match.group(2))) if match else None


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


def join_worker_cgroup(marker: str) -> None:
    """Into a cgroup of this worker's own before any adapter code runs: what that code starts stays in it, whatever
    it does (setsid, exec with an empty environment), and the silo ends it with this worker (dspex/worker_cgroup.py)."""
    try:
        from dspex import worker_cgroup

        worker_cgroup.join(marker)
    except BaseException:  # best effort; the worker runs unconfined
        pass


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


def list_commands(argv: list[str]) -> NoReturn:
    """`dspex_bridge.py --list-commands [--adapter M]...`: imports the adapters as a worker would (no silo, no frames)
    and prints what they register as one JSON object (dspex.listing) on stdout. Adapter code printing at import goes
    to stderr, as in a worker. Exit code 0, or adapter_import_failed when an adapter did not import."""
    parser = argparse.ArgumentParser(description="List what a worker with these adapters would serve")
    parser.add_argument("--list-commands", action="store_true", required=True)
    parser.add_argument("--adapter", action="append", default=[])
    args = parser.parse_args(argv)
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from dspex.listing import describe_pool

    listing = describe_pool(args.adapter)
    text = json.dumps(listing, ensure_ascii=True, separators=(",", ":")) + "\n"
    os.write(out_fd, text.encode("ascii"))
    sys.stderr.flush()
    os._exit(protocol.EXIT_ADAPTER_IMPORT_FAILED if listing["error"] else protocol.EXIT_STOPPED)


def main(argv: list[str]) -> None:
    if "--list-commands" in argv:
        list_commands(argv)
    args = parse_args(argv)
    # Its own process group (a group kill also ends what user code spawned) was made at the top of this file.
    if os.getppid() != args.parent_pid:
        os._exit(protocol.EXIT_PARENT_GONE)
    join_worker_cgroup(args.dspex_marker)
    start_parent_watchdog(args.parent_pid, args.watchdog_interval)
    in_fd, out_fd = take_protocol_fds()
    writer = FrameWriter(out_fd, args.max_frame, lambda: exit_with_group(protocol.EXIT_SILO_PIPE_GONE))
    signal.signal(signal.SIGTERM, lambda *_: os._exit(protocol.EXIT_STOPPED))

    try:
        import dspex
        import dspex.builtins  # registers ping, echo, list_commands

        adapters = dspex.load_adapters(args.adapter)
    except BaseException as exc:  # report any start-up failure to the silo, then exit
        # A module that imports but registers nothing (AdapterRegistersNothing) names itself in its message.
        what = "adapter registers nothing" if type(exc).__name__ == "AdapterRegistersNothing" else "adapter import failed"
        writer.send_json({"type": protocol.FATAL, "message": "%s: %s: %s" % (what, type(exc).__name__, exc),
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

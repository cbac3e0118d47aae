"""Runs one command or program the way a worker runs it, in this process, without a silo: the same registry, the same
request rules (dspex.request_rules) and the same frame writer (dspex.framing), so results, items and errors are exactly
what a caller of the cluster would get (a result JSON cannot carry is ResultNotSerializable, one past the frame limit
FrameTooLarge, a raised dspex.InvalidArguments the InvalidArguments kind). Coroutine and async-generator commands run
on their own event loop (asyncio.run)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import itertools

import threading
from dataclasses import dataclass, field
from typing import Any, AsyncGenerator, Callable, Iterable, Iterator, Optional

from . import binary, context, errors, local_tools, programs, protocol, registry, uploads
from .framing import FrameWriter

_request_ids = itertools.count(1)


@dataclass
class CommandError:
    """An error as the caller of the cluster sees it: kind (a DSPexErrorKind name), Python type, message, traceback."""

    kind: str
    type: Optional[str]
    message: Optional[str]
    traceback: Optional[str] = None


@dataclass
class CommandRun:
    """What one call produced: its result (None for a stream or an error), streamed items, the session variables it
    set and deleted (stored only when the call succeeds), and its error, if any."""

    result: Any = None
    items: list[Any] = field(default_factory=list)
    set_vars: dict[str, Any] = field(default_factory=dict)
    deleted_vars: list[str] = field(default_factory=list)
    error: Optional[CommandError] = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _CapturingWriter(FrameWriter):
    """The bridge's frame writer with the pipe replaced by a list: every frame it would send, decoded, in order."""

    def __init__(self, max_frame: int, on_frame: Optional[Callable[[dict[str, Any]], None]]) -> None:
        super().__init__(-1, max_frame)
        self.frames: list[dict[str, Any]] = []
        self._on_frame = on_frame

    def send(self, envelope_bytes: bytes, urgent: bool = False, parts: Optional[list[memoryview]] = None) -> None:
        size = len(envelope_bytes) + (1 + sum(len(p) for p in parts) if parts else 0)
        if size > self._max_frame:
            raise ValueError("frame of %d bytes exceeds the limit of %d bytes" % (size, self._max_frame))
        # A result's binary parts come back as the silo reads them: bytes as bytes, arrays as arrays.
        frame = binary.decode(envelope_bytes, [memoryview(bytes(p)) for p in parts or []])
        self.frames.append(frame)
        if self._on_frame is not None:
            self._on_frame(frame)


def _kind(exc: BaseException) -> str:
    return protocol.INVALID_ARGUMENTS if isinstance(exc, errors.InvalidArguments) else protocol.PYTHON_EXCEPTION


def _send_stream(writer: FrameWriter, ctx: context.RequestContext, items: Iterator[Any]) -> bool:
    try:
        for index, item in enumerate(items):
            if ctx.is_cancelled:
                getattr(items, "close", lambda: None)()
                return True  # the caller gave up: the stream ends, as in a worker
            if not writer.send_item(ctx.request_id, item, index):
                getattr(items, "close", lambda: None)()
                return False  # the item could not be sent: its error ended the stream
    except BaseException as exc:  # a failing stream ends with its error, as in a worker
        writer.send_error(ctx.request_id, _kind(exc), exc)
        return False
    return True


async def _drain_async(writer: FrameWriter, ctx: context.RequestContext, items: AsyncGenerator[Any, None]) -> bool:
    context.set_current(ctx)  # the event loop's thread serves this call
    try:
        index = 0
        async for item in items:
            if ctx.is_cancelled:
                await items.aclose()
                return True
            index += 1
            if not writer.send_item(ctx.request_id, item, index - 1):
                await items.aclose()
                return False
    except BaseException as exc:
        writer.send_error(ctx.request_id, _kind(exc), exc)
        return False
    return True


async def _await_with_context(ctx: context.RequestContext, awaitable: Any) -> Any:
    context.set_current(ctx)
    return await awaitable


def execute(ctx: context.RequestContext, writer: FrameWriter, name: Optional[str], args: Any,
            program: Optional[dict[str, Any]] = None) -> None:
    """Runs one call to completion, answering it through ``writer`` as a worker answers it."""
    context.set_current(ctx)
    try:
        if program is not None:
            try:
                func, _ = programs.resolve(ctx.session_id, program)
            except BaseException as exc:  # a failed build is the caller's error
                writer.send_error(ctx.request_id, _kind(exc), exc)
                return
        else:
            func = registry.find(name) if isinstance(name, str) else None
        if func is None:
            writer.send_error_text(ctx.request_id, protocol.UNKNOWN_COMMAND, "UnknownCommand",
                                   "unknown command %r; registered: %s" % (name, ", ".join(registry.names())))
            return
        try:
            result = func(args)
            if inspect.iscoroutine(result):
                result = asyncio.run(_await_with_context(ctx, result))
        except BaseException as exc:  # a command's SystemExit is its error, as in a worker
            writer.send_error(ctx.request_id, _kind(exc), exc)
            return
        if inspect.isasyncgen(result):
            if not asyncio.run(_drain_async(writer, ctx, result)):
                return
            result = None
        elif inspect.isgenerator(result):
            if not _send_stream(writer, ctx, result):
                return
            result = None
        writer.send_result(ctx.request_id, result, ctx.session_changes())
    finally:
        context.set_current(None)


def run(command: Optional[str], args: Any = None, *, variables: Optional[dict[str, Any]] = None,
        session_id: Optional[str] = None, program: Optional[dict[str, Any]] = None,
        max_frame: int = protocol.DEFAULT_MAX_FRAME_BYTES,
        on_frame: Optional[Callable[[dict[str, Any]], None]] = None,
        cancel: Optional[threading.Event] = None,
        tools: Optional[dict[str, Callable[[Any], Any]]] = None,
        upload: Optional[Iterable[bytes]] = None) -> CommandRun:
    """Runs ``command`` (or ``program``, a {"id", "rev", "spec"} object) with decoded ``args``. Variables make it a
    session call (``session_id`` defaults to "local"). ``on_frame`` sees each frame as it is produced (items while
    a stream runs); setting ``cancel`` makes dspex.cancelled() true inside the command. ``tools`` stubs the .NET
    tools the command calls (name -> function of the args; dspex.local_tools); a tool with no stub is UnknownTool.
    ``upload`` makes it an upload call: the command's dspex.upload() yields those chunks as ``bytes``."""
    from . import request_rules

    importlib.import_module(".builtins", __package__)  # a worker always has ping, echo, list_commands, worker_info

    if command is not None:
        request_rules.check_command(command)
    args = _as_a_worker_receives(args)
    request_rules.check_value(args, "the arguments")
    session = None
    if variables is not None or session_id is not None:
        request_rules.check_value(variables or {}, "the session variables")
        session = {"id": session_id or "local", "vars": dict(variables or {})}
    ctx = context.RequestContext(next(_request_ids), session)
    if cancel is not None:
        cancelled = cancel

        def cancel_when_set() -> None:
            cancelled.wait()
            ctx.cancel()

        threading.Thread(target=cancel_when_set, name="dspex-local-cancel", daemon=True).start()
    writer = _CapturingWriter(max_frame, on_frame)
    stubs = local_tools.install(local_tools.LocalTools(tools))
    if upload is not None:
        chunks = [bytes(chunk) for chunk in upload]
        reader = uploads.UploadReader(max(1, len(chunks)), lambda n: None)
        for chunk in chunks:
            reader.put(chunk)
        reader.end()
        uploads.register(ctx.request_id, reader)
    try:
        execute(ctx, writer, command, args, program)
    finally:
        local_tools.reset(stubs)
        uploads.forget(ctx.request_id)
    return _outcome(writer.frames)


def _as_a_worker_receives(args: Any) -> Any:
    """Args with bytes or arrays in them cross as binary parts: the command gets them as a worker does (memoryview,
    numpy array or shaped memoryview). Args without them are passed as they are."""
    encoder = binary.Encoder()
    try:
        text = encoder.dumps(args)
    except (TypeError, ValueError, RecursionError):
        return args  # request_rules names what is wrong, as before
    if not encoder.parts:
        return args
    return binary.decode(text.encode("utf-8"), [memoryview(bytes(p)) for p in encoder.parts])


def _outcome(frames: list[dict[str, Any]]) -> CommandRun:
    outcome = CommandRun()
    for frame in frames:
        kind = frame.get("type")
        if kind == protocol.ITEM:
            outcome.items.append(frame.get("item"))
        elif kind == protocol.RESULT:
            outcome.result = frame.get("result")
            changes = frame.get("session") or {}
            outcome.set_vars = dict(changes.get("set") or {})
            outcome.deleted_vars = list(changes.get("deleted") or [])
        elif kind == protocol.ERROR:
            error = frame.get("error") or {}
            outcome.error = CommandError(error.get("kind", protocol.INTERNAL), error.get("type"), error.get("message"),
                                         error.get("traceback"))
    return outcome

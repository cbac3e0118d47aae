"""Calling .NET tools from Python, mid-request: ``call_tool``, ``acall_tool``, ``list_tools`` and ``ToolError``.

A call writes a tool_call frame (the request's id, a tool-call id unique on this worker, the tool's name and its JSON
args) on the worker's pipe and waits for the silo's tool_result frame, which the bridge's reader thread hands to
``resolve``. The silo runs a tool of its own or one of the calling client's, bounded by the request's deadline and
cancellation; a cancelled or finished request wakes its waiting tool calls with a ToolError of kind Cancelled.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import threading
from typing import Any, Awaitable, Callable, Optional

from dspex import binary, context, local_tools, protocol

Outcome = tuple[Any, Optional["ToolError"]]


class ToolError(Exception):
    """A tool call that failed: ``kind`` says how (ToolFailed: the tool raised; UnknownTool, InvalidArguments, Forbidden,
    Cancelled, DeadlineExceeded, ToolUnavailable, ...), ``type`` names the .NET exception and ``message`` says why.
    Uncaught, it fails the request as a Python exception of type ToolError with this text."""

    def __init__(self, kind: str, type: str, message: str) -> None:  # the field's name in the frame
        super().__init__("%s: %s (%s)" % (kind, message, type))
        self.kind = kind
        self.type = type
        self.message = message


class _Waiter:
    """One tool call waiting for its answer: a thread blocked on an Event, or an asyncio future on its loop."""

    __slots__ = ("ctx", "event", "outcome", "loop", "future")

    def __init__(self, ctx: Any, loop: Optional[asyncio.AbstractEventLoop], future: Optional["asyncio.Future[Any]"]) -> None:
        self.ctx = ctx
        self.event = threading.Event() if future is None else None
        self.outcome: Outcome = (None, None)
        self.loop = loop
        self.future = future

    def settle(self, outcome: Outcome) -> None:
        if self.future is not None and self.loop is not None:
            try:
                self.loop.call_soon_threadsafe(_complete_future, self.future, outcome)
            except RuntimeError:
                pass  # the loop is closed: nobody awaits this call any more
            return
        self.outcome = outcome
        assert self.event is not None
        self.event.set()


_send: Optional[Callable[..., None]] = None  # (body, parts=None)
_lock = threading.Lock()
_waiters: dict[int, _Waiter] = {}
_ids = itertools.count(1)


def install(send: Callable[..., None]) -> None:
    """The bridge gives the function that writes one frame and its binary parts (it raises FrameOverLimit past the
    limit, envelope and parts together)."""
    global _send
    _send = send


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def call_tool(name: str, args: Any = None) -> Any:
    """Calls the .NET tool ``name`` with ``args`` (a JSON object; None means {}) and returns its result. Blocks this
    thread until the answer; raises ToolError when the call fails. bytes, bytearray, memoryview and arrays anywhere in
    ``args`` cross as binary parts (raw, never base64); bytes in the result arrive as memoryview."""
    stubs = _local_run(protocol.TOOL_CALL, name)
    if stubs is not None:
        result = stubs.call(name, args)
        return asyncio.run(_awaited(result)) if inspect.isawaitable(result) else result
    waiter = _start(protocol.TOOL_CALL, name, args, None, None)
    assert waiter.event is not None
    waiter.event.wait()
    return _unwrap(waiter.outcome)


def list_tools() -> list[dict[str, Any]]:
    """The tools this request may call: [{"name", "description", "schema"}], schema being a JSON Schema of the args."""
    stubs = _local_run(protocol.LIST_TOOLS, None)
    if stubs is not None:
        return stubs.listing()
    waiter = _start(protocol.LIST_TOOLS, None, None, None, None)
    assert waiter.event is not None
    waiter.event.wait()
    result: list[dict[str, Any]] = _unwrap(waiter.outcome)
    return result


async def acall_tool(name: str, args: Any = None) -> Any:
    """``call_tool`` for async commands: awaits the answer on the running event loop instead of blocking a thread."""
    stubs = _local_run(protocol.TOOL_CALL, name)
    if stubs is not None:
        result = stubs.call(name, args)
        return await result if inspect.isawaitable(result) else result
    loop = asyncio.get_running_loop()
    future: "asyncio.Future[Any]" = loop.create_future()
    _start(protocol.TOOL_CALL, name, args, loop, future)
    return await future


def resolve(envelope: dict[str, Any]) -> None:
    """A tool_result frame from the silo (on the reader thread). An answer nobody waits for (the call was cancelled
    first) is dropped."""
    tool_id = envelope.get("tool_id")
    error = envelope.get("error")
    if isinstance(error, dict):
        outcome: Outcome = (None, ToolError(str(error.get("kind") or "ToolFailed"), str(error.get("type") or ""),
                                            str(error.get("message") or "(no message)")))
    else:
        outcome = (envelope.get("result"), None)
    if isinstance(tool_id, int):
        _finish(tool_id, outcome)


def fail_unreadable(tool_id: int, message: str, type_name: str) -> None:
    """A tool_result frame Python could not read (an integer past its digit limit, say): its call fails with
    ResultNotSerializable, on the reader thread, instead of waiting for an answer that never comes."""
    _finish(tool_id, (None, ToolError(protocol.TOOL_RESULT_NOT_SERIALIZABLE, type_name, message)))


def _local_run(kind: str, name: Optional[str]) -> Optional[local_tools.LocalTools]:
    """The tool stubs of a local run (dspex.local: no silo, no pipe), after the checks a worker makes too; None in a
    worker, where a tool call is a frame to the silo."""
    stubs = local_tools.current()
    if stubs is None:
        return None
    ctx = context.current()
    if ctx is None:
        raise RuntimeError("dspex tools can only be called while serving a request (a command, a program or a stream)")
    if kind == protocol.TOOL_CALL and not isinstance(name, str):
        raise TypeError("the tool name must be a str, not %s" % type(name).__name__)
    if ctx.is_cancelled:
        raise ToolError(protocol.TOOL_CANCELLED, "OperationCanceledException", "the request was cancelled")
    return stubs


def _start(kind: str, name: Optional[str], args: Any, loop: Optional[asyncio.AbstractEventLoop],
           future: Optional["asyncio.Future[Any]"]) -> _Waiter:
    ctx = context.current()
    if ctx is None or _send is None:
        raise RuntimeError("dspex tools can only be called while serving a request (a command, a program or a stream)")
    if ctx.ended:
        # A task the command started that outlived its request: the silo has its answer, and no tool call can be
        # tied to it any more. The error is this task's alone; the worker and its other requests are not touched.
        raise RuntimeError("request %d has already been answered: a tool call cannot outlive the request that makes it "
                           "(await the tasks that call tools before the command returns)" % ctx.request_id)
    if kind == protocol.TOOL_CALL and not isinstance(name, str):
        raise TypeError("the tool name must be a str, not %s" % type(name).__name__)
    if ctx.is_cancelled:
        raise ToolError(protocol.TOOL_CANCELLED, "OperationCanceledException", "the request was cancelled")
    tool_id = next(_ids)
    envelope: dict[str, Any] = {"type": kind, "id": ctx.request_id, "tool_id": tool_id}
    if kind == protocol.TOOL_CALL:
        envelope["tool"] = name
        envelope["args"] = {} if args is None else args
    encoder = binary.Encoder()  # the args' bytes and arrays become the frame's binary parts
    try:
        text = encoder.dumps(envelope)
        if encoder.parts:
            text = '%s,"parts":[%s]}' % (text[:-1], ",".join(str(len(p)) for p in encoder.parts))
        body = text.encode("utf-8")
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError) as exc:
        raise ToolError(protocol.TOOL_INVALID_ARGUMENTS, type(exc).__name__,
                        "the args of tool %r are not JSON: %s" % (name, exc)) from None
    waiter = _Waiter(ctx, loop, future)
    with _lock:
        _waiters[tool_id] = waiter
        if ctx.tool_calls is None:
            ctx.tool_calls = {}
        ctx.tool_calls[tool_id] = lambda: _finish(tool_id, (None, ToolError(
            protocol.TOOL_CANCELLED, "OperationCanceledException", "the request was cancelled or ended")))
    try:
        _send(body, encoder.parts)
    except ValueError as exc:  # FrameOverLimit: nothing was written
        _forget(tool_id)
        raise ToolError(protocol.TOOL_FRAME_TOO_LARGE, "FrameTooLarge", "the call of tool %r does not fit a frame: %s" % (name, exc)) from None
    return waiter


def _forget(tool_id: int) -> Optional[_Waiter]:
    with _lock:
        waiter = _waiters.pop(tool_id, None)
        if waiter is not None and waiter.ctx.tool_calls is not None:
            waiter.ctx.tool_calls.pop(tool_id, None)
    return waiter


def _finish(tool_id: int, outcome: Outcome) -> None:
    """Settles a call once: the first of its answer and its request's cancellation wins."""
    waiter = _forget(tool_id)
    if waiter is not None:
        waiter.settle(outcome)


def _unwrap(outcome: Outcome) -> Any:
    result, error = outcome
    if error is not None:
        raise error
    return result


def _complete_future(future: "asyncio.Future[Any]", outcome: Outcome) -> None:
    if future.done():
        return
    result, error = outcome
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)

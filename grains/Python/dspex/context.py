"""Per-request context, visible to the command that runs the request: on its serving thread for a synchronous
command, and in its task (and the tasks it starts) for an async one. The current request is a context variable, so
the same accessors work in both: a thread has a context of its own, and an asyncio task runs in a copy of the
context it was created in."""

from __future__ import annotations

import contextvars
import re
import threading
from typing import Any, Callable, Optional

_current: contextvars.ContextVar[Optional["RequestContext"]] = contextvars.ContextVar("dspex_request", default=None)

# W3C Trace Context, version 00: the only form the silo sends (it checks the same bounds before writing it).
TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}\Z")
MAX_TRACESTATE_CHARS = 512
TRACESTATE = re.compile(r"[\x20-\x7e]*\Z")


def valid_trace(trace: Any) -> Optional[dict[str, Optional[str]]]:
    """The call's trace context as {"traceparent", "tracestate"}, or None when the call has none; raises ValueError
    for one that is not W3C trace context within its bounds (the silo never writes one)."""
    if trace is None:
        return None
    if not isinstance(trace, dict):
        raise ValueError("trace is not an object")
    parent = trace.get("traceparent")
    state = trace.get("tracestate")
    if not isinstance(parent, str) or not TRACEPARENT.match(parent):
        raise ValueError("traceparent is not W3C trace context (version 00)")
    if state is not None and (not isinstance(state, str) or len(state) > MAX_TRACESTATE_CHARS or not TRACESTATE.match(state)):
        raise ValueError("tracestate is not printable ASCII of at most %d characters" % MAX_TRACESTATE_CHARS)
    return {"traceparent": parent, "tracestate": state}


class RequestContext:
    # Cancellation is a plain flag, not a threading.Event: an Event (a Condition and a Lock) costs ~6 us to create
    # on every request. Only a streaming call, which waits for credit, gets a Condition.
    __slots__ = ("request_id", "is_cancelled", "ended", "session_id", "variables", "updates", "deleted", "trace", "wake",
                 "tool_calls",
                 "_credit", "_credit_changed")

    request_id: int
    is_cancelled: bool
    # Set once the request is answered (by the bridge, before it fails the request's tool calls): a task of its
    # command that lives on can no longer call tools for it.
    ended: bool
    session_id: Optional[str]
    variables: dict[str, Any]
    updates: dict[str, Any]
    deleted: set[str]
    trace: Optional[dict[str, Optional[str]]]
    # Set by the event loop runner for an async command: called (on the thread that reads the frame) after a cancel
    # or a credit grant, so the loop wakes the task (task.cancel(), or the stream's credit wait).
    wake: Optional[Callable[[], None]]
    # Tool calls in flight for this request, by tool-call id: each value fails its waiter (dspex.tools owns them).
    tool_calls: Optional[dict[int, Callable[[], None]]]
    _credit: Optional[int]
    _credit_changed: Optional[threading.Condition]

    def __init__(self, request_id: int, session: Optional[dict[str, Any]] = None, credit: Optional[int] = None,
                 trace: Any = None) -> None:
        self.request_id = request_id
        self.is_cancelled = False
        self.ended = False
        self._credit = credit
        self._credit_changed = threading.Condition() if credit is not None else None
        self.session_id = session.get("id") if session else None
        self.variables = (session.get("vars") or {}) if session else {}
        self.updates = {}
        self.deleted = set()
        self.trace = valid_trace(trace)
        self.wake = None
        self.tool_calls = None

    def cancel(self) -> None:
        self.is_cancelled = True  # set before wake is read: the loop runner sets wake before it reads this flag
        self.fail_tool_calls()
        if self._credit_changed is not None:
            with self._credit_changed:
                self._credit_changed.notify_all()
        wake = self.wake
        if wake is not None:
            wake()

    def fail_tool_calls(self) -> None:
        """Wakes every tool call this request still waits for with a ToolError (cancelled, or the request ended)."""
        calls = self.tool_calls
        if calls:
            for fail in list(calls.values()):
                fail()

    def grant(self, n: int) -> None:
        if self._credit_changed is None:
            return
        with self._credit_changed:
            self._credit = (self._credit or 0) + n
            self._credit_changed.notify_all()
        wake = self.wake
        if wake is not None:
            wake()

    @property
    def is_stream(self) -> bool:
        """True for a call made as a stream (the silo sends stream credit with it); an exec call has none."""
        return self._credit_changed is not None

    def wait_for_credit(self) -> bool:
        """Takes one unit of stream credit, waiting for it; False once the request is cancelled."""
        if self._credit_changed is None:
            return not self.is_cancelled
        with self._credit_changed:
            while (self._credit or 0) <= 0 and not self.is_cancelled:
                self._credit_changed.wait()
            if self.is_cancelled:
                return False
            self._credit = (self._credit or 0) - 1
            return True

    def take_credit(self) -> Optional[bool]:
        """Takes one unit of stream credit without waiting: True when taken, False once cancelled, None when there is
        none yet (an async stream then awaits its wake-up)."""
        if self._credit_changed is None:
            return not self.is_cancelled
        with self._credit_changed:
            if self.is_cancelled:
                return False
            if (self._credit or 0) <= 0:
                return None
            self._credit = (self._credit or 0) - 1
            return True

    def session_changes(self) -> Optional[dict[str, Any]]:
        """What the command changed in its session's variables, or None."""
        if not self.updates and not self.deleted:
            return None
        return {"set": self.updates, "deleted": sorted(self.deleted)}


def set_current(ctx: Optional[RequestContext]) -> None:
    """Makes ``ctx`` the current request of this thread's context (an async command's task copies it)."""
    _current.set(ctx)


def current() -> Optional[RequestContext]:
    """The current request's context (on its serving thread, or in its task), or None outside a request. Everything
    finds the request through this accessor, so how the current request is kept can change in one place."""
    return _current.get()



def current_request_id() -> Optional[int]:
    ctx = current()
    return ctx.request_id if ctx else None


def cancelled() -> bool:
    """True once the caller cancelled the current request or its deadline passed."""
    ctx = current()
    return bool(ctx and ctx.is_cancelled)


def session_id() -> Optional[str]:
    """The id of the session the current call runs in, or None for a stateless call."""
    ctx = current()
    return ctx.session_id if ctx else None


def trace_context() -> Optional[dict[str, Optional[str]]]:
    """The caller's W3C trace context as {"traceparent": ..., "tracestate": ... or None}, or None when the call
    carries none. A copy: start a Python span with it as the parent (see docs/python-adapters.md)."""
    ctx = current()
    return dict(ctx.trace) if ctx and ctx.trace else None


def get_var(name: str, default: Any = None) -> Any:
    """Reads a session variable (changes made earlier in this call included)."""
    ctx = current()
    if ctx is None or name in ctx.deleted:
        return default
    if name in ctx.updates:
        return ctx.updates[name]
    return ctx.variables.get(name, default)


def set_var(name: str, value: Any) -> None:
    """Sets a session variable; it is stored in the session when the call succeeds."""
    ctx = current()
    if ctx is None or ctx.session_id is None:
        raise RuntimeError("set_var needs a session call")
    ctx.deleted.discard(name)
    ctx.updates[name] = value


def delete_var(name: str) -> None:
    """Deletes a session variable when the call succeeds."""
    ctx = current()
    if ctx is None or ctx.session_id is None:
        raise RuntimeError("delete_var needs a session call")
    ctx.updates.pop(name, None)
    ctx.deleted.add(name)

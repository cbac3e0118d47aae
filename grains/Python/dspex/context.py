"""Per-request context, visible to the command running on the current thread."""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional

_local = threading.local()


class RequestContext:
    # Cancellation is a plain flag, not a threading.Event: an Event (a Condition and a Lock) costs ~6 us to create
    # on every request. Only a streaming call, which waits for credit, gets a Condition.
    __slots__ = ("request_id", "is_cancelled", "session_id", "variables", "updates", "deleted", "tool_calls",
                 "_credit", "_credit_changed")

    request_id: int
    is_cancelled: bool
    session_id: Optional[str]
    variables: dict[str, Any]
    updates: dict[str, Any]
    deleted: set[str]
    # Tool calls in flight for this request, by tool-call id: each value fails its waiter (dspex.tools owns them).
    tool_calls: Optional[dict[int, Callable[[], None]]]
    _credit: Optional[int]
    _credit_changed: Optional[threading.Condition]

    def __init__(self, request_id: int, session: Optional[dict[str, Any]] = None, credit: Optional[int] = None) -> None:
        self.request_id = request_id
        self.is_cancelled = False
        self._credit = credit
        self._credit_changed = threading.Condition() if credit is not None else None
        self.session_id = session.get("id") if session else None
        self.variables = (session.get("vars") or {}) if session else {}
        self.updates = {}
        self.deleted = set()
        self.tool_calls = None

    def cancel(self) -> None:
        self.is_cancelled = True
        self.fail_tool_calls()
        if self._credit_changed is not None:
            with self._credit_changed:
                self._credit_changed.notify_all()

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

    def session_changes(self) -> Optional[dict[str, Any]]:
        """What the command changed in its session's variables, or None."""
        if not self.updates and not self.deleted:
            return None
        return {"set": self.updates, "deleted": sorted(self.deleted)}


def set_current(ctx: Optional[RequestContext]) -> None:
    _local.ctx = ctx


def current() -> Optional[RequestContext]:
    """The request the calling code runs for, or None outside a request. Everything finds the request through this
    accessor (never the thread-local itself), so how the current request is kept can change in one place."""
    return getattr(_local, "ctx", None)


_current = current


def current_request_id() -> Optional[int]:
    ctx = _current()
    return ctx.request_id if ctx else None


def cancelled() -> bool:
    """True once the caller cancelled the current request or its deadline passed."""
    ctx = _current()
    return bool(ctx and ctx.is_cancelled)


def session_id() -> Optional[str]:
    """The id of the session the current call runs in, or None for a stateless call."""
    ctx = _current()
    return ctx.session_id if ctx else None


def get_var(name: str, default: Any = None) -> Any:
    """Reads a session variable (changes made earlier in this call included)."""
    ctx = _current()
    if ctx is None or name in ctx.deleted:
        return default
    if name in ctx.updates:
        return ctx.updates[name]
    return ctx.variables.get(name, default)


def set_var(name: str, value: Any) -> None:
    """Sets a session variable; it is stored in the session when the call succeeds."""
    ctx = _current()
    if ctx is None or ctx.session_id is None:
        raise RuntimeError("set_var needs a session call")
    ctx.deleted.discard(name)
    ctx.updates[name] = value


def delete_var(name: str) -> None:
    """Deletes a session variable when the call succeeds."""
    ctx = _current()
    if ctx is None or ctx.session_id is None:
        raise RuntimeError("delete_var needs a session call")
    ctx.updates.pop(name, None)
    ctx.deleted.add(name)

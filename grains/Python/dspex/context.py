"""Per-request context, visible to the command running on the current thread."""

import threading

_local = threading.local()


class RequestContext:
    __slots__ = ("request_id", "cancel_event", "session_id", "variables", "updates", "deleted", "_credit", "_credit_changed")

    def __init__(self, request_id, session=None, credit=None):
        self.request_id = request_id
        self.cancel_event = threading.Event()
        self._credit = credit if credit is not None else 1 << 30
        self._credit_changed = threading.Condition()
        self.session_id = session.get("id") if session else None
        self.variables = (session.get("vars") or {}) if session else {}
        self.updates = {}
        self.deleted = set()

    def cancel(self):
        self.cancel_event.set()
        with self._credit_changed:
            self._credit_changed.notify_all()

    def grant(self, n):
        with self._credit_changed:
            self._credit += n
            self._credit_changed.notify_all()

    def wait_for_credit(self):
        """Takes one unit of stream credit, waiting for it; False once the request is cancelled."""
        with self._credit_changed:
            while self._credit <= 0 and not self.cancel_event.is_set():
                self._credit_changed.wait()
            if self.cancel_event.is_set():
                return False
            self._credit -= 1
            return True

    def session_changes(self):
        """What the command changed in its session's variables, or None."""
        if not self.updates and not self.deleted:
            return None
        return {"set": self.updates, "deleted": sorted(self.deleted)}


def set_current(ctx):
    _local.ctx = ctx


def _current():
    return getattr(_local, "ctx", None)


def current_request_id():
    ctx = _current()
    return ctx.request_id if ctx else None


def cancelled():
    """True once the caller cancelled the current request or its deadline passed."""
    ctx = _current()
    return bool(ctx and ctx.cancel_event.is_set())


def session_id():
    """The id of the session the current call runs in, or None for a stateless call."""
    ctx = _current()
    return ctx.session_id if ctx else None


def get_var(name, default=None):
    """Reads a session variable (changes made earlier in this call included)."""
    ctx = _current()
    if ctx is None or name in ctx.deleted:
        return default
    if name in ctx.updates:
        return ctx.updates[name]
    return ctx.variables.get(name, default)


def set_var(name, value):
    """Sets a session variable; it is stored in the session when the call succeeds."""
    ctx = _current()
    if ctx is None or ctx.session_id is None:
        raise RuntimeError("set_var needs a session call")
    ctx.deleted.discard(name)
    ctx.updates[name] = value


def delete_var(name):
    ctx = _current()
    if ctx is None or ctx.session_id is None:
        raise RuntimeError("delete_var needs a session call")
    ctx.updates.pop(name, None)
    ctx.deleted.add(name)

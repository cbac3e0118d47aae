"""Per-request context, visible to the command running on the current thread."""

import threading

_local = threading.local()


class RequestContext:
    # Cancellation is a plain flag, not a threading.Event: an Event (a Condition and a Lock) costs ~6 us to create
    # on every request. Only a streaming call, which waits for credit, gets a Condition.
    __slots__ = ("request_id", "is_cancelled", "session_id", "variables", "updates", "deleted", "_credit", "_credit_changed")

    def __init__(self, request_id, session=None, credit=None):
        self.request_id = request_id
        self.is_cancelled = False
        self._credit = credit
        self._credit_changed = threading.Condition() if credit is not None else None
        self.session_id = session.get("id") if session else None
        self.variables = (session.get("vars") or {}) if session else {}
        self.updates = {}
        self.deleted = set()

    def cancel(self):
        self.is_cancelled = True
        if self._credit_changed is not None:
            with self._credit_changed:
                self._credit_changed.notify_all()

    def grant(self, n):
        if self._credit_changed is None:
            return
        with self._credit_changed:
            self._credit += n
            self._credit_changed.notify_all()

    def wait_for_credit(self):
        """Takes one unit of stream credit, waiting for it; False once the request is cancelled."""
        if self._credit_changed is None:
            return not self.is_cancelled
        with self._credit_changed:
            while self._credit <= 0 and not self.is_cancelled:
                self._credit_changed.wait()
            if self.is_cancelled:
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
    return bool(ctx and ctx.is_cancelled)


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

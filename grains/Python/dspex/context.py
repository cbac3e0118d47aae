"""Per-request context, visible to the command running on the current thread."""

import threading

_local = threading.local()


class RequestContext:
    __slots__ = ("request_id", "cancel_event", "session_id", "variables", "updates", "deleted")

    def __init__(self, request_id, session=None):
        self.request_id = request_id
        self.cancel_event = threading.Event()
        self.session_id = session.get("id") if session else None
        self.variables = (session.get("vars") or {}) if session else {}
        self.updates = {}
        self.deleted = set()

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

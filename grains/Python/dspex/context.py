"""Per-request context, visible to the command running on the current thread."""

import threading

_local = threading.local()


class RequestContext:
    # A plain flag, not a threading.Event: an Event (a Condition and a Lock) costs ~6 us to create on every request,
    # and nothing waits on it. Under the GIL, the reader thread's write is seen by the command's thread.
    __slots__ = ("request_id", "is_cancelled")

    def __init__(self, request_id):
        self.request_id = request_id
        self.is_cancelled = False

    def cancel(self):
        self.is_cancelled = True


def set_current(ctx):
    _local.ctx = ctx


def current_request_id():
    ctx = getattr(_local, "ctx", None)
    return ctx.request_id if ctx else None


def cancelled():
    """True once the caller cancelled the current request or its deadline passed."""
    ctx = getattr(_local, "ctx", None)
    return bool(ctx and ctx.is_cancelled)

"""Per-request context, visible to the command running on the current thread."""

import threading

_local = threading.local()


class RequestContext:
    __slots__ = ("request_id", "cancel_event")

    def __init__(self, request_id):
        self.request_id = request_id
        self.cancel_event = threading.Event()


def set_current(ctx):
    _local.ctx = ctx


def current_request_id():
    ctx = getattr(_local, "ctx", None)
    return ctx.request_id if ctx else None


def cancelled():
    """True once the caller cancelled the current request or its deadline passed."""
    ctx = getattr(_local, "ctx", None)
    return bool(ctx and ctx.cancel_event.is_set())

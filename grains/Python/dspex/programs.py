"""Programs: objects built from a spec, cached per worker by (session, program, revision).

    from dspex import program_type

    @program_type("my_program")
    class MyProgram:
        def __init__(self, spec): ...      # build once per worker
        def __call__(self, args): ...      # run per call

The session stores the spec, so any worker can rebuild the program when the session moves.
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Callable, TypeVar

from . import registry

T = TypeVar("T", bound=type)

_types: dict[str, type] = {}
_cache: collections.OrderedDict[tuple[Any, Any, Any], Any] = collections.OrderedDict()
_cache_lock = threading.Lock()
CACHE_LIMIT = 512


class ProgramError(Exception):
    """A program spec names a type this worker does not have."""


def program_type(name: str) -> Callable[[T], T]:
    """Registers a class as the program type ``name``: built from a spec, called per request."""

    def register(cls: T) -> T:
        _types[name] = cls
        registry.note_registration(getattr(cls, "__module__", None) or "?")
        return cls

    return register


def program_types() -> list[str]:
    return sorted(_types)


def resolve(session_id: Any, program: dict[str, Any]) -> tuple[Any, bool]:
    """Returns (built program, whether it was built now)."""
    key = (session_id, program["id"], program["rev"])
    with _cache_lock:
        built = _cache.get(key)
        if built is not None:
            _cache.move_to_end(key)
            return built, False
    spec = program.get("spec") or {}
    kind = spec.get("type")
    cls = _types.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ProgramError("unknown program type %r; this worker has: %s" % (kind, ", ".join(program_types())))
    built = cls(spec)
    with _cache_lock:
        # Older revisions of the same program are dead weight once a newer one is built.
        for stale in [k for k in _cache if k[0] == session_id and k[1] == program["id"] and k[2] != program["rev"]]:
            del _cache[stale]
        _cache[key] = built
        while len(_cache) > CACHE_LIMIT:
            _cache.popitem(last=False)
    return built, True


def forget(session_id: Any, program_id: Any) -> None:
    """Drops every built revision of one program (dspex.testing: a program run without an id is built afresh)."""
    with _cache_lock:
        for key in [k for k in _cache if k[0] == session_id and k[1] == program_id]:
            del _cache[key]


def cached_count() -> int:
    with _cache_lock:
        return len(_cache)

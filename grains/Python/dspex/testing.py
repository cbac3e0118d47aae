"""Helpers for an adapter author's own unit tests (unittest or pytest), no silo needed:

    import dspex.testing
    import my_adapter  # registers its commands

    def test_classify():
        run = dspex.testing.run_command("classify", {"text": "great"})
        assert run.ok and run.result == {"label": "positive"}

    def test_remembers():
        run = dspex.testing.run_command("greet", {"name": "Ada"}, vars={"greeted": []})
        assert run.set_vars["greeted"] == ["Ada"]

A call runs exactly as in a worker (dspex.local): the same request rules, the same JSON rules for results and items,
the same error kinds. A request the silo would refuse raises dspex.InvalidArguments here too.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, Optional

from . import local, protocol
from .local import CommandError, CommandRun

__all__ = ["run_command", "run_program", "load", "CommandRun", "CommandError"]


def load(*adapter_modules: str) -> None:
    """Imports adapter modules by name (their @command and @program_type decorators register them)."""
    for name in adapter_modules:
        importlib.import_module(name)


def run_command(command: str, args: Any = None, *, vars: Optional[dict[str, Any]] = None,  # the CLI's word
                session_id: Optional[str] = None, max_frame: int = protocol.DEFAULT_MAX_FRAME_BYTES,
                cancel: Optional[threading.Event] = None) -> CommandRun:
    """Runs a registered command with ``args`` (a decoded JSON value). ``vars`` makes it a session call with those
    session variables; the run's ``set_vars``/``deleted_vars`` say what the command changed."""
    return local.run(command, args, variables=vars, session_id=session_id, max_frame=max_frame, cancel=cancel)


def run_program(spec: dict[str, Any], args: Any = None, *, vars: Optional[dict[str, Any]] = None,
                program_id: str = "test-program", revision: int = 1, session_id: Optional[str] = None) -> CommandRun:
    """Builds a program of ``spec["type"]`` from ``spec`` (cached like a worker caches it) and calls it with ``args``."""
    return local.run(None, args, variables=vars if vars is not None else {}, session_id=session_id or "test-session",
                     program={"id": program_id, "rev": revision, "spec": spec})

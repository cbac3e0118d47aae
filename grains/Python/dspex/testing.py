"""Helpers for an adapter author's own unit tests (unittest or pytest), no silo needed:

    import dspex.testing
    import my_adapter  # registers its commands

    def test_classify():
        run = dspex.testing.run_command("classify", {"text": "great"})
        assert run.ok and run.result == {"label": "positive"}

    def test_remembers():
        run = dspex.testing.run_command("greet", {"name": "Ada"}, vars={"greeted": []})
        assert run.set_vars["greeted"] == ["Ada"]

    def test_forecast_with_a_stubbed_tool():
        run = dspex.testing.run_command("forecast", {"city": "Oslo"}, tools={"weather": lambda args: {"temp": -3}})
        assert run.result == {"advice": "coat"}

A call runs exactly as in a worker (dspex.local): the same request rules, the same JSON rules for results and items,
the same error kinds. A request the silo would refuse raises dspex.InvalidArguments here too. ``tools`` stubs the .NET
tools a command calls (dspex.call_tool / acall_tool / list_tools): a function of the args returning the tool's result;
raising makes the call a ToolError (kind ToolFailed), and a tool without a stub is UnknownTool.
"""

from __future__ import annotations

import importlib
import itertools
import threading
from typing import Any, Callable, Iterable, Optional

from . import local, programs, protocol
from .local import CommandError, CommandRun

__all__ = ["run_command", "run_program", "load", "CommandRun", "CommandError", "ToolStub"]

ToolStub = Callable[[Any], Any]

_fresh_programs = itertools.count(1)


def load(*adapter_modules: str) -> None:
    """Imports adapter modules by name (their @command and @program_type decorators register them)."""
    for name in adapter_modules:
        importlib.import_module(name)


def run_command(command: str, args: Any = None, *, vars: Optional[dict[str, Any]] = None,  # the CLI's word
                session_id: Optional[str] = None, max_frame: int = protocol.DEFAULT_MAX_FRAME_BYTES,
                cancel: Optional[threading.Event] = None, tools: Optional[dict[str, ToolStub]] = None,
                upload: Optional[Iterable[bytes]] = None) -> CommandRun:
    """Runs a registered command with ``args`` (a decoded JSON value). ``vars`` makes it a session call with those
    session variables; the run's ``set_vars``/``deleted_vars`` say what the command changed. ``tools`` stubs the
    tools it calls, by name. ``upload`` makes it an upload call whose dspex.upload() yields those ``bytes`` chunks."""
    return local.run(command, args, variables=vars, session_id=session_id, max_frame=max_frame, cancel=cancel,
                     tools=tools, upload=upload)


def run_program(spec: dict[str, Any], args: Any = None, *, vars: Optional[dict[str, Any]] = None,
                program_id: Optional[str] = None, revision: int = 1, session_id: Optional[str] = None,
                tools: Optional[dict[str, ToolStub]] = None) -> CommandRun:
    """Builds a program of ``spec["type"]`` from ``spec`` and calls it with ``args``. Without ``program_id`` the
    program is built afresh for this call and dropped after it. With one, it is cached as a worker caches it (by
    session, program id and revision), so calls with the same id and revision reach the same built program."""
    fresh = program_id is None
    program_id = "test-program-%d" % next(_fresh_programs) if program_id is None else program_id
    session = session_id or "test-session"
    try:
        return local.run(None, args, variables=vars if vars is not None else {}, session_id=session,
                         program={"id": program_id, "rev": revision, "spec": spec}, tools=tools)
    finally:
        if fresh:
            programs.forget(session, program_id)

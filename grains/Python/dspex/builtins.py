"""Commands every worker has. The example program types are not among them: they are the opt-in adapter module
dspex.examples (DSPex:Pool:AdapterModules)."""

from __future__ import annotations

import os
from typing import Any

from .programs import cached_count, program_types
from .registry import command, names


@command("ping")
def ping(args: Any) -> str:
    return "pong"


@command("echo")
def echo(args: Any) -> Any:
    return args


@command("list_commands")
def list_commands(args: Any) -> list[str]:
    return names()


@command("worker_info")
def worker_info(args: Any) -> dict[str, Any]:
    return {"pid": os.getpid(), "pgid": os.getpgid(0), "programs_cached": cached_count(), "program_types": program_types()}

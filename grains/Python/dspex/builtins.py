"""Commands every worker has."""

import os

from . import examples  # noqa: F401 - registers the example program types
from .programs import cached_count, program_types
from .registry import command, commands


@command("ping")
def ping(args):
    return "pong"


@command("echo")
def echo(args):
    return args


@command("list_commands")
def list_commands(args):
    return sorted(commands().keys())


@command("worker_info")
def worker_info(args):
    return {"pid": os.getpid(), "pgid": os.getpgid(0), "programs_cached": cached_count(), "program_types": program_types()}

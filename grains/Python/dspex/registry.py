"""Command registry: a decorator fills it, the bridge dispatches from it through find() and names()."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Optional, TypeVar, Union, overload

Command = Callable[[Any], Any]
C = TypeVar("C", bound=Command)

_commands: dict[str, Command] = {}
# Names registered by two different functions (the later one wins): where each came from, for `doctor` and
# `python -m dspex list`, since a silent override is a wrong answer nobody sees.
_duplicates: dict[str, list[str]] = {}


@overload
def command(name: C) -> C: ...


@overload
def command(name: Optional[str] = None) -> Callable[[C], C]: ...


def command(name: Union[str, Command, None] = None) -> Union[Command, Callable[[C], C]]:
    """Registers a function as a command, under ``name`` or the function's own name."""

    def register(func: C) -> C:
        key = name if isinstance(name, str) else func.__name__
        earlier = _commands.get(key)
        if earlier is not None and origin(earlier) != origin(func):
            _duplicates.setdefault(key, [origin(earlier)]).append(origin(func))
        _commands[key] = func
        return func

    if callable(name):
        func, name = name, None
        return register(func)
    return register


def find(name: str) -> Optional[Command]:
    """The command registered under ``name``, or None."""
    return _commands.get(name)


def names() -> list[str]:
    """The registered command names, sorted."""
    return sorted(_commands)


def origin(func: Command) -> str:
    """Where a command is defined: module and qualified name (a module imported again is not a duplicate)."""
    return "%s.%s" % (getattr(func, "__module__", "?"), getattr(func, "__qualname__", type(func).__name__))


def duplicates() -> dict[str, list[str]]:
    """Names registered by more than one function, each with the functions' origins in registration order."""
    return {name: list(origins) for name, origins in _duplicates.items()}


def commands() -> dict[str, Command]:
    """A copy of the registry: changing it changes nothing."""
    return dict(_commands)


def load_adapters(module_names: list[str]) -> list[str]:
    """Imports each adapter module; importing it runs its @command and @program_type decorators."""
    loaded = []
    for module_name in module_names:
        if module_name:
            importlib.import_module(module_name)
            loaded.append(module_name)
    return loaded

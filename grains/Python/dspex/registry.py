"""Command registry: a decorator fills it, the bridge dispatches from it through find() and names()."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Optional, TypeVar, Union, overload

Command = Callable[[Any], Any]
C = TypeVar("C", bound=Command)

_commands: dict[str, Command] = {}


@overload
def command(name: C) -> C: ...


@overload
def command(name: Optional[str] = None) -> Callable[[C], C]: ...


def command(name: Union[str, Command, None] = None) -> Union[Command, Callable[[C], C]]:
    """Registers a function as a command, under ``name`` or the function's own name."""

    def register(func: C) -> C:
        _commands[name if isinstance(name, str) else func.__name__] = func
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

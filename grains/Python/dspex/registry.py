"""Command registry: a decorator fills it, the bridge dispatches from it through find() and names()."""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable, Optional, TypeVar, Union, overload

Command = Callable[[Any], Any]
C = TypeVar("C", bound=Command)

_commands: dict[str, Command] = {}
# Names registered by two different functions (the later one wins): where each came from, for `doctor` and
# `python -m dspex list`, since a silent override is a wrong answer nobody sees.
_duplicates: dict[str, list[str]] = {}
# Every registration (commands and program types), counted overall and by the module that defines what it registers:
# an adapter module whose import registered nothing is an error (a folder imported as a namespace package, say).
_registrations = 0
_registering_modules: set[str] = set()


def note_registration(module: str) -> None:
    """Counts one registration of something defined in ``module`` (the decorators call it)."""
    global _registrations
    _registrations += 1
    _registering_modules.add(module)


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
        note_registration(getattr(func, "__module__", None) or "?")
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


class AdapterRegistersNothing(Exception):
    """An adapter module imported but registered no command and no program type: a worker serving it would answer
    UnknownCommand for everything it was meant to serve. ``module`` names it; the message says why and what to do."""

    def __init__(self, module: str, message: str) -> None:
        super().__init__(message)
        self.module = module


def import_adapter(module_name: str) -> Optional[str]:
    """Imports one adapter module. Returns None when it registers something (its import ran a @command or
    @program_type, or a module of it did so earlier), else why it registers nothing, with a hint."""
    before = _registrations
    module = importlib.import_module(module_name)
    if _registrations > before or any(m == module_name or m.startswith(module_name + ".") for m in _registering_modules):
        return None
    return registers_nothing(module_name, module)


def registers_nothing(module_name: str, module: Any) -> str:
    """Why ``module`` serves nothing, for the error or warning that names it."""
    folders = list(getattr(module, "__path__", None) or [])
    if getattr(module, "__file__", None) is None and folders:
        folder = folders[0]
        inner = os.path.join(folder, module_name.rsplit(".", 1)[-1] + ".py")
        hint = ("Python imported the folder %s as an empty namespace package (the folder has no __init__.py), not an "
                "adapter file" % folder)
        if os.path.isfile(inner):
            hint += ("; the adapter is %s: put its folder on the path instead of the folder above it "
                     "(DSPex:Pool:AdapterPaths, `python -m dspex run --path %s`), or run from inside it" % (inner, folder))
        return "adapter module %r registers no command or program type: %s" % (module_name, hint)
    return ("adapter module %r (%s) registers no command or program type: decorate its functions with @dspex.command "
            "or its classes with @dspex.program_type, or remove it from the pool's AdapterModules"
            % (module_name, getattr(module, "__file__", None) or "built in"))


def load_adapters(module_names: list[str]) -> list[str]:
    """Imports each adapter module; importing it runs its @command and @program_type decorators. A module that
    registers nothing raises AdapterRegistersNothing naming it (a worker must not start serving nothing)."""
    loaded = []
    for module_name in module_names:
        if module_name:
            reason = import_adapter(module_name)
            if reason is not None:
                raise AdapterRegistersNothing(module_name, reason)
            loaded.append(module_name)
    return loaded

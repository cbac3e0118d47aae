"""Command registry: a decorator fills it, the bridge dispatches from it."""

import importlib

_commands = {}


def command(name=None):
    """Registers a function as a command, under ``name`` or the function's own name."""

    def register(func):
        _commands[name or func.__name__] = func
        return func

    if callable(name):
        func, name = name, None
        return register(func)
    return register


def commands():
    return dict(_commands)


def load_adapters(module_names):
    """Imports each adapter module; importing it runs its @command decorators."""
    loaded = []
    for module_name in module_names:
        if module_name:
            importlib.import_module(module_name)
            loaded.append(module_name)
    return loaded

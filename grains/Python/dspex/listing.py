"""What a pool's workers would serve, found without a silo: the adapters imported as a worker imports them, the
commands and program types they register, modules that register nothing, names registered twice, and the thread-limiting environment as the
worker process sees it. The bridge's `--list-commands` mode and `python -m dspex list` print it as one JSON object;
`dspex doctor` and the silo's start-up checks read it."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

from . import protocol
from .framing import MAX_MESSAGE_CHARS, MAX_TRACEBACK_CHARS, bounded, bounded_tail, describe


def thread_environment() -> dict[str, str]:
    """Variables that set native libraries' thread counts (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, ...)."""
    return {name: value for name, value in sorted(os.environ.items()) if name.endswith("_THREADS")}


def describe_pool(adapter_modules: list[str]) -> dict[str, Any]:
    """Imports the built-in commands and each adapter module, then reports what they registered. An import that
    fails is reported (module, exception, traceback) with what was registered before it; nothing is raised."""
    from . import programs, registry

    listing: dict[str, Any] = {
        "protocol": protocol.VERSION,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "adapters": [],
        "error": None,
        # Modules that import but register nothing (a worker refuses to start with one): [{"module", "message"}].
        "registers_nothing": [],
    }
    module = "dspex.builtins"
    try:
        importlib.import_module(".builtins", __package__)  # registers ping, echo, list_commands, worker_info

        for module in adapter_modules:
            if not module:
                continue
            why = registry.import_adapter(module)
            listing["adapters"].append(module)
            if why is not None:
                listing["registers_nothing"].append({"module": module, "message": bounded(why, MAX_MESSAGE_CHARS)})
    except BaseException as exc:  # an adapter's SystemExit or KeyboardInterrupt at import is reported too
        listing["error"] = {"module": module, "type": type(exc).__name__,
                            "message": bounded(describe(exc), MAX_MESSAGE_CHARS),
                            "traceback": bounded_tail(traceback.format_exc(), MAX_TRACEBACK_CHARS)}
    listing["commands"] = [{"name": name, "origin": registry.origin(func)} for name, func in sorted(registry.commands().items())]
    listing["duplicates"] = registry.duplicates()
    listing["program_types"] = programs.program_types()
    listing["thread_environment"] = thread_environment()
    return listing

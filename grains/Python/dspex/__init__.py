"""DSPex worker runtime: the API that adapter modules use.

An adapter is a module that registers commands:

    from dspex import command

    @command("classify")
    def classify(args):
        return {"label": "positive"}

Commands receive the decoded JSON arguments and return anything json.dumps accepts.
Long-running commands may call ``dspex.cancelled()`` to stop early when the caller gave up.
"""

from .registry import command, commands, load_adapters
from .context import cancelled, current_request_id

__all__ = ["command", "commands", "load_adapters", "cancelled", "current_request_id"]

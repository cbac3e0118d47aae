"""DSPex worker runtime: the API that adapter modules use.

An adapter is a module that registers commands:

    from dspex import command

    @command("classify")
    def classify(args):
        return {"label": "positive"}

Commands receive the decoded JSON arguments and return anything json.dumps accepts.
Long-running commands may call ``dspex.cancelled()`` to stop early when the caller gave up.
Session calls can read and set session variables with ``get_var`` / ``set_var`` / ``delete_var``.
Programs (objects built from a spec and cached per worker) are registered with ``@program_type``.
A command may be ``async def`` (or an async generator, for a stream): it runs on the worker's one event loop, so
many can wait at once without a thread each; the same accessors work inside it. ``trace_context()`` gives the
caller's W3C trace context, for Python spans that join the caller's trace.
A command that raises ``dspex.InvalidArguments`` gives its caller a typed InvalidArguments error.
Commands call .NET tools with ``call_tool(name, args)`` (``await acall_tool(...)`` in async code), list them with
``list_tools()``, and catch ``ToolError`` when a tool fails (docs/tools.md).
"""

from __future__ import annotations

from .context import cancelled, current_request_id, delete_var, get_var, session_id, set_var, trace_context
from .errors import InvalidArguments
from .programs import program_type
from .registry import command, commands, load_adapters
from .tools import ToolError, acall_tool, call_tool, list_tools
from .uploads import UploadError, upload

__all__ = [
    "command", "commands", "load_adapters", "cancelled", "current_request_id",
    "session_id", "get_var", "set_var", "delete_var", "trace_context", "program_type", "InvalidArguments",
    "call_tool", "acall_tool", "list_tools", "ToolError", "upload", "UploadError",
]

"""Tools stubbed for a run without a silo (``dspex.testing`` ``tools={"weather": fn}``, ``python -m dspex run --tool
NAME=JSON``): dspex.call_tool, acall_tool and list_tools answer from these instead of writing a tool_call frame.

A stub gets the args as the .NET tool would (the JSON the call sends, decoded afresh; bytes and arrays as binary
parts, so a stub sees memoryview as a command does) and returns its result (a JSON
value, or an awaitable of one for acall_tool). What the command sees matches a worker's: args that are not JSON are a
ToolError of kind InvalidArguments, a name with no stub is UnknownTool, an exception from the stub is ToolFailed (a
ToolError it raises passes as it is), a result JSON cannot carry is ResultNotSerializable, a cancelled call Cancelled.
"""

from __future__ import annotations

import contextvars
import inspect
from typing import Any, Callable, Optional

from . import binary, protocol

STUB_TYPE = "LocalToolStub"  # the ToolError.type of errors made here: no .NET exception stands behind a stub

_current: contextvars.ContextVar[Optional["LocalTools"]] = contextvars.ContextVar("dspex_local_tools", default=None)


class LocalTools:
    """The stubs of one local run, by tool name."""

    def __init__(self, stubs: Optional[dict[str, Callable[[Any], Any]]]) -> None:
        self._stubs = dict(stubs or {})
        for name, stub in self._stubs.items():
            if not isinstance(name, str) or not callable(stub):
                raise TypeError("tools must map tool names (str) to functions taking the args; %r -> %r is not" % (name, stub))

    def call(self, name: str, args: Any) -> Any:
        """The stub's answer to a call (an awaitable when the stub is async); raises ToolError as a worker would."""
        from .tools import ToolError

        try:
            sent = through_pipe({} if args is None else args)
        except (TypeError, ValueError, RecursionError) as exc:
            raise ToolError(protocol.TOOL_INVALID_ARGUMENTS, type(exc).__name__,
                            "the args of tool %r are not JSON: %s" % (name, exc)) from None
        stub = self._stubs.get(name)
        if stub is None:
            raise ToolError(protocol.TOOL_UNKNOWN, STUB_TYPE,
                            "no tool %r in this local run; stubbed: %s (stub tools with dspex.testing tools={...} or "
                            "python -m dspex run --tool NAME=JSON)" % (name, ", ".join(sorted(self._stubs)) or "none"))
        try:
            result = stub(sent)
        except ToolError:
            raise
        except Exception as exc:  # the tool failed, as a .NET tool's exception reaches Python
            raise ToolError(protocol.TOOL_FAILED, type(exc).__name__, str(exc) or type(exc).__name__) from exc
        if inspect.isawaitable(result):
            return _checked_async(name, result)
        return _as_sent(name, result)

    def listing(self) -> list[dict[str, Any]]:
        """list_tools(): each stub's name, its docstring as the description, and an open object schema."""
        return [{"name": name, "description": (getattr(stub, "__doc__", None) or "").strip(), "schema": {"type": "object"}}
                for name, stub in sorted(self._stubs.items())]


def through_pipe(value: Any) -> Any:
    """A value as the other side of the pipe reads it: JSON decoded afresh, its bytes and arrays as binary parts
    (memoryview and arrays, as a worker gets them). Raises TypeError/ValueError for what cannot cross."""
    encoder = binary.Encoder()
    text = encoder.dumps(value)
    return binary.decode(text.encode("utf-8"), [memoryview(bytes(part)) for part in encoder.parts])


def _as_sent(name: str, result: Any) -> Any:
    """The result as the command would get it through the pipe: JSON, decoded afresh."""
    from .tools import ToolError

    try:
        return through_pipe(result)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ToolError(protocol.TOOL_RESULT_NOT_SERIALIZABLE, type(exc).__name__,
                        "the stub of tool %r returned what JSON cannot carry: %s" % (name, exc)) from None


async def _checked_async(name: str, awaitable: Any) -> Any:
    from .tools import ToolError

    try:
        result = await awaitable
    except ToolError:
        raise
    except Exception as exc:
        raise ToolError(protocol.TOOL_FAILED, type(exc).__name__, str(exc) or type(exc).__name__) from exc
    return _as_sent(name, result)


def current() -> Optional[LocalTools]:
    """The stubs of the local run this code runs in, or None (in a worker, always None)."""
    return _current.get()


def install(tools: Optional[LocalTools]) -> contextvars.Token[Optional[LocalTools]]:
    """Makes ``tools`` the stubs of this context's run; reset with the returned token."""
    return _current.set(tools)


def reset(token: contextvars.Token[Optional[LocalTools]]) -> None:
    _current.reset(token)

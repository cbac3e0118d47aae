"""Commands the tool tests run: they call .NET tools through dspex and report what they saw."""

import asyncio
import json

import dspex
from dspex import ToolError, acall_tool, call_tool, command, list_tools, program_type


def _error(exc):
    return {"kind": exc.kind, "type": exc.type, "message": exc.message}


@command("tool_call")
def tool_call(args):
    """Calls a tool; a ToolError is left to fail the request."""
    return call_tool(args["tool"], args.get("args"))


@command("tool_call_catching")
def tool_call_catching(args):
    """Calls a tool and handles a ToolError, answering what it carried."""
    try:
        return {"result": call_tool(args["tool"], args.get("args"))}
    except ToolError as exc:
        return {"error": _error(exc)}


@command("tool_call_async")
def tool_call_async(args):
    """Calls a tool through acall_tool on an event loop of its own."""
    return asyncio.run(acall_tool(args["tool"], args.get("args")))


@command("tool_list")
def tool_list(args):
    return list_tools()


@command("tool_stream")
def tool_stream(args):
    """A generator calling a tool for each item."""
    for i in range(args["n"]):
        yield call_tool(args["tool"], {"a": i, "b": 1})


@command("tool_call_forged_request")
def tool_call_forged_request(args):
    """Writes a tool_call frame naming a request that is not in flight: a malformed frame for this worker."""
    dspex.tools._send(json.dumps({"type": "tool_call", "id": 987654321, "tool_id": 1, "tool": "lookup", "args": {}}).encode())
    return call_tool("lookup", {"id": 1})  # never answered: the worker is replaced


@program_type("tool_program")
class ToolProgram:
    def __init__(self, spec):
        self.tool = spec["tool"]

    def __call__(self, args):
        return call_tool(self.tool, args)

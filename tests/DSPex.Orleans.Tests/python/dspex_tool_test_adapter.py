"""Commands the tool tests run: they call .NET tools through dspex and report what they saw."""

import asyncio
import json
import os

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


@command("tool_call_deep_args")
def tool_call_deep_args(args):
    """Calls a tool with args nested args["depth"] levels; answers the ToolError, and that the command went on."""
    value = {}
    for _ in range(args["depth"] - 1):
        value = {"a": value}
    try:
        return {"result": call_tool(args["tool"], value)}
    except ToolError as exc:
        return {"error": _error(exc), "went_on": True}


@command("tool_call_after_answer")
async def tool_call_after_answer(args):
    """Starts a task that calls a tool once this request is answered (it awaits the command's own task, whose answer
    the bridge sends first), and writes what that call raised to args["outcome_file"]. Returns this worker's pid."""
    request = asyncio.current_task()
    path = args["outcome_file"]

    async def late():
        try:
            await asyncio.wait({request})
            await acall_tool("lookup", {"id": 1})
            outcome = {"raised": None}
        except BaseException as exc:  # noqa: B036 - the test reads what the late call raised
            outcome = {"raised": type(exc).__name__, "message": str(exc)}
        with open(path + ".tmp", "w") as f:
            json.dump(outcome, f)
        os.replace(path + ".tmp", path)

    _late_tasks.add(asyncio.get_running_loop().create_task(late()))
    return os.getpid()


_late_tasks = set()  # the loop keeps only weak references to its tasks


@command("tool_call_naming_answered_request")
def tool_call_naming_answered_request(args):
    """Writes a tool_call frame naming the request before this one on this worker (answered already, as a late task's
    call racing its request's answer would), then calls a tool for real: the worker must still serve."""
    request_id = dspex.context.current_request_id()
    if request_id <= 1:
        return {"skipped": True}
    forged = {"type": "tool_call", "id": request_id - 1, "tool_id": next(dspex.tools._ids), "tool": "lookup", "args": {}}
    dspex.tools._send(json.dumps(forged).encode())
    return {"pid": os.getpid(), "result": call_tool("lookup", {"id": 2})}

"""Commands the tool tests run: they call .NET tools through dspex and report what they saw."""

import asyncio
import contextvars
import json
import os
import threading

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


def _thread_of_this_request(target, *args):
    """A thread that runs in a copy of this thread's context, so dspex.call_tool knows its request."""
    return threading.Thread(target=contextvars.copy_context().run, args=(target, *args), daemon=True)


@command("tool_call_parallel")
def tool_call_parallel(args):
    """Calls args["tool"] args["n"] times at once, each call from a thread of its own; returns every call's result or
    error, in order: [{"result": ...} or {"error": {kind, type, message}}]."""
    count = int(args["n"])
    outcomes = [None] * count

    def one(index):
        try:
            outcomes[index] = {"result": call_tool(args["tool"], args.get("args"))}
        except ToolError as exc:
            outcomes[index] = {"error": _error(exc)}

    threads = [_thread_of_this_request(one, i) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@command("tool_flood")
def tool_flood(args):
    """Calls a tool from args["threads"] threads at once with big payloads: the tool args["tool"], or, with
    args["name_chars"], a tool whose name is that many "n"s; its args {"blob": args["blob_chars"] "x"s}. Returns how
    many calls ended each way: {"ok": n, "<ToolError kind>": n, ...}."""
    name = "n" * int(args["name_chars"]) if args.get("name_chars") else args["tool"]
    blob = "x" * int(args.get("blob_chars", 0))
    counts = {}
    lock = threading.Lock()

    def one():
        try:
            call_tool(name, {"blob": blob})
            outcome = "ok"
        except ToolError as exc:
            outcome = exc.kind
        with lock:
            counts[outcome] = counts.get(outcome, 0) + 1

    threads = [_thread_of_this_request(one) for _ in range(int(args["threads"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


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


@command("tool_bytes")
def tool_bytes(args):
    """Calls args["tool"] with {"data": the call's bytes, **args["extra"]} and answers the tool's result as it came:
    bytes in it go back to the caller as binary parts. A ToolError is answered as {"error": ...}."""
    try:
        return call_tool(args["tool"], {"data": args["data"], **args.get("extra", {})})
    except ToolError as exc:
        return {"error": _error(exc)}


@command("tool_bytes_lying")
def tool_bytes_lying(args):
    """Calls args["tool"] with bytes whose declared length in the frame lies (7 more than sent, as a buggy extension
    might write), then calls it again honestly: answers what the first call raised, the second's result and the pid."""
    honest = dspex.tools._send

    def lying(body, parts=None):
        return honest(body.replace(b'"parts":[3]', b'"parts":[10]'), parts)

    dspex.tools._send = lying
    try:
        call_tool(args["tool"], {"data": b"abc"})
        first = None
    except ToolError as exc:
        first = _error(exc)
    finally:
        dspex.tools._send = honest
    return {"first": first, "second": call_tool(args["tool"], {"data": b"abc"})["sha256"], "pid": os.getpid()}

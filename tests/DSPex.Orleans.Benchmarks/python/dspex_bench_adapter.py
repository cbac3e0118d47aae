"""Benchmark commands: a CPU-bound pure-Python function whose cost is fixed by its argument.

The same function runs in every scenario (bridge worker and Python.NET in-process), so the only thing
that differs between scenarios is how the call reaches it.
"""

import dspex
from dspex import command


@command("cpu_spin")
def cpu_spin(args):
    """A fixed pure-Python loop: holds the GIL the whole time, like real CPU-bound Python code."""
    total = 0
    for i in range(int(args.get("iterations", 20000))):
        total += i * i % 7
    return {"total": total}


# The I/O-bound cell (Scenarios/IoBoundCell.cs): the same 50 ms wait, awaited on the worker's event loop or slept on
# a serving thread.
@command("async_sleep_ms")
async def async_sleep_ms(args):
    import asyncio

    await asyncio.sleep(float(args.get("ms", 50)) / 1000.0)
    return None


@command("sleep_ms")
def sleep_ms(args):
    import time

    time.sleep(float(args.get("ms", 50)) / 1000.0)
    return None


# The tool round trip (Scenarios/ToolRoundTripScenario.cs): K calls of a .NET tool from one request, each waiting for
# its answer, so (latency(K) - latency(ping)) / K is the cost of one Python -> .NET -> Python tool call.
@command("tool_calls")
def tool_calls(args):
    from dspex import call_tool

    name = args.get("tool", "bench_echo")
    total = 0
    for i in range(int(args.get("k", 1))):
        total += call_tool(name, {"n": i})
    return total


@command("bytes_roundtrip")
def bytes_roundtrip(args):
    """Bytes in and the same bytes out, as a user would: base64 text decoded and encoded again, or a binary part as is."""
    if "b64" in args:
        import base64

        return {"b64": base64.b64encode(base64.b64decode(args["b64"])).decode("ascii")}
    return {"data": args["data"]}


@command("array_roundtrip")
def array_roundtrip(args):
    """A float32 vector in and out: a JSON list of numbers, or a binary part (numpy array or shaped memoryview)."""
    return {"v": args["v"]}


@command("bytes_digest")
def bytes_digest(args):
    """SHA-256 and size of bytes that came in as one binary part (args["data"]) or as an upload (dspex.upload())."""
    import hashlib

    digest, size = hashlib.sha256(), 0
    for chunk in ([args["data"]] if args and "data" in args else dspex.upload()):
        digest.update(chunk)
        size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


_MIB = 1024 * 1024


@command("bytes_make")
def bytes_make(args):
    """args["size"] bytes out as one binary part (the download cell's baseline)."""
    return {"data": bytes(int(args["size"]))}


@command("bytes_chunks")
def bytes_chunks(args):
    """args["size"] bytes out as a download: a generator of 1 MiB chunks."""
    size = int(args["size"])
    chunk = bytes(_MIB)
    for at in range(0, size, _MIB):
        yield chunk if size - at >= _MIB else chunk[: size - at]

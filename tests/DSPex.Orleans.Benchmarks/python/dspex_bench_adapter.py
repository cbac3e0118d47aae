"""Benchmark commands: a CPU-bound pure-Python function whose cost is fixed by its argument.

The same function runs in every scenario (bridge worker and Python.NET in-process), so the only thing
that differs between scenarios is how the call reaches it.
"""

from dspex import command


@command("cpu_spin")
def cpu_spin(args):
    """A fixed pure-Python loop: holds the GIL the whole time, like real CPU-bound Python code."""
    total = 0
    for i in range(int(args.get("iterations", 20000))):
        total += i * i % 7
    return {"total": total}

"""Commands the test suite uses to drive real workers into each behaviour."""

import os
import subprocess
import sys
import time

import dspex
from dspex import command


@command("pid")
def pid(args):
    return os.getpid()


@command("sleep")
def sleep(args):
    """Sleeps cooperatively: returns early (with cancelled=true) once the request is cancelled."""
    deadline = time.monotonic() + float(args.get("seconds", 1))
    while time.monotonic() < deadline:
        if dspex.cancelled():
            return {"cancelled": True}
        time.sleep(0.01)
    return {"cancelled": False}


@command("sleep_uncooperative")
def sleep_uncooperative(args):
    time.sleep(float(args.get("seconds", 1)))
    return "done"


@command("raise_error")
def raise_error(args):
    raise ValueError(args.get("message", "bad value"))


@command("print_and_return")
def print_and_return(args):
    print("this line goes to stderr, not the protocol stream")
    print(args.get("text", ""), flush=True)
    sys.stdout.write("raw write to sys.stdout\n")
    os.write(1, b"bytes written straight to fd 1\n")
    return {"text": args.get("text", "")}


@command("unserializable")
def unserializable(args):
    return {"value": object()}


@command("big_result")
def big_result(args):
    return "x" * int(args["size"])


@command("spawn_child")
def spawn_child(args):
    """Starts a grandchild that outlives this call, to prove the group kill ends it too."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    return child.pid


@command("remember")
def remember(args):
    """Sets session variable args['name'] to args['value'] and returns what it held before."""
    previous = dspex.get_var(args["name"])
    dspex.set_var(args["name"], args["value"])
    return {"previous": previous, "pid": os.getpid(), "session": dspex.session_id()}


@command("forget")
def forget(args):
    dspex.delete_var(args["name"])
    return True

"""The `python -m dspex` commands.

  run ADAPTER COMMAND [--args JSON] [--vars JSON]   run one command as a worker would, no silo; items are printed as
      [--tool NAME=JSON ...]                        JSON lines {"item": ...} as they come, then {"result": ...} (with
                                                    "session": {"set", "deleted"} when variables changed); --tool stubs
                                                    a .NET tool the command calls with a fixed answer
  list [ADAPTER ...]                                what the adapters register, as JSON (the bridge's --list-commands);
                                                    exits 2 when one does not import or registers nothing
  new NAME [--dir DIR]                              scaffold an adapter module (NAME.py: a command, a program type) and its
                                                    test (test_NAME.py) in DIR, the folder to run it from

Exit codes: 0 success; 1 the command answered with an error (printed as "error: Kind: message" on stderr, traceback
after it); 2 bad input (arguments, variables, command name, an adapter that does not import or registers no command or program
type, a name to scaffold);
130 interrupted (Ctrl-C cancels the call: dspex.cancelled() turns true; a call that does not stop within
--cancel-grace seconds is abandoned).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import sys
import threading
import traceback
from typing import Any, Callable, Optional

from . import local, protocol, registry, request_rules, scaffold
from .errors import InvalidArguments

EXIT_OK = 0
EXIT_COMMAND_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dspex", description="DSPex adapter tools (no silo needed)")
    commands = parser.add_subparsers(dest="action", required=True)
    run = commands.add_parser("run", help="run an adapter's command locally, as a worker runs it")
    run.add_argument("adapter", help="adapter module name, a path to a .py file, or - for the built-in commands only")
    run.add_argument("command", help="registered command name")
    run.add_argument("--args", default="{}", help="arguments as one JSON value (default {})")
    run.add_argument("--vars", default=None, help="session variables as a JSON object: makes it a session call")
    run.add_argument("--session-id", default=None, help="session id the command sees (default 'local' with --vars)")
    run.add_argument("--path", action="append", default=[], help="folder to import adapters from (repeatable)")
    run.add_argument("--max-frame", type=int, default=protocol.DEFAULT_MAX_FRAME_BYTES, help="frame limit in bytes")
    run.add_argument("--cancel-grace", type=float, default=2.0, help="seconds a cancelled call has to stop")
    run.add_argument("--tool", action="append", default=[], metavar="NAME=JSON",
                     help="stub the .NET tool NAME: every call of it answers this JSON value (repeatable)")
    listing = commands.add_parser("list", help="print what adapter modules register, as JSON")
    listing.add_argument("adapters", nargs="*")
    listing.add_argument("--path", action="append", default=[])
    new = commands.add_parser("new", help="scaffold an adapter module with a command, a program type and a test")
    new.add_argument("name", help="module name (a Python identifier)")
    new.add_argument("--dir", default=".", help="folder to write NAME.py and test_NAME.py in, made when missing "
                     "(default: the current folder); run, test and serve the adapter from that folder")
    return parser


def _error(kind: str, message: Optional[str], tb: Optional[str] = None) -> None:
    print("error: %s: %s" % (kind, message), file=sys.stderr)
    if tb:
        print(tb.rstrip(), file=sys.stderr)


def _import_adapter(adapter: str, paths: list[str]) -> None:
    """Imports the adapter as a worker does; AdapterRegistersNothing when it registers no command or program type."""
    for path in reversed(paths):
        sys.path.insert(0, os.path.abspath(path))
    if adapter == "-":
        return
    if adapter.endswith(".py"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(adapter)))
        adapter = os.path.splitext(os.path.basename(adapter))[0]
    registry.load_adapters([adapter])


def _tool_stubs(specs: list[str], max_frame: int) -> dict[str, Callable[[Any], Any]]:
    """--tool NAME=JSON options as stubs answering that value (InvalidArguments naming the option when malformed)."""
    stubs: dict[str, Callable[[Any], Any]] = {}
    for spec in specs:
        name, separator, text = spec.partition("=")
        if not separator or not name:
            raise InvalidArguments("--tool %r is not NAME=JSON" % spec)
        answer = request_rules.parse_json(text, "the --tool %s answer" % name, max_frame)
        stubs[name] = _fixed_answer(answer)
    return stubs


def _fixed_answer(answer: Any) -> Callable[[Any], Any]:
    def stub(args: Any) -> Any:
        return answer
    return stub


def _print_frame(frame: dict[str, Any]) -> None:
    if frame.get("type") == protocol.ITEM:
        print(json.dumps({"item": frame.get("item")}, ensure_ascii=False), flush=True)


def _run(options: argparse.Namespace) -> int:
    try:
        command = request_rules.check_command(options.command)
        args = request_rules.parse_json(options.args, "the arguments", options.max_frame)
        variables = request_rules.parse_json(options.vars, "the session variables", options.max_frame) if options.vars is not None else None
        if variables is not None and not isinstance(variables, dict):
            raise InvalidArguments("the session variables must be a JSON object")
        tools = _tool_stubs(options.tool, options.max_frame)
    except InvalidArguments as exc:
        _error(protocol.INVALID_ARGUMENTS, str(exc))
        return EXIT_BAD_INPUT
    try:
        importlib.import_module(".builtins", __package__)  # a worker always has ping, echo, list_commands, worker_info

        _import_adapter(options.adapter, options.path)
    except registry.AdapterRegistersNothing as exc:
        _error("AdapterRegistersNothing", str(exc))
        return EXIT_BAD_INPUT
    except BaseException as exc:  # an adapter's import failure is the user's to read, not a crash
        _error("AdapterImportFailed", "%s: %s" % (type(exc).__name__, exc), traceback.format_exc())
        return EXIT_BAD_INPUT

    # Ctrl-C must cancel even when the shell started us with SIGINT ignored (a background job, a CI runner).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    cancel = threading.Event()
    finished = threading.Event()  # not Thread.join: a join interrupted by Ctrl-C may not wait again
    outcome: list[local.CommandRun] = []

    def call() -> None:
        try:
            outcome.append(local.run(command, args, variables=variables, session_id=options.session_id,
                                     max_frame=options.max_frame, on_frame=_print_frame, cancel=cancel, tools=tools))
        finally:
            finished.set()

    try:
        # Started inside the try: the command may print before this thread reaches it, and a Ctrl-C then must cancel.
        threading.Thread(target=call, name="dspex-run", daemon=True).start()
        while not finished.wait(0.2):  # short waits keep the main thread able to take Ctrl-C
            pass
    except KeyboardInterrupt:
        cancel.set()
        print("dspex: cancelling (dspex.cancelled() is now true)", file=sys.stderr, flush=True)
        if not finished.wait(options.cancel_grace):
            print("dspex: the command did not stop within %.1f s; abandoned" % options.cancel_grace, file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)  # a thread that did not stop must not keep the process alive
    run = outcome[0]
    if run.error is not None:
        _error(run.error.kind, run.error.message, run.error.traceback)
        return EXIT_COMMAND_ERROR
    reply: dict[str, Any] = {"result": run.result}
    if run.set_vars or run.deleted_vars:
        reply["session"] = {"set": run.set_vars, "deleted": run.deleted_vars}
    print(json.dumps(reply, ensure_ascii=False), flush=True)
    return EXIT_OK


def _list(options: argparse.Namespace) -> int:
    for path in reversed(options.path):
        sys.path.insert(0, os.path.abspath(path))
    from .listing import describe_pool

    listing = describe_pool(options.adapters)
    print(json.dumps(listing, indent=2))
    # The listing is printed whole (doctor and the silo read the same one, as a finding), but for the command line a
    # module that registers nothing is bad input, as for `run` and for a worker, which refuses to start with it.
    for empty in listing["registers_nothing"]:
        _error("AdapterRegistersNothing", empty["message"])
    return EXIT_BAD_INPUT if listing["error"] or listing["registers_nothing"] else EXIT_OK


def _new(options: argparse.Namespace) -> int:
    try:
        written = scaffold.create(options.name, options.dir)
    except (InvalidArguments, OSError) as exc:
        _error(protocol.INVALID_ARGUMENTS, str(exc))
        return EXIT_BAD_INPUT
    for path in written:
        print("created %s" % path)
    folder = os.path.dirname(written[0]) or "."
    step = "" if os.path.abspath(folder) == os.getcwd() else "cd %s && " % folder
    print("next: %spython -m unittest test_%s && python -m dspex run %s %s.greet --args '{\"name\": \"Ada\"}'"
          % (step, options.name, options.name, options.name))
    return EXIT_OK


def main(argv: list[str]) -> int:
    options = _parser().parse_args(argv)
    if options.action == "run":
        return _run(options)
    if options.action == "list":
        return _list(options)
    return _new(options)

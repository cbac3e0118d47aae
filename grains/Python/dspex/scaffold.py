"""`python -m dspex new NAME`: a new adapter module with a command, a program type and a unittest that passes.

NAME.py and test_NAME.py are written side by side in the folder given (the current one by default), not in a folder
named NAME: run from the parent of such a folder, Python would import the folder as an empty namespace package and
the adapter's commands would be unknown. So the folder they are in is the one to run from, to test in, and to name in
DSPex:Pool:AdapterPaths."""

from __future__ import annotations

import keyword
import os

from .errors import InvalidArguments

ADAPTER = '''"""The {name} adapter: what a DSPex pool serves once it lists it (DSPex:Pool:AdapterModules: ["{name}"]).

From the folder this file is in:
Run a command without a silo:   python -m dspex run {name} {name}.greet --args '{{"name": "Ada"}}'
Run its tests:                  python -m unittest test_{name}
Serve it from a silo:           DSPex:Pool:AdapterPaths: [this folder], DSPex:Pool:AdapterModules: ["{name}"]
"""

from __future__ import annotations

from typing import Any

import dspex


@dspex.command("{name}.greet")
def greet(args: Any) -> dict[str, Any]:
    """Greets args["name"]; in a session it also remembers who it greeted (session variable "greeted")."""
    if not isinstance(args, dict) or not isinstance(args.get("name"), str):
        raise dspex.InvalidArguments('{name}.greet needs {{"name": "..."}}')  # the caller gets InvalidArguments
    if dspex.session_id() is not None:
        dspex.set_var("greeted", dspex.get_var("greeted", []) + [args["name"]])
    return {{"greeting": "Hello, %s!" % args["name"]}}


@dspex.program_type("{name}.counter")
class Counter:
    """A program: built once per worker from its spec (stored in the session), then called per request."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.step = int(spec.get("step", 1))
        self.total = 0

    def __call__(self, args: Any) -> dict[str, Any]:
        self.total += self.step
        return {{"total": self.total}}
'''

TEST = '''"""Tests of the {name} adapter, run as a worker would run its commands (dspex.testing), no silo needed."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dspex.testing  # noqa: E402

import {name}  # noqa: E402,F401 - registers the adapter's commands


class {title}Tests(unittest.TestCase):
    def test_greet_answers(self) -> None:
        run = dspex.testing.run_command("{name}.greet", {{"name": "Ada"}})
        self.assertIsNone(run.error)
        self.assertEqual({{"greeting": "Hello, Ada!"}}, run.result)

    def test_greet_remembers_in_a_session(self) -> None:
        run = dspex.testing.run_command("{name}.greet", {{"name": "Ada"}}, vars={{"greeted": ["Bob"]}})
        self.assertEqual(["Bob", "Ada"], run.set_vars["greeted"])

    def test_bad_arguments_are_invalid_arguments(self) -> None:
        run = dspex.testing.run_command("{name}.greet", {{"nom": 1}})
        self.assertEqual("InvalidArguments", run.error.kind)

    def test_the_counter_program_keeps_its_state(self) -> None:
        spec = {{"type": "{name}.counter", "step": 2}}
        dspex.testing.run_program(spec, {{}}, program_id="{name}-test")
        run = dspex.testing.run_program(spec, {{}}, program_id="{name}-test")
        self.assertEqual({{"total": 4}}, run.result)


if __name__ == "__main__":
    unittest.main()
'''


def create(name: str, folder: str) -> list[str]:
    """Writes NAME.py and test_NAME.py into ``folder`` (made when missing); returns their paths. Refuses a name that is
    not a Python identifier and a file that exists (InvalidArguments), so nothing of the user's is overwritten."""
    if not name.isidentifier() or keyword.iskeyword(name) or name == "dspex":
        raise InvalidArguments("%r is not a usable module name: use a Python identifier (letters, digits, _)" % name)
    title = "".join(part.capitalize() for part in name.split("_")) or name
    files = ((name + ".py", ADAPTER), ("test_%s.py" % name, TEST))
    for file_name, _ in files:
        if os.path.exists(os.path.join(folder, file_name)):
            raise InvalidArguments("%s exists already; choose another name or folder" % os.path.join(folder, file_name))
    os.makedirs(folder, exist_ok=True)
    written = []
    for file_name, template in files:
        path = os.path.join(folder, file_name)
        with open(path, "x", encoding="utf-8") as file:
            file.write(template.format(name=name, title=title))
        written.append(path)
    return written

"""The fields of every frame type, held against the protocol's one definition (grains/Python/dspex/protocol.json), on
the bridge's side (the silo's: FrameFieldDefinitionTests, .NET). What the bridge writes: a real bridge process, driven
over its pipes through every frame type it sends, writes only the file's fields of each type, all its required ones,
each of its type, nested structures included, and together every field the file gives the type. What the bridge
reads: every field of a frame the silo sends (and of the structures in it) is one the bridge's code reads, and the
bridge reads no field of a frame that the file does not define."""

import ast
import inspect
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

from bridge_support import BRIDGE_DIR

import dspex.context
import dspex.programs
import dspex.tools
from dspex import protocol

BOUND = 60.0  # generous upper bound on a reply: a hang guard, not a timing assertion
DEFINITION = protocol.DEFINITION
STRUCTURES = DEFINITION["structures"]

ADAPTER = '''
import dspex

@dspex.command("fields.session")
def session(args):
    dspex.set_var("seen", args)
    dspex.delete_var("gone")
    return {"ok": True}

@dspex.command("fields.stream")
def stream(args):
    yield {"item": 1}
    yield b"chunk"

@dspex.command("fields.bytes")
def as_bytes(args):
    return {"echoed": args["data"]}

@dspex.command("fields.upload")
def uploaded(args):
    return {"bytes": sum(len(chunk) for chunk in dspex.upload())}

@dspex.command("fields.tools")
def tools(args):
    listed = dspex.list_tools()
    return {"listed": listed, "called": dspex.call_tool("lookup", {"q": 1}),
            "bytes": bytes(dspex.call_tool("lookup", {"b": b"xy"}))}
'''


def fields_of(direction, frame_type):
    return DEFINITION[direction][frame_type]["fields"]


def is_of_type(value, field_type):
    if field_type in ("int32", "int64"):
        bits = 31 if field_type == "int32" else 63
        return isinstance(value, int) and not isinstance(value, bool) and -(2 ** bits) <= value < 2 ** bits
    if field_type == "string":
        return isinstance(value, str)
    if field_type == "string[]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if field_type == "json":
        return True
    if field_type == "object":
        return isinstance(value, dict)
    if field_type == "version":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    if field_type == "parts":
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    raise AssertionError("protocol.json names a field type this test does not know: %s" % field_type)


class BridgeProcess:
    """The real bridge as the silo starts it (its own process group), its frames read and written over its pipes."""

    def __init__(self, adapter_dir, adapters):
        command = [sys.executable, os.path.join(BRIDGE_DIR, "dspex_bridge.py"), "--dspex-marker", "protocol-fields-test",
                   "--parent-pid", str(os.getpid())]
        for adapter in adapters:
            command += ["--adapter", adapter]
        env = dict(os.environ, PYTHONPATH=adapter_dir)
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        self._buffer = b""

    def send(self, envelope):
        body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode("utf-8")
        self.process.stdin.write(struct.pack(">I", len(body)) + body)
        self.process.stdin.flush()

    def read(self):
        """The next frame, parsed; fails the test when none comes within the bound."""
        return json.loads(self.read_body().split(b"\x00", 1)[0])  # the envelope; binary parts after it are not fields

    def read_body(self):
        """The next frame's whole body (its envelope and any binary parts), unparsed."""
        deadline = time.monotonic() + BOUND
        fd = self.process.stdout.fileno()
        while True:
            if len(self._buffer) >= 4:
                (length,) = struct.unpack(">I", self._buffer[:4])
                if len(self._buffer) >= 4 + length:
                    body, self._buffer = self._buffer[4:4 + length], self._buffer[4 + length:]
                    return body
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise AssertionError("the bridge wrote no frame within %s s; stderr: %s" % (BOUND, self.stderr_text()))
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise AssertionError("the bridge closed its frames pipe; stderr: %s" % self.stderr_text())
            self._buffer += chunk

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def close(self):
        """Ends the bridge as the silo does (EOF on its stdin), and by its pid if it does not go."""
        try:
            self.process.stdin.close()
            self.process.wait(BOUND)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(BOUND)
        finally:
            self.process.stdout.close()
            self.stderr.close()


class WrittenFieldTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dspex-protocol-fields-")
        with open(os.path.join(cls.folder, "protocol_fields_adapter.py"), "w", encoding="utf-8") as file:
            file.write(ADAPTER)
        cls.frames = cls.drive_every_frame_type()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    @classmethod
    def drive_every_frame_type(cls):
        """Every frame type the bridge sends, from real bridges: a working one, and one whose adapter fails to import."""
        frames = []
        bridge = BridgeProcess(cls.folder, ["protocol_fields_adapter"])
        try:
            frames.append(bridge.read())  # ready
            bridge.send({"id": 1, "type": protocol.CALL, "cmd": "fields.session", "args": {"a": 1},
                         "session": {"id": "s1", "vars": {"gone": 1}}})
            frames.append(bridge.read())  # result, with its session changes
            bridge.send(b'{"id":6,"type":"call","cmd":"fields.bytes","args":{"data":{"$bytes":0}},"parts":[3]}\x00abc')
            frames.append(bridge.read())  # result, with its binary parts
            bridge.send({"id": 2, "type": protocol.CALL, "cmd": "fields.stream", "args": None, "credit": 4})
            frames.append(bridge.read())  # item
            frames.append(bridge.read())  # item, with its binary part (a download's chunk)
            frames.append(bridge.read())  # result
            bridge.send({"id": 7, "type": protocol.CALL, "cmd": "fields.upload", "args": None, "upload": 2})
            bridge.send(b'{"id":7,"type":"chunk","parts":[3]}\x00abc')
            frames.append(bridge.read())  # chunk_credit
            bridge.send({"id": 7, "type": protocol.CHUNKS_END})
            frames.append(bridge.read())  # result
            bridge.send({"id": 3, "type": protocol.CALL, "cmd": "fields.no_such_command", "args": None})
            frames.append(bridge.read())  # error
            bridge.send({"id": 4, "type": protocol.HEARTBEAT})
            frames.append(bridge.read())  # heartbeat
            bridge.send(b"[not a frame")
            frames.append(bridge.read())  # protocol_error
            bridge.send({"id": 5, "type": protocol.CALL, "cmd": "fields.tools", "args": None})
            listing = bridge.read()  # list_tools
            frames.append(listing)
            bridge.send({"id": 5, "type": protocol.TOOL_RESULT, "tool_id": listing["tool_id"], "result": []})
            call = bridge.read()  # tool_call
            frames.append(call)
            bridge.send({"id": 5, "type": protocol.TOOL_RESULT, "tool_id": call["tool_id"], "result": {"r": 1}})
            call = bridge.read()  # tool_call, with its binary parts
            frames.append(call)
            bridge.send(b'{"id":5,"type":"tool_result","tool_id":%d,"result":{"$bytes":0},"parts":[2]}\x00yx' % call["tool_id"])
            frames.append(bridge.read())  # result
        finally:
            bridge.close()
        failing = BridgeProcess(cls.folder, ["protocol_fields_no_such_adapter"])
        try:
            frames.append(failing.read())  # fatal
            failing.process.wait(BOUND)
            assert failing.process.returncode == protocol.EXIT_ADAPTER_IMPORT_FAILED
        finally:
            failing.close()
        return frames

    def check(self, where, value, fields, seen):
        """Checks an object against its fields; records which fields (of it and of its structures) were written."""
        self.assertIsInstance(value, dict, where)
        names = seen.setdefault(where, set())
        for name, field_value in value.items():
            self.assertIn(name, fields, "%s: the bridge writes %s, which the file does not give it" % (where, name))
            names.add(name)
            field = fields[name]
            if field_value is None and field.get("nullable"):
                continue
            if field["type"] in STRUCTURES:
                self.check("structures." + field["type"], field_value, STRUCTURES[field["type"]], seen)
            else:
                self.assertTrue(is_of_type(field_value, field["type"]),
                                "%s.%s is %r, not of type %s" % (where, name, field_value, field["type"]))
        for name, field in fields.items():
            if field["required"]:
                self.assertIn(name, value, "%s: the bridge wrote no %s, which the file requires" % (where, name))

    def test_the_bridge_writes_every_frame_type_the_file_sends_to_the_silo(self):
        self.assertEqual(set(DEFINITION["frames_from_bridge"]), {frame["type"] for frame in self.frames})

    def test_every_frame_type_carries_exactly_the_fields_the_file_gives_it(self):
        for frame_type in DEFINITION["frames_from_bridge"]:
            with self.subTest(frame_type=frame_type):
                fields = dict(fields_of("frames_from_bridge", frame_type), type=DEFINITION["envelope"]["fields"]["type"])
                seen = {}
                for frame in (f for f in self.frames if f["type"] == frame_type):
                    self.check(frame_type, frame, fields, seen)
                for where, names in seen.items():
                    defined = set(fields) if where == frame_type else set(STRUCTURES[where[len("structures."):]])
                    self.assertEqual(defined, names, "%s: the file's fields, and the ones the bridge wrote" % where)

    def test_the_ready_frame_names_the_files_version_within_its_bound(self):
        ready = next(f for f in self.frames if f["type"] == protocol.READY)
        self.assertEqual(DEFINITION["version"], ready["protocol"])
        self.assertLessEqual(len(str(ready["protocol"])), DEFINITION["limits"]["max_version_chars"])


class ReadFieldTests(unittest.TestCase):
    """The bridge's code reads every field the silo sends, and no field the file does not define. Read statically: a
    frame the silo sends is `envelope` in the bridge (and the parts of it the context, programs and tools take)."""

    SOURCES = {
        "dspex_bridge": None,  # filled in setUpClass: the bridge runs as a script
        "dspex.context": dspex.context,
        "dspex.programs": dspex.programs,
        "dspex.tools": dspex.tools,
    }

    @classmethod
    def setUpClass(cls):
        from bridge_support import dspex_bridge
        cls.read = {}  # receiver name -> field names read from it
        for name, module in dict(cls.SOURCES, dspex_bridge=dspex_bridge).items():
            for node in ast.walk(ast.parse(inspect.getsource(module))):
                key = receiver = None
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                        and node.args and isinstance(node.args[0], ast.Constant)):
                    receiver, key = node.func.value, node.args[0].value
                elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Constant):
                    receiver, key = node.value, node.slice.value
                if isinstance(receiver, ast.Name) and isinstance(key, str):
                    cls.read.setdefault(receiver.id, set()).add(key)

    def test_every_field_of_every_frame_the_silo_sends_is_read(self):
        everything_read = set().union(*self.read.values())
        for frame_type, frame in DEFINITION["frames_to_bridge"].items():
            for name, field in frame["fields"].items():
                self.assertIn(name, everything_read, "%s.%s is never read by the bridge" % (frame_type, name))
                for inner in STRUCTURES.get(field["type"], {}):
                    self.assertIn(inner, everything_read, "%s.%s.%s is never read by the bridge" % (frame_type, name, inner))

    def test_the_bridge_reads_no_envelope_field_the_file_does_not_define(self):
        defined = set(DEFINITION["envelope"]["fields"])
        for frame in DEFINITION["frames_to_bridge"].values():
            defined |= set(frame["fields"])
        self.assertTrue(self.read.get("envelope"), "the bridge names the frame it reads `envelope`: nothing found")
        self.assertLessEqual(self.read["envelope"], defined)


class DocumentationTests(unittest.TestCase):
    """docs/protocol.md has a row for every field of every frame type and structure in the file, of the file's type."""

    SECTIONS = {"## Frames the silo sends": "frames_to_bridge", "## Frames the bridge sends": "frames_from_bridge",
                "## Structures": "structures"}

    def documented(self):
        path = os.path.join(BRIDGE_DIR, "..", "..", "docs", "protocol.md")
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        tables, section, heading = {}, None, None
        for line in lines:
            if line.startswith("## "):
                section, heading = self.SECTIONS.get(line.strip()), None
            elif line.startswith("### ") and section is not None:
                heading = line.split("`")[1]
                tables[(section, heading)] = {}
            elif heading is not None and line.startswith("| `"):
                cells = [cell.strip() for cell in line.strip("|").split("|")]
                tables[(section, heading)][cells[0].strip("`")] = cells[1]
        return tables

    def test_every_frame_type_structure_and_field_has_its_row_in_docs_protocol_md(self):
        expected = {}
        for section in ("frames_to_bridge", "frames_from_bridge"):
            for name, frame in DEFINITION[section].items():
                expected[(section, name)] = {field: spec["type"] for field, spec in frame["fields"].items()}
        for name, fields in STRUCTURES.items():
            expected[("structures", name)] = {field: spec["type"] for field, spec in fields.items()}
        self.assertEqual(expected, self.documented())


class LimitTests(unittest.TestCase):
    def test_python_reads_integers_up_to_the_digit_limit_the_silo_holds_values_to(self):
        # The silo refuses a longer integer where Python would fail to read it (ProtocolLimits.MaxIntegerDigits).
        self.assertEqual(DEFINITION["limits"]["max_integer_digits"], sys.get_int_max_str_digits())


if __name__ == "__main__":
    unittest.main()

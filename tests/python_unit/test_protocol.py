"""The bridge against the protocol's one definition (grains/Python/dspex/protocol.json): its constants come from the
file, its source names no frame type, error kind or exit code of its own, and every frame it writes is one the file
lists. The silo is checked against the same file by ProtocolDefinitionTests (.NET)."""

import ast
import inspect
import json
import unittest

from bridge_support import ERROR_KINDS, FRAMES_FROM_BRIDGE, Pipe, dspex_bridge, strict_json

import dspex.builtins  # noqa: F401 - registers echo
from dspex import protocol


class ProtocolFileTests(unittest.TestCase):
    def test_the_file_is_the_one_the_module_loaded(self):
        with open(protocol.PROTOCOL_FILE, encoding="utf-8") as file:
            self.assertEqual(json.load(file), protocol.DEFINITION)
        self.assertEqual(protocol.VERSION, dspex_bridge.PROTOCOL_VERSION)

    def test_every_name_in_the_file_has_a_constant_and_every_constant_is_in_the_file(self):
        constants = {name: value for name, value in vars(protocol).items() if name.isupper() and not name.startswith("_")}
        strings = {value for value in constants.values() if isinstance(value, str)} - {protocol.PROTOCOL_FILE}
        listed = (set(protocol.DEFINITION["frames_to_bridge"]) | FRAMES_FROM_BRIDGE | ERROR_KINDS
                  | set(protocol.DEFINITION["tool_error_kinds"]))
        self.assertEqual(listed, strings)
        codes = {value for name, value in constants.items() if name.startswith("EXIT_")}
        self.assertEqual(set(protocol.DEFINITION["exit_codes"].values()), codes)
        self.assertEqual(len(codes), len(protocol.DEFINITION["exit_codes"]), "two exit reasons share a code")

    def test_the_builtin_commands_are_the_ones_dspex_builtins_registers(self):
        import dspex

        registered = {name for name, func in dspex.commands().items() if func.__module__ == "dspex.builtins"}
        self.assertEqual(set(protocol.DEFINITION["builtin_commands"]), registered)

    def test_frame_types_from_the_bridge_map_to_distinct_silo_records(self):
        silo_records = [frame["silo_record"] for frame in protocol.DEFINITION["frames_from_bridge"].values()]
        self.assertEqual(len(silo_records), len(set(silo_records)))
        self.assertNotIn("UnknownFrame", silo_records)  # the silo's record for a type it does not know


class BridgeSourceTests(unittest.TestCase):
    """The bridge's own code spells no protocol name: a name the file does not have cannot be sent."""

    @classmethod
    def setUpClass(cls):
        cls.tree = ast.parse(inspect.getsource(dspex_bridge))

    def test_no_frame_type_is_a_literal(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "type":
                        self.assertNotIsInstance(value, ast.Constant, "a frame type literal at line %d" % node.lineno)

    def test_no_error_kind_or_compared_frame_type_is_a_literal(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("send_error", "send_error_text"):
                self.assertNotIsInstance(node.args[1], ast.Constant, "an error kind literal at line %d" % node.lineno)
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "kind":
                for right in node.comparators:
                    self.assertFalse(isinstance(right, ast.Constant) and isinstance(right.value, str),
                                     "a frame type literal compared at line %d" % node.lineno)
                    if isinstance(right, ast.Tuple):
                        self.assertFalse(any(isinstance(e, ast.Constant) for e in right.elts), "line %d" % node.lineno)

    def test_no_exit_code_is_a_literal(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if name in ("_exit", "exit_with_group"):
                    self.assertNotIsInstance(node.args[0], ast.Constant, "an exit code literal at line %d" % node.lineno)


class WrittenFrameTests(unittest.TestCase):
    """What the bridge writes in answer to each kind of frame the silo sends is in the file."""

    def setUp(self):
        self.out = Pipe()
        self.bridge = dspex_bridge.Bridge(None, dspex_bridge.FrameWriter(self.out.fd, 1 << 16), 1)

    def tearDown(self):
        self.out.close()

    def test_every_answer_is_a_listed_frame_type_and_error_kind(self):
        frames_in = [
            {"id": 1, "type": protocol.CALL, "cmd": "echo", "args": {"a": 1}},
            {"id": 2, "type": protocol.CALL, "cmd": "no_such_command", "args": None},
            {"id": 3, "type": protocol.HEARTBEAT},
            {"id": 4, "type": protocol.CANCEL},
            {"id": 5, "type": protocol.CREDIT, "n": 1},
            {"id": 6, "type": protocol.CALL, "cmd": "echo", "args": float("nan")},
        ]
        for frame in frames_in:
            call = self.bridge._handle(json.dumps(frame).encode("utf-8"))
            if call is not None:
                self.bridge._run(*call)
        self.bridge._handle(b"not json")
        written = [strict_json(f) for f in self.out.frames()]
        self.assertEqual({protocol.RESULT, protocol.ERROR, protocol.HEARTBEAT_REPLY, protocol.PROTOCOL_ERROR},
                         {f["type"] for f in written})
        for frame in written:
            self.assertIn(frame["type"], FRAMES_FROM_BRIDGE)
            if frame["type"] == protocol.ERROR:
                self.assertIn(frame["error"]["kind"], ERROR_KINDS)

    def test_a_call_as_the_silo_writes_it_is_answered_by_id_even_when_unreadable(self):
        self.assertEqual(7, dspex_bridge.call_id_of(b'{"id":7,"type":"%s","cmd":"x"}' % protocol.CALL.encode()))
        self.assertIsNone(dspex_bridge.call_id_of(b'{"id":7,"type":"%s"}' % protocol.HEARTBEAT.encode()))


if __name__ == "__main__":
    unittest.main()

"""Stream items that hold bytes and arrays (not bare chunks): a generator yielding dicts with bytes, bytearray,
memoryview and array.array values sends each as a raw binary part of its item frame, referred to from the item's JSON
({"$bytes": i}, {"$array": i, ...}), on the threaded loop (a generator) and the event loop (an async generator) of the
real bridge, and dspex.testing gives them back as a worker would. The silo reads them with StreamDataAsync."""

import array
import os
import shutil
import tempfile
import unittest

from test_download import item_of
from test_protocol_fields import BridgeProcess
from dspex import protocol, testing

ADAPTER = '''
import array
import dspex

@dspex.command("parts.items")
def items(args):
    for i in range(args["count"]):
        yield {"i": i, "raw": bytes([i]) * 3, "more": [bytearray(b"ab"), memoryview(b"cd")], "vector": array.array("f", [i, 0.5])}

@dspex.command("parts.async_items")
async def async_items(args):
    for i in range(args["count"]):
        yield {"i": i, "raw": bytes([i]) * 3, "more": [bytearray(b"ab"), memoryview(b"cd")], "vector": array.array("f", [i, 0.5])}
'''


class StreamPartsBridgeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dspex-stream-parts-")
        with open(os.path.join(cls.folder, "stream_parts_adapter.py"), "w", encoding="utf-8") as file:
            file.write(ADAPTER)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def setUp(self):
        self.bridge = BridgeProcess(self.folder, ["stream_parts_adapter"])
        self.addCleanup(self.bridge.close)
        self.assertEqual(protocol.READY, self.bridge.read()["type"])

    def assert_items_carry_their_parts(self, command):
        self.bridge.send({"id": 1, "type": protocol.CALL, "cmd": command, "args": {"count": 2}, "credit": 16})
        for i in range(2):
            frame, parts = item_of(self.bridge.read_body())
            self.assertEqual((protocol.ITEM, 1), (frame["type"], frame["id"]))
            item = frame["item"]
            self.assertEqual(i, item["i"])
            self.assertEqual(bytes([i]) * 3, parts[item["raw"]["$bytes"]])
            self.assertEqual([b"ab", b"cd"], [parts[p["$bytes"]] for p in item["more"]])
            vector = item["vector"]
            self.assertEqual(("float32", [2]), (vector["dtype"], vector["shape"]))
            self.assertEqual(array.array("f", [i, 0.5]).tobytes(), parts[vector["$array"]])
            self.assertEqual([len(p) for p in parts], frame["parts"])
        self.assertEqual(protocol.RESULT, self.bridge.read()["type"])

    def test_a_generator_s_dict_items_carry_their_bytes_and_arrays_as_parts(self):
        self.assert_items_carry_their_parts("parts.items")

    def test_an_async_generator_s_dict_items_carry_their_bytes_and_arrays_as_parts(self):
        self.assert_items_carry_their_parts("parts.async_items")


class LocalStreamPartsTests(unittest.TestCase):
    def test_run_command_gives_dict_items_their_bytes_and_arrays_back(self):
        import dspex

        @dspex.command("parts.local")
        def local(args):
            yield {"raw": b"xy", "vector": array.array("i", [1, 2, 3])}

        run = testing.run_command("parts.local", {})
        self.assertIsNone(run.error)
        (item,) = run.items
        self.assertEqual(b"xy", bytes(item["raw"]))
        self.assertEqual([1, 2, 3], list(item["vector"]) if not hasattr(item["vector"], "tolist") else item["vector"].tolist())


if __name__ == "__main__":
    unittest.main()

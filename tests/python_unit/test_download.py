"""Download streams: a generator command's bytes, bytearray and memoryview chunks leave as item frames carrying one
raw binary part each (never base64), only against the stream credit the silo grants; a chunk past the frame limit is
a FrameTooLarge error naming the item, a generator that raises ends the stream with its error after the chunks before
it, and the worker keeps serving."""

import json
import os
import shutil
import tempfile
import unittest

from bridge_support import Pipe
from test_protocol_fields import BridgeProcess
from dspex import binary, protocol, testing
from dspex.framing import FrameWriter

ADAPTER = '''
import dspex

@dspex.command("down.chunks")
def chunks(args):
    kinds = (bytes, bytearray, memoryview)
    for i in range(args["count"]):
        data = bytes([i % 256]) * args["size"]
        yield kinds[i % 3](data) if kinds[i % 3] is not memoryview else memoryview(data)
        if args.get("fail_at") == i:
            raise OSError("the disk went away after chunk %d" % i)
'''


def item_of(body):
    """An item frame's envelope and its binary parts, as the silo cuts them."""
    envelope, region = binary.split(body)
    frame = json.loads(envelope)
    return frame, [p.tobytes() for p in binary.cut(frame.get("parts"), region)]


class DownloadBridgeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dspex-download-")
        with open(os.path.join(cls.folder, "download_adapter.py"), "w", encoding="utf-8") as file:
            file.write(ADAPTER)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def setUp(self):
        self.bridge = BridgeProcess(self.folder, ["download_adapter"])
        self.addCleanup(self.bridge.close)
        self.assertEqual(protocol.READY, self.bridge.read()["type"])

    def assert_still_serves(self):
        self.bridge.send({"id": 99, "type": protocol.CALL, "cmd": "ping", "args": None})
        self.assertEqual(protocol.RESULT, self.bridge.read()["type"])

    def test_chunks_leave_raw_one_part_each_and_only_against_credit(self):
        self.bridge.send({"id": 1, "type": protocol.CALL, "cmd": "down.chunks", "args": {"count": 5, "size": 70000}, "credit": 2})
        received = []
        for i in range(5):
            if i >= 2:
                self.bridge.send({"id": 1, "type": protocol.CREDIT, "n": 1})  # the window: no more until credit comes
            frame, parts = item_of(self.bridge.read_body())
            self.assertEqual((protocol.ITEM, 1, {"$bytes": 0}, [70000]), (frame["type"], frame["id"], frame["item"], frame["parts"]))
            received.append(parts[0])
        self.assertEqual([bytes([i]) * 70000 for i in range(5)], received)
        self.bridge.send({"id": 1, "type": protocol.CREDIT, "n": 1})
        self.assertEqual(protocol.RESULT, self.bridge.read()["type"])
        self.assert_still_serves()

    def test_a_generator_that_raises_midway_ends_the_stream_with_its_error_after_its_chunks(self):
        self.bridge.send({"id": 1, "type": protocol.CALL, "cmd": "down.chunks",
                          "args": {"count": 10, "size": 10, "fail_at": 2}, "credit": 16})
        frames = [self.bridge.read() for _ in range(4)]
        self.assertEqual([protocol.ITEM] * 3 + [protocol.ERROR], [f["type"] for f in frames])
        self.assertEqual(protocol.PYTHON_EXCEPTION, frames[-1]["error"]["kind"])
        self.assertIn("after chunk 2", frames[-1]["error"]["message"])
        self.assert_still_serves()


class DownloadFrameTests(unittest.TestCase):
    def setUp(self):
        self.pipe = Pipe()
        self.addCleanup(self.pipe.close)
        self.writer = FrameWriter(self.pipe.fd, 4096)

    def test_a_chunk_past_the_frame_limit_is_frame_too_large_naming_the_item(self):
        self.assertTrue(self.writer.send_item(1, b"x" * 100, 0))
        self.assertFalse(self.writer.send_item(1, b"x" * 5000, 1))
        frames = self.pipe.frames()
        self.assertEqual(2, len(frames))
        self.assertTrue(all(len(f) <= 4096 for f in frames))
        error = json.loads(frames[1])
        self.assertEqual((protocol.ERROR, protocol.FRAME_TOO_LARGE), (error["type"], error["error"]["kind"]))
        self.assertIn("stream item 1 frame of", error["error"]["message"])

    def test_an_item_of_json_only_carries_no_parts(self):
        self.writer.send_item(3, {"i": 1})
        (body,) = self.pipe.frames()
        self.assertNotIn(b"\x00", body)
        self.assertEqual({"id": 3, "type": protocol.ITEM, "item": {"i": 1}}, json.loads(body))


class LocalDownloadTests(unittest.TestCase):
    def test_run_command_gives_a_download_s_chunks_as_bytes(self):
        import dspex

        @dspex.command("down.local")
        def local(args):
            yield b"ab"
            yield bytearray(b"cd")
            yield memoryview(b"ef")

        run = testing.run_command("down.local", {})
        self.assertIsNone(run.error)
        self.assertEqual([b"ab", b"cd", b"ef"], [bytes(i) for i in run.items])


if __name__ == "__main__":
    unittest.main()

"""Binary parts in tool calls (protocol.json: tool_call and tool_result carry "parts"): a command's bytes, bytearray,
memoryview and arrays reach the .NET tool raw, and the tool's bytes come back raw, over a real pipe and the bridge's
own frame handling; a tool_result whose part lengths lie fails that tool call, and the bridge serves on."""

import array
import asyncio
import threading
import time
import unittest

from bridge_support import Pipe, dspex_bridge, strict_json

import dspex
from dspex import binary, context, protocol, testing

BOUND = 30.0  # generous: a waiting thread only ever wakes by an event


class ToolPartsTests(unittest.TestCase):
    def setUp(self):
        self.out = Pipe()
        self.bridge = dspex_bridge.Bridge(None, dspex_bridge.FrameWriter(self.out.fd, 1 << 16), 1)
        self.ctx = context.RequestContext(43)

    def tearDown(self):
        context.set_current(None)
        self.out.close()

    def in_request(self, func):
        box = {}

        def run():
            context.set_current(self.ctx)
            try:
                box["result"] = func()
            except BaseException as exc:  # noqa: B036 - the test inspects what the command saw
                box["error"] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, box

    def next_body(self):
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            frames = self.out.frames()
            if frames:
                self.assertEqual(1, len(frames))
                return frames[0]
            time.sleep(0.005)  # polling a pipe the other thread writes; not synchronisation of an outcome
        self.fail("no frame written")

    def split(self, body):
        """(envelope, raw parts) of a frame as the silo reads it: the JSON before the 0x00, the parts after it."""
        text, region = binary.split(body)
        envelope = strict_json(text)
        parts = binary.cut(envelope.get("parts"), region)
        return envelope, [bytes(p) for p in parts]

    def answer(self, frame, result_json, parts):
        envelope = '{"id":%d,"type":"%s","tool_id":%d,"result":%s,"parts":[%s]}' % (
            frame["id"], protocol.TOOL_RESULT, frame["tool_id"], result_json, ",".join(str(len(p)) for p in parts))
        body = envelope.encode("utf-8") + (b"\x00" + b"".join(parts) if parts else b"")
        self.assertIsNone(self.bridge._handle(body))

    def test_bytes_in_the_args_cross_as_raw_parts_never_base64(self):
        payload = bytes(range(256)) * 40
        thread, box = self.in_request(lambda: dspex.call_tool("hash", {
            "data": payload, "more": bytearray(b"\x00\x01"), "view": memoryview(b"xyz"), "n": 1}))
        frame, parts = self.split(self.next_body())
        self.assertEqual(protocol.TOOL_CALL, frame["type"])
        self.assertEqual({"data": {"$bytes": 0}, "more": {"$bytes": 1}, "view": {"$bytes": 2}, "n": 1}, frame["args"])
        self.assertEqual([len(payload), 2, 3], frame["parts"])
        self.assertEqual([payload, b"\x00\x01", b"xyz"], parts)
        self.answer(frame, "null", [])
        thread.join(BOUND)
        self.assertIsNone(box["result"])

    def test_an_array_in_the_args_crosses_with_dtype_and_shape(self):
        values = array.array("f", [1.5, -2.0, 3.25])
        thread, box = self.in_request(lambda: dspex.call_tool("embed", {"v": values}))
        frame, parts = self.split(self.next_body())
        self.assertEqual({"$array": 0, "dtype": "float32", "shape": [3]}, {k: v for k, v in frame["args"]["v"].items() if k != "byteorder"})
        self.assertEqual([values.tobytes()], parts)
        self.answer(frame, "1", [])
        thread.join(BOUND)
        self.assertEqual(1, box["result"])

    def test_bytes_in_the_result_arrive_as_memoryview(self):
        thread, box = self.in_request(lambda: dspex.call_tool("thumbnail", {}))
        frame, _ = self.split(self.next_body())
        self.answer(frame, '{"png":{"$bytes":0},"size":[2,1]}', [b"\x89PNG\x00raw"])
        thread.join(BOUND)
        result = box["result"]
        self.assertIsInstance(result["png"], memoryview)
        self.assertEqual(b"\x89PNG\x00raw", bytes(result["png"]))
        self.assertEqual([2, 1], result["size"])

    def test_acall_tool_carries_parts_both_ways(self):
        async def command():
            return await dspex.acall_tool("echo", {"b": b"async"})

        result = {}

        def run():
            context.set_current(self.ctx)
            result["value"] = asyncio.run(command())

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        frame, parts = self.split(self.next_body())
        self.assertEqual([b"async"], parts)
        self.answer(frame, '{"$bytes":0}', [b"back"])
        thread.join(BOUND)
        self.assertEqual(b"back", bytes(result["value"]))

    def test_a_result_whose_part_lengths_lie_fails_that_call_and_the_bridge_serves_on(self):
        thread, box = self.in_request(lambda: dspex.call_tool("liar", {}))
        frame, _ = self.split(self.next_body())
        lying = ('{"id":%d,"type":"%s","tool_id":%d,"result":{"$bytes":0},"parts":[10]}'
                 % (frame["id"], protocol.TOOL_RESULT, frame["tool_id"])).encode() + b"\x00abc"
        self.assertIsNone(self.bridge._handle(lying))
        thread.join(BOUND)
        self.assertFalse(thread.is_alive())
        error = box["error"]
        self.assertIsInstance(error, dspex.ToolError)
        self.assertEqual(protocol.TOOL_RESULT_NOT_SERIALIZABLE, error.kind)
        self.assertIn("part 0", error.message)
        self.assertEqual([], self.out.frames())  # no protocol error: only that tool call failed
        # The same request calls again and is answered: the bridge and the request go on.
        thread, box = self.in_request(lambda: dspex.call_tool("again", {"b": b"1"}))
        frame, _ = self.split(self.next_body())
        self.answer(frame, '{"$bytes":0}', [b"ok"])
        thread.join(BOUND)
        self.assertEqual(b"ok", bytes(box["result"]))

    def test_a_call_past_the_frame_limit_with_its_parts_is_frame_too_large_and_nothing_is_written(self):
        thread, box = self.in_request(lambda: dspex.call_tool("big", {"b": b"\x00" * (1 << 16)}))
        thread.join(BOUND)
        error = box["error"]
        self.assertIsInstance(error, dspex.ToolError)
        self.assertEqual(protocol.TOOL_FRAME_TOO_LARGE, error.kind)
        self.assertEqual([], self.out.frames())

    def test_a_stub_sees_bytes_as_a_worker_does_and_its_bytes_come_back(self):
        @dspex.command("tests.tool_parts.stubbed")
        def stubbed(args):
            answer = dspex.call_tool("flip", {"data": args["data"]})
            return bytes(answer["data"])

        run = testing.run_command("tests.tool_parts.stubbed", {"data": b"abc"},
                                  tools={"flip": lambda a: {"data": bytes(a["data"])[::-1], "was": type(a["data"]).__name__}})
        self.assertEqual(b"cba", bytes(run.result))


if __name__ == "__main__":
    unittest.main()

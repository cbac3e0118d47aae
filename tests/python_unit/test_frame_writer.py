"""The bridge's FrameWriter: whatever a command returns or raises, exactly one frame answers it, within the limit."""

import json
import sys
import unittest

from bridge_support import ERROR_KINDS, Pipe, dspex_bridge, random_text, random_value, rng, strict_json
from dspex import binary
from dspex.framing import FrameOverLimit


def as_text(value):
    """A decoded result with its binary parts read as text (the generated values' bytes are ASCII)."""
    if isinstance(value, memoryview):
        return value.tobytes().decode()
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    return value

MAX_FRAME = 4096


class FrameWriterTests(unittest.TestCase):
    def setUp(self):
        self.pipe = Pipe()
        self.writer = dspex_bridge.FrameWriter(self.pipe.fd, MAX_FRAME)

    def tearDown(self):
        self.pipe.close()

    def answer(self, request_id):
        frames = self.pipe.frames()
        self.assertEqual(1, len(frames), "exactly one frame answers a request")
        self.assertLessEqual(len(frames[0]), MAX_FRAME)
        envelope, region = binary.split(frames[0])
        frame = strict_json(envelope)
        if region is not None:
            limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, 20000))
            try:
                frame = binary.decode(envelope, binary.cut(frame.get("parts"), region))
                for key in ("result", "item"):
                    if key in frame:
                        frame[key] = as_text(frame[key])
            finally:
                sys.setrecursionlimit(limit)
        self.assertEqual(request_id, frame["id"])
        return frame

    def test_any_result_is_one_result_or_one_typed_error_within_the_limit(self):
        r = rng("results")
        for request_id in range(1, 1500):
            value = random_value(r)
            self.writer.send_result(request_id, value)
            frame = self.answer(request_id)
            if frame["type"] == "result":
                self.assertEqual(json.loads(json.dumps(value, allow_nan=False, default=bytes.decode)), frame["result"])
            else:
                self.assertEqual("error", frame["type"])
                self.assertIn(frame["error"]["kind"], {"ResultNotSerializable", "FrameTooLarge"})

    def test_any_stream_item_is_one_item_or_one_typed_error(self):
        r = rng("items")
        for request_id in range(1, 500):
            sent = self.writer.send_item(request_id, random_value(r))
            frame = self.answer(request_id)
            self.assertEqual(sent, frame["type"] == "item")

    def test_a_lone_surrogate_in_a_result_is_result_not_serializable(self):
        self.writer.send_result(7, {"text": "a\ud800b"})
        error = self.answer(7)["error"]
        self.assertEqual("ResultNotSerializable", error["kind"])
        self.assertIn("lone UTF-16 surrogate", error["message"])

    def test_an_integer_past_the_digit_limit_in_a_result_is_result_not_serializable(self):
        self.writer.send_result(8, 10 ** 5000)
        self.assertEqual("ResultNotSerializable", self.answer(8)["error"]["kind"])

    def test_any_error_text_gives_one_error_frame_within_the_limit(self):
        r = rng("errors")
        for request_id in range(1, 300):
            size = r.choice([10, 1000, 20000])
            message = random_text(r, size)
            traceback_text = random_text(r, r.choice([0, 100, 20000]))
            type_name = random_text(r, r.choice([5, 5000]))
            self.writer.send_error_text(request_id, "PythonException", type_name, message, traceback_text)
            error = self.answer(request_id)["error"]
            self.assertEqual("PythonException", error["kind"])
            self.assertIsInstance(error["message"], str)

    def test_a_huge_escape_heavy_exception_message_is_cut_to_fit(self):
        message = "\x01\ud800\U0001F600" * 200000
        try:
            raise ValueError(message)
        except ValueError as exc:
            self.writer.send_error(3, "PythonException", exc)
        error = self.answer(3)["error"]
        self.assertEqual("ValueError", error["type"])
        self.assertIn("characters cut", error["message"])

    def test_error_kinds_written_are_ones_the_silo_knows(self):
        for kind in sorted(ERROR_KINDS):
            self.writer.send_error_text(1, kind, "T", "m")
            self.assertEqual(kind, self.answer(1)["error"]["kind"])

    def test_no_frame_past_the_limit_is_ever_written(self):
        with self.assertRaises(FrameOverLimit):
            self.writer.send(b"x" * (MAX_FRAME + 1))
        self.assertEqual([], self.pipe.frames())


if __name__ == "__main__":
    unittest.main()

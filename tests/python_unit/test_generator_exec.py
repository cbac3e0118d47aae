"""A generator command called with exec (a call without stream credit) is InvalidArguments saying to stream it: the
generator is closed before it runs, so no item is made and dropped. Called as a stream, the same command streams.
The real serving loop over real pipes, sync and async generators both."""

import json
import os
import struct
import threading
import unittest

from bridge_support import dspex_bridge
from test_event_loop import Frames

import dspex
from dspex import protocol
from dspex.framing import FrameReader

_ran = []


@dspex.command("generator_exec_test_sync")
def sync_numbers(args):
    _ran.append("sync")
    for i in range(3):
        yield {"i": i}


@dspex.command("generator_exec_test_async")
async def async_numbers(args):
    _ran.append("async")
    for i in range(3):
        yield {"i": i}


class GeneratorExecTests(unittest.TestCase):
    def setUp(self):
        _ran.clear()
        read_fd, self.to_bridge = os.pipe()
        self.frames = Frames()
        self.bridge = dspex_bridge.Bridge(FrameReader(read_fd, 1 << 20), self.frames.writer, 2)
        threading.Thread(target=self.bridge.serve_forever, daemon=True).start()  # ends with the test process

    def send(self, envelope):
        body = json.dumps(envelope).encode()
        os.write(self.to_bridge, struct.pack(">I", len(body)) + body)

    def test_exec_of_a_generator_is_invalid_arguments_and_runs_none_of_it(self):
        for request_id, command in ((1, "generator_exec_test_sync"), (2, "generator_exec_test_async")):
            self.send({"id": request_id, "type": "call", "cmd": command, "args": {}})
            answer = self.frames.answer(request_id)
            self.assertEqual(protocol.ERROR, answer["type"], answer)
            self.assertEqual(protocol.INVALID_ARGUMENTS, answer["error"]["kind"])
            self.assertIn("is a stream", answer["error"]["message"])
            self.assertIn("call it with stream", answer["error"]["message"])
            self.assertEqual([], self.frames.of(request_id, protocol.ITEM))
        self.assertTrue(self.frames.answer(1)["error"]["message"].startswith("command 'generator_exec_test_sync' is a stream"))
        self.assertEqual([], _ran, "a generator closed before its first step runs none of its code")

    def test_the_same_commands_called_as_streams_stream(self):
        for request_id, command in ((3, "generator_exec_test_sync"), (4, "generator_exec_test_async")):
            self.send({"id": request_id, "type": "call", "credit": 16, "cmd": command, "args": {}})
            self.assertEqual(protocol.RESULT, self.frames.answer(request_id)["type"])
            self.assertEqual([{"i": i} for i in range(3)], [f["item"] for f in self.frames.of(request_id, protocol.ITEM)])


if __name__ == "__main__":
    unittest.main()

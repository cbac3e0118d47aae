"""The bridge's FrameWriter never blocks its caller: with the pipe to the silo full (the silo not reading), every send
returns, a heartbeat's answer passes the frames queued before it, and once the silo reads, every frame arrives whole
and in order. Before the writer queued, a full pipe blocked the sender holding the writer's lock, and with it the
reader thread answering heartbeats (issue 20: the whole-silo wedge)."""

import os
import struct
import threading
import time
import unittest

from bridge_support import dspex_bridge

MAX_FRAME = 1 << 20
BIG = 200 * 1024
SENDERS = 40
DEADLINE = 30.0  # an upper bound for "it did not block", not a timing threshold


def read_frames(fd, count):
    """Reads ``count`` whole frames (blocking), as the silo's reader would."""
    stream = os.fdopen(os.dup(fd), "rb")
    try:
        frames = []
        for _ in range(count):
            (length,) = struct.unpack(">I", stream.read(4))
            body = stream.read(length)
            assert len(body) == length, "a frame was cut short"
            frames.append(body)
        return frames
    finally:
        stream.close()


class FrameWriterQueueTests(unittest.TestCase):
    def setUp(self):
        self.read_fd, self.write_fd = os.pipe()
        self.writer = dspex_bridge.FrameWriter(self.write_fd, MAX_FRAME)

    def tearDown(self):
        for fd in (self.read_fd, self.write_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def test_senders_never_block_on_a_full_pipe_and_a_heartbeat_passes_the_queue(self):
        def send(index):
            body = b'{"id":%d,"type":"tool_call","pad":"%s"}' % (index, b"x" * BIG)
            self.writer.send(body)

        threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(SENDERS)]
        for thread in threads:
            thread.start()
        ends_at = time.monotonic() + DEADLINE
        for thread in threads:
            thread.join(max(0.0, ends_at - time.monotonic()))
        self.assertFalse(any(t.is_alive() for t in threads), "a sender blocked on the full pipe")
        self.assertGreater(self.writer.queued_frames(), 0, "the pipe should be full: frames wait in the queue")

        done = threading.Event()
        heartbeat = threading.Thread(target=lambda: (self.writer.send_json({"id": 99999, "type": "heartbeat"}, urgent=True), done.set()),
                                     daemon=True)
        heartbeat.start()
        self.assertTrue(done.wait(DEADLINE), "the heartbeat's answer blocked behind the full pipe")

        frames = read_frames(self.read_fd, SENDERS + 1)
        ids = [int(frame.split(b",")[0].split(b":")[1]) for frame in frames]
        self.assertEqual(sorted(list(range(SENDERS)) + [99999]), sorted(ids), "every frame arrives whole, once")
        self.assertLessEqual(ids.index(99999), 1, "the heartbeat waits for at most the frame being written")

    def test_a_broken_pipe_is_reported_and_later_sends_fail(self):
        os.close(self.read_fd)
        self.read_fd = -1
        with self.assertRaises(OSError):
            self.writer.send(b'{"id":1,"type":"heartbeat"}')

    def test_a_pipe_that_breaks_while_frames_wait_calls_on_broken(self):
        broken = threading.Event()
        self.writer = dspex_bridge.FrameWriter(self.write_fd, MAX_FRAME, broken.set)
        for index in range(8):
            self.writer.send(b'{"id":%d,"pad":"%s"}' % (index, b"y" * BIG))
        self.assertGreater(self.writer.queued_frames(), 0)
        os.close(self.read_fd)
        self.read_fd = -1
        self.assertTrue(broken.wait(DEADLINE), "the writer thread did not report the broken pipe")
        with self.assertRaises(OSError):
            self.writer.send(b'{"id":100,"type":"heartbeat"}')


if __name__ == "__main__":
    unittest.main()

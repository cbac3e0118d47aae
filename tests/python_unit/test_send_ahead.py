"""A call the silo sends ahead (DSPex:Pool:SendAhead) waits in the bridge until a slot frees: never more than
--concurrency calls run at once, and held calls start in the order they came."""

import os
import unittest

from bridge_support import dspex_bridge
from dspex.framing import FrameReader, FrameWriter


class SendAheadTests(unittest.TestCase):
    def bridge(self, concurrency):
        read_fd, write_fd = os.pipe()
        reader = FrameReader(read_fd, 1 << 20)  # owns read_fd from here
        self.addCleanup(reader._stream.close)
        self.addCleanup(os.close, write_fd)
        return dspex_bridge.Bridge(reader, FrameWriter(write_fd, 1 << 20), concurrency)

    def test_a_call_read_while_the_only_slot_is_busy_is_held_until_it_frees(self):
        bridge = self.bridge(1)
        first, ahead = ("ctx1", "ping", {}, None), ("ctx2", "ping", {}, None)
        self.assertTrue(bridge._admit(first))
        self.assertFalse(bridge._admit(ahead), "a second call must not run beside the first")
        self.assertIs(bridge._next_held(), ahead, "the held call takes the slot the first one freed")
        self.assertIsNone(bridge._next_held(), "then the slot is free")
        self.assertTrue(bridge._admit(first))

    def test_held_calls_start_in_order_and_never_beyond_the_concurrency(self):
        bridge = self.bridge(2)
        calls = [("ctx%d" % i, "ping", {}, None) for i in range(5)]
        admitted = [bridge._admit(call) for call in calls]
        self.assertEqual([True, True, False, False, False], admitted)
        self.assertEqual([calls[2], calls[3], calls[4]], [bridge._next_held() for _ in range(3)])
        self.assertIsNone(bridge._next_held())
        self.assertIsNone(bridge._next_held())
        self.assertEqual(0, bridge._running)


if __name__ == "__main__":
    unittest.main()

"""Shared set-up for the bridge's unit tests: the bridge on sys.path, a seeded generator, frames over real pipes."""

import json
import os
import random
import struct
import sys

BRIDGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grains", "Python")
sys.path.insert(0, os.path.abspath(BRIDGE_DIR))

import dspex_bridge  # noqa: E402
from dspex import protocol  # noqa: E402

SEED = int(os.environ.get("DSPEX_TEST_SEED") or random.SystemRandom().randrange(2 ** 32))
print("python_unit: DSPEX_TEST_SEED=%d (set it to replay)" % SEED, file=sys.stderr)

# The error kinds and frame types the bridge may send, from the protocol's one definition (dspex/protocol.json).
ERROR_KINDS = set(protocol.DEFINITION["error_kinds"])
FRAMES_FROM_BRIDGE = set(protocol.DEFINITION["frames_from_bridge"])


def rng(salt):
    """A generator for one test, reproducible from SEED."""
    return random.Random("%d:%s" % (SEED, salt))


class Pipe:
    """A real pipe: frames written to ``fd`` are read back, whole, with :meth:`frames`."""

    def __init__(self):
        self.read_fd, self.fd = os.pipe()
        os.set_blocking(self.read_fd, False)

    def close(self):
        os.close(self.read_fd)
        os.close(self.fd)

    def frames(self):
        data = b""
        while True:
            try:
                chunk = os.read(self.read_fd, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
        frames = []
        while data:
            (length,) = struct.unpack(">I", data[:4])
            frames.append(data[4:4 + length])
            assert len(frames[-1]) == length, "a frame was cut short"
            data = data[4 + length:]
        return frames


def strict_json(envelope):
    """Parses an envelope as the silo would: strict UTF-8, one JSON object, at any depth."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        obj = json.loads(envelope.decode("utf-8", "strict"))
    finally:
        sys.setrecursionlimit(limit)
    assert isinstance(obj, dict), obj
    return obj


def random_text(r, max_len=40):
    """Text from any code points: ASCII, escapes, non-BMP, and lone surrogates."""
    pools = [
        lambda: chr(r.randrange(0x20, 0x7F)),
        lambda: r.choice('"\\\n\t\x00\x1f/'),
        lambda: chr(r.randrange(0xA0, 0xD800)),
        lambda: chr(r.randrange(0xD800, 0xE000)),
        lambda: chr(r.randrange(0x10000, 0x110000)),
    ]
    return "".join(r.choice(pools)() for _ in range(r.randrange(max_len + 1)))


def random_value(r, depth=0):
    """A Python value a command might return: JSON-able, or not (NaN, sets, huge ints, deep nesting)."""
    choice = r.randrange(12 if depth < 4 else 7)
    if choice == 0:
        return None
    if choice == 1:
        return r.choice([True, False])
    if choice == 2:
        return r.randrange(-10 ** 18, 10 ** 18)
    if choice == 3:
        return r.choice([0.5, -1e300, 1e-300, float("nan"), float("inf")])
    if choice == 4:
        return random_text(r)
    if choice == 5:
        return 10 ** r.randrange(4290, 4310)  # around Python's int digit limit
    if choice == 6:
        return r.choice([object(), {1, 2}, b"bytes"])
    if choice in (7, 8):
        return [random_value(r, depth + 1) for _ in range(r.randrange(4))]
    if choice == 9:
        value = []
        for _ in range(r.randrange(50, 1500)):
            value = [value]
        return value
    return {random_text(r, 8): random_value(r, depth + 1) for _ in range(r.randrange(4))}

"""The bridge's reading side: whatever bytes arrive, the thread holding the reader role lives on, and a call the
silo wrote is answered by its id, even when Python reads its JSON differently from the silo."""

import json
import os
import struct
import unittest

from bridge_support import FRAMES_FROM_BRIDGE, Pipe, dspex_bridge, random_text, rng, strict_json

import dspex
import dspex.builtins  # noqa: F401 - registers echo
from dspex import context

# The template program type is the opt-in example adapter; these tests configure it as a silo would.
dspex.load_adapters(["dspex.examples"])

MAX_FRAME = 1 << 16


def random_json(r, depth=0):
    """JSON text the silo might pass on: valid for the silo, not always for Python."""
    choice = r.randrange(10 if depth < 3 else 6)
    if choice == 0:
        return r.choice(["null", "true", "false", "0", "-1.5e300", "1e400"])
    if choice == 1:
        return str(r.randrange(-10 ** 30, 10 ** 30))
    if choice == 2:
        return "1" * r.choice([4299, 4300, 4301, 5000])  # around Python's int digit limit
    if choice == 3:
        return json.dumps(random_text(r), ensure_ascii=r.choice([True, False]), allow_nan=False).encode(
            "utf-8", "surrogatepass").decode("utf-8", "replace")
    if choice == 4:
        return '"\\ud800 lone \\udfff"'
    if choice == 5:
        return "[" * 64 + "]" * 64
    if choice in (6, 7):
        return "[%s]" % ",".join(random_json(r, depth + 1) for _ in range(r.randrange(4)))
    if choice == 8:
        return "[" * 3000 + "]" * 3000  # deeper than Python's recursion limit
    return "{%s}" % ",".join('"k%d":%s' % (i, random_json(r, depth + 1)) for i in range(r.randrange(4)))


def call_envelope(r, request_id):
    """A call as the silo writes it: id first, then type, cmd and args."""
    return ('{"id":%d,"type":"call","cmd":"echo","args":%s}' % (request_id, random_json(r))).encode("utf-8")


def mutate(r, body):
    """A corrupted or re-typed envelope, as a buggy or hostile writer might send."""
    choice = r.randrange(7)
    if choice == 0:
        return body[:r.randrange(len(body) + 1)]
    if choice == 1:
        at = r.randrange(len(body))
        return body[:at] + bytes([r.randrange(256)]) + body[at + 1:]
    if choice == 2:
        at = r.randrange(len(body) + 1)
        return body[:at] + os.urandom(r.randrange(1, 8)) + body[at:]
    if choice == 3:
        return r.choice([b'{"id":1.5,"type":"call"}', b'{"id":"x","type":"cancel"}', b'{"id":1,"type":"credit","n":"many"}',
                         b'{"id":1,"type":"call","session":[1,2]}', b'{"id":1,"type":"call","session":{"id":1,"vars":3}}',
                         b'{"id":1,"type":"call","credit":"x"}', b'[]', b'"call"', b'{"type":["heartbeat"]}',
                         b'{"id":1e999,"type":"heartbeat"}', b'{"id":1,"type":"heartbeat","x":"\\ud800"}'])
    if choice == 4:
        return random_text(r, 30).encode("utf-8", "surrogatepass")
    if choice == 5:
        return b"\xff\xfe" + body
    return body


class FrameReaderTests(unittest.TestCase):
    def setUp(self):
        self.out = Pipe()
        self.writer = dspex_bridge.FrameWriter(self.out.fd, MAX_FRAME)
        self.bridge = dspex_bridge.Bridge(None, self.writer, 1)

    def tearDown(self):
        self.out.close()

    def written(self):
        frames = [strict_json(f) for f in self.out.frames()]
        for frame in frames:
            self.assertIn(frame["type"], FRAMES_FROM_BRIDGE)
        return frames

    def test_any_envelope_is_a_call_or_answered_and_never_an_exception(self):
        r = rng("envelopes")
        for request_id in range(1, 1500):
            body = call_envelope(r, request_id)
            if r.random() < 0.5:
                body = mutate(r, body)
            call = self.bridge._handle(body)
            frames = self.written()
            if call is not None:
                self.assertEqual([], frames, "a call to run is not answered yet")
                continue
            self.assertLessEqual(len(frames), 1)
            recoverable = dspex_bridge.call_id_of(body)
            if recoverable is not None and frames:
                self.assertEqual(recoverable, frames[0].get("id"), "a call the silo wrote is answered by its id")

    def test_an_integer_past_pythons_digit_limit_is_invalid_arguments_for_that_call(self):
        self.assertIsNone(self.bridge._handle(b'{"id":41,"type":"call","cmd":"echo","args":' + b"9" * 4301 + b"}"))
        (frame,) = self.written()
        self.assertEqual(41, frame["id"])
        self.assertEqual("InvalidArguments", frame["error"]["kind"])
        self.assertIn("4300", frame["error"]["message"])

    def test_nesting_past_pythons_recursion_limit_is_invalid_arguments_for_that_call(self):
        body = b'{"id":42,"type":"call","cmd":"echo","args":' + b"[" * 5000 + b"]" * 5000 + b"}"
        self.assertIsNone(self.bridge._handle(body))
        (frame,) = self.written()
        self.assertEqual((42, "InvalidArguments"), (frame["id"], frame["error"]["kind"]))

    def test_the_protocol_depth_reads_the_same_in_python(self):
        args = "[" * 64 + "]" * 64
        ctx, name, value, _ = self.bridge._handle(('{"id":43,"type":"call","cmd":"echo","args":%s}' % args).encode())
        self.assertEqual(json.loads(args), value)

    def test_echo_of_a_lone_surrogate_is_a_typed_error_and_the_thread_lives_on(self):
        call = self.bridge._handle(b'{"id":44,"type":"call","cmd":"echo","args":"\\ud800"}')
        self.bridge._run(*call)  # returns: the serving thread is not ended by it
        (frame,) = self.written()
        self.assertEqual((44, "ResultNotSerializable"), (frame["id"], frame["error"]["kind"]))
        self.assertIsNone(context.current_request_id())

    def test_a_huge_command_name_is_unknown_command_within_the_limit(self):
        name = "\\u0001" * 30000
        call = self.bridge._handle(('{"id":45,"type":"call","cmd":"%s","args":null}' % name).encode())
        self.bridge._run(*call)
        (frame,) = self.written()
        self.assertEqual((45, "UnknownCommand"), (frame["id"], frame["error"]["kind"]))

    def test_a_template_error_naming_a_lone_surrogate_reaches_the_silo(self):
        program = {"id": "p", "rev": 1, "spec": {"type": "template", "template": "{a.\ud800}"}}
        call = self.bridge._handle(json.dumps({"id": 46, "type": "call", "cmd": None, "args": {},
                                               "program": program}).encode())
        self.bridge._run(*call)
        (frame,) = self.written()
        self.assertEqual((46, "InvalidArguments"), (frame["id"], frame["error"]["kind"]))
        self.assertIn("not a plain name", frame["error"]["message"])

    def test_frames_keep_their_boundaries_whatever_their_content(self):
        r = rng("stream")
        pipe = Pipe()
        os.set_blocking(pipe.read_fd, True)
        reader = dspex_bridge.FrameReader(pipe.read_fd, 1024)
        sent = []
        try:
            for _ in range(200):
                body = os.urandom(r.choice([0, 1, 100, 1024, 1025, 3000]))
                os.write(pipe.fd, struct.pack(">I", len(body)) + body)
                body_read, length = reader.read()
                self.assertEqual(len(body), length)
                self.assertEqual(body if len(body) <= 1024 else None, body_read)
                sent.append(length)
        finally:
            os.close(pipe.fd)
        self.assertIsNone(reader.read(), "end of input after the last frame")
        self.assertEqual(200, len(sent))

    def test_a_stream_of_bad_frames_ends_at_the_next_good_call(self):
        r = rng("serve")
        pipe = Pipe()
        os.set_blocking(pipe.read_fd, True)
        bridge = dspex_bridge.Bridge(dspex_bridge.FrameReader(pipe.read_fd, MAX_FRAME), self.writer, 1)
        try:
            for _ in range(20):
                # Never a call: a cut-off envelope, or bytes that are not UTF-8.
                whole = call_envelope(r, 9)
                body = whole[:r.randrange(len(whole))] if r.random() < 0.5 else b"\xff" + random_text(r).encode("utf-8", "surrogatepass")
                os.write(pipe.fd, struct.pack(">I", len(body)) + body)
            good = b'{"id":77,"type":"call","cmd":"ping","args":null}'
            os.write(pipe.fd, struct.pack(">I", len(good)) + good)
            ctx, name, _, _ = bridge._read_until_call()
        finally:
            os.close(pipe.fd)
        self.assertEqual((77, "ping"), (ctx.request_id, name))
        self.written()


if __name__ == "__main__":
    unittest.main()

"""Binary parts (dspex.binary, protocol.json "binary_parts"): bytes and arrays cross raw next to the JSON, and every
part that does not add up is a PartError naming the part; through a real bridge that is InvalidArguments for the call
and the worker keeps serving. The numpy cases run where numpy is importable (.ci/run installs Debian's python3-numpy
and runs this file with /usr/bin/python3 too)."""

import array
import json
import shutil
import tempfile
import unittest

from bridge_support import rng  # also puts the bridge's folder on sys.path
import dspex.testing
from dspex import binary, protocol
from test_protocol_fields import BridgeProcess

try:
    import numpy
except ImportError:
    numpy = None

ADAPTER = '''
import dspex

@dspex.command("bin.echo")
def echo(args):
    return {"data": args["data"], "kind": type(args["data"]).__name__}
'''


def round_trip(value):
    """The value as the other side reads it: written with its parts, then split, cut and decoded as a reader does."""
    encoder = binary.Encoder()
    envelope = ('{"result":%s,"parts":[%s]}' % (encoder.dumps(value), ",".join(str(len(p)) for p in encoder.parts))).encode()
    body = b"".join(binary.frame(envelope, encoder.parts)) if encoder.parts else envelope
    text, region = binary.split(body)
    return binary.decode(text, binary.cut(json.loads(text)["parts"], region))["result"]


class EncodeDecodeTests(unittest.TestCase):
    def test_bytes_bytearray_and_memoryview_cross_raw_and_arrive_as_memoryview(self):
        for value in (b"\x00\xff raw", bytearray(b"\x01\x02"), memoryview(b"abc"), b""):
            got = round_trip({"v": value})["v"]
            self.assertIsInstance(got, memoryview)
            self.assertEqual(bytes(value), got.tobytes())

    def test_the_json_never_holds_the_bytes_as_base64(self):
        encoder = binary.Encoder()
        text = encoder.dumps({"v": b"\xff" * 300})
        self.assertEqual('{"v":{"$bytes":0}}', text)
        self.assertEqual(300, encoder.size())

    def test_an_array_array_crosses_with_dtype_and_shape(self):
        got = round_trip(array.array("f", [1.5, -2.0, 3.25]))
        if numpy is not None:
            self.assertEqual("float32", got.dtype.name)
            self.assertEqual([1.5, -2.0, 3.25], got.tolist())
        else:
            self.assertEqual("f", got.format)
            self.assertEqual([1.5, -2.0, 3.25], got.tolist())

    def test_a_shaped_memoryview_crosses_as_an_array(self):
        source = memoryview(array.array("i", range(6))).cast("B").cast("i", [2, 3])
        got = round_trip(source)
        self.assertEqual([[0, 1, 2], [3, 4, 5]], got.tolist())

    @unittest.skipIf(numpy is None, "numpy is not importable by this interpreter")
    def test_a_numpy_array_crosses_as_dtype_shape_and_buffer_both_byte_orders(self):
        for dtype in ("<f4", ">f4", "<i8", "u1", "?"):
            source = numpy.arange(12).reshape(3, 4).astype(dtype)
            got = round_trip(source)
            self.assertEqual(source.shape, got.shape)
            self.assertEqual(source.tolist(), got.tolist())

    @unittest.skipIf(numpy is None, "numpy is not importable by this interpreter")
    def test_a_numpy_dtype_the_other_side_does_not_know_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, "complex128"):
            binary.Encoder().dumps(numpy.zeros(2, dtype=numpy.complex128))

    def test_a_format_the_other_side_does_not_know_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, "format 'u'"):
            binary.Encoder().dumps(array.array("u", "ab"))

    def test_every_dtype_the_file_names_is_known_with_its_size(self):
        self.assertEqual(protocol.DTYPE_SIZES, {name: size for name, (_, size) in binary.DTYPES.items()})


class BadPartTests(unittest.TestCase):
    def decode(self, envelope, tail):
        body = envelope.encode() + (b"\x00" + tail if tail is not None else b"")
        text, region = binary.split(body)
        return binary.decode(text, binary.cut(json.loads(text).get("parts"), region))

    def test_a_declared_length_that_lies_names_the_part(self):
        with self.assertRaisesRegex(binary.PartError, "part 1 declares 10 bytes but only 2 remain"):
            self.decode('{"v":{"$bytes":0},"parts":[3,10]}', b"abcde")
        with self.assertRaisesRegex(binary.PartError, "declare 3 bytes but the frame carries 5"):
            self.decode('{"v":{"$bytes":0},"parts":[3]}', b"abcde")
        with self.assertRaisesRegex(binary.PartError, "carries no parts"):
            binary.cut([3], None)

    def test_a_reference_to_a_part_not_carried_names_it(self):
        with self.assertRaisesRegex(binary.PartError, "part 2"):
            self.decode('{"v":{"$bytes":2},"parts":[1]}', b"a")

    def test_an_unknown_dtype_names_the_part_and_the_dtype(self):
        with self.assertRaisesRegex(binary.PartError, 'part 0: dtype "complex64"'):
            self.decode('{"v":{"$array":0,"dtype":"complex64","shape":[1]},"parts":[8]}', b"\x00" * 8)

    def test_a_shape_whose_product_overflows_names_the_part(self):
        with self.assertRaisesRegex(binary.PartError, "part 0: the shape's element count overflows"):
            self.decode('{"v":{"$array":0,"dtype":"uint8","shape":[4294967296,4294967296]},"parts":[1]}', b"\x00")

    def test_a_part_whose_length_is_not_the_shapes_names_the_part(self):
        with self.assertRaisesRegex(binary.PartError, "part 0: a float32 array of shape \\[3\\] needs 12 bytes, the part has 8"):
            self.decode('{"v":{"$array":0,"dtype":"float32","shape":[3]},"parts":[8]}', b"\x00" * 8)

    def test_generated_frames_decode_or_are_a_part_error(self):
        r = rng("binary parts")
        for _ in range(3000):
            parts = [bytes(r.randrange(256) for _ in range(r.randrange(9))) for _ in range(r.randrange(4))]
            declared = [len(p) + r.choice([0, 0, 0, 1, -1, 2 ** 40]) for p in parts]
            ref = r.choice([{"$bytes": r.randrange(-1, 5)},
                            {"$array": r.randrange(-1, 5), "dtype": r.choice(["int8", "float32", "q", None]),
                             "byteorder": r.choice(["little", "big", "middle"]),
                             "shape": r.choice([[1], [2, 2], [], [2 ** 62, 4], "x", [-1]])}])
            envelope = json.dumps({"v": ref, "parts": declared}).encode()
            body = envelope + (b"\x00" + b"".join(parts) if r.random() < 0.9 else b"")
            try:
                text, region = binary.split(body)
                binary.decode(text, binary.cut(json.loads(text).get("parts"), region))
            except binary.PartError:
                pass


class SdkTests(unittest.TestCase):
    def test_dspex_testing_passes_bytes_as_a_worker_receives_them_and_returns_them(self):
        dspex.testing.load("dspex.builtins")
        run = dspex.testing.run_command("echo", {"data": b"\x00\x01raw"})
        self.assertTrue(run.ok, run.error)
        self.assertEqual(b"\x00\x01raw", bytes(run.result["data"]))


class BridgeTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dspex-binary-")
        with open("%s/binary_adapter.py" % cls.folder, "w", encoding="utf-8") as file:
            file.write(ADAPTER)
        cls.bridge = BridgeProcess(cls.folder, ["binary_adapter"])
        cls.bridge.read()  # ready

    @classmethod
    def tearDownClass(cls):
        cls.bridge.close()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def read_raw(self):
        bridge = self.bridge
        frame = bridge.read()  # parses the envelope; the parts it leaves in its buffer's last frame are not read here
        return frame

    def test_a_call_with_bytes_gets_a_memoryview_and_its_result_carries_them_back_as_a_part(self):
        self.bridge.send(b'{"id":1,"type":"call","cmd":"bin.echo","args":{"data":{"$bytes":0}},"parts":[4]}\x00\x00\x01\x02\x03')
        frame = self.read_raw()
        self.assertEqual("result", frame["type"], frame)
        self.assertEqual({"data": {"$bytes": 0}, "kind": "memoryview"}, frame["result"])
        self.assertEqual([4], frame["parts"])

    def test_a_call_whose_parts_lie_is_invalid_arguments_and_the_worker_keeps_serving(self):
        self.bridge.send(b'{"id":2,"type":"call","cmd":"bin.echo","args":{"data":{"$bytes":0}},"parts":[99]}\x00abc')
        frame = self.read_raw()
        self.assertEqual("error", frame["type"], frame)
        self.assertEqual(protocol.INVALID_ARGUMENTS, frame["error"]["kind"])
        self.assertIn("part 0 declares 99 bytes", frame["error"]["message"])
        self.bridge.send({"id": 3, "type": "call", "cmd": "ping", "args": None})
        self.assertEqual("result", self.read_raw()["type"])


if __name__ == "__main__":
    unittest.main()

"""Binary parts of a frame (protocol.json "binary_parts"): bytes and arrays carried raw next to the JSON, never base64.

A frame's body is its JSON envelope; when the envelope's "parts" lists part lengths, a 0x00 byte (which UTF-8 JSON
never holds) follows the envelope and then the parts back to back, their lengths summing exactly to the rest of the
body. In a JSON value, ``{"$bytes": i}`` stands for part i as bytes and ``{"$array": i, "dtype": ..., "byteorder":
..., "shape": [...]}`` for part i as an array. Decoding gives a command ``memoryview`` for bytes and a numpy array
(when numpy is importable) or a shaped ``memoryview`` for arrays; encoding takes bytes, bytearray, memoryview,
``array.array`` and numpy arrays. Every part that does not add up is a ``PartError`` naming the part: the call fails
with InvalidArguments (or ResultNotSerializable for a result) and the worker keeps serving.
"""

from __future__ import annotations

import array
import json
import sys
from typing import Any, Optional

SEPARATOR = b"\x00"
BYTES_KEY = "$bytes"
ARRAY_KEY = "$array"

# dtype name -> (struct/memoryview format, item size). Both sides know exactly these (protocol.json "dtypes").
DTYPES: dict[str, tuple[str, int]] = {
    "bool": ("?", 1),
    "int8": ("b", 1), "uint8": ("B", 1),
    "int16": ("h", 2), "uint16": ("H", 2),
    "int32": ("i", 4), "uint32": ("I", 4),
    "int64": ("q", 8), "uint64": ("Q", 8),
    "float32": ("f", 4), "float64": ("d", 8),
}
_FORMAT_TO_DTYPE = {fmt: name for name, (fmt, _) in DTYPES.items()}
_FORMAT_TO_DTYPE.update({"l": "int64" if array.array("l").itemsize == 8 else "int32",
                         "L": "uint64" if array.array("L").itemsize == 8 else "uint32",
                         "c": "uint8"})
MAX_DIMS = 32


class PartError(ValueError):
    """A binary part that does not add up: the message names the part and what is wrong."""


def split(body: bytes) -> tuple[bytes, Optional[memoryview]]:
    """The envelope and the parts region after the separator (None when the body has no separator)."""
    at = body.find(SEPARATOR)
    if at < 0:
        return body, None
    return body[:at], memoryview(body)[at + 1:]


def cut(declared: Any, region: Optional[memoryview]) -> list[memoryview]:
    """The parts the envelope's "parts" declares, cut from the region; PartError when the lengths lie."""
    if declared is None:
        declared = []
    if not isinstance(declared, list) or not all(type(n) is int and n >= 0 for n in declared):
        raise PartError("parts is not a list of part lengths (whole numbers, 0 or more)")
    available = 0 if region is None else len(region)
    total = sum(declared)
    if region is None and declared:
        raise PartError("the envelope declares %d binary part(s) but the frame carries no parts after it" % len(declared))
    if total != available:
        running = 0
        for index, length in enumerate(declared):
            if running + length > available:
                raise PartError("part %d declares %d bytes but only %d remain in the frame" % (index, length, available - running))
            running += length
        raise PartError("the parts declare %d bytes but the frame carries %d after the envelope" % (total, available))
    parts, at = [], 0
    assert region is not None or not declared
    for length in declared:
        parts.append(region[at:at + length])  # type: ignore[index]
        at += length
    return parts


def shape_size(shape: Any, where: str) -> int:
    """The element count of a shape; PartError for a shape that is not one or whose product overflows int64."""
    if not isinstance(shape, list) or len(shape) > MAX_DIMS or not all(type(n) is int and n >= 0 for n in shape):
        raise PartError("%s: shape is not a list of at most %d sizes (whole numbers, 0 or more)" % (where, MAX_DIMS))
    count = 1
    for n in shape:
        count *= n
        if count > 2 ** 63 - 1:
            raise PartError("%s: the shape's element count overflows 64 bits" % where)
    return count


def _numpy() -> Any:
    return sys.modules.get("numpy") or _try_import_numpy()


def _try_import_numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _read_array(spec: dict[str, Any], parts: list[memoryview]) -> Any:
    index = _part_index(spec.get(ARRAY_KEY), parts)
    where = "part %d" % index
    dtype = spec.get("dtype")
    if dtype not in DTYPES:
        raise PartError("%s: dtype %s is not one this worker knows (%s)" % (where, json.dumps(dtype)[:64], ", ".join(DTYPES)))
    order = spec.get("byteorder", "little")
    if order not in ("little", "big"):
        raise PartError("%s: byteorder %s is neither little nor big" % (where, json.dumps(order)[:64]))
    fmt, size = DTYPES[dtype]
    count = shape_size(spec.get("shape"), where)
    data = parts[index]
    if count * size != len(data):
        raise PartError("%s: a %s array of shape %s needs %d bytes, the part has %d"
                        % (where, dtype, spec.get("shape"), count * size, len(data)))
    numpy = _numpy()
    if numpy is not None:
        return numpy.frombuffer(data, dtype=numpy.dtype(fmt).newbyteorder("<" if order == "little" else ">")).reshape(spec["shape"])
    if order != sys.byteorder and size > 1:
        raise PartError("%s: a %s-endian %s array cannot be read without numpy on this %s-endian worker"
                        % (where, order, dtype, sys.byteorder))
    shape = spec["shape"]
    if count == 0 or not shape:
        return data.cast("B").cast(fmt)  # a memoryview holds no zero-size or zero-dimension shape: flat instead
    return data.cast("B").cast(fmt, shape)


def _part_index(value: Any, parts: list[memoryview]) -> int:
    if type(value) is not int or not 0 <= value < len(parts):
        raise PartError("a value refers to part %s, which the frame does not carry (it has %d)" % (json.dumps(value)[:32], len(parts)))
    return value


def decode(envelope: bytes, parts: list[memoryview]) -> Any:
    """The envelope's JSON with each part reference replaced by its part. Without parts the JSON is left as it is."""
    if not parts:
        return json.loads(envelope)

    def hook(obj: dict[str, Any]) -> Any:
        if BYTES_KEY in obj and len(obj) == 1:
            return parts[_part_index(obj[BYTES_KEY], parts)]
        if ARRAY_KEY in obj:
            return _read_array(obj, parts)
        return obj

    return json.loads(envelope, object_hook=hook)


class Encoder:
    """Collects the binary parts of one value as it is written to JSON (json.dumps's ``default``)."""

    def __init__(self) -> None:
        self.parts: list[memoryview] = []

    def _add(self, data: memoryview) -> int:
        self.parts.append(data)
        return len(self.parts) - 1

    def default(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray)):
            return {BYTES_KEY: self._add(memoryview(value))}
        if isinstance(value, memoryview):
            if value.format in ("B", "b", "c") and value.ndim <= 1:
                return {BYTES_KEY: self._add(value.cast("B") if value.c_contiguous else memoryview(value.tobytes()))}
            return self._array(_dtype_of_format(value.format), list(value.shape or ()), value if value.c_contiguous else memoryview(value.tobytes()))
        if isinstance(value, array.array):
            return self._array(_dtype_of_format(value.typecode), [len(value)], memoryview(value))
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(value, numpy.ndarray):
            name = value.dtype.name
            if name not in DTYPES:
                raise TypeError("a numpy array of dtype %s cannot cross: the dtypes that can are %s" % (name, ", ".join(DTYPES)))
            order = value.dtype.byteorder
            byteorder = "big" if order == ">" or (order == "=" and sys.byteorder == "big") else "little"
            data = numpy.ascontiguousarray(value)
            return {ARRAY_KEY: self._add(memoryview(data).cast("B")), "dtype": name, "byteorder": byteorder,
                    "shape": list(value.shape)}
        raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)

    def _array(self, dtype: str, shape: list[int], data: memoryview) -> dict[str, Any]:
        return {ARRAY_KEY: self._add(data.cast("B")), "dtype": dtype, "byteorder": sys.byteorder, "shape": shape}

    def dumps(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False, default=self.default)

    def size(self) -> int:
        return sum(len(p) for p in self.parts)


def _dtype_of_format(fmt: str) -> str:
    name = _FORMAT_TO_DTYPE.get(fmt.lstrip("@=<>!"))
    if name is None:
        raise TypeError("a buffer of format %r cannot cross: the dtypes that can are %s" % (fmt, ", ".join(DTYPES)))
    return name


def frame(envelope: bytes, parts: list[memoryview]) -> list[Any]:
    """The body's pieces in order: the envelope, then (with parts) the separator and each part."""
    if not parts:
        return [envelope]
    return [envelope, SEPARATOR, *parts]

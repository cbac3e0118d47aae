"""Frames on the bridge's pipes: a 4-byte big-endian length and a UTF-8 JSON envelope, never over the frame limit.

The writer bounds error text and cuts it until the frame fits, so an error always reaches the silo; the reader
refuses a length over the limit without reading the body. Split from dspex_bridge so the serving loop and the wire
format each stay small, and both are tested on their own (tests/python_unit).
"""

from __future__ import annotations

import collections
import json
import os
import select
import struct
import threading
import traceback
from typing import Any, Callable, Optional

from dspex import binary, protocol

HEADER = struct.Struct(">I")

# Error frames carry bounded, always-encodable text: an error must reach the silo whatever the exception held.
MAX_MESSAGE_CHARS = 4000
MAX_TRACEBACK_CHARS = 16000
MAX_NAME_CHARS = 200


def encodable(text: str) -> str:
    """The text with lone UTF-16 surrogates written as \\udXXX escapes, so it always encodes as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def bounded(text: Any, limit: int) -> Optional[str]:
    """At most ``limit`` characters of the text's start, saying how much was cut."""
    if text is None:
        return None
    text = text if isinstance(text, str) else str(text)
    if len(text) > limit:
        text = "%s... (%d more characters cut)" % (text[:limit], len(text) - limit)
    return encodable(text)


def bounded_tail(text: Optional[str], limit: int) -> Optional[str]:
    """At most ``limit`` characters of the text's end (where a traceback's cause is), saying how much was cut."""
    if text is None:
        return None
    if len(text) > limit:
        text = "(%d characters cut)...%s" % (len(text) - limit, text[-limit:])
    return encodable(text)


def describe(exc: BaseException) -> str:
    """str(exc), which user code can make fail."""
    try:
        return str(exc)
    except Exception:  # any failure of a user's __str__
        return "(the exception's message could not be read)"


class FrameOverLimit(ValueError):
    """A frame the bridge was about to write is past the frame limit (a bug: every writer fits its frames)."""


class FrameWriter:
    """The one writer of the frames pipe. ``send`` never blocks: a frame is written at once when the pipe has room and
    nothing waits before it, otherwise its bytes wait in a queue that a writer thread (started the first time one is
    needed) drains as the silo reads. So the thread reading the silo's frames can always answer a heartbeat, however
    full the pipe is of other threads' frames, and frames never interleave. An urgent frame (a heartbeat's answer)
    passes the queued ones, behind at most the frame being written. No frame past the limit is written: results and
    items that do not fit become a FrameTooLarge error, and error frames are cut down until they fit.

    When the pipe breaks (the silo is gone) ``on_broken`` runs on the thread that saw it, and later sends raise OSError."""

    def __init__(self, fd: int, max_frame: int, on_broken: Optional[Callable[[], None]] = None) -> None:
        self._fd = fd
        self._max_frame = max_frame
        self._on_broken = on_broken
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._urgent: collections.deque[memoryview] = collections.deque()
        self._queued: collections.deque[memoryview] = collections.deque()
        self._current: Optional[memoryview] = None
        self._thread: Optional[threading.Thread] = None
        self._broken: Optional[OSError] = None
        try:
            os.set_blocking(fd, False)
        except OSError:
            pass  # not a descriptor that can be (a closed one fails at the first write)

    def send(self, envelope_bytes: bytes, urgent: bool = False, parts: Optional[list[memoryview]] = None) -> None:
        """Sends one frame: the envelope, and after it (when given) the binary parts it declares."""
        body: bytes = envelope_bytes if not parts else b"".join(binary.frame(envelope_bytes, parts))
        if len(body) > self._max_frame:
            raise FrameOverLimit("frame of %d bytes exceeds the limit of %d bytes" % (len(body), self._max_frame))
        data = HEADER.pack(len(body)) + body
        with self._lock:
            if self._broken is not None:
                raise OSError(self._broken.errno, "the pipe to the silo is broken: %s" % self._broken.strerror)
            if self._current is None and not self._urgent and not self._queued:
                written = self._write_now(data)
                if written == len(data):
                    return
                self._current = memoryview(data)[written:]
            else:
                (self._urgent if urgent else self._queued).append(memoryview(data))
            self._start_or_wake()

    def queued_frames(self) -> int:
        """Frames waiting for room in the pipe (including one half written)."""
        with self._lock:
            return len(self._urgent) + len(self._queued) + (0 if self._current is None else 1)

    def _write_now(self, data: Any) -> int:
        """Writes what fits without waiting (holding the lock); raises OSError when the pipe is broken."""
        try:
            return os.write(self._fd, data)
        except BlockingIOError:
            return 0
        except InterruptedError:
            return 0

    def _start_or_wake(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._drain, name="dspex-writer", daemon=True)
            self._thread.start()
        else:
            self._wake.notify()

    def _drain(self) -> None:
        """The writer thread: writes queued frames as the pipe makes room, waiting for room without the lock."""
        with self._lock:
            while True:
                if self._current is None:
                    if self._urgent:
                        self._current = self._urgent.popleft()
                    elif self._queued:
                        self._current = self._queued.popleft()
                    else:
                        self._wake.wait()
                        continue
                try:
                    written = self._write_now(self._current)
                except OSError as exc:
                    self._broken = exc
                    self._urgent.clear()
                    self._queued.clear()
                    self._current = None
                    break
                self._current = self._current[written:] if written < len(self._current) else None
                if self._current is not None and written == 0:
                    self._lock.release()
                    try:
                        select.select([], [self._fd], [], 0.5)
                    except (OSError, ValueError):
                        pass  # a closed descriptor: the next write says so
                    finally:
                        self._lock.acquire()
        if self._on_broken is not None:
            self._on_broken()

    def send_json(self, obj: dict[str, Any], urgent: bool = False) -> None:
        """A control frame built by the bridge itself (ASCII: lone surrogates in it are escaped, never fatal)."""
        self.send(json.dumps(obj, separators=(",", ":")).encode("ascii"), urgent)

    def send_result(self, request_id: int, result: Any, session_changes: Optional[dict[str, Any]] = None) -> None:
        extra: Optional[tuple[str, Any]] = None
        if session_changes is not None:
            extra = ("session", session_changes)
        framed = self._value_frame(request_id, protocol.RESULT, result, extra)
        if framed is not None:
            self.send(framed[0], parts=framed[1])

    def send_item(self, request_id: int, item: Any, index: Optional[int] = None) -> bool:
        """One streamed item (its bytes and arrays as binary parts, so a download's chunks cross raw); False when it
        could not be sent (the stream then ends with the error, naming item ``index`` when given)."""
        framed = self._value_frame(request_id, protocol.ITEM, item, None, index)
        if framed is None:
            return False
        self.send(framed[0], parts=framed[1])
        return True

    def _value_frame(self, request_id: int, kind: str, value: Any, extra: Optional[tuple[str, Any]],
                     index: Optional[int] = None) -> Optional[tuple[bytes, list[memoryview]]]:
        """The encoded envelope carrying a command's value (a result or a stream item) and the binary parts after it
        (its bytes and arrays), or None after answering the request with why it cannot be."""
        what = "result" if kind != protocol.ITEM else ("stream item" if index is None else "stream item %d" % index)
        encoder = binary.Encoder()
        parts_size = 0
        try:
            body = encoder.dumps(value)
            if extra is not None:
                body = '%s,"%s":%s' % (body, extra[0], json.dumps(extra[1], separators=(",", ":"), allow_nan=False, ensure_ascii=False))
            if encoder.parts:
                parts_size = 1 + encoder.size()
                body = '%s,"parts":[%s]' % (body, ",".join(str(len(p)) for p in encoder.parts))
            envelope = ('{"id":%d,"type":"%s","%s":%s}' % (request_id, kind, kind, body)).encode("utf-8")
        except UnicodeEncodeError as exc:
            self.send_error_text(request_id, protocol.RESULT_NOT_SERIALIZABLE, "UnicodeEncodeError",
                                 "the %s holds a lone UTF-16 surrogate, which is not Unicode text and cannot be sent as JSON (%s)"
                                 % (what, exc.reason))
            return None
        except (TypeError, ValueError, RecursionError) as exc:
            self.send_error_text(request_id, protocol.RESULT_NOT_SERIALIZABLE, type(exc).__name__, str(exc))
            return None
        if len(envelope) + parts_size > self._max_frame:
            self.send_error_text(request_id, protocol.FRAME_TOO_LARGE, "FrameTooLarge",
                                 "%s frame of %d bytes exceeds the limit of %d bytes"
                                 % (what, len(envelope) + parts_size, self._max_frame))
            return None
        return envelope, encoder.parts

    def send_error(self, request_id: int, kind: str, exc: BaseException, with_traceback: bool = True) -> None:
        self.send_error_text(request_id, kind, type(exc).__name__, describe(exc),
                             traceback.format_exc() if with_traceback else None)

    def send_error_text(self, request_id: int, kind: str, type_name: str, message: str, tb: Optional[str] = None) -> None:
        """An error frame that always fits: text bounded and made encodable, then cut further if still too big."""
        error: dict[str, Any] = {"kind": kind, "type": bounded(type_name, MAX_NAME_CHARS),
                 "message": bounded(message, MAX_MESSAGE_CHARS),
                 "traceback": bounded_tail(tb, MAX_TRACEBACK_CHARS)}
        envelope = self._error_frame(request_id, error)
        if len(envelope) > self._max_frame:
            error["traceback"] = None
            envelope = self._error_frame(request_id, error)
        if len(envelope) > self._max_frame:
            # An escaped character takes at most 12 bytes (a surrogate pair as two \uXXXX).
            budget = max(0, (self._max_frame - 512) // 12)
            error["type"] = error["type"][:64] if error["type"] else None
            error["message"] = bounded(error["message"], budget)
            envelope = self._error_frame(request_id, error)
        self.send(envelope)

    @staticmethod
    def _error_frame(request_id: int, error: dict[str, Any]) -> bytes:
        return json.dumps({"id": request_id, "type": protocol.ERROR, "error": error}, separators=(",", ":")).encode("ascii")


class FrameReader:
    """Reads whole frames; a frame past the limit is skipped and reported by its length."""

    def __init__(self, fd: int, max_frame: int) -> None:
        self._stream = os.fdopen(fd, "rb", buffering=1 << 16)
        self._max_frame = max_frame

    def _read_exact(self, n: int) -> Optional[bytes]:
        data = self._stream.read(n)
        if data is None or len(data) < n:
            return None
        return data

    def read(self) -> Optional[tuple[Optional[bytes], int]]:
        """Returns (envelope bytes or None when oversized, length) or None at end of input."""
        header = self._read_exact(4)
        if header is None:
            return None
        (length,) = HEADER.unpack(header)
        if length > self._max_frame:
            remaining = length
            while remaining:
                chunk = self._stream.read(min(remaining, 1 << 16))
                if not chunk:
                    return None
                remaining -= len(chunk)
            return (None, length)
        body = self._read_exact(length)
        if body is None:
            return None
        return (body, length)

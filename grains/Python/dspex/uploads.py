"""Upload streams: a caller's data past one frame, arriving at a command as an iterator of ``bytes`` chunks.

The silo sends an upload call's data as ``chunk`` frames (one binary part each, protocol.json) only against chunk
credit: the call's ``upload`` field is the window, and the reader here grants one chunk back (``chunk_credit``) as
the command takes each one, so never more than the window of chunks is on its way or waiting here. ``chunks_end``
ends the upload: whole, or with the silo's reason (ended early, a declared length that lied, a chunk over the frame
limit), which the command's next read raises as ``UploadError`` (an InvalidArguments: the call fails with that kind,
naming the chunk, and the worker keeps serving). A cancel (the caller gave up, or the deadline passed) raises it too.

    @dspex.command("files.checksum")
    def checksum(args):
        digest = hashlib.sha256()
        for chunk in dspex.upload():
            digest.update(chunk)
        return {"sha256": digest.hexdigest()}

An async command reads the same upload with ``async for``: a read that must wait suspends on the worker's event loop
(the bridge's reader thread wakes it), never blocking the loop, and grants credit the same way, one chunk per read.

    @dspex.command("files.checksum_async")
    async def checksum_async(args):
        digest = hashlib.sha256()
        async for chunk in dspex.upload():
            digest.update(chunk)
        return {"sha256": digest.hexdigest()}
"""

from __future__ import annotations

import asyncio
import collections
import threading
from typing import Any, AsyncIterator, Callable, Iterator, Optional

from .context import current
from .errors import InvalidArguments


class UploadError(InvalidArguments):
    """The upload did not arrive whole: the message says which chunk and why."""


class UploadReader:
    """The chunks of one upload call, filled by the bridge's reader thread and read by the command's thread."""

    def __init__(self, window: int, grant: Callable[[int], None]) -> None:
        if type(window) is not int or window < 1:
            raise ValueError("upload is not a window of 1 or more chunks")
        self.window = window
        self._grant = grant
        self._chunks: collections.deque[bytes] = collections.deque()
        self._changed = threading.Condition()
        self._ended = False
        self._error: Optional[str] = None
        self._received = 0
        self._taken = 0
        # Async reads waiting for a chunk: futures on their loops, settled from whichever thread changed the state.
        self._wakers: list[tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]] = []

    # The bridge's reader thread.
    def put(self, chunk: bytes) -> Optional[str]:
        """Queues a chunk; the problem (a string naming the chunk) when the silo sent one past its window or end."""
        with self._changed:
            if self._ended:
                return "chunk %d came after the upload ended" % self._received
            if len(self._chunks) >= self.window:
                return "chunk %d came past the window of %d chunks" % (self._received, self.window)
            self._chunks.append(chunk)
            self._received += 1
            self._changed.notify_all()
            self._wake_async()
        return None

    def end(self, error: Optional[str] = None) -> None:
        """No more chunks: the upload is whole (no error) or failed; the first end counts."""
        with self._changed:
            if not self._ended:
                self._ended, self._error = True, error
            self._changed.notify_all()
            self._wake_async()

    # The command's thread.
    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        ctx = current()
        with self._changed:
            while not self._ready(ctx):
                self._changed.wait()
            chunk = self._take()
        if chunk is None:
            raise StopIteration
        self._grant(1)  # outside the lock: a write may wait for room in the pipe
        return chunk

    # An async command's reads (on the worker's event loop).
    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        ctx = current()
        while True:
            with self._changed:
                if self._ready(ctx):
                    chunk = self._take()
                    break
                loop = asyncio.get_running_loop()
                waker: "asyncio.Future[None]" = loop.create_future()
                self._wakers.append((loop, waker))
            await waker  # a cancel of the request cancels this task here, as any await
        if chunk is None:
            raise StopAsyncIteration
        self._grant(1)  # the bridge's writer queues what the pipe cannot take: it never blocks the loop
        return chunk

    def _ready(self, ctx: Any) -> bool:
        return bool(self._chunks) or self._ended or (ctx is not None and ctx.is_cancelled)

    def _take(self) -> Optional[bytes]:
        """Under the lock, once ready: the next chunk, None at a whole end, or UploadError (a failed end, a cancel)."""
        if self._chunks:
            self._taken += 1
            return self._chunks.popleft()
        if self._error is not None:
            raise UploadError("the upload failed at chunk %d: %s" % (self._received, self._error))
        if self._ended:
            return None
        raise UploadError("the upload was cancelled at chunk %d (the caller gave up or its deadline passed)" % self._taken)

    def _wake_async(self) -> None:
        """Under the lock: every waiting async read looks again."""
        wakers, self._wakers = self._wakers, []
        for loop, waker in wakers:
            try:
                loop.call_soon_threadsafe(_settle, waker)
            except RuntimeError:
                pass  # the loop is closed: nobody awaits this read any more

    def wake(self) -> None:
        """A cancel arrived: a waiting read looks again (and raises)."""
        with self._changed:
            self._changed.notify_all()
            self._wake_async()

    @property
    def taken(self) -> int:
        return self._taken


def _settle(waker: "asyncio.Future[None]") -> None:
    if not waker.done():
        waker.set_result(None)


_readers: dict[Any, UploadReader] = {}
_lock = threading.Lock()


def register(request_id: Any, reader: UploadReader) -> None:
    with _lock:
        _readers[request_id] = reader


def find(request_id: Any) -> Optional[UploadReader]:
    with _lock:
        return _readers.get(request_id)


def forget(request_id: Any) -> None:
    with _lock:
        _readers.pop(request_id, None)


def upload() -> UploadReader:
    """The current call's upload, an iterator of ``bytes`` chunks (``for``, or ``async for`` in an async command);
    InvalidArguments when the call carries none."""
    ctx = current()
    reader = find(ctx.request_id) if ctx is not None else None
    if reader is None:
        raise InvalidArguments("this call carries no upload: call it with DSPexClient.UploadAsync")
    return reader

"""The worker's one asyncio event loop, on a thread of its own, for async commands.

A serving thread that finds a command returned a coroutine (``async def``) or an async generator hands it here
and goes back to serving, so an in-flight async request holds no thread: only ConcurrencyPerWorker bounds how many
run at once. Cancellation (the cancel frame, which the silo also sends at the request's deadline) becomes
``task.cancel()``; a stream awaits its credit on the loop without blocking it. Frames are written from the loop
thread with the same writer as the serving threads (it never blocks: dspex.framing). The loop starts on the first async command, so
a worker that has none pays nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
import traceback
from typing import Any, AsyncGenerator, Callable, Optional

from . import protocol
from .context import RequestContext
from .errors import InvalidArguments, stream_called_with_exec
from .framing import FrameWriter

CANCELLED_MESSAGE = "the request was cancelled (by its caller, or its deadline passed)"


def is_async_work(value: Any) -> bool:
    """True for what a command returns when it is an async command: a coroutine or an async generator."""
    return inspect.iscoroutine(value) or inspect.isasyncgen(value)


class EventLoopRunner:
    """Runs async commands to their answer on one event loop thread.

    ``error_kind`` maps a command's exception to the error kind its caller gets; ``finished`` is called (on the loop
    thread) once a request is answered; ``pipe_gone`` when a frame cannot be written (the silo is gone).
    """

    def __init__(self, writer: FrameWriter, error_kind: Callable[[BaseException], str],
                 finished: Callable[[RequestContext], None], pipe_gone: Callable[[], None]) -> None:
        self._writer = writer
        self._error_kind = error_kind
        self._finished = finished
        self._pipe_gone = pipe_gone
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._start_lock = threading.Lock()
        self._tasks: set[asyncio.Task[tuple[bool, Any]]] = set()  # the loop keeps only weak references to its tasks

    def start(self, ctx: RequestContext, work: Any, context: contextvars.Context) -> None:
        """Schedules ``work`` (a coroutine or an async generator) for request ``ctx``; returns at once. ``context``
        is the serving thread's context (holding the current request), which the task runs in a copy of."""
        self._running_loop().call_soon_threadsafe(self._begin, ctx, work, context)

    def in_flight(self) -> int:
        """Requests on the loop now (read it on the loop thread, or as an estimate)."""
        return len(self._tasks)

    def stop(self) -> None:
        """Stops the loop thread (tests; a worker's loop lives as long as the worker)."""
        loop = self._loop
        if loop is not None and self._thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join()
            loop.close()
            self._loop = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None:
            return loop
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="dspex-event-loop", daemon=True)
                thread.start()
                self._thread = thread
                self._loop = loop
            return self._loop

    def _begin(self, ctx: RequestContext, work: Any, context: contextvars.Context) -> None:
        running = self._loop
        assert running is not None
        loop: asyncio.AbstractEventLoop = running  # typed so the callbacks below see it is set
        credit_changed = asyncio.Event()
        # A task runs in a copy of the context it is created in (create_task's context= argument is Python 3.11+ only).
        task = context.run(lambda: loop.create_task(self._run(ctx, work, credit_changed)))
        self._tasks.add(task)
        # The answer is sent from a done callback, which runs however the task ended, even when it was cancelled
        # before its first step (its coroutine then never runs at all).
        task.add_done_callback(lambda done: self._answer(ctx, work, done))

        def woken() -> None:
            credit_changed.set()
            if ctx.is_cancelled and not task.done():
                task.cancel(CANCELLED_MESSAGE)

        def wake() -> None:
            try:
                loop.call_soon_threadsafe(woken)
            except RuntimeError:
                pass  # the loop is closed: nothing is left to wake

        ctx.wake = wake  # set before the flag is read: a cancel that came first is seen below, a later one wakes it
        if ctx.is_cancelled:
            task.cancel(CANCELLED_MESSAGE)

    async def _run(self, ctx: RequestContext, work: Any, credit_changed: asyncio.Event) -> tuple[bool, Any]:
        """Runs the command to its value: (True, result), or (False, None) when a stream already sent its error."""
        if inspect.isasyncgen(work):
            if not ctx.is_stream:
                await work.aclose()  # an exec call: its items would be dropped, so none are made
                raise InvalidArguments(stream_called_with_exec("the async generator %s" % getattr(work, "__qualname__", "")))
            return await self._stream(ctx, work, credit_changed), None
        return True, await work

    def _answer(self, ctx: RequestContext, work: Any, task: "asyncio.Task[tuple[bool, Any]]") -> None:
        request_id = ctx.request_id
        self._tasks.discard(task)
        ctx.wake = None
        try:
            if task.cancelled():
                if inspect.iscoroutine(work):
                    work.close()  # cancelled before it started: nothing awaited it
                self._writer.send_error_text(request_id, protocol.PYTHON_EXCEPTION, "CancelledError", CANCELLED_MESSAGE)
                return
            exc = task.exception()
            if exc is not None:
                try:
                    raise exc  # so the error frame carries the command's traceback
                except BaseException as raised:  # a command's SystemExit must not end the worker
                    self._writer.send_error(request_id, self._error_kind(raised), raised)
                return
            answered, result = task.result()
            if answered:
                self._writer.send_result(request_id, result, ctx.session_changes())
        except OSError:
            self._pipe_gone()
        except Exception as exc:  # last resort: the request is answered and the loop serves on
            try:
                self._writer.send_error_text(request_id, protocol.INTERNAL, type(exc).__name__,
                                             "the bridge failed serving this request: %s" % exc, traceback.format_exc())
            except Exception:  # nothing can be sent: the stream is no longer to be trusted
                self._pipe_gone()
        finally:
            self._finished(ctx)

    async def _stream(self, ctx: RequestContext, generator: AsyncGenerator[Any, None], credit_changed: asyncio.Event) -> bool:
        """Sends an async generator's items, each once the silo granted credit for it; False when the stream ended
        in an error (already sent). A cancel raises CancelledError here, at whichever await the task is in."""
        sent = 0
        try:
            while True:
                # Credit first, then the item: the generator never runs ahead of what the silo granted
                # (see the threaded bridge's _stream).
                while True:
                    credit_changed.clear()  # cleared before the look: a grant after it sets the event again
                    taken = ctx.take_credit()
                    if taken is not None:
                        break
                    await credit_changed.wait()
                if not taken:
                    raise asyncio.CancelledError(CANCELLED_MESSAGE)
                try:
                    item = await generator.__anext__()
                except StopAsyncIteration:
                    break
                sent += 1
                if not self._writer.send_item(ctx.request_id, item, sent - 1):
                    return False
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a failing generator ends its stream with the error
            self._writer.send_error(ctx.request_id, self._error_kind(exc), exc)
            return False
        finally:
            await generator.aclose()
        return True

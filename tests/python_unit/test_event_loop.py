"""Async commands: the event loop runner (many requests on one loop thread, cancellation as task.cancel(), async
generators under stream credit, the request context in tasks) and the bridge serving them without a thread each."""

import asyncio
import json
import os
import struct
import threading
import time
import unittest

from bridge_support import Pipe, dspex_bridge, strict_json

import dspex
from dspex import context, protocol, registry
from dspex.event_loop import CANCELLED_MESSAGE, EventLoopRunner
from dspex.framing import FrameReader, FrameWriter

BOUND = 30.0  # seconds any awaited condition may take on a loaded machine; never a speed expectation

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def until(condition, what):
    """Waits for a condition by polling it (tests await state, never a fixed time)."""
    deadline = time.monotonic() + BOUND
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for: " + what)
        time.sleep(0.002)


class Frames:
    """Frames written to a pipe, accumulated as they are read back."""

    def __init__(self):
        self.pipe = Pipe()
        self.writer = FrameWriter(self.pipe.fd, 1 << 20)
        self.seen = []

    def all(self):
        self.seen.extend(strict_json(frame) for frame in self.pipe.frames())
        return self.seen

    def of(self, request_id, kind=None):
        return [f for f in self.all() if f.get("id") == request_id and (kind is None or f["type"] == kind)]

    def answer(self, request_id):
        """The result or error frame of a request, once written."""
        return until(lambda: next((f for f in self.of(request_id) if f["type"] in (protocol.RESULT, protocol.ERROR)), None),
                     "request %d answered" % request_id)


class EventLoopRunnerTests(unittest.TestCase):
    def setUp(self):
        self.frames = Frames()
        self.finished = []
        self.pipe_gone = []
        self.runner = EventLoopRunner(self.frames.writer, lambda exc: protocol.PYTHON_EXCEPTION,
                                      self.finished.append, lambda: self.pipe_gone.append(True))

    def tearDown(self):
        self.runner.stop()
        self.frames.pipe.close()

    def start(self, ctx, make_work):
        """Starts a command as the bridge does: the work made with ctx current, the task in a copy of that context."""
        import contextvars

        def made():
            context.set_current(ctx)
            return make_work(), contextvars.copy_context()

        work, ctx_copy = contextvars.Context().run(made)
        self.runner.start(ctx, work, ctx_copy)

    def test_many_requests_wait_at_once_on_one_loop_thread(self):
        threads_before = threading.active_count()
        release = threading.Event()

        async def wait_for_release(n):
            while not release.is_set():
                await asyncio.sleep(0.001)
            return n * 2

        contexts = [context.RequestContext(i) for i in range(1, 101)]
        for ctx in contexts:
            self.start(ctx, lambda ctx=ctx: wait_for_release(ctx.request_id))
        until(lambda: self.runner.in_flight() == 100, "all 100 requests on the loop")
        self.assertEqual(threads_before + 1, threading.active_count(), "one thread for the loop, none per request")
        release.set()
        for ctx in contexts:
            self.assertEqual(ctx.request_id * 2, self.frames.answer(ctx.request_id)["result"])
        until(lambda: len(self.finished) == 100, "every request finished")

    def test_a_cancel_reaches_the_task_as_cancelled_error_and_answers_cancelled(self):
        observed = []
        ctx = context.RequestContext(7)

        async def long_wait():
            observed.append("started")
            try:
                await asyncio.sleep(600)
            except asyncio.CancelledError:
                observed.append("cancelled")
                raise

        self.start(ctx, long_wait)
        until(lambda: observed == ["started"], "the command started")
        ctx.cancel()  # as the bridge's reader does on a cancel frame (the silo sends one at the deadline too)
        answer = self.frames.answer(7)
        self.assertEqual(["started", "cancelled"], observed)
        self.assertEqual(protocol.ERROR, answer["type"])
        self.assertEqual("CancelledError", answer["error"]["type"])
        self.assertEqual(CANCELLED_MESSAGE, answer["error"]["message"])
        until(lambda: self.finished == [ctx], "the request finished")
        self.assertIsNone(ctx.wake)

    def test_a_request_cancelled_before_its_task_starts_is_answered_cancelled_and_never_runs(self):
        ran = []
        ctx = context.RequestContext(8)
        ctx.cancel()

        async def never():
            ran.append(True)

        self.start(ctx, never)
        self.assertEqual("CancelledError", self.frames.answer(8)["error"]["type"])
        self.assertEqual([], ran)

    def test_a_command_that_handles_its_cancellation_answers_with_its_result(self):
        ctx = context.RequestContext(9)
        started = threading.Event()

        async def cleanup_then_answer():
            started.set()
            try:
                await asyncio.sleep(600)
            except asyncio.CancelledError:
                return {"cleaned_up": True, "cancelled": dspex.cancelled()}

        self.start(ctx, cleanup_then_answer)
        until(started.is_set, "started")
        ctx.cancel()
        self.assertEqual({"cleaned_up": True, "cancelled": True}, self.frames.answer(9)["result"])

    def test_an_async_generator_sends_items_only_against_credit(self):
        ctx = context.RequestContext(11, credit=1)
        produced = []

        async def numbers():
            for i in range(4):
                produced.append(i)
                yield {"i": i}

        self.start(ctx, numbers)
        # With one unit of credit, one item is made and sent; the stream then waits for credit before it asks the
        # generator for the second, so the generator is never ahead of the credit granted.
        until(lambda: len(self.frames.of(11, protocol.ITEM)) == 1, "the first item sent")
        self.assertEqual(1, self.runner.in_flight(), "the stream waits for credit on the loop")
        self.assertEqual([0], produced, "no item made past the credit")
        ctx.grant(10)
        self.assertEqual(protocol.RESULT, self.frames.answer(11)["type"])
        self.assertEqual([{"i": i} for i in range(4)], [f["item"] for f in self.frames.of(11, protocol.ITEM)])

    def test_waiting_for_credit_does_not_block_the_loop(self):
        # One unit: the generator runs (so it has a finally to run) and then waits for more.
        stream = context.RequestContext(12, credit=1)
        closed = []

        async def forever():
            try:
                while True:
                    yield 1
            finally:
                closed.append(True)

        self.start(stream, forever)
        other = context.RequestContext(13)

        async def quick():
            await asyncio.sleep(0)
            return "served"

        self.start(other, quick)
        self.assertEqual("served", self.frames.answer(13)["result"])
        until(lambda: len(self.frames.of(12, protocol.ITEM)) == 1, "the first item sent")
        stream.cancel()
        self.assertEqual("CancelledError", self.frames.answer(12)["error"]["type"])
        self.assertEqual([True], closed, "the cancelled generator was closed")
        self.assertEqual(1, len(self.frames.of(12, protocol.ITEM)), "only the item its credit allowed")

    def test_a_failing_async_generator_ends_its_stream_with_the_error(self):
        ctx = context.RequestContext(14, credit=10)

        async def failing():
            yield 1
            raise ValueError("failed at 1")

        self.start(ctx, failing)
        answer = self.frames.answer(14)
        self.assertEqual("ValueError", answer["error"]["type"])
        self.assertEqual([1], [f["item"] for f in self.frames.of(14, protocol.ITEM)])

    def test_the_request_context_is_visible_in_the_command_and_in_tasks_it_starts(self):
        ctx = context.RequestContext(21, {"id": "s-1", "vars": {"seen": 1}}, trace={"traceparent": TRACEPARENT, "tracestate": "k=v"})

        async def session_work():
            await asyncio.sleep(0)

            async def child():
                await asyncio.sleep(0)
                dspex.set_var("child", dspex.current_request_id())

            await asyncio.create_task(child())
            dspex.set_var("seen", dspex.get_var("seen") + 1)
            dspex.delete_var("gone")
            return {"session": dspex.session_id(), "trace": dspex.trace_context()}

        self.start(ctx, session_work)
        answer = self.frames.answer(21)
        self.assertEqual({"session": "s-1", "trace": {"traceparent": TRACEPARENT, "tracestate": "k=v"}}, answer["result"])
        self.assertEqual({"set": {"child": 21, "seen": 2}, "deleted": ["gone"]}, answer["session"])

    def test_concurrent_async_requests_each_see_their_own_context(self):
        contexts = [context.RequestContext(100 + i, {"id": "s-%d" % i, "vars": {}}) for i in range(20)]

        async def whose():
            await asyncio.sleep(0.001)
            await asyncio.sleep(0)
            return [dspex.current_request_id(), dspex.session_id()]

        for ctx in contexts:
            self.start(ctx, whose)
        for i, ctx in enumerate(contexts):
            self.assertEqual([100 + i, "s-%d" % i], self.frames.answer(ctx.request_id)["result"])

    def test_an_unwritable_pipe_is_reported_as_gone(self):
        writer_pipe = Pipe()
        os.close(writer_pipe.read_fd)
        runner = EventLoopRunner(FrameWriter(writer_pipe.fd, 1 << 20), lambda exc: protocol.PYTHON_EXCEPTION,
                                 self.finished.append, lambda: self.pipe_gone.append(True))
        try:
            import contextvars

            async def value():
                return 1

            runner.start(context.RequestContext(31), value(), contextvars.copy_context())
            until(lambda: self.pipe_gone, "the gone pipe reported")
        finally:
            runner.stop()
            os.close(writer_pipe.fd)


class TraceContextTests(unittest.TestCase):
    def test_a_call_without_trace_context_has_none(self):
        self.assertIsNone(context.RequestContext(1).trace)
        self.assertIsNone(dspex.trace_context())  # outside any request

    def test_w3c_trace_context_is_kept_and_anything_else_refused(self):
        self.assertEqual({"traceparent": TRACEPARENT, "tracestate": None}, context.valid_trace({"traceparent": TRACEPARENT}))
        for bad in ["x", [], {"traceparent": "01-" + TRACEPARENT[3:]}, {"traceparent": TRACEPARENT.upper()},
                    {"traceparent": "00-" + "0" * 32 + TRACEPARENT[35:]}, {"traceparent": TRACEPARENT + "-00"},
                    {"traceparent": TRACEPARENT, "tracestate": "k=\u00e9"}, {"traceparent": TRACEPARENT, "tracestate": "k" * 513},
                    {"traceparent": TRACEPARENT, "tracestate": 5}, {"traceparent": None}]:
            with self.assertRaises(ValueError, msg=repr(bad)):
                context.valid_trace(bad)


@registry.command("event_loop_test_wait")
async def event_loop_test_wait(args):
    while not _release.is_set():
        await asyncio.sleep(0.001)
    return {"request": dspex.current_request_id(), "trace": dspex.trace_context()}


@registry.command("event_loop_test_sync")
def event_loop_test_sync(args):
    return {"request": dspex.current_request_id()}


@registry.command("event_loop_test_returns_coroutine")
def event_loop_test_returns_coroutine(args):
    async def later():
        await asyncio.sleep(0)
        return {"request": dspex.current_request_id(), "via": "hand-off"}

    return later()


@registry.command("event_loop_test_no_args")
async def event_loop_test_no_args():
    return "never"


_release = threading.Event()


class BridgeServingTests(unittest.TestCase):
    """The real serving loop over real pipes: async calls are handed to the loop, their threads serve on."""

    def test_async_calls_hold_no_serving_thread_and_heartbeats_are_answered_meanwhile(self):
        to_bridge_read, to_bridge = os.pipe()
        frames = Frames()
        concurrency = 64
        bridge = dspex_bridge.Bridge(FrameReader(to_bridge_read, 1 << 20), frames.writer, concurrency)
        threading.Thread(target=bridge.serve_forever, daemon=True).start()  # ends with the test process

        def send(envelope):
            body = json.dumps(envelope).encode()
            os.write(to_bridge, struct.pack(">I", len(body)) + body)

        _release.clear()
        for i in range(1, 51):
            send({"id": i, "type": "call", "cmd": "event_loop_test_wait", "args": {},
                  "trace": {"traceparent": TRACEPARENT} if i == 1 else None})
        until(lambda: bridge._event_loop.in_flight() == 50, "50 async calls in flight on the loop")
        self.assertEqual(1, bridge.thread_count(), "the reading thread starts async calls itself and keeps reading")
        send({"id": 900, "type": "heartbeat"})
        until(lambda: frames.of(900, protocol.HEARTBEAT_REPLY), "the heartbeat answered while 50 calls wait")
        send({"id": 901, "type": "call", "cmd": "event_loop_test_sync", "args": {}})
        self.assertEqual({"request": 901}, frames.answer(901)["result"])
        # A callable that returns a coroutine (a program whose __call__ is async, say) is handed off from its thread.
        send({"id": 902, "type": "call", "cmd": "event_loop_test_returns_coroutine", "args": {}})
        self.assertEqual({"request": 902, "via": "hand-off"}, frames.answer(902)["result"])
        send({"id": 903, "type": "call", "cmd": "event_loop_test_wait", "args": {"unexpected": 1}, "extra": 1})
        send({"id": 904, "type": "call", "cmd": "event_loop_test_no_args", "args": {}})
        self.assertEqual("TypeError", frames.answer(904)["error"]["type"])
        _release.set()
        for i in range(1, 51):
            self.assertEqual({"request": i, "trace": {"traceparent": TRACEPARENT, "tracestate": None} if i == 1 else None},
                             frames.answer(i)["result"])
        self.assertEqual({"request": 903, "trace": None}, frames.answer(903)["result"])
        until(lambda: not bridge._active, "every request left the active table")

    def test_a_call_with_malformed_trace_context_is_answered_invalid_arguments(self):
        to_bridge_read, to_bridge = os.pipe()
        frames = Frames()
        bridge = dspex_bridge.Bridge(FrameReader(to_bridge_read, 1 << 20), frames.writer, 2)
        threading.Thread(target=bridge.serve_forever, daemon=True).start()
        body = json.dumps({"id": 5, "type": "call", "cmd": "ping", "args": {}, "trace": {"traceparent": "garbage"}}).encode()
        os.write(to_bridge, struct.pack(">I", len(body)) + body)
        answer = frames.answer(5)
        self.assertEqual(protocol.INVALID_ARGUMENTS, answer["error"]["kind"])
        self.assertIn("trace", answer["error"]["message"])


if __name__ == "__main__":
    unittest.main()

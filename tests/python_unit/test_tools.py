"""dspex.call_tool / acall_tool / list_tools against the bridge's own frame handling, over a real pipe: the frame a
call writes, the answer the reader thread hands back, a ToolError, and cancellation waking a waiting call."""

import asyncio
import json
import threading
import time
import unittest

from bridge_support import FRAMES_FROM_BRIDGE, Pipe, dspex_bridge, strict_json

import dspex
from dspex import context, protocol

BOUND = 30.0  # generous: a waiting thread only ever wakes by an event


class ToolCallTests(unittest.TestCase):
    def setUp(self):
        self.out = Pipe()
        self.bridge = dspex_bridge.Bridge(None, dspex_bridge.FrameWriter(self.out.fd, 1 << 16), 1)
        self.ctx = context.RequestContext(41)

    def tearDown(self):
        context.set_current(None)
        self.out.close()

    def in_request(self, func):
        """Runs func on a thread as a command would run (with the request current); returns (thread, box)."""
        box = {}

        def run():
            context.set_current(self.ctx)
            try:
                box["result"] = func()
            except BaseException as exc:  # noqa: B036 - the test inspects what the command saw
                box["error"] = exc

        thread = threading.Thread(target=run, daemon=True)  # a call that is never answered must not hold the test run
        thread.start()
        return thread, box

    def next_frame(self):
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            frames = self.out.frames()
            if frames:
                self.assertEqual(1, len(frames))
                return strict_json(frames[0])
            time.sleep(0.005)  # polling a pipe the other thread writes; not synchronisation of an outcome
        self.fail("no frame written")

    def answer(self, frame, **fields):
        reply = {"id": frame["id"], "type": protocol.TOOL_RESULT, "tool_id": frame["tool_id"]}
        reply.update(fields)
        self.assertIsNone(self.bridge._handle(json.dumps(reply).encode("utf-8")))

    def test_a_call_writes_a_listed_frame_and_returns_the_answer(self):
        thread, box = self.in_request(lambda: dspex.call_tool("lookup", {"id": 7}))
        frame = self.next_frame()
        self.assertIn(frame["type"], FRAMES_FROM_BRIDGE)
        self.assertEqual((protocol.TOOL_CALL, 41, "lookup", {"id": 7}), (frame["type"], frame["id"], frame["tool"], frame["args"]))
        self.answer(frame, result={"name": "Ada"})
        thread.join(BOUND)
        self.assertEqual({"name": "Ada"}, box["result"])

    def test_an_error_answer_raises_tool_error_with_its_fields(self):
        thread, box = self.in_request(lambda: dspex.call_tool("lookup", None))
        frame = self.next_frame()
        self.assertEqual({}, frame["args"])
        self.answer(frame, error={"kind": "ToolFailed", "type": "KeyNotFoundException", "message": "no such id"})
        thread.join(BOUND)
        error = box["error"]
        self.assertIsInstance(error, dspex.ToolError)
        self.assertEqual(("ToolFailed", "KeyNotFoundException", "no such id"), (error.kind, error.type, error.message))

    def test_list_tools_writes_a_list_frame(self):
        thread, box = self.in_request(dspex.list_tools)
        frame = self.next_frame()
        self.assertEqual(protocol.LIST_TOOLS, frame["type"])
        self.answer(frame, result=[{"name": "lookup", "description": "d", "schema": {"type": "object"}}])
        thread.join(BOUND)
        self.assertEqual("lookup", box["result"][0]["name"])

    def test_cancelling_the_request_wakes_a_waiting_call(self):
        thread, box = self.in_request(lambda: dspex.call_tool("slow", {}))
        frame = self.next_frame()
        self.bridge._active[41] = self.ctx  # as _handle registers a call it reads
        self.assertIsNone(self.bridge._handle(json.dumps({"id": 41, "type": protocol.CANCEL}).encode("utf-8")))
        thread.join(BOUND)
        self.assertEqual(protocol.TOOL_CANCELLED, box["error"].kind)
        self.answer(frame, result=1)  # a late answer is dropped
        self.assertEqual([], self.out.frames())

    def test_args_that_are_not_json_fail_before_anything_is_written(self):
        thread, box = self.in_request(lambda: dspex.call_tool("lookup", {"x": float("nan")}))
        thread.join(BOUND)
        self.assertEqual(protocol.TOOL_INVALID_ARGUMENTS, box["error"].kind)
        self.assertEqual([], self.out.frames())

    def test_outside_a_request_a_call_is_refused(self):
        with self.assertRaises(RuntimeError):
            dspex.call_tool("lookup", {})

    def test_acall_tool_resolves_the_future_from_the_reader_thread(self):
        async def agent():
            return await dspex.acall_tool("lookup", {"id": 1})

        def run_loop():
            return asyncio.run(agent())

        thread, box = self.in_request(run_loop)
        frame = self.next_frame()
        self.answer(frame, result=5)
        thread.join(BOUND)
        self.assertEqual(5, box["result"])

    def test_an_unhandled_tool_error_fails_the_request_as_a_python_exception(self):
        def command(args):
            return dspex.call_tool("lookup", args)

        dspex.command("tool_test_command")(command)
        call = self.bridge._handle(json.dumps({"id": 9, "type": protocol.CALL, "cmd": "tool_test_command", "args": {}}).encode())
        thread = threading.Thread(target=self.bridge._run, args=call)
        thread.start()
        frame = self.next_frame()
        self.answer(frame, error={"kind": "UnknownTool", "type": "UnknownTool", "message": "no tool 'lookup'; you may call: a, b"})
        thread.join(BOUND)
        error = strict_json(self.out.frames()[0])
        self.assertEqual((protocol.ERROR, protocol.PYTHON_EXCEPTION, "ToolError"), (error["type"], error["error"]["kind"], error["error"]["type"]))
        self.assertIn("you may call: a, b", error["error"]["message"])

    def test_a_result_python_cannot_read_fails_that_call_as_result_not_serializable(self):
        # Issue 20: a tool answering a 5000-digit integer left call_tool waiting until its request's deadline.
        thread, box = self.in_request(lambda: dspex.call_tool("huge", {}))
        frame = self.next_frame()
        reply = '{"id":%d,"type":"%s","tool_id":%d,"result":%s}' % (frame["id"], protocol.TOOL_RESULT, frame["tool_id"], "7" * 5000)
        self.assertIsNone(self.bridge._handle(reply.encode("ascii")))
        thread.join(BOUND)
        self.assertFalse(thread.is_alive())
        error = box["error"]
        self.assertIsInstance(error, dspex.ToolError)
        self.assertEqual(protocol.TOOL_RESULT_NOT_SERIALIZABLE, error.kind)
        self.assertIn("4300", error.message)
        self.assertEqual([], self.out.frames())  # no protocol error: the stream is fine, only that value was not

    def test_a_task_calling_a_tool_after_its_request_was_answered_gets_a_runtime_error_and_writes_nothing(self):
        # Issue 20: such a call wrote a tool_call frame naming a request the silo had answered, which replaced the
        # worker with every other request on it.
        self.bridge._finished(self.ctx)  # the request was answered
        calls = []

        async def late_task():
            try:
                await dspex.acall_tool("lookup", {"id": 1})
            except RuntimeError as exc:
                calls.append(exc)

        thread, box = self.in_request(lambda: (asyncio.run(late_task()), dspex.call_tool("lookup", {}))[1])
        thread.join(BOUND)
        self.assertEqual(1, len(calls))
        self.assertIn("request 41 has already been answered", str(calls[0]))
        self.assertIsInstance(box["error"], RuntimeError)
        self.assertEqual([], self.out.frames())


if __name__ == "__main__":
    unittest.main()

"""The SDK for adapter authors: python -m dspex run/list/new, dspex.testing, the bridge's --list-commands mode, and the
package installing with pip into a fresh virtual environment. Real processes and real files; nothing mocked."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import unittest

from bridge_support import BRIDGE_DIR

import dspex
import dspex.testing
from dspex import protocol

BRIDGE = os.path.join(os.path.abspath(BRIDGE_DIR), "dspex_bridge.py")
BOUND = 120  # seconds: a bound on a child process, never a pacing


def write_module(folder, name, source):
    with open(os.path.join(folder, name + ".py"), "w", encoding="utf-8") as file:
        file.write(textwrap.dedent(source))


def python_m_dspex(args, cwd, extra_path=(), **kwargs):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.abspath(BRIDGE_DIR), *extra_path]))
    return subprocess.run([sys.executable, "-m", "dspex", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=BOUND, **kwargs)


class SdkTestCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="dspex-sdk-test-")
        sys.path.insert(0, self.folder)

    def tearDown(self):
        sys.path.remove(self.folder)
        shutil.rmtree(self.folder)


class TestingHelperTests(SdkTestCase):
    def setUp(self):
        super().setUp()
        write_module(self.folder, "sdk_helper_adapter", '''
            import asyncio
            import dspex

            @dspex.command("sdk.add")
            def add(args):
                if not isinstance(args, dict):
                    raise dspex.InvalidArguments("sdk.add needs an object")
                dspex.set_var("last", args["a"] + args["b"])
                dspex.delete_var("stale")
                return args["a"] + args["b"]

            @dspex.command("sdk.count")
            def count(args):
                for i in range(args["n"]):
                    yield i

            @dspex.command("sdk.async_double")
            async def async_double(args):
                await asyncio.sleep(0)
                return {"double": args * 2, "session": dspex.session_id()}

            @dspex.command("sdk.async_stream")
            async def async_stream(args):
                for i in range(3):
                    await asyncio.sleep(0)
                    yield {"i": i}

            @dspex.command("sdk.not_json")
            def not_json(args):
                return {"value": float("nan")}

            @dspex.command("sdk.big")
            def big(args):
                return "x" * args

            @dspex.command("sdk.fails")
            def fails(args):
                raise KeyError("missing")
        ''')
        dspex.testing.load("sdk_helper_adapter")

    def test_a_result_and_the_variables_it_changed(self):
        run = dspex.testing.run_command("sdk.add", {"a": 2, "b": 3}, vars={"stale": 1})
        self.assertTrue(run.ok)
        self.assertEqual(5, run.result)
        self.assertEqual({"last": 5}, run.set_vars)
        self.assertEqual(["stale"], run.deleted_vars)

    def test_streamed_items_then_a_null_result(self):
        run = dspex.testing.run_command("sdk.count", {"n": 4})
        self.assertEqual([0, 1, 2, 3], run.items)
        self.assertIsNone(run.result)

    def test_coroutine_and_async_generator_commands(self):
        run = dspex.testing.run_command("sdk.async_double", 21, vars={})
        self.assertEqual({"double": 42, "session": "local"}, run.result)
        self.assertEqual([{"i": 0}, {"i": 1}, {"i": 2}], dspex.testing.run_command("sdk.async_stream").items)

    def test_errors_carry_the_kinds_a_caller_of_the_cluster_gets(self):
        self.assertEqual(protocol.INVALID_ARGUMENTS, dspex.testing.run_command("sdk.add", [1]).error.kind)
        failed = dspex.testing.run_command("sdk.fails")
        self.assertEqual((protocol.PYTHON_EXCEPTION, "KeyError"), (failed.error.kind, failed.error.type))
        self.assertIn("in fails", failed.error.traceback)
        self.assertEqual(protocol.RESULT_NOT_SERIALIZABLE, dspex.testing.run_command("sdk.not_json").error.kind)
        self.assertEqual(protocol.FRAME_TOO_LARGE, dspex.testing.run_command("sdk.big", 5000, max_frame=1024).error.kind)
        self.assertEqual(protocol.UNKNOWN_COMMAND, dspex.testing.run_command("sdk.nothing_here").error.kind)

    def test_a_request_the_silo_would_refuse_is_refused_here(self):
        nested = 1
        for _ in range(protocol.MAX_JSON_DEPTH):
            nested = [nested]
        self.assertTrue(dspex.testing.run_command("echo", nested).ok)  # exactly the limit
        for bad_args in ([nested], {"text": "\ud800"}):
            with self.assertRaises(dspex.InvalidArguments):
                dspex.testing.run_command("echo", bad_args)
        with self.assertRaises(dspex.InvalidArguments):
            dspex.testing.run_command("echo with spaces")


class RunCommandLineTests(SdkTestCase):
    def test_items_are_json_lines_then_the_result_with_session_changes(self):
        write_module(self.folder, "sdk_cli_adapter", '''
            import dspex

            @dspex.command("cli.stream")
            def stream(args):
                dspex.set_var("seen", args["n"])
                for i in range(args["n"]):
                    yield {"i": i}
        ''')
        done = python_m_dspex(["run", "sdk_cli_adapter", "cli.stream", "--args", '{"n": 2}', "--vars", "{}"], self.folder)
        self.assertEqual(0, done.returncode, done.stderr)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        self.assertEqual([{"item": {"i": 0}}, {"item": {"i": 1}},
                          {"result": None, "session": {"set": {"seen": 2}, "deleted": []}}], lines)

    def test_bad_input_exits_2_and_a_failing_command_1(self):
        too_deep = "[" * (protocol.MAX_JSON_DEPTH + 1) + "]" * (protocol.MAX_JSON_DEPTH + 1)
        for args in (too_deep, '"\\ud800"', "{not json", "1 2"):
            done = python_m_dspex(["run", "-", "echo", "--args", args], self.folder)
            self.assertEqual(2, done.returncode, args)
            self.assertTrue(done.stderr.startswith("error: InvalidArguments:"), done.stderr)
        missing = python_m_dspex(["run", "no_such_adapter_module", "ping"], self.folder)
        self.assertEqual(2, missing.returncode)
        self.assertIn("No module named 'no_such_adapter_module'", missing.stderr)
        unknown = python_m_dspex(["run", "-", "nope"], self.folder)
        self.assertEqual(1, unknown.returncode)
        self.assertTrue(unknown.stderr.startswith("error: UnknownCommand:"), unknown.stderr)

    def test_ctrl_c_cancels_the_running_command(self):
        write_module(self.folder, "sdk_slow_adapter", '''
            import sys
            import threading
            import dspex

            @dspex.command("slow.wait")
            def wait(args):
                print("started", file=sys.stderr, flush=True)
                while not dspex.cancelled():
                    threading.Event().wait(0.01)
                print("saw the cancel", file=sys.stderr, flush=True)
                return "stopped"
        ''')
        env = dict(os.environ, PYTHONPATH=os.path.abspath(BRIDGE_DIR))
        process = subprocess.Popen([sys.executable, "-m", "dspex", "run", "sdk_slow_adapter", "slow.wait"], cwd=self.folder,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual("started\n", process.stderr.readline())  # waits for the command to run: no sleep
            process.send_signal(signal.SIGINT)
            _, rest = process.communicate(timeout=BOUND)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.assertEqual(130, process.returncode)
        self.assertIn("saw the cancel", rest)


class ListingTests(SdkTestCase):
    def bridge_list(self, *adapters):
        args = [sys.executable, BRIDGE, "--list-commands"]
        for adapter in adapters:
            args += ["--adapter", adapter]
        env = dict(os.environ, PYTHONPATH=self.folder)
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=BOUND)
        return done.returncode, json.loads(done.stdout)

    def test_commands_duplicates_and_thread_environment(self):
        write_module(self.folder, "dup_one", 'import dspex\n@dspex.command("shared")\ndef a(args): return 1\nprint("noise")\n')
        write_module(self.folder, "dup_two", 'import dspex\n@dspex.command("shared")\ndef b(args): return 2\n')
        code, listing = self.bridge_list("dup_one", "dup_two")
        self.assertEqual(0, code)
        self.assertEqual(["dup_one", "dup_two"], listing["adapters"])
        self.assertIn({"name": "shared", "origin": "dup_two.b"}, listing["commands"])
        self.assertEqual({"shared": ["dup_one.a", "dup_two.b"]}, listing["duplicates"])
        self.assertEqual(sys.version.split()[0], listing["python"])

    def test_an_adapter_that_does_not_import_is_reported_with_exit_code_2(self):
        write_module(self.folder, "broken_adapter", "import dspex\nraise RuntimeError('no model file')\n")
        code, listing = self.bridge_list("broken_adapter")
        self.assertEqual(protocol.EXIT_ADAPTER_IMPORT_FAILED, code)
        self.assertEqual(("broken_adapter", "RuntimeError", "no model file"),
                         (listing["error"]["module"], listing["error"]["type"], listing["error"]["message"]))
        self.assertIn("ping", [c["name"] for c in listing["commands"]])


class ScaffoldTests(SdkTestCase):
    def test_new_adapter_tests_pass_and_its_command_runs(self):
        made = python_m_dspex(["new", "weather"], self.folder)
        self.assertEqual(0, made.returncode, made.stderr)
        adapter_dir = os.path.join(self.folder, "weather")
        tests = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", adapter_dir], cwd=adapter_dir,
                               env=dict(os.environ, PYTHONPATH=os.path.abspath(BRIDGE_DIR)), capture_output=True, text=True, timeout=BOUND)
        self.assertEqual(0, tests.returncode, tests.stderr)
        self.assertIn("Ran 4 tests", tests.stderr)
        ran = python_m_dspex(["run", "weather", "weather.greet", "--args", '{"name": "Ada"}'], adapter_dir)
        self.assertEqual({"result": {"greeting": "Hello, Ada!"}}, json.loads(ran.stdout))
        again = python_m_dspex(["new", "weather"], self.folder)
        self.assertEqual(2, again.returncode)
        self.assertEqual(2, python_m_dspex(["new", "not-an-identifier"], self.folder).returncode)


class PipInstallTests(SdkTestCase):
    def test_the_package_installs_into_a_fresh_virtual_environment_offline(self):
        # Building a wheel offline needs setuptools and wheel (a fresh Python 3.11 venv brings setuptools only, and no
        # index is reachable to fetch wheel); the venv sees this interpreter's packages for that. Without them the SDK
        # is used through PYTHONPATH, which the other tests here cover (docs/writing-adapters.md says so).
        if subprocess.run([sys.executable, "-c", "import setuptools, wheel"], capture_output=True, timeout=BOUND).returncode != 0:
            # .ci/run sets DSPEX_REQUIRE_PIP_INSTALL under an interpreter that has them: there, missing is a failure.
            if os.environ.get("DSPEX_REQUIRE_PIP_INSTALL"):
                self.fail(f"{sys.executable} lacks setuptools or wheel, which .ci/run installs for this test")
            self.skipTest("setuptools and wheel are not both installed: pip cannot build the package offline here")
        source = os.path.join(self.folder, "src")
        shutil.copytree(os.path.abspath(BRIDGE_DIR), source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        venv = os.path.join(self.folder, "venv")
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True, timeout=BOUND, capture_output=True)
        python = os.path.join(venv, "bin", "python")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        installed = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-deps", source],
                                   env=env, capture_output=True, text=True, timeout=BOUND)
        self.assertEqual(0, installed.returncode, installed.stdout + installed.stderr)
        probe = subprocess.run([python, "-c", "import dspex, dspex.protocol, importlib.resources as r; "
                                "print(r.files('dspex').joinpath('py.typed').is_file(), dspex.protocol.VERSION, dspex.__file__)"],
                               cwd=self.folder, env=env, capture_output=True, text=True, timeout=BOUND)
        self.assertEqual(0, probe.returncode, probe.stderr)
        typed, version, location = probe.stdout.split()
        self.assertEqual(("True", str(protocol.VERSION)), (typed, version))
        self.assertTrue(location.startswith(venv), location)
        ran = subprocess.run([python, "-m", "dspex", "run", "-", "echo", "--args", '{"x": [1]}'], cwd=self.folder, env=env,
                             capture_output=True, text=True, timeout=BOUND)
        self.assertEqual({"result": {"x": [1]}}, json.loads(ran.stdout), ran.stderr)


if __name__ == "__main__":
    unittest.main()

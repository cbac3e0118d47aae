"""The SDK for adapter authors: python -m dspex run/list/new, dspex.testing, the bridge's --list-commands mode, and the
package installing with pip into a fresh virtual environment. Real processes and real files; nothing mocked."""

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import textwrap
import unittest

from bridge_support import BRIDGE_DIR

import dspex
import dspex.registry
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


class RunProgramTests(SdkTestCase):
    def setUp(self):
        super().setUp()
        write_module(self.folder, "sdk_program_adapter", '''
            import dspex

            @dspex.program_type("sdk.counter")
            class Counter:
                def __init__(self, spec):
                    self.step = spec.get("step", 1)
                    self.total = 0

                def __call__(self, args):
                    self.total += self.step
                    return {"total": self.total}

            @dspex.program_type("sdk.constant")
            class Constant:
                def __init__(self, spec):
                    self.value = spec["value"]

                def __call__(self, args):
                    return self.value
        ''')
        dspex.testing.load("sdk_program_adapter")

    def test_each_call_without_a_program_id_builds_its_program_afresh(self):
        self.assertEqual({"total": 2}, dspex.testing.run_program({"type": "sdk.counter", "step": 2}).result)
        self.assertEqual({"total": 2}, dspex.testing.run_program({"type": "sdk.counter", "step": 2}).result)
        self.assertEqual("b", dspex.testing.run_program({"type": "sdk.constant", "value": "b"}).result)
        unknown = dspex.testing.run_program({"type": "nope"})
        self.assertEqual(protocol.PYTHON_EXCEPTION, unknown.error.kind)
        self.assertIn("unknown program type 'nope'", unknown.error.message)

    def test_a_program_id_keeps_the_built_program_as_a_worker_does(self):
        spec = {"type": "sdk.counter", "step": 3}
        dspex.testing.run_program(spec, program_id="kept")
        self.assertEqual({"total": 6}, dspex.testing.run_program(spec, program_id="kept").result)
        self.assertEqual({"total": 3}, dspex.testing.run_program(spec, program_id="kept", revision=2).result)


class ToolStubTests(SdkTestCase):
    def setUp(self):
        super().setUp()
        write_module(self.folder, "sdk_tool_adapter", '''
            import dspex

            @dspex.command("sdk.forecast")
            def forecast(args):
                weather = dspex.call_tool("weather", {"city": args["city"]})
                return {"advice": "coat" if weather["temp"] < 5 else "shirt", "tools": dspex.list_tools()}

            @dspex.command("sdk.aforecast")
            async def aforecast(args):
                weather = await dspex.acall_tool("weather", {"city": args["city"]})
                return weather["temp"]

            @dspex.command("sdk.careful")
            def careful(args):
                try:
                    return dspex.call_tool(args["tool"], args.get("args"))
                except dspex.ToolError as exc:
                    return {"kind": exc.kind, "type": exc.type, "message": exc.message}
        ''')
        dspex.testing.load("sdk_tool_adapter")

    def test_a_command_that_calls_a_tool_runs_with_a_stub(self):
        seen = []

        def weather(args):
            """Current weather of a city."""
            seen.append(args)
            return {"temp": -3}

        run = dspex.testing.run_command("sdk.forecast", {"city": "Oslo"}, tools={"weather": weather})
        self.assertIsNone(run.error)
        self.assertEqual({"advice": "coat", "tools": [{"name": "weather", "description": "Current weather of a city.",
                                                       "schema": {"type": "object"}}]}, run.result)
        self.assertEqual([{"city": "Oslo"}], seen)

        async def async_weather(args):
            return {"temp": 21}

        self.assertEqual(21, dspex.testing.run_command("sdk.aforecast", {"city": "Rome"}, tools={"weather": async_weather}).result)
        self.assertEqual(7, dspex.testing.run_command("sdk.aforecast", {"city": "Rome"}, tools={"weather": lambda a: {"temp": 7}}).result)

    def test_tool_failures_reach_the_command_as_a_worker_gives_them(self):
        def failing(args):
            raise LookupError("no station")

        def refusing(args):
            raise dspex.ToolError("Forbidden", "UnauthorizedAccessException", "not for you")

        def careful(tool, stubs, args=None):
            return dspex.testing.run_command("sdk.careful", {"tool": tool, "args": args}, tools=stubs).result

        self.assertEqual({"kind": "ToolFailed", "type": "LookupError", "message": "no station"}, careful("w", {"w": failing}))
        self.assertEqual({"kind": "Forbidden", "type": "UnauthorizedAccessException", "message": "not for you"},
                         careful("w", {"w": refusing}))
        unknown = careful("radar", {"w": failing})
        self.assertEqual("UnknownTool", unknown["kind"])
        self.assertIn("'radar'", unknown["message"])
        self.assertEqual("ResultNotSerializable", careful("w", {"w": lambda a: {"t": float("nan")}})["kind"])
        self.assertEqual({"got": {"k": [1]}}, careful("w", {"w": lambda a: {"got": a}}, {"k": (1,)}))  # args as JSON sends them
        # Without stubs the call fails as an unknown tool would, naming how to stub it; it is no longer a RuntimeError.
        bare = dspex.testing.run_command("sdk.forecast", {"city": "Oslo"})
        self.assertEqual((protocol.PYTHON_EXCEPTION, "ToolError"), (bare.error.kind, bare.error.type))
        self.assertIn("tools={", bare.error.message)

    def test_the_command_line_stubs_a_tool_with_a_fixed_answer(self):
        shutil.copy(os.path.join(self.folder, "sdk_tool_adapter.py"), os.path.join(self.folder, "sdk_cli_tool_adapter.py"))
        done = python_m_dspex(["run", "sdk_cli_tool_adapter", "sdk.aforecast", "--args", '{"city": "Oslo"}',
                               "--tool", 'weather={"temp": 4}'], self.folder)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual({"result": 4}, json.loads(done.stdout))
        bad = python_m_dspex(["run", "sdk_cli_tool_adapter", "sdk.aforecast", "--tool", "weather"], self.folder)
        self.assertEqual(2, bad.returncode)
        self.assertIn("--tool 'weather' is not NAME=JSON", bad.stderr)


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
    def test_new_adapter_runs_and_tests_from_the_folder_it_was_made_in(self):
        made = python_m_dspex(["new", "weather"], self.folder)
        self.assertEqual(0, made.returncode, made.stderr)
        self.assertEqual({"weather.py", "test_weather.py"}, set(os.listdir(self.folder)) - {"__pycache__"})
        self.assertIn("next: python -m unittest test_weather && python -m dspex run weather weather.greet", made.stdout)
        # Where the scaffold was made, as its next-step line and docs/writing-adapters.md say: tests, run, and a listing.
        tests = subprocess.run([sys.executable, "-m", "unittest", "test_weather"], cwd=self.folder,
                               env=dict(os.environ, PYTHONPATH=os.path.abspath(BRIDGE_DIR)), capture_output=True, text=True, timeout=BOUND)
        self.assertEqual(0, tests.returncode, tests.stderr)
        self.assertIn("Ran 4 tests", tests.stderr)
        ran = python_m_dspex(["run", "weather", "weather.greet", "--args", '{"name": "Ada"}'], self.folder)
        self.assertEqual({"result": {"greeting": "Hello, Ada!"}}, json.loads(ran.stdout), ran.stderr)
        listed = python_m_dspex(["list", "weather"], self.folder)
        self.assertEqual([], json.loads(listed.stdout)["registers_nothing"])
        again = python_m_dspex(["new", "weather"], self.folder)
        self.assertEqual(2, again.returncode)
        self.assertIn("exists already", again.stderr)
        self.assertEqual(2, python_m_dspex(["new", "not-an-identifier"], self.folder).returncode)

    def test_dir_names_the_folder_and_the_next_step_goes_there(self):
        made = python_m_dspex(["new", "sentiment", "--dir", "adapters"], self.folder)
        self.assertEqual(0, made.returncode, made.stderr)
        self.assertIn("next: cd adapters && python -m unittest test_sentiment", made.stdout)
        ran = python_m_dspex(["run", "sentiment", "sentiment.greet", "--args", '{"name": "Ada"}'],
                             os.path.join(self.folder, "adapters"))
        self.assertEqual({"result": {"greeting": "Hello, Ada!"}}, json.loads(ran.stdout), ran.stderr)


class AdapterRegistersNothingTests(SdkTestCase):
    """A module that imports but registers no command and no program type: an error for `python -m dspex run` and for
    a worker (the bridge refuses to start, naming it), a finding in the listing doctor reads (a warning there)."""

    def setUp(self):
        super().setUp()
        # The trap of a folder named like its adapter: run from above it, `sentiment` is the folder, a namespace package.
        os.makedirs(os.path.join(self.folder, "sentiment"))
        write_module(os.path.join(self.folder, "sentiment"), "sentiment", '''
            import dspex

            @dspex.command("sentiment.greet")
            def greet(args):
                return "hi"
        ''')
        write_module(self.folder, "sdk_helpers_only", "def helper():\n    return 1\n")

    def test_run_is_an_error_naming_the_module_and_the_folder_trap(self):
        done = python_m_dspex(["run", "sentiment", "sentiment.greet"], self.folder)
        self.assertEqual(2, done.returncode, done.stdout)
        self.assertTrue(done.stderr.startswith("error: AdapterRegistersNothing: adapter module 'sentiment' registers no "
                                               "command or program type"), done.stderr)
        self.assertIn("empty namespace package", done.stderr)
        self.assertIn(os.path.join(self.folder, "sentiment", "sentiment.py"), done.stderr)
        helpers = python_m_dspex(["run", "sdk_helpers_only", "ping"], self.folder)
        self.assertEqual(2, helpers.returncode)
        self.assertIn("adapter module 'sdk_helpers_only'", helpers.stderr)
        # The way out the message names works.
        fixed = python_m_dspex(["run", "--path", os.path.join(self.folder, "sentiment"), "sentiment", "sentiment.greet"], self.folder)
        self.assertEqual({"result": "hi"}, json.loads(fixed.stdout), fixed.stderr)

    def test_list_is_an_error_like_run_and_still_prints_the_whole_listing(self):
        done = python_m_dspex(["list", "sentiment", "sdk_helpers_only", "dspex.examples"], self.folder)
        self.assertEqual(2, done.returncode, done.stderr)
        listing = json.loads(done.stdout)
        self.assertEqual(["sentiment", "sdk_helpers_only"], [e["module"] for e in listing["registers_nothing"]])
        self.assertIn("keyword_classifier", listing["program_types"])
        self.assertTrue(done.stderr.startswith("error: AdapterRegistersNothing: adapter module 'sentiment' registers no "
                                               "command or program type"), done.stderr)
        self.assertIn("adapter module 'sdk_helpers_only'", done.stderr)
        listed = python_m_dspex(["list", "dspex.examples"], self.folder)
        self.assertEqual(0, listed.returncode, listed.stderr)

    def test_the_listing_reports_it_and_still_lists_the_rest(self):
        done = subprocess.run([sys.executable, BRIDGE, "--list-commands", "--adapter", "sentiment", "--adapter", "sdk_helpers_only",
                               "--adapter", "dspex.examples"], env=dict(os.environ, PYTHONPATH=self.folder),
                              cwd=self.folder, capture_output=True, text=True, timeout=BOUND)
        self.assertEqual(0, done.returncode, done.stderr)
        listing = json.loads(done.stdout)
        self.assertIsNone(listing["error"])
        self.assertEqual(["sentiment", "sdk_helpers_only"], [e["module"] for e in listing["registers_nothing"]])
        self.assertIn("keyword_classifier", listing["program_types"])

    def test_a_worker_does_not_start_and_its_fatal_frame_names_the_module(self):
        process = subprocess.Popen([sys.executable, BRIDGE, "--dspex-marker", "test", "--parent-pid", str(os.getpid()),
                                    "--adapter", "dspex.examples", "--adapter", "sentiment"],
                                   env=dict(os.environ, PYTHONPATH=self.folder), cwd=self.folder,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, _ = process.communicate(timeout=BOUND)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.assertEqual(protocol.EXIT_ADAPTER_IMPORT_FAILED, process.returncode)
        (length,) = struct.unpack(">I", out[:4])
        frame = json.loads(out[4:4 + length])
        self.assertEqual(protocol.FATAL, frame["type"])
        self.assertTrue(frame["message"].startswith("adapter registers nothing: AdapterRegistersNothing: adapter module "
                                                    "'sentiment' registers no command or program type"), frame["message"])

    def test_load_adapters_raises_it_and_a_registering_module_passes_however_often_it_is_listed(self):
        with self.assertRaises(dspex.registry.AdapterRegistersNothing) as raised:
            dspex.load_adapters(["sdk_helpers_only"])
        self.assertEqual("sdk_helpers_only", raised.exception.module)
        self.assertEqual(["dspex.examples", "dspex.examples", "dspex.builtins"],
                         dspex.load_adapters(["dspex.examples", "dspex.examples", "dspex.builtins"]))


def source_files(root):
    """Every file below ``root`` except bytecode caches (which importing anything makes), as relative paths."""
    found = set()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        found.update(os.path.relpath(os.path.join(folder, name), root) for name in names)
    return found


def shipped_files(root):
    """The SDK's files as the hosting package ships them (python/ in DSPex.Orleans.Hosting): the files git tracks
    below grains/Python, which EndToEnd/PackageConsumptionTests holds equal to the package's python/ entries."""
    listed = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=root, capture_output=True, timeout=BOUND)
    if listed.returncode != 0:
        return None
    return sorted(name for name in listed.stdout.decode("utf-8").split("\0") if name)


INSTALL_BOUND = 900  # seconds: making a venv (ensurepip) and installing on a loaded 2-core machine; a hang guard


class PipInstallTests(SdkTestCase):
    """pip installs the SDK offline, with build isolation, into a fresh virtual environment that does not see this
    interpreter's packages: the in-tree build backend (dspex_build_backend.py) needs nothing from an index. Installed
    from the repository and from the files the hosting package ships, it leaves no build debris behind."""

    def test_the_package_installs_offline_into_a_fresh_venv_without_system_site_packages(self):
        source = os.path.abspath(BRIDGE_DIR)
        before = source_files(source)
        venv = os.path.join(self.folder, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=INSTALL_BOUND, capture_output=True)
        with open(os.path.join(venv, "pyvenv.cfg"), encoding="utf-8") as config:
            self.assertIn("include-system-site-packages = false", config.read())
        python = os.path.join(venv, "bin", "python")
        # Offline and isolated: no index, no user or site pip configuration, no PYTHONPATH reaching the SDK.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PIP_")}
        env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")

        def install(folder):
            done = subprocess.run([python, "-m", "pip", "install", "--no-index", "--force-reinstall", folder], env=env,
                                  capture_output=True, text=True, timeout=INSTALL_BOUND)
            self.assertEqual(0, done.returncode, done.stdout + done.stderr)
            self.assertNotIn("--no-build-isolation", done.stdout + done.stderr)
            self.check_installed(python, venv, env)

        install(source)  # pip install ./grains/Python, build isolation on (pip's default)
        self.assertEqual(set(), source_files(source) ^ before, "the install left files in (or took files from) the source tree")

        shipped = shipped_files(source)
        if shipped is None:
            self.skipTest("not a git checkout: the hosting package's file list (git ls-files) is not known here")
        package = os.path.join(self.folder, "package-python")
        for name in shipped:
            os.makedirs(os.path.dirname(os.path.join(package, name)), exist_ok=True)
            shutil.copyfile(os.path.join(source, name), os.path.join(package, name))
        install(package)
        self.assertEqual(set(shipped), source_files(package), "the install wrote into the package's folder")

    def check_installed(self, python, venv, env):
        probe = subprocess.run([python, "-c", "import dspex, dspex.protocol, dspex_bridge, importlib.resources as r; "
                                "print(r.files('dspex').joinpath('py.typed').is_file(), dspex.protocol.VERSION, dspex.__file__)"],
                               cwd=self.folder, env=env, capture_output=True, text=True, timeout=BOUND)
        self.assertEqual(0, probe.returncode, probe.stderr)
        typed, version, location = probe.stdout.split()
        self.assertEqual(("True", str(protocol.VERSION)), (typed, version))
        self.assertTrue(location.startswith(venv), location)
        helped = subprocess.run([python, "-m", "dspex", "--help"], cwd=self.folder, env=env, capture_output=True, text=True,
                                timeout=BOUND)
        self.assertEqual(0, helped.returncode, helped.stderr)
        self.assertIn("run", helped.stdout)
        ran = subprocess.run([python, "-m", "dspex", "run", "-", "echo", "--args", '{"x": [1]}'], cwd=self.folder, env=env,
                             capture_output=True, text=True, timeout=BOUND)
        self.assertEqual({"result": {"x": [1]}}, json.loads(ran.stdout), ran.stderr)


class BuildBackendTests(SdkTestCase):
    """dspex_build_backend.py, called as pip calls it: what the wheel holds, its RECORD, and pyproject.toml read the same
    way with and without tomllib (Python 3.10 has none)."""

    def setUp(self):
        super().setUp()
        import dspex_build_backend

        self.backend = dspex_build_backend

    def test_the_pyproject_subset_reader_agrees_with_tomllib(self):
        import tomllib

        with open(os.path.join(BRIDGE_DIR, "pyproject.toml"), "rb") as file:
            text = file.read().decode("utf-8")
        self.assertEqual(tomllib.loads(text), self.backend.parse_simple_toml(text))
        self.assertEqual([], tomllib.loads(text)["build-system"]["requires"])
        with self.assertRaises(ValueError):
            self.backend.parse_simple_toml("[project]\nversion = 1\n")  # not a form it reads: refused, not guessed

    def test_the_wheel_holds_the_package_the_bridge_and_a_record_that_matches(self):
        import base64
        import hashlib
        import zipfile

        self.assertEqual([], self.backend.get_requires_for_build_wheel())
        before = source_files(os.path.abspath(BRIDGE_DIR))
        name = self.backend.build_wheel(self.folder)
        self.assertEqual(before, source_files(os.path.abspath(BRIDGE_DIR)))
        self.assertEqual("dspex-0.1.0-py3-none-any.whl", name)
        with zipfile.ZipFile(os.path.join(self.folder, name)) as wheel:
            names = set(wheel.namelist())
            expected = {"dspex_bridge.py", "dspex/py.typed", "dspex/protocol.json"} | {
                "dspex/" + f for f in os.listdir(os.path.join(BRIDGE_DIR, "dspex")) if f.endswith(".py")}
            info = {"dspex-0.1.0.dist-info/" + f for f in ("METADATA", "WHEEL", "RECORD", "top_level.txt")}
            self.assertEqual(expected | info, names)
            record = wheel.read("dspex-0.1.0.dist-info/RECORD").decode("utf-8").splitlines()
            self.assertEqual(len(names), len(record))
            for line in record:
                path, digest, size = line.rsplit(",", 2)
                if path.endswith("/RECORD"):
                    self.assertEqual(("", ""), (digest, size))
                    continue
                data = wheel.read(path)
                expected_digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                self.assertEqual(("sha256=" + expected_digest, str(len(data))), (digest, size), path)
            metadata = wheel.read("dspex-0.1.0.dist-info/METADATA").decode("utf-8")
            self.assertIn("Name: dspex\nVersion: 0.1.0\n", metadata)
            self.assertIn("Requires-Python: >=3.10", metadata)


if __name__ == "__main__":
    unittest.main()

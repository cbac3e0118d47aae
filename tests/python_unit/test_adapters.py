"""Adapters and the serving loop: example program types only where configured, the registry reached through its
public functions, and a serving thread that cannot die quietly."""

import contextlib
import io
import os
import subprocess
import sys
import unittest

from bridge_support import BRIDGE_DIR, dspex_bridge

from dspex import protocol, registry


class ExampleAdapterTests(unittest.TestCase):
    def run_python(self, code):
        """A fresh interpreter: the registries are per process, and other tests here load the examples."""
        done = subprocess.run([sys.executable, "-c", code], cwd=os.path.abspath(BRIDGE_DIR), capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(0, done.returncode, done.stderr)
        return done.stdout.split()

    def test_a_worker_without_the_examples_adapter_has_no_example_program_types(self):
        types = self.run_python("import dspex, dspex.builtins, dspex.programs as p; print(' '.join(p.program_types()) or '-')")
        self.assertEqual(["-"], types)

    def test_configuring_dspex_examples_registers_the_example_program_types(self):
        types = self.run_python("import dspex, dspex.builtins, dspex.programs as p\n"
                                "assert dspex.load_adapters(['dspex.examples']) == ['dspex.examples']\n"
                                "print(' '.join(p.program_types()))")
        self.assertEqual(["keyword_classifier", "template"], types)


class RegistryTests(unittest.TestCase):
    def test_find_and_names_see_what_the_decorator_registered(self):
        @registry.command("adapters_test_command")
        def adapters_test_command(args):
            return args

        self.assertIs(adapters_test_command, registry.find("adapters_test_command"))
        self.assertIsNone(registry.find("adapters_test_no_such_command"))
        self.assertIn("adapters_test_command", registry.names())
        self.assertEqual(sorted(registry.names()), registry.names())

    def test_the_bridge_does_not_reach_into_the_registrys_private_fields(self):
        import inspect
        self.assertNotIn("._commands", inspect.getsource(dspex_bridge))
        self.assertNotIn("._types", inspect.getsource(dspex_bridge))


class Exited(BaseException):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


class FailingReader:
    def __init__(self, failure):
        self.failure = failure

    def read(self):
        if self.failure is None:
            return None
        raise self.failure


class ServingGuardTests(unittest.TestCase):
    """What escapes a serving thread ends the worker with an exit code that says why, so the silo replaces it."""

    def setUp(self):
        self._exit = dspex_bridge.exit_with_group
        self.codes = []

        def recorded(code):
            # The real one never returns; the first code is the one the worker would have exited with.
            self.codes.append(code)
            raise Exited(code)

        dspex_bridge.exit_with_group = recorded

    def tearDown(self):
        dspex_bridge.exit_with_group = self._exit

    def serve(self, failure):
        bridge = dspex_bridge.Bridge(FailingReader(failure), None, 1)
        self.stderr = io.StringIO()
        with self.assertRaises(Exited), contextlib.redirect_stderr(self.stderr):
            bridge._serve()
        self.assertFalse(bridge._reader_role.locked(), "the reader role was not passed on")
        return self.codes[0]

    def test_a_bug_in_the_bridge_ends_the_worker_as_bridge_failed(self):
        self.assertEqual(protocol.EXIT_BRIDGE_FAILED, self.serve(RuntimeError("a bug")))
        self.assertIn("serving thread", self.stderr.getvalue())
        self.assertIn("RuntimeError: a bug", self.stderr.getvalue())  # the traceback reaches the silo's log

    def test_an_interrupt_ends_the_worker_as_bridge_failed(self):
        self.assertEqual(protocol.EXIT_BRIDGE_FAILED, self.serve(KeyboardInterrupt()))

    def test_a_broken_pipe_ends_the_worker_as_silo_pipe_gone(self):
        self.assertEqual(protocol.EXIT_SILO_PIPE_GONE, self.serve(BrokenPipeError()))

    def test_the_end_of_input_ends_the_worker_as_stopped(self):
        self.assertEqual(protocol.EXIT_STOPPED, self.serve(None))


if __name__ == "__main__":
    unittest.main()

"""The bridge leads its own session before it imports its own package (issue 24, the concurrent warm-up): where the
kernel shares CPU time out by session (Linux autogroup), everything after setsid() runs on the worker's own share, so
the workers of a pool started at once start in parallel instead of splitting their silo's share."""

import os
import select
import struct
import subprocess
import sys
import tempfile
import unittest

from bridge_support import BRIDGE_DIR

BOUND = 60  # seconds: an upper bound for "it did not hang", not a timing threshold

# Loaded by Python before the bridge's first line (site): records, when the bridge's own package is first imported,
# whether the process leads its own session by then.
RECORDER = """
import os, sys
_path = os.environ["DSPEX_TEST_SESSION_RECORD"]
def _hook(event, args):
    if event == "import" and args[0] == "dspex" and not os.path.exists(_path):
        with open(_path, "w") as f:
            f.write("leader" if os.getsid(0) == os.getpid() else "follower")
sys.addaudithook(_hook)
"""


class StartSessionTests(unittest.TestCase):
    def test_the_bridge_leads_its_own_session_before_importing_its_package(self):
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "sitecustomize.py"), "w") as f:
                f.write(RECORDER)
            record = os.path.join(folder, "session")
            env = dict(os.environ, PYTHONPATH=folder, DSPEX_TEST_SESSION_RECORD=record)
            command = [sys.executable, os.path.join(BRIDGE_DIR, "dspex_bridge.py"), "--dspex-marker", "start-session-test",
                       "--parent-pid", str(os.getpid())]
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            try:
                ready = read_frame(process.stdout.fileno())
                self.assertIn(b'"ready"', ready)
                with open(record) as f:
                    self.assertEqual("leader", f.read())
                # And the ready frame's group is its own, as the silo checks.
                self.assertEqual(os.getpgid(process.pid), process.pid)
            finally:
                process.stdin.close()
                try:
                    process.wait(BOUND)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(BOUND)
                process.stdout.close()


def read_frame(fd):
    """One length-prefixed frame from the bridge's protocol pipe; fails when none comes within the bound."""
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack(">I", data[:4])[0]:
        if not select.select([fd], [], [], BOUND)[0]:
            raise AssertionError("the bridge wrote no frame within %s s" % BOUND)
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            raise AssertionError("the bridge closed its frames pipe before its ready frame")
        data += chunk
    return data[4:4 + struct.unpack(">I", data[:4])[0]]


if __name__ == "__main__":
    unittest.main()

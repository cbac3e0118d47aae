"""The silo's death watch as a real process: registered workers (and their groups) die at EOF, nothing else does."""

import os
import subprocess
import sys
import time
import unittest

DEATHWATCH = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grains", "Python", "dspex", "deathwatch.py"))
BOUND = 30.0  # a hang guard, not a timing assertion


def start_time(pid):
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    return int(text[text.rfind(")") + 2:].split()[19])


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            text = f.read()
    except OSError:
        return False
    return text[text.rfind(")") + 2] not in "ZX"


def wait_gone(processes):
    deadline = time.monotonic() + BOUND
    for process in processes:
        process.wait(timeout=max(0.1, deadline - time.monotonic()))


class DeathWatchTests(unittest.TestCase):
    def setUp(self):
        self.started = []

    def tearDown(self):
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    stream.close()

    def spawn(self, code, new_group):
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=new_group)
        self.started.append(process)
        return process

    def watch(self):
        watch = subprocess.Popen([sys.executable, "-I", "-S", DEATHWATCH], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self.started.append(watch)
        return watch

    def test_registered_worker_and_its_group_are_killed_at_eof_and_others_are_not(self):
        # A "worker" leading its own group, with a child in it that reports its pid.
        worker = self.spawn("import subprocess, sys, time\n"
                            "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
                            "print(c.pid, flush=True)\n"
                            "time.sleep(600)", new_group=True)
        child = int(worker.stdout.readline())
        bystander = self.spawn("import time; time.sleep(600)", new_group=True)
        forgotten = self.spawn("import time; time.sleep(600)", new_group=True)
        watch = self.watch()
        lines = ["+ %d %d" % (worker.pid, start_time(worker.pid)),
                 "+ %d %d" % (forgotten.pid, start_time(forgotten.pid)),
                 "- %d %d" % (forgotten.pid, start_time(forgotten.pid)),
                 "- %d %d" % (worker.pid, start_time(worker.pid) + 1),  # an earlier process given the same pid: not this one
                 "garbage that is not a line the silo writes",
                 "+ %d %d" % (bystander.pid, start_time(bystander.pid) + 1)]  # not the process it names any more
        watch.stdin.write(("\n".join(lines) + "\n").encode())
        watch.stdin.flush()
        watch.stdin.close()  # what the kernel does when the silo dies
        self.assertEqual(0, watch.wait(timeout=BOUND))
        wait_gone([worker])
        deadline = time.monotonic() + BOUND
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertFalse(alive(child), "the worker's child (in its group) survived")
        self.assertIsNone(bystander.poll(), "a process whose start time did not match was killed")
        self.assertIsNone(forgotten.poll(), "a worker the silo unregistered was killed")
        self.assertIn(b"killed 1 worker", watch.stderr.read())

    def test_a_worker_in_the_watchers_group_is_killed_alone_never_the_group(self):
        # Not a group leader (it shares this test's group): only the pid may be signalled, never the group.
        worker = self.spawn("import time; time.sleep(600)", new_group=False)
        watch = self.watch()
        watch.stdin.write(("+ %d %d\n" % (worker.pid, start_time(worker.pid))).encode())
        watch.stdin.close()
        self.assertEqual(0, watch.wait(timeout=BOUND))
        wait_gone([worker])
        self.assertEqual(-9, worker.returncode)


if __name__ == "__main__":
    unittest.main()

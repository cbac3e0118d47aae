"""dspex.worker_cgroup: where a worker's cgroup goes, and that joining is best effort (never raises)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grains", "Python"))

from dspex import worker_cgroup  # noqa: E402


class WorkerCgroupTests(unittest.TestCase):
    def test_the_cgroup2_mount_is_found_among_v1_mounts(self):
        info = ("31 30 0:27 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
                "36 30 0:30 / /sys/fs/cgroup/unified rw,relatime shared:14 - cgroup2 cgroup2 rw\n")
        self.assertEqual(("/sys/fs/cgroup/unified", "/"), worker_cgroup.cgroup2_mount(info))
        self.assertIsNone(worker_cgroup.cgroup2_mount("31 30 0:27 / /x rw - cgroup cgroup rw\n"))
        self.assertEqual(("/mnt/my cg", "/"), worker_cgroup.cgroup2_mount("36 30 0:30 / /mnt/my\\040cg rw - cgroup2 none rw\n"))

    def test_paths_resolve_like_the_silo(self):
        self.assertEqual("/sys/fs/cgroup/a/b", worker_cgroup.resolve("/sys/fs/cgroup", "/", "/a/b"))
        self.assertEqual("/sys/fs/cgroup/b", worker_cgroup.resolve("/sys/fs/cgroup", "/a", "/a/b"))
        self.assertEqual("/sys/fs/cgroup", worker_cgroup.resolve("/sys/fs/cgroup", "/", "/"))
        self.assertIsNone(worker_cgroup.resolve("/sys/fs/cgroup", "/a", "/ab"))
        self.assertIsNone(worker_cgroup.resolve("/sys/fs/cgroup", "/", "/a/../b"))
        self.assertEqual("/k/c", worker_cgroup.unified_path("4:memory:/x\n0::/k/c\n"))

    def test_a_marker_without_a_token_or_a_silo_without_a_cgroup_joins_nothing(self):
        self.assertIsNone(worker_cgroup.join("dspex:v1;cluster=c;silo=s;worker=w"))
        self.assertIsNone(worker_cgroup.join("dspex:v1;cluster=c;silo=s;worker=w;token=../../etc"))
        # A token no silo made a cgroup for: nothing is created, and nothing raises.
        self.assertIsNone(worker_cgroup.join("dspex:v1;cluster=c;silo=s;worker=w;token=" + "0" * 32))


if __name__ == "__main__":
    unittest.main()

"""Moves a starting worker into a cgroup (v2) of its own, so that everything its code starts can be ended with it.

The silo creates ``dspex-TOKEN`` below its own cgroup (TOKEN: the instance token in the worker's marker). Before it
imports any adapter, the bridge creates ``wPID-STARTTIME`` inside it and writes itself to its ``cgroup.procs``. Every
process forked below the bridge from then on is in that cgroup, whatever it does afterwards (setsid, exec with an empty
environment, fork without exec): the silo ends what is left there when the worker ends (ProcessSafety/WorkerCgroups.cs).

Best effort: where the silo made no such cgroup (cgroups off, or not writable) this does nothing and the worker runs
where it was started. Standard library only; nothing here may raise.
"""

from __future__ import annotations

import os
import re
import stat

TOKEN = re.compile(r"(?:^|;)token=([0-9a-f]{32})(?:;|$)")


def unified_path(proc_cgroup: str) -> str | None:
    """The cgroup2 path ("0::PATH") of a /proc/PID/cgroup text."""
    for line in proc_cgroup.splitlines():
        if line.startswith("0::") and len(line) > 3:
            return line[3:]
    return None


def cgroup2_mount(mountinfo: str) -> tuple[str, str] | None:
    """(mount point, root) of the first cgroup2 mount in a /proc/PID/mountinfo text."""
    for line in mountinfo.splitlines():
        head, sep, tail = line.partition(" - ")
        fields = head.split(" ")
        if sep and tail.split(" ")[0] == "cgroup2" and len(fields) >= 5:
            return unescape(fields[4]), unescape(fields[3])
    return None


def unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def resolve(mount: str, root: str, path: str) -> str | None:
    """The directory of cgroup ``path`` under a cgroup2 mount of ``root``; None when it lies outside."""
    if "/../" in path or path.endswith("/..") or path.endswith(" (deleted)"):
        return None
    if root == "/":
        relative = path
    elif path == root or path.startswith(root + "/"):
        relative = path[len(root):]
    else:
        return None
    return mount if relative in ("", "/") else mount.rstrip("/") + relative


def own_start_time() -> int:
    with open("/proc/self/stat", "rb") as f:
        text = f.read().decode("ascii", "replace")
    return int(text[text.rfind(")") + 2:].split()[19])


def join(marker: str) -> str | None:
    """Moves this process into its own cgroup below the silo's; returns its directory, or None (with the reason on stderr)."""
    match = TOKEN.search(marker)
    if match is None:
        return None
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            mount = cgroup2_mount(f.read())
        with open("/proc/self/cgroup", encoding="utf-8", errors="replace") as f:
            path = unified_path(f.read())
        own = resolve(mount[0], mount[1], path) if mount and path else None
        if own is None:
            return None
        silo = os.path.join(own, "dspex-" + match.group(1))
        try:
            info = os.lstat(silo)
        except FileNotFoundError:
            return None  # the silo confines no worker (cgroups off or not writable): nothing to join
        # The silo made it, as this user: never a directory someone else placed there.
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return None
        mine = os.path.join(silo, "w%d-%d" % (os.getpid(), own_start_time()))
        os.mkdir(mine)
        with open(os.path.join(mine, "cgroup.procs"), "w") as f:
            f.write("0")
        return mine
    except Exception as exc:  # best effort: the worker runs unconfined, and says why
        try:
            os.write(2, ("dspex: worker not confined to a cgroup: %s: %s\n" % (type(exc).__name__, exc)).encode("utf-8", "replace"))
        except OSError:
            pass
        return None

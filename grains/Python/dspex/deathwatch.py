"""The silo's death watch: one small process per silo that ends the silo's workers when the silo dies.

A worker cannot be trusted to notice its silo's death by itself: its stdin reader and watchdog are Python threads,
and a command stuck in C code holding the GIL stops them all. This process runs no user code, so it is never stuck:
it blocks reading its stdin, a pipe whose only writer is the silo. The kernel closes that pipe when the silo dies,
however it dies (SIGKILL, OOM killer, a crash), and the EOF wakes this process, which SIGKILLs every worker the
silo registered (with its process group, when the worker leads it) and exits.

Run as a file by path (``python -I -S deathwatch.py``): it imports only the standard library, never the dspex
package. Lines on stdin, written by the silo:

    + PID STARTTIME    watch this worker (STARTTIME: field 22 of /proc/PID/stat, as the silo read it)
    - PID STARTTIME    that worker has exited: forget it (the start time tells it from a later process given its pid)

Only a registered pid is ever signalled, and only while it is still the process the silo registered: a pidfd
opened at registration (Linux >= 5.3) pins it, otherwise the start time is checked again just before the kill.
Its group is signalled only when /proc shows the process leads it (pgid == pid), so never the silo's own group.
A clean stop unregisters every worker before it closes the pipe, so the EOF then kills nothing.
"""

from __future__ import annotations

import functools
import os
import select
import signal
import sys
from typing import Callable

EXIT_OK = 0


def read_stat(pid: int) -> tuple[int, int] | None:
    """(pgid, start time) from /proc/PID/stat, or None when the process is gone or a zombie."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    # fields[0] is field 3 (state), so field N is fields[N - 3].
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return int(fields[2]), int(fields[19])


def open_pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def pidfd_exited(pidfd: int) -> bool:
    """A pidfd polls readable once its process has exited."""
    readable, _, _ = select.select([pidfd], [], [], 0)
    return bool(readable)


class Watched:
    def __init__(self, pid: int, start_time: int, pidfd: int | None) -> None:
        self.pid = pid
        self.start_time = start_time
        self.pidfd = pidfd

    def close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None

    def kill(self) -> bool:
        """SIGKILL to the registered process and the group it leads; False when it is no longer that process."""
        if self.pidfd is not None and pidfd_exited(self.pidfd):
            return False
        stat = read_stat(self.pid)
        if stat is None or stat[1] != self.start_time:
            return False
        killed = False
        if stat[0] == self.pid:
            # It leads its group and lives (it was checked just now), so the group id is its own: every member is in
            # its session, spawned by the worker's code. One kill reaches them all at once.
            killed = quietly(lambda: os.killpg(self.pid, signal.SIGKILL))
        pidfd = self.pidfd
        if pidfd is not None:
            killed = quietly(functools.partial(signal.pidfd_send_signal, pidfd, signal.SIGKILL)) or killed
        elif not killed:
            killed = quietly(lambda: os.kill(self.pid, signal.SIGKILL))
        return killed


def quietly(send: Callable[[], object]) -> bool:
    """True when the signal was sent; a process that is already gone is no error."""
    try:
        send()
        return True
    except ProcessLookupError:
        return False


class DeathWatch:
    def __init__(self) -> None:
        self.watched: dict[int, Watched] = {}

    def handle(self, line: str) -> None:
        parts = line.split()
        if len(parts) == 3 and parts[0] == "+" and parts[1].isdigit() and parts[2].isdigit():
            pid, start_time = int(parts[1]), int(parts[2])
            if pid <= 1:
                return
            self.forget(pid)
            pidfd = open_pidfd(pid)
            stat = read_stat(pid)
            # Checked after the pidfd is open: if it is still the registered process now, the pidfd is its own.
            if stat is None or stat[1] != start_time:
                if pidfd is not None:
                    os.close(pidfd)
                return
            self.watched[pid] = Watched(pid, start_time, pidfd)
        elif len(parts) == 3 and parts[0] == "-" and parts[1].isdigit() and parts[2].isdigit():
            watched = self.watched.get(int(parts[1]))
            if watched is not None and watched.start_time == int(parts[2]):
                self.forget(watched.pid)
        # Anything else is ignored: the silo is the only writer, and a malformed line must not end the watch.

    def forget(self, pid: int) -> None:
        old = self.watched.pop(pid, None)
        if old is not None:
            old.close()

    def silo_gone(self) -> int:
        killed = sum(1 for watched in self.watched.values() if watched.kill())
        for watched in self.watched.values():
            watched.close()
        self.watched.clear()
        return killed


def serve(fd: int, watch: DeathWatch) -> None:
    """Reads registrations until EOF (the silo is gone, or closed the pipe at its stop)."""
    pending = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except InterruptedError:
            continue
        except OSError:
            return
        if not chunk:
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            watch.handle(line.decode("ascii", "replace"))
        if len(pending) > 4096:
            pending = b""  # not a line the silo writes


def main() -> None:
    try:
        os.setsid()  # out of the silo's group: a signal to that group (a terminal's Ctrl-C) must not end the watch first
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch = DeathWatch()
    serve(0, watch)
    killed = watch.silo_gone()
    if killed:
        sys.stderr.write("dspex death watch: silo gone; killed %d worker(s)\n" % killed)
    os._exit(EXIT_OK)


if __name__ == "__main__":
    main()

"""One run at a time: an exclusive lock on a file, held while the run goes.

`hold(path, what)` takes an flock on `path` (made if missing) without
waiting, and writes into it who holds it: pid, start time, command. The
kernel drops the lock when the process ends in any way, SIGKILL included,
so a killed run never leaves a stale lock. Another holder, in another
process or another crawl of this one (an flock belongs to its open file, not
to the process), makes `hold` raise Busy, whose message is one line naming
it. The file stays between runs: deleting it while another process waits on
it would let two runs hold "the" lock.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path


class Busy(Exception):
    """The lock is held by another run; str() names it in one line."""


class Held:
    """A lock this process holds, until release() or its end."""

    def __init__(self, path: Path, fd: int):
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the file drops its flock
            self._fd = -1


def hold(path: Path, what: str) -> Held:
    """Lock `path` for this run, or raise Busy: "`what` is in use by ..."."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 4096).decode("utf-8", "replace").strip() or "a run starting this very moment"
        os.close(fd)
        by = "another crawl of this process" if holder.startswith(f"pid {os.getpid()},") else "another run"
        raise Busy(f"{what} is in use by {by}: {holder}") from None
    except BaseException:
        os.close(fd)
        raise
    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()}, started {started}, command: {shlex.join(_command())}\n".encode())
    return Held(path, fd)


def _command() -> list[str]:
    """This process's command line as started: Scrapy takes the command's
    name (crawl, crawlall) out of sys.argv."""
    try:
        return [a.decode("utf-8", "replace") for a in Path("/proc/self/cmdline").read_bytes().split(b"\0")[:-1]]
    except OSError:  # no /proc: what is left
        return sys.argv


def try_hold_open_file(file) -> bool:
    """Lock an open file itself (no holder written into it), without waiting:
    False when another open file holds it."""
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True

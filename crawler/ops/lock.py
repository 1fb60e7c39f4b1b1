"""One run at a time: an exclusive flock on a file, held while the run goes.

`hold(file, what)` takes an flock on `file` (made if missing) without
waiting, and writes into it who holds it: pid, start time, command.
`hold_lock(path, what)` does so on the lock file beside a file or in a
folder (`<path>.lock`, `<path>/.lock`): the crawl state's. The kernel drops
the lock when the process ends in any way, SIGKILL included, so a killed
run never leaves a stale lock. Another holder, in another process or another
crawl of this one (an flock belongs to its open file, not to the process),
makes them raise LockHeld, whose message is one line naming it. The file
stays between runs: deleting it while another process waits on it would let
two runs hold "the" lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path


class LockHeld(Exception):
    """The lock is held by another run; str() names it in one line."""


class Lock:
    """A lock this process holds, until release() or its end."""

    def __init__(self, fd: int, path: Path):
        self.fd, self.path = fd, path

    def release(self) -> None:
        if self.fd < 0:
            return
        os.ftruncate(self.fd, 0)  # a lock file says who holds it only while held
        os.close(self.fd)  # closing the file drops its flock
        self.fd = -1


def lock_file_of(path: str | Path) -> Path:
    path = Path(path)
    return path / ".lock" if path.is_dir() else path.with_name(path.name + ".lock")


def hold_lock(path: str | Path, what: str) -> Lock:
    """The lock of `path` (its lock file), or LockHeld: "`what` `path` is in use by ..."."""
    return hold(lock_file_of(path), f"{what} {path}")


def hold(file: Path, what: str) -> Lock:
    """Lock `file` for this run, or raise LockHeld: "`what` is in use by ..."."""
    file.parent.mkdir(parents=True, exist_ok=True)
    # Not inherited by the processes the run starts (O_CLOEXEC): a child outliving it would keep the lock.
    fd = os.open(file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid, holder = _holder(fd)
        os.close(fd)
        by = "another crawl of this process" if pid == os.getpid() else "another run"
        raise LockHeld(f"{what} is in use by {by}: {holder}") from None
    except BaseException:
        os.close(fd)
        raise
    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps({"pid": os.getpid(), "started": started, "command": _command()}) + "\n").encode(), 0)
    return Lock(fd, file)


def _command() -> str:
    """This process's command line as started, the interpreter's and
    script's paths cut to their names (`python3 scrapy crawl ...`); not
    sys.argv, which Scrapy takes the command's name out of."""
    return shlex.join([Path(a).name if i < 2 else a for i, a in enumerate(sys.orig_argv)])


def _holder(fd: int) -> tuple[int | None, str]:
    try:
        holder = json.loads(os.pread(fd, 65536, 0))
        return holder["pid"], f"pid {holder['pid']}, started {holder['started']}, command: {holder['command']}"
    except (ValueError, KeyError, TypeError):
        return None, "a run starting this very moment"  # between its flock and its write


def try_hold_open_file(file) -> bool:
    """Lock an open file itself (no holder written into it), without waiting:
    False when another open file holds it."""
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True

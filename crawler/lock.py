"""One run at a time on a file or folder: an exclusive flock held for the run.

`hold_lock(path, what)` locks `<path>.lock` (`<path>/.lock` for a folder)
without waiting, and writes the holder's pid, start time and command line
into it; a second run is refused at once with a LockHeld naming the holder.
The kernel lets the lock go when the holder exits, however it ends (even
SIGKILL), so a killed run leaves no stale lock: the file stays, unlocked,
and only says who held it last.
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
    """Another live process holds the lock; the message names it, in one line."""


class Lock:
    def __init__(self, fd: int, path: Path):
        self.fd = fd
        self.path = path

    def release(self) -> None:
        if self.fd < 0:
            return
        os.ftruncate(self.fd, 0)  # a lock file says who holds it only while held
        os.close(self.fd)  # closing the only descriptor lets the flock go
        self.fd = -1


def lock_file_of(path: str | Path) -> Path:
    path = Path(path)
    return path / ".lock" if path.is_dir() else path.with_name(path.name + ".lock")


def hold_lock(path: str | Path, what: str) -> Lock:
    """The lock on `path`, or LockHeld naming the run that has it. `what`
    names the thing locked in the message ("crawl state")."""
    file = lock_file_of(path)
    # Not inherited by the processes the run starts (O_CLOEXEC): a worker outliving it would keep the lock.
    fd = os.open(file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise LockHeld(f"{what} {path} is in use by another run ({holder}); this run is refused and changed nothing") from None
    except BaseException:
        os.close(fd)
        raise
    started = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps({"pid": os.getpid(), "started": started, "command": _command()}) + "\n").encode(), 0)
    return Lock(fd, file)


def _command() -> str:
    """The process's command line, the interpreter's and script's paths cut
    to their names (`python3 scrapy crawl ...`). Not sys.argv, which Scrapy
    takes the command's name out of."""
    return shlex.join([Path(a).name if i < 2 else a for i, a in enumerate(sys.orig_argv)])


def _holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 65536, 0))
        return f"pid {holder['pid']}, started {holder['started']}: {holder['command']}"
    except (ValueError, KeyError, TypeError):
        return "it has not said which yet"  # between its flock and its write

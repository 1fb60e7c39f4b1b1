"""Export files that are complete when they look complete, and whose lines
are on disk before an article counts as exported.

While a run goes, lines go to `<name>.part`, each written with one system
call; with CRAWLER_FSYNC (on by default) the lines written within
SYNC_DELAY seconds (at most SYNC_LINES of them) are flushed to disk by one
fsync and only then reported as written, so the crawl state records them
with one commit (a group commit: two fsyncs per group instead of two per
article; CRAWLER_GROUP_COMMIT off, as in distributed mode, syncs and reports
each line alone); on close the file is renamed to its final name, compressed
first when that name ends in `.gz`. Appending (`-o`) to a finished file
continues it: a plain one is renamed to `.part` and written on; a `.gz` one
stays as it is and gets the run's lines as one more gzip member at close
(crawler.export.partfiles.finish), so no run unpacks it and a run with nothing
new leaves it untouched.
A `.part` file left by a killed run is finished by the next run of the same
spider: its whole lines are kept, a half-written last line is cut
(crawler.export.ledger), and it is renamed like any other. A `.part` being written
is flocked by its writer (crawler.ops.lock), so no other run or crawl takes it
for a killed run's, and no other storage writes into it.

A write that fails (a full disk, a size limit) is cut back to the end of the
last whole line at once, and the file takes no more lines: it stays `.part`,
for the next run to recover, and the run fails (crawler.export.ledger). No file gets
its final name ending in a half-written line.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.asyncio import call_later

from crawler.export.ledger import ExportLedger
from crawler.export.partfiles import finish, part_path_of
from crawler.ops.lock import LockHeld, try_hold_open_file

logger = logging.getLogger(__name__)

SYNC_DELAY = 0.05  # seconds a written line may wait for the fsync of its group
SYNC_LINES = 100


class DurableLineFile:
    """A write-only binary file where every write() reaches the OS at once.
    `on_written(lines)` is told of the lines written: at once, or, with
    `fsync`, once they are on disk. `sync_later(delay, fn)` schedules a
    call (the crawl's event loop); without it each line is synced alone.
    A write or fsync that fails is told to `on_failed(path, error)` once, and
    the file takes no more lines (`failed`), its last whole line its end."""

    def __init__(self, path: Path, mode: str, fsync: bool, on_written=None, sync_later=None, on_failed=None):
        self._file = path.open(mode.replace("w", "a"), buffering=0)  # truncated only once locked
        if not try_hold_open_file(self._file):
            self._file.close()
            raise LockHeld(f"{path} is being written by another crawl")
        if "w" in mode:
            self._file.truncate(0)
            self._file.seek(0)
        self._fsync = fsync
        self._on_written = on_written
        self._sync_later = sync_later
        self._on_failed = on_failed
        self._unsynced: list[bytes] = []
        self._timer = None
        self.failed: OSError | None = None

    def write(self, data: bytes) -> int:
        if self.failed:
            return len(data)  # not exported, not recorded: the next run exports it
        start = self._file.tell()
        view = memoryview(data)
        try:
            while view:
                view = view[self._file.write(view) :]
        except OSError as e:
            try:
                self._file.truncate(start)  # shrinking takes no space, whatever the disk or limit
                self.sync()  # the whole lines before it count
            except Exception:  # the state on the same full disk too: cut, or recorded, by the next run's recovery
                pass
            finally:
                self._fail(e)
            return len(data)
        if not self._fsync:
            self._report([data])
        else:
            self._unsynced.append(data)
            if self._sync_later is None or len(self._unsynced) >= SYNC_LINES:
                self.sync()
            elif self._timer is None:
                self._timer = self._sync_later(SYNC_DELAY, self._sync_on_time)
        return len(data)

    def sync(self) -> None:
        """Flush the lines written so far to disk, and report them. Lines whose
        report fails (the state unreachable) are reported again with the next
        group, or at close: recording an article twice changes nothing."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._unsynced and not self.failed:
            try:
                os.fsync(self._file.fileno())
            except OSError as e:  # whole lines perhaps not on disk: not reported, recovered by the next run
                self._fail(e)
                return
            self._report(self._unsynced)
            self._unsynced = []

    def _fail(self, error: OSError) -> None:
        if self.failed:
            return
        self.failed = error
        if self._on_failed is not None:
            self._on_failed(Path(self._file.name), error)

    def _sync_on_time(self) -> None:
        """sync() from the timer, where an error has no caller to go to: it is
        said in one line, and the lines wait for the next group or the close."""
        self._timer = None
        try:
            self.sync()
        except Exception as e:
            logger.error("Exported lines of %s not synced or not recorded yet (%r): tried again with the next lines or at close", self._file.name, e)

    def _report(self, lines: list[bytes]) -> None:
        if self._on_written is not None:
            self._on_written(lines)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self.sync()
        if not self.failed:
            os.fsync(self._file.fileno())
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


class AtomicFileFeedStorage(FileFeedStorage):
    def __init__(self, uri: str, *, feed_options=None, fsync: bool = True, ledger=None, group_commit: bool = True):
        super().__init__(uri, feed_options=feed_options)
        self.fsync = fsync
        self.ledger = ledger
        self.group_commit = group_commit

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options=None):
        return cls(
            uri,
            feed_options=feed_options,
            fsync=crawler.settings.getbool("CRAWLER_FSYNC", True),
            ledger=ExportLedger.of(crawler),
            group_commit=crawler.settings.getbool("CRAWLER_GROUP_COMMIT", True),
        )

    def open(self, spider):
        if self.ledger is not None and (self.ledger.refused or self.ledger.failed):
            return open(os.devnull, "wb")  # another run holds the folder, or the disk failed: write nothing there
        self.final_path = Path(self.path)
        self.part_path = part_path_of(self.final_path)
        self.appending = self.write_mode == "ab"
        # -O continues a killed run's .part (crawler.export.ledger): its lines are recorded as exported.
        mode = "ab" if self.appending or (self.ledger is not None and self.ledger.continues(self.final_path)) else "wb"
        try:
            self.final_path.parent.mkdir(parents=True, exist_ok=True)
            if self.appending and self.final_path.suffix != ".gz" and self.final_path.exists() and not self.part_path.exists():
                os.replace(self.final_path, self.part_path)  # continue a finished file rather than replace it
            if self.ledger is None:
                return DurableLineFile(self.part_path, mode, self.fsync)
            file = DurableLineFile(
                self.part_path, mode, self.fsync,
                on_written=lambda lines: self.ledger.lines_written(self.final_path, lines),
                sync_later=call_later if self.group_commit else None,
                on_failed=self.ledger.export_failed,
            )  # fmt: skip
        except OSError as e:  # raised here, it would reach no one (Scrapy opens at the first item or at close)
            if self.ledger is None:
                raise
            self.ledger.export_failed(self.part_path, e, opened=False)
            return open(os.devnull, "wb")  # nothing written, nothing recorded: the next run exports it
        self.ledger.open_files.add(file)
        return file

    def store(self, file):
        file.close()
        if self.ledger is not None:
            self.ledger.open_files.discard(file)
        if not isinstance(file, DurableLineFile):  # the refused or failed run's
            return
        if file.failed:
            logger.error("Export left unfinished as %s, for the next run to recover", self.part_path)
            return
        try:
            finish(self.part_path, self.final_path, append=self.appending)
        except OSError as e:
            if self.ledger is None:
                raise
            self.ledger.export_failed(self.part_path, e)

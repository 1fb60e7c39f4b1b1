"""What the crawler remembers across runs: one row per exported article.

Rows are keyed by site and news code and keep the canonical URL, the content
hash, the publication and update times, and when the article was first and
last seen. Incremental runs ask it which codes are already exported;
deduplication asks it about canonical URLs too. This module is the default
backend, one SQLite file (setting CRAWLER_STATE); with REDIS_URL set, Redis
(crawler.export.state_redis), shared by the workers of a distributed crawl. Both
implement crawler.export.statebase.CrawlState; crawler.export.ledger.open_state picks one.

A SQLite state serves one run at a time: the run holds an exclusive lock on
it (crawler.ops.lock) from its opening to its end, and a second run on the same
file is refused at once. A state file that cannot be what a run left
(empty, truncated, not a database) or that another program holds locked
refuses the run with one line (StateError); it is never taken for a new
state, unless CRAWLER_STATE_RESET_BROKEN asks for that.

Before exporting an article a process claims it (`claim`): while several
processes crawl at once, only the claim's holder exports the article, and
`record` turns the claim into "exported". A SQLite state serves one process,
which always gets the claim.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable

from crawler.export.neardup import MASK, NearDuplicateIndex, first_within
from crawler.export.statebase import KNOWN_CHUNK, ArticleRecord, StateError
from crawler.ops.lock import Lock, hold_lock

logger = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\0"
RESET_HINT = (
    "restore it from a backup, or run once with -s CRAWLER_STATE_RESET_BROKEN=1 to set it aside"
    " and start a new state (every article is then exported again)"
)


class BrokenState(StateError):
    """The state file is not what a run leaves: empty, truncated, not a database."""


def check_state_file(path: Path) -> None:
    """BrokenState unless the file is missing (a new state) or looks whole.
    SQLite would take an empty file for a new database (a state it made has
    its first page from the start), and read a truncated one until a query
    reached a missing page, in the middle of a crawl; its header gives the
    size the file must have (in the file since SQLite 3.7). Not while a WAL
    file holds pages: a run killed during a checkpoint leaves the header
    written and the pages after it still to copy from there, which SQLite does."""
    try:
        with path.open("rb") as f:
            header = f.read(100)
            size = f.seek(0, 2)
    except FileNotFoundError:
        return
    except OSError as e:  # a folder, no permission
        raise StateError(f"crawl state {path} cannot be read: {e.strerror}") from None
    if size == 0:
        raise BrokenState(f"crawl state {path} is empty (0 bytes), which no run leaves; {RESET_HINT}")
    if not header.startswith(SQLITE_MAGIC):
        raise BrokenState(f"crawl state {path} is not an SQLite database; {RESET_HINT}")
    if len(header) < 100:
        raise BrokenState(f"crawl state {path} is truncated ({size} bytes, less than its header); {RESET_HINT}")
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        return
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and size < pages * page_size:  # the page count is valid when these agree
        raise BrokenState(f"crawl state {path} is truncated ({size} of {pages * page_size} bytes); {RESET_HINT}")


def _set_aside(path: Path, why: StateError) -> None:
    """Renames a broken state file (and its WAL and shared-memory files, which
    SQLite would otherwise apply to the new one) to `<name>.broken-<time>`."""
    suffix = ".broken-" + datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S")
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.rename(file.with_name(file.name + suffix))
    logger.warning("%s; CRAWLER_STATE_RESET_BROKEN: set aside as %s, starting a new state", why, path.name + suffix)


def _signed(fingerprint: int) -> int:
    """A 64-bit fingerprint as SQLite's signed INTEGER holds it."""
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


class SqliteState:
    """CrawlState in one SQLite file (WAL journal, so a reader never blocks the crawl)."""

    UNWRITTEN_LIMIT = 100
    opened: dict[str, SqliteState] = {}  # by file: the process's one state on each (`open`)
    lock: Lock | None = None

    @classmethod
    def open(cls, path: str | Path, durable: bool = True, reset_broken: bool = False) -> SqliteState:
        """The process's one state on this file, shared by its crawls (crawlall
        runs one per site), so that each sees the fingerprints the others have
        not written yet; closed when the last of them closes it. It holds the
        file's lock (LockHeld while another run has it) until then. A broken
        file is refused, or set aside for a new state with `reset_broken`."""
        if str(path) == ":memory:":
            return cls(path, durable)
        key = str(Path(path).resolve())
        state = cls.opened.get(key)
        if state is not None:
            state.users += 1
            return state
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            lock = hold_lock(path, "crawl state")  # first: a refused run opens nothing
        except OSError as e:  # LockHeld is no OSError
            raise StateError(f"crawl state {path} cannot be locked: {e.strerror}: {e.filename}") from None
        try:
            try:
                state = cls(path, durable)
            except BrokenState as broken:
                if not reset_broken:
                    raise
                _set_aside(Path(path), broken)
                state = cls(path, durable)
        except BaseException:
            lock.release()
            raise
        state.lock = lock
        cls.opened[key] = state
        return state

    def __init__(self, path: str | Path, durable: bool = True):
        self.users = 1
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            check_state_file(Path(path))
        try:
            self._open_db(path, durable)
        except sqlite3.Error as e:
            if hasattr(self, "db"):
                self.db.close()
            message = str(e)
            if message == "database is locked":
                raise StateError(f"crawl state {path} is locked by another program (SQLite: {message}); try again once it is done") from None
            if "not a database" in message or "malformed" in message:
                raise BrokenState(f"crawl state {path} is damaged (SQLite: {message}); {RESET_HINT}") from None
            raise StateError(f"crawl state {path} cannot be used (SQLite: {message})") from None

    def _open_db(self, path: str | Path, durable: bool) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        # durable (CRAWLER_FSYNC): every commit is on disk when it returns, as
        # the export's lines are. Else it is with the OS, which survives a
        # killed crawl but not a power cut, like unsynced lines; the fsync per
        # article is then spared (benchmarks/RESULTS.md, "Crawl").
        self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS articles (
                site TEXT NOT NULL, news_code TEXT NOT NULL, canonical_url TEXT,
                content_hash TEXT NOT NULL, modified_at TEXT,
                first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
                PRIMARY KEY (site, news_code)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS articles_by_url ON articles (canonical_url);
            CREATE TABLE IF NOT EXISTS fingerprints (
                seq INTEGER PRIMARY KEY, site TEXT NOT NULL, news_code TEXT NOT NULL, fingerprint INTEGER NOT NULL,
                UNIQUE (site, news_code)
            );
            """
        )
        self.index = NearDuplicateIndex()
        self.unwritten: list[tuple[str, str, int]] = []  # fingerprints for the next commit (_commit)
        self._lay_out_fingerprint_index()
        # Writable now, not at the first record in the middle of the crawl
        # (another program's write lock, a read-only file).
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("ROLLBACK")

    def _lay_out_fingerprint_index(self) -> None:
        """The band rows of the near-duplicate index (crawler.export.neardup), one per
        band of each fingerprint, as `slot` = band << 32 | band value. A state
        written by an earlier layout (PRAGMA user_version below LAYOUT) has its
        rows rebuilt from the stored fingerprints, once."""
        (layout,) = self.db.execute("PRAGMA user_version").fetchone()
        if layout == NearDuplicateIndex.LAYOUT:
            return
        (count,) = self.db.execute("SELECT count(*) FROM fingerprints").fetchone()
        if count:
            logger.warning("Rebuilding the near-duplicate index of %d fingerprints in the new layout (once)", count)
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DROP TABLE IF EXISTS fingerprint_bands")  # layout 1
            self.db.execute("DROP TABLE IF EXISTS fingerprint_slots")
            self.db.execute(
                "CREATE TABLE fingerprint_slots (slot INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (slot, seq)) WITHOUT ROWID"
            )
            stored = self.db.execute("SELECT seq, fingerprint FROM fingerprints")
            self.db.executemany(
                "INSERT INTO fingerprint_slots VALUES (?, ?)",
                ((slot, seq) for seq, fp in stored for slot in self._slots(self.index.bands(fp & MASK))),
            )
            self.db.execute(f"PRAGMA user_version = {NearDuplicateIndex.LAYOUT}")

    @staticmethod
    def _slots(bands: list[tuple[int, int]]) -> list[int]:
        return [number << 32 | value for number, value in bands]

    def get(self, site: str, news_code: str) -> ArticleRecord | None:
        row = self.db.execute(
            "SELECT site, news_code, canonical_url, content_hash, modified_at, first_seen, last_seen"
            " FROM articles WHERE site = ? AND news_code = ?",
            (site, news_code),
        ).fetchone()
        return ArticleRecord(*row) if row else None

    def known(self, site: str, news_codes: Iterable[str]) -> set[str]:
        # The codes go in as one JSON array: one bound parameter and one
        # prepared statement for any count, where `IN (?, ?, ...)` prepares one
        # per length; both ran as fast (benchmarks/RESULTS.md, "State store").
        # SQLite looks them up in key order, whatever order they come in.
        codes = list(news_codes)
        found: set[str] = set()
        for start in range(0, len(codes), KNOWN_CHUNK):
            found.update(code for (code,) in self.db.execute(
                "SELECT news_code FROM articles WHERE site = ? AND news_code IN (SELECT value FROM json_each(?))",
                (site, json.dumps(codes[start : start + KNOWN_CHUNK])),
            ))  # fmt: skip
        return found

    def code_for_url(self, canonical_url: str) -> tuple[str, str] | None:
        row = self.db.execute(
            "SELECT site, news_code FROM articles WHERE canonical_url = ? LIMIT 1", (canonical_url,)
        ).fetchone()
        return tuple(row) if row else None

    def record(self, records: Iterable[ArticleRecord]) -> None:
        records = list(records)
        self._commit(lambda: self.db.executemany(
            """INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (site, news_code) DO UPDATE SET
                 canonical_url = excluded.canonical_url, content_hash = excluded.content_hash,
                 modified_at = excluded.modified_at, last_seen = excluded.last_seen""",
            [(r.site, r.news_code, r.canonical_url, r.content_hash, r.modified_at, r.first_seen, r.last_seen) for r in records],
        ))  # fmt: skip

    def near_duplicate_of(self, site: str, news_code: str, fingerprint: int) -> tuple[str, str] | None:
        # Every stored fingerprint in a slot this one probes, first seen first, in one query;
        # then those not written yet, seen after them.
        rows = self.db.execute(
            "SELECT f.site, f.news_code, f.fingerprint FROM fingerprints f WHERE f.seq IN"
            " (SELECT seq FROM fingerprint_slots WHERE slot IN (SELECT value FROM json_each(?))) ORDER BY f.seq",
            (json.dumps(self._slots(self.index.probes(fingerprint))),),
        )
        stored = (((s, c), fp & MASK) for s, c, fp in rows)
        waiting = (((s, c), fp) for s, c, fp in self.unwritten)
        match = first_within(fingerprint, ((key, fp) for key, fp in chain(stored, waiting) if key != (site, news_code)))
        self.unwritten.append((site, news_code, fingerprint))
        if len(self.unwritten) >= self.UNWRITTEN_LIMIT:
            self._commit()
        return match

    def _commit(self, write: Callable[[], object] = lambda: None) -> None:
        """One transaction: the fingerprints waiting, then `write`. A
        fingerprint is written in the commit that records its article's line
        (or with the UNWRITTEN_LIMIT-th after it), not in one of its own: with
        CRAWLER_FSYNC each commit waits for the disk, which took the crawl's
        one thread ~1 ms an article (benchmarks/RESULTS.md, "Crawl"). Lost in a
        crash, it is of an article not recorded, whose line the next run
        recovers with its fingerprint (crawler.export.ledger) or which is crawled again."""
        with self.db:
            self.db.execute("BEGIN")
            for site, news_code, fingerprint in self.unwritten:
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO fingerprints (site, news_code, fingerprint) VALUES (?, ?, ?)",
                    (site, news_code, _signed(fingerprint)),
                )
                if cursor.rowcount:
                    self.db.executemany(
                        "INSERT INTO fingerprint_slots VALUES (?, ?)",
                        [(slot, cursor.lastrowid) for slot in self._slots(self.index.bands(fingerprint))],
                    )
            write()
        self.unwritten.clear()

    def claim(self, site: str, news_code: str, canonical_url: str | None) -> bool:
        return True  # one process per state file

    def release(self, site: str, news_code: str, canonical_url: str | None) -> None:
        pass

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def close(self) -> None:
        self.users -= 1
        if self.users != 0:  # still in use, or closed already
            return
        for key in [k for k, state in self.opened.items() if state is self]:
            del self.opened[key]
        try:
            if self.unwritten:
                self._commit()
        except sqlite3.Error as e:  # a full disk: of articles not recorded, which the next run recovers (_commit): nothing lost
            logger.warning("Could not write the last %d fingerprints to the crawl state (SQLite: %s)", len(self.unwritten), e)
        finally:
            self.db.close()
            if self.lock is not None:
                self.lock.release()


def seed(path: Path, source: Path, site: str) -> int:
    """Makes a new state at `path` holding the rows of `site` (its articles and
    their fingerprints) that the state at `source` holds: a site's first run
    with a state of its own (`crawlall --processes`) then goes on from where
    a state shared by all sites left it, instead of exporting every article
    again. Built under a temporary name, renamed once whole; nothing is made
    when `source` holds no article of the site. Returns the articles copied.
    The caller holds `source`'s lock."""
    check_state_file(source)
    temp = path.with_name(path.name + ".seeding")
    for file in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
        file.unlink(missing_ok=True)  # a seeding that was killed
    state = SqliteState(temp)
    try:
        state.db.execute("ATTACH DATABASE ? AS source", (str(source),))
        rows = state.db.execute("SELECT news_code, fingerprint FROM source.fingerprints WHERE site = ? ORDER BY seq", (site,))
        state.unwritten = [(site, code, fp & MASK) for code, fp in rows]
        state._commit(lambda: state.db.execute(
            "INSERT INTO articles SELECT site, news_code, canonical_url, content_hash, modified_at, first_seen, last_seen"
            " FROM source.articles WHERE site = ?", (site,),
        ))  # fmt: skip
        state.db.execute("DETACH DATABASE source")
        copied = len(state)
    except (sqlite3.Error, OSError) as e:  # a full disk: nothing made, the shared state untouched
        state.unwritten.clear()  # not to be written again as it closes
        raise StateError(f"crawl state {path} could not be made from {source}: {e}") from None
    finally:
        state.close()
    if copied:
        os.replace(temp, path)
    else:
        temp.unlink()
    return copied

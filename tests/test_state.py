"""The SQLite crawl state: articles by site and code, canonical URLs, body fingerprints."""

import signal
import sqlite3
import subprocess
import sys

import pytest
from scrapy.settings import Settings

from crawler.export.ledger import open_state
from crawler.export.neardup import fingerprint
from crawler.export.state import BrokenState, SqliteState
from crawler.export.statebase import ArticleRecord

BODY = " ".join(f"واژه{i} در متن خبر شماره {i}" for i in range(120))


def record(site="a.ir", code="1", url="https://a.ir/news/1", content_hash="h1", seen="2024-01-01T00:00:00+00:00"):
    return ArticleRecord(site, code, url, content_hash, None, seen, seen)


def test_records_survive_reopening_and_keep_first_seen(tmp_path):
    path = tmp_path / "state.sqlite3"
    state = SqliteState(path)
    state.record([record()])
    state.record([record(content_hash="h2", seen="2024-02-01T00:00:00+00:00")])
    state.close()
    again = SqliteState(path)
    got = again.get("a.ir", "1")
    assert (got.content_hash, got.first_seen, got.last_seen) == ("h2", "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00")
    assert again.code_for_url("https://a.ir/news/1") == ("a.ir", "1")
    assert again.get("a.ir", "2") is None and again.get("b.ir", "1") is None
    assert len(again) == 1


def test_near_duplicates_first_seen_wins_and_self_is_not_a_duplicate(tmp_path):
    state = SqliteState(tmp_path / "state.sqlite3")
    fp = fingerprint(BODY)
    assert state.near_duplicate_of("a.ir", "1", fp) is None
    assert state.near_duplicate_of("a.ir", "1", fp) is None, "an article met again is not its own duplicate"
    assert state.near_duplicate_of("b.ir", "7", fp ^ 0b101) == ("a.ir", "1")
    assert state.near_duplicate_of("c.ir", "9", fp) == ("a.ir", "1")
    assert state.near_duplicate_of("d.ir", "3", fingerprint("متنی دیگر درباره موضوعی دیگر " * 20)) is None
    assert state.near_duplicate_of("e.ir", "4", fp ^ ((1 << 64) - 1)) is None  # every bit differs
    state.close()
    assert SqliteState(tmp_path / "state.sqlite3").near_duplicate_of("f.ir", "5", fp) == ("a.ir", "1")


def test_fingerprints_are_written_with_the_next_record_or_the_limit(tmp_path):
    path = tmp_path / "state.sqlite3"
    state = SqliteState(path)
    fp = fingerprint(BODY)
    state.near_duplicate_of("a.ir", "1", fp)
    stored = lambda: SqliteState(path).db.execute("SELECT count(*) FROM fingerprints").fetchone()[0]  # noqa: E731
    assert stored() == 0, "no commit of its own"
    assert state.near_duplicate_of("b.ir", "2", fp) == ("a.ir", "1"), "found while it waits"
    state.record([record()])
    assert stored() == 2
    for code in range(SqliteState.UNWRITTEN_LIMIT - 1):
        state.near_duplicate_of("c.ir", str(code), fp ^ 1 << code % 64)
    assert stored() == 2
    state.near_duplicate_of("d.ir", "1", fp)
    assert stored() == 2 + SqliteState.UNWRITTEN_LIMIT
    state.near_duplicate_of("e.ir", "1", fp)
    state.close()
    assert stored() == 3 + SqliteState.UNWRITTEN_LIMIT, "and at close"


def test_crawls_of_one_process_share_the_state_of_a_file(tmp_path):
    # crawlall runs a crawl per site in one process: each sees the fingerprints the others wait to write.
    settings = Settings({"CRAWLER_STATE": str(tmp_path / "state.sqlite3")})
    first, second = open_state(settings), open_state(Settings({"CRAWLER_STATE": str(tmp_path / "." / "state.sqlite3")}))
    assert first is second
    fp = fingerprint(BODY)
    first.near_duplicate_of("a.ir", "1", fp)
    assert second.near_duplicate_of("b.ir", "2", fp) == ("a.ir", "1")
    first.close()
    assert second.near_duplicate_of("c.ir", "3", fp) == ("a.ir", "1"), "open while a crawl uses it"
    second.close()
    third = open_state(settings)
    assert third is not first and third.near_duplicate_of("d.ir", "4", fp) == ("a.ir", "1")
    third.close()
    assert open_state(Settings({"CRAWLER_STATE": ":memory:"})) is not open_state(Settings({"CRAWLER_STATE": ":memory:"}))


def test_fingerprints_above_the_signed_range_round_trip(tmp_path):
    state = SqliteState(":memory:")
    high = (1 << 64) - 12345
    state.near_duplicate_of("a.ir", "1", high)
    assert state.near_duplicate_of("b.ir", "2", high) == ("a.ir", "1")


def test_commits_wait_for_the_disk_as_crawler_fsync_says(tmp_path):
    def synchronous(fsync):
        state = open_state(Settings({"CRAWLER_STATE": str(tmp_path / f"{fsync}.sqlite3"), "CRAWLER_FSYNC": fsync}))
        try:
            return state.db.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            state.close()

    assert synchronous(True) == 2  # FULL: a commit is on disk when it returns
    assert synchronous(False) == 1  # NORMAL: with the OS, like the unsynced export lines


def test_a_commit_is_all_or_nothing_across_a_crash(tmp_path):
    # One commit holds the fingerprints waiting and a group of records (the
    # lines of one fsync, crawler.export.feeds): killed in its middle, none of them
    # may be stored, or the state would hold articles whose lines it never
    # got, and fingerprints of articles it never recorded.
    path = tmp_path / "state.sqlite3"
    crash = f"""
import os, signal
from crawler.export.neardup import fingerprint
from crawler.export.state import SqliteState
from crawler.export.statebase import ArticleRecord
state = SqliteState({str(path)!r})
state.near_duplicate_of("a.ir", "1", fingerprint({BODY!r}))
# SIGKILL while the second record of the group is being written (a temporary trigger: the file's schema stays).
state.db.create_function("die", 0, lambda: os.kill(os.getpid(), signal.SIGKILL))
state.db.execute("CREATE TEMP TRIGGER die AFTER INSERT ON main.articles WHEN NEW.news_code = '2' BEGIN SELECT die(); END")
seen = "2024-01-01T00:00:00+00:00"
state.record([ArticleRecord("a.ir", code, None, "h", None, seen, seen) for code in ("1", "2", "3")])
"""
    result = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGKILL, result.stderr
    state = SqliteState(path)
    assert len(state) == 0, "no record of the group"
    assert state.db.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 0
    assert state.db.execute("SELECT count(*) FROM fingerprint_slots").fetchone()[0] == 0


def test_a_failed_commit_stores_nothing_and_keeps_its_fingerprints_waiting(tmp_path):
    state = SqliteState(tmp_path / "state.sqlite3")
    fp = fingerprint(BODY)
    state.near_duplicate_of("a.ir", "1", fp)
    with pytest.raises(sqlite3.IntegrityError):
        state.record([record(code="1"), record(code="2", content_hash=None)])  # the second breaks NOT NULL
    assert len(state) == 0 and state.db.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 0
    state.record([record(code="1")])
    assert len(state) == 1 and state.db.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 1
    assert SqliteState(tmp_path / "state.sqlite3").near_duplicate_of("b.ir", "9", fp) == ("a.ir", "1")


def test_a_state_killed_during_a_checkpoint_is_no_truncated_one(tmp_path):
    # Killed while SQLite copied pages from the WAL into the file: the file's
    # header already counts pages the file does not have yet; the WAL has them.
    path = tmp_path / "state.sqlite3"
    killed = f"""
import os
from crawler.export.state import SqliteState
from crawler.export.statebase import ArticleRecord
state = SqliteState({str(path)!r})
state.db.execute("PRAGMA wal_autocheckpoint = 0")
seen = "2024-01-01T00:00:00+00:00"
state.record([ArticleRecord("a.ir", str(code), None, "h" * 64, None, seen, seen) for code in range(2000)])
os._exit(0)
"""
    assert subprocess.run([sys.executable, "-c", killed], timeout=60).returncode == 0
    header = bytearray(path.read_bytes())
    size = len(header)
    header[28:32] = (size // 4096 + 20).to_bytes(4, "big")  # as a checkpoint writes page 1 before the rest
    path.write_bytes(bytes(header))
    assert (tmp_path / "state.sqlite3-wal").stat().st_size > 0
    state = SqliteState.open(path)
    assert len(state) == 2000
    state.close()
    # Without a WAL to finish from, the same header is a truncated file.
    path.write_bytes(bytes(header))
    with pytest.raises(BrokenState, match="is truncated"):
        SqliteState(path)

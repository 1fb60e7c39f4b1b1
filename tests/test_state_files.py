"""A crawl state file that no run can trust, or that another run holds, stops
a real `scrapy crawl` with one line and exit 1, and is left as it was."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from crawler.ops.lock import LockHeld, hold_lock, lock_file_of
from localsite import ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import FEED_ONLY, site_routes

ARTICLES = ["523995", "600001", "600002", "600003"]  # what the local site has to export


def crawl(base, tmp_path, *extra):
    return scrapy_crawl(
        "etemadonline", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
        "-s", f"CRAWLER_OUTPUT={tmp_path}/out/%(name)s/%(time)s.jsonl", *extra,
    )  # fmt: skip


@pytest.fixture
def site():
    routes: dict[str, Route] = {}
    with serve(routes) as (base, requested):
        routes.update(site_routes(base))
        yield base, routes, requested


def exported(tmp_path) -> list[str]:
    return sorted(json.loads(line)["news_code"] for f in (tmp_path / "out").glob("*/*.jsonl") for line in f.read_text("utf-8").splitlines())


def refused_with_one_line(result, *words):
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr, result.stderr[-3000:]
    [line] = [line for line in result.stderr.splitlines() if line.startswith("crawl: ")]
    for word in words:
        assert word in line, line
    return line


@pytest.fixture
def whole_state(site, tmp_path):
    """A state file as a finished crawl leaves it."""
    base, *_ = site
    assert crawl(base, tmp_path).returncode == 0
    for f in (tmp_path / "out").glob("*/*"):
        f.unlink()
    return tmp_path / "state.sqlite3"


def test_a_zero_length_state_is_no_new_state(site, tmp_path):
    base, *_ = site
    (tmp_path / "state.sqlite3").write_bytes(b"")
    result = crawl(base, tmp_path)
    refused_with_one_line(result, "state.sqlite3 is empty (0 bytes)", "CRAWLER_STATE_RESET_BROKEN=1")
    assert (tmp_path / "state.sqlite3").read_bytes() == b"" and exported(tmp_path) == []


def test_a_truncated_state_is_refused(whole_state, site, tmp_path):
    data = whole_state.read_bytes()
    whole_state.write_bytes(data[: len(data) // 2])
    result = crawl(site[0], tmp_path)
    refused_with_one_line(result, "state.sqlite3 is truncated", f"({len(data) // 2} of {len(data)} bytes)")
    assert whole_state.read_bytes() == data[: len(data) // 2] and exported(tmp_path) == []


def test_a_state_cut_within_its_header_is_refused(whole_state, site, tmp_path):
    whole_state.write_bytes(whole_state.read_bytes()[:50])
    refused_with_one_line(crawl(site[0], tmp_path), "is truncated (50 bytes, less than its header)")


def test_a_file_that_is_no_database_is_refused(site, tmp_path):
    state = tmp_path / "state.sqlite3"
    state.write_text('{"site": "etemadonline.com"}\n' * 200)  # an export given as the state, say
    refused_with_one_line(crawl(site[0], tmp_path), "state.sqlite3 is not an SQLite database")
    assert state.read_text() == '{"site": "etemadonline.com"}\n' * 200 and exported(tmp_path) == []


def test_a_state_another_program_holds_locked_is_refused(whole_state, site, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None);"
         " db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()", str(whole_state)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "locked\n"
        result = crawl(site[0], tmp_path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    refused_with_one_line(result, "state.sqlite3 is locked by another program")
    assert exported(tmp_path) == []


def test_reset_broken_sets_the_file_aside_and_starts_anew(site, tmp_path):
    (tmp_path / "state.sqlite3").write_bytes(b"")
    result = crawl(site[0], tmp_path, "-s", "CRAWLER_STATE_RESET_BROKEN=1")
    assert result.returncode == 0, result.stderr[-3000:]
    [aside] = tmp_path.glob("state.sqlite3.broken-*")
    assert aside.read_bytes() == b"", "kept as it was, for whoever looks into it"
    assert "is empty (0 bytes)" in result.stderr and "set aside as state.sqlite3.broken-" in result.stderr
    assert exported(tmp_path) == ARTICLES


def test_a_second_run_on_the_same_state_is_refused_at_once(site, tmp_path):
    base, routes, requested = site
    held = threading.Event()  # the first run is at work until the second has been refused
    routes[FEED_ONLY] = Route(routes[FEED_ONLY].body, delay=held)
    first = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", "-a", f"base_url={base}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
         "-s", f"CRAWLER_OUTPUT={tmp_path}/out/%(name)s/%(time)s.jsonl"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lock = lock_file_of(tmp_path / "state.sqlite3")
        for _ in range(300):
            if lock.exists() and lock.read_text():
                break
            time.sleep(0.1)
        holder = json.loads(lock.read_text())
        assert holder["pid"] == first.pid
        for _ in range(300):  # until the first run has its .part, which the second must leave alone
            if list((tmp_path / "out").glob("*/*.part")):
                break
            time.sleep(0.1)
        files = sorted((tmp_path / "out").rglob("*"))
        robots = requested.count("/robots.txt")
        second = crawl(base, tmp_path)
        # A run's first download is robots.txt; the first run had its own before.
        assert requested.count("/robots.txt") == robots, f"refused at once, before any download: {requested}"
        assert first.poll() is None, "the first run is still going"
        assert sorted((tmp_path / "out").rglob("*")) == files, "its .part not finished, no file of the second's"
        assert json.loads(lock.read_text()) == holder
    finally:
        held.set()
        out, err = first.communicate(timeout=120)
    line = refused_with_one_line(second, "is in use by another run", f"pid {first.pid}", f"started {holder['started']}")
    assert "crawl etemadonline" in line, line
    assert first.returncode == 0, err[-3000:]
    assert exported(tmp_path) == ARTICLES
    assert len(sqlite3.connect(tmp_path / "state.sqlite3").execute("SELECT news_code FROM articles").fetchall()) == 4
    assert lock.read_text() == "", "let go at the end"


def test_the_lock_is_one_holders_and_lapses_with_it(tmp_path):
    target = tmp_path / "state.sqlite3"
    held = hold_lock(target, "crawl state")
    with pytest.raises(LockHeld, match=rf"crawl state {target} is in use by another crawl of this process: pid {os.getpid()}, started "):
        hold_lock(target, "crawl state")
    held.release()
    hold_lock(target, "crawl state").release()
    # A holder killed with SIGKILL leaves no lock behind: the kernel lets go of it.
    killed = subprocess.run(
        [sys.executable, "-c", "import os, sys; from crawler.ops.lock import hold_lock;"
         " hold_lock(sys.argv[1], 'x'); os.kill(os.getpid(), 9)", str(target)],
        cwd=ROOT,
    )  # fmt: skip
    assert killed.returncode == -9 and json.loads(lock_file_of(target).read_text())["pid"]
    hold_lock(target, "crawl state").release()
    folder = tmp_path / "out"
    folder.mkdir()
    assert lock_file_of(folder) == folder / ".lock"


def test_a_state_path_that_cannot_be_used_is_one_line(site, tmp_path):
    (tmp_path / "state.sqlite3").mkdir()
    refused_with_one_line(crawl(site[0], tmp_path), "state.sqlite3 cannot be read: Is a directory")
    shutil.rmtree(tmp_path / "state.sqlite3")
    (tmp_path / "state.sqlite3.lock").mkdir()  # (root may write anywhere: a folder is what stops it)
    refused_with_one_line(crawl(site[0], tmp_path), "state.sqlite3 cannot be locked: Is a directory")
    assert not (tmp_path / "state.sqlite3").exists()

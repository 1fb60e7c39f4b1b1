"""Appending to an export (-o) and overwriting one (-O) across failed and
killed runs (crawler.export.feeds, crawler.export.partfiles.finish,
crawler.export.ledger), with real crawls, a real size limit (RLIMIT_FSIZE)
and a real SIGKILL: a `.gz` gets each run's lines as one more gzip member and
is never unpacked, and no article recorded as exported is missing from every
finished file."""

import gzip
import json
import random
import resource
import signal
import subprocess
import sys
import time
from base64 import b64encode
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from conftest import project_settings
from crawler.export.feeds import AtomicFileFeedStorage
from crawler.export.ledger import ExportLedger
from crawler.export.partfiles import finish
from crawler.export.state import SqliteState
from localsite import FAST, ROOT
from test_unattended_export import CODES, _in_limited_child, base  # noqa: F401 - base: the local site, a fixture

SLOW = ("-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0")


def crawl(base: str, tmp_path: Path, *args: str, limit: int | None = None) -> subprocess.Popen:
    def limited():  # the crawl's own process, not the test's, hits the size limit
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, "-a", f"base_url={base}",
         "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", *args],
        cwd=ROOT, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limited if limit else None,
    )  # fmt: skip


def run(*args, **kwargs) -> tuple[int, str]:
    proc = crawl(*args, **kwargs)
    _, err = proc.communicate(timeout=180)
    return proc.returncode, err


def killed_after(lines: int, part: Path, *args) -> None:
    """A crawl SIGKILLed once its `.part` holds `lines` lines."""
    proc = crawl(*args)
    while not part.exists() or part.read_bytes().count(b"\n") < lines:
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def lines_of(path: Path) -> list[bytes]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    assert not data or data.endswith(b"\n"), f"{path.name} ends in a half-written line"
    return data.splitlines()


def site_codes(lines: list[bytes]) -> list[str]:
    articles = [json.loads(line) for line in lines]
    return sorted(a["news_code"] for a in articles if a["site"] == "etemadonline.com")


# -- appending to a .gz ----------------------------------------------------------------------------


def test_appending_to_a_gz_export_adds_a_member_and_a_run_with_nothing_new_leaves_it_untouched(tmp_path, base):
    out = tmp_path / "out" / "all.jsonl.gz"
    code, err = run(base, tmp_path, "-o", f"{out}:jsonlines", "-s", "CLOSESPIDER_ITEMCOUNT=5")
    assert code == 0, err[-2000:]
    first = out.read_bytes()
    code, err = run(base, tmp_path, "-o", f"{out}:jsonlines")
    assert code == 0, err[-2000:]
    assert out.read_bytes().startswith(first), "the earlier run's bytes kept as they were, not unpacked and packed again"
    assert site_codes(lines_of(out)) == CODES
    before = out.stat()
    time.sleep(1.1)
    code, err = run(base, tmp_path, "-o", f"{out}:jsonlines")
    assert code == 0, err[-2000:]
    after = out.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size), "nothing new: not rewritten"
    assert not list(out.parent.glob("*.part")) and not list(out.parent.glob("*.tmp"))


def filler(size: int) -> bytes:
    """Lines of another site that gzip cannot shrink much: an archive grown large over the years."""
    rng = random.Random(7)
    lines, total, n = [], 0, 0
    while total < size:
        line = json.dumps({"site": "filler.example", "news_code": f"f{n}", "body": b64encode(rng.randbytes(3000)).decode()}).encode() + b"\n"
        lines.append(line)
        total += len(line)
        n += 1
    return b"".join(lines)


def test_a_full_disk_while_appending_to_a_gz_fails_the_run_and_the_next_loses_nothing(tmp_path, base):
    out = tmp_path / "out" / "all.jsonl.gz"
    code, err = run(base, tmp_path, "-o", f"{out}:jsonlines", "-s", "CLOSESPIDER_ITEMCOUNT=5")
    assert code == 0, err[-2000:]
    with out.open("ab") as f:
        f.write(gzip.compress(filler(800_000)))
    archive = out.read_bytes()
    # 600 kB: the run's own lines fit in its .part, the archive and they do not.
    code, err = run(base, tmp_path, "-o", f"{out}:jsonlines", limit=600_000)
    assert code == 1, err[-3000:]
    assert "Export to " in err and "failed (File too large)" in err, err[-3000:]
    assert "Task exception was never retrieved" not in err
    assert "errors   1" in err.splitlines()[-1] or "1 error logged" in err, err[-1000:]
    assert out.read_bytes() == archive, "the archive as it was"
    assert not list(out.parent.glob("*.tmp"))
    part = out.with_name(out.name + ".part")
    before = site_codes(lines_of_bytes(archive))
    assert site_codes(part.read_bytes().splitlines()) == sorted(set(CODES) - set(before)), "the run's lines wait in the .part"
    code, err = run(base, tmp_path, "-o", f"{out}:jsonlines")
    assert code == 0, err[-2000:]
    assert "Finished the export a killed run left" in err
    lines = lines_of(out)
    assert site_codes(lines) == CODES, "every article exactly once"
    assert lines[: len(lines_of_bytes(archive))] == lines_of_bytes(archive), "the old lines first, all of them"
    assert not part.exists()


def lines_of_bytes(gz: bytes) -> list[bytes]:
    return gzip.decompress(gz).splitlines()


def test_appending_a_member_a_killed_run_had_already_given_adds_nothing(tmp_path):
    """Killed between renaming the archive with the new member into place and
    removing the `.part`: the next run finishes the same `.part` again."""
    final, part = tmp_path / "all.jsonl.gz", tmp_path / "all.jsonl.gz.part"
    final.write_bytes(gzip.compress(b'{"a": 1}\n'))
    part.write_bytes(b'{"b": 2}\n')
    finish(part, final, append=True)
    given = final.read_bytes()
    part.write_bytes(b'{"b": 2}\n')
    finish(part, final, append=True)
    assert final.read_bytes() == given and gzip.decompress(given) == b'{"a": 1}\n{"b": 2}\n'
    assert not part.exists()


FINISH_IN_CHILD = (
    "import sys; from pathlib import Path; from crawler.export.partfiles import finish\n"
    "print('ready', flush=True); finish(Path(sys.argv[1]), Path(sys.argv[2]), append=True)"
)


def test_appending_to_a_gz_killed_at_any_moment_loses_nothing_and_repeats_nothing(tmp_path):
    """A real SIGKILL at random moments of `finish` (copying the archive,
    packing the member, renaming, removing the `.part`); the next run finishes
    the `.part` it left, as recovery does."""
    final, part = tmp_path / "all.jsonl.gz", tmp_path / "all.jsonl.gz.part"
    old, new = filler(2_000_000), filler(4_000_000).replace(b"filler", b"newer")
    started = time.monotonic()
    final.write_bytes(gzip.compress(old, compresslevel=1))
    part.write_bytes(new)
    finish(part, final, append=True)
    took = time.monotonic() - started
    rng = random.Random(11)
    outcomes = []
    for _ in range(12):
        final.write_bytes(gzip.compress(old, compresslevel=1))
        part.write_bytes(new)
        child = subprocess.Popen([sys.executable, "-c", FINISH_IN_CHILD, str(part), str(final)], cwd=ROOT, stdout=subprocess.PIPE)
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0, took * 1.2))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        outcomes.append("part left" if part.exists() else "done")
        assert gzip.decompress(final.read_bytes()) in (old, old + new), "the archive is the old one or the whole new one"
        if part.exists():
            finish(part, final, append=True)
        assert gzip.decompress(final.read_bytes()) == old + new, "every line once"
        assert not part.exists()
    assert "part left" in outcomes, outcomes


def test_a_full_disk_while_appending_a_member_leaves_the_archive_and_the_part(tmp_path):
    final, part = tmp_path / "all.jsonl.gz", tmp_path / "all.jsonl.gz.part"
    final.write_bytes(gzip.compress(filler(40_000)))
    archive = final.read_bytes()
    part.write_bytes(b'{"b": 2}\n' * 1000)
    child = _in_limited_child(FINISH_IN_CHILD.replace("sys.argv[1]", repr(str(part))).replace("sys.argv[2]", repr(str(final))), len(archive) + 10)
    assert "File too large" in child.stderr
    assert final.read_bytes() == archive and part.read_bytes() == b'{"b": 2}\n' * 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == [final.name, part.name], "no temporary file left"


# -- overwriting (-O) after a killed run -------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_overwriting_after_killed_runs_keeps_their_lines_in_the_new_file(tmp_path, base, suffix):
    """Two -O runs killed one after the other, then one that ends: its file
    holds every article once, the killed runs' (recorded as exported) too."""
    out = tmp_path / "out" / f"all{suffix}"
    part = out.with_name(out.name + ".part")
    killed_after(10, part, base, tmp_path, "-O", f"{out}:jsonlines", *SLOW)
    with part.open("ab") as f:
        f.write(b'{"schema_version": 2, "site": "etemadonline.com", "news_code": "HALF')  # a torn last write
    killed_after(25, part, base, tmp_path, "-O", f"{out}:jsonlines", *SLOW)
    code, err = run(base, tmp_path, "-O", f"{out}:jsonlines")
    assert code == 0, err[-2000:]
    assert "Continuing the export a killed run left" in err
    assert site_codes(lines_of(out)) == CODES, "every article once, the killed runs' too"
    assert not part.exists()


def test_an_export_that_cannot_be_opened_is_one_counted_error_not_an_exception_lost(tmp_path, caplog):
    """Scrapy opens a feed's file at the first item or at close, where an
    exception reaches no one ("Task exception was never retrieved")."""
    (tmp_path / "out").write_text("a file where the folder should be")
    feed = f"{tmp_path}/out/all.jsonl"
    crawler = get_crawler(settings_dict=project_settings(CRAWLER_STATE=":memory:", FEEDS={feed: {"format": "jsonlines"}}))
    storage = AtomicFileFeedStorage.from_crawler(crawler, feed, feed_options={"format": "jsonlines"})
    file = storage.open(None)
    file.write(b'{"a": 1}\n')
    storage.store(file)
    assert crawler.stats.get_value("export/write_failed") == 1
    assert ExportLedger.of(crawler).failed
    [error] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert error.endswith(": nothing written to it; closing the run"), error  # no .part of lines to recover
    ExportLedger.of(crawler).state.close()


# -- a full disk under the state too ------------------------------------------------------------------


def on_a_full_disk_with_the_state(tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    """`code` run in a child under a 40 kB size limit (above the 32 kB
    shared-memory file SQLite makes beside a WAL), `state` the crawl state it
    opens; it ends normally and prints no traceback."""
    SqliteState(tmp_path / "state.sqlite3").close()
    child = _in_limited_child(
        "import logging; from pathlib import Path; from crawler.export.state import SqliteState\n"
        f"logging.basicConfig(); state = SqliteState.open(Path({str(tmp_path / 'state.sqlite3')!r}))\n" + code,
        limit=40_000,
    )  # fmt: skip
    assert child.returncode == 0 and "Traceback" not in child.stderr, child.stderr
    return child


def test_a_line_failing_while_the_state_cannot_record_either_is_no_traceback(tmp_path):
    """The export and the crawl state on one full disk: the failed write
    reports the lines before it, whose record fails too. They are on disk in
    the `.part`, which the next run recovers and records."""
    part = tmp_path / "x.jsonl.part"
    child = on_a_full_disk_with_the_state(
        tmp_path,
        "from crawler.export.feeds import DurableLineFile; from crawler.export.statebase import ArticleRecord\n"
        "big = ArticleRecord('s', '1', 'u' * 100_000, 'h', None, 't', 't')\n"
        f"f = DurableLineFile(Path({str(part)!r}), 'wb', True, on_written=lambda lines: state.record([big]),\n"
        "    sync_later=lambda delay, fn: None, on_failed=lambda p, e: print('failed', e.strerror))\n"
        "f.write(b'1\\n'); f.write(b'2' * 50_000 + b'\\n'); f.close(); print('closed')",
    )
    assert child.stdout.splitlines() == ["failed File too large", "closed"]
    assert part.read_bytes() == b"1\n"


def test_a_state_that_cannot_write_its_last_fingerprints_at_close_says_so_in_one_line(tmp_path):
    child = on_a_full_disk_with_the_state(
        tmp_path, "for n in range(50): state.near_duplicate_of('s', str(n) * 1000, n * 7919)\nstate.close(); print('closed')"
    )
    assert child.stdout == "closed\n"
    [line] = child.stderr.splitlines()
    assert line.startswith("WARNING:crawler.export.state:Could not write the last 50 fingerprints to the crawl state (SQLite: ")

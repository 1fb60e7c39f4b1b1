"""Unattended runs and their exports (crawler.ops.lock, crawler.export.feeds,
crawler.export.partfiles, crawler.export.ledger): one run per output folder, a live
`.part` never taken for a killed run's, and on a write error (a real
RLIMIT_FSIZE in the crawling process) no final file with a broken line, the
export left `.part` for the next run, which loses nothing and repeats nothing."""

import gzip
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import project_settings
from crawler.export.feeds import AtomicFileFeedStorage, DurableLineFile
from crawler.export.partfiles import cut_partial_line, is_finished_export, write_atomically
from crawler.ops.lock import LockHeld, hold
from localsite import FAST, ROOT, serve
from test_incremental import ARTICLES, big_site, run_args

CODES = [str(c) for c in range(700001, 700001 + ARTICLES)]


def crawl(base: str, tmp_path: Path, suffix: str = ".jsonl", *extra: str, limit: int | None = None, **popen) -> subprocess.Popen:
    args = run_args(base, tmp_path)
    args[-1] = args[-1].removesuffix(".jsonl") + suffix

    def limited():  # the crawl's own process, not the test's, hits the size limit
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, *args, *extra],
        cwd=ROOT, text=True, preexec_fn=limited if limit else None, **popen,
    )  # fmt: skip


@pytest.fixture
def base():
    """The local site of sixty articles, served while the test runs."""
    routes: dict = {}
    with serve(routes) as (url, _):
        routes.update(big_site(url))
        yield url


def run(*args, **kwargs) -> tuple[int, str]:
    proc = crawl(*args, **kwargs, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=180)
    return proc.returncode, err


def final_lines(folder: Path) -> list[bytes]:
    """Every line of the finished exports (not `.part`), decompressed."""
    found = []
    for path in sorted(folder.glob("*.jsonl*")):
        if path.suffix == ".part":
            continue
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path.name} ends in a half-written line"
        found += data.splitlines()
    return found


def codes_of(lines: list[bytes]) -> list[str]:
    return sorted(json.loads(line.decode("utf-8"))["news_code"] for line in lines)  # a broken line fails here


def recorded_codes(state: Path) -> list[str]:
    with sqlite3.connect(state) as db:
        return sorted(code for (code,) in db.execute("SELECT news_code FROM articles"))


# -- one run per output folder --------------------------------------------------------------------


def test_lock_names_its_holder_and_is_free_once_released(tmp_path):
    first = hold(tmp_path / "x.lock", "output folder x")
    with pytest.raises(LockHeld) as refused:
        hold(tmp_path / "x.lock", "output folder x")  # another open file: refused even in this process
    message = str(refused.value)
    assert message.startswith("output folder x is in use by another crawl of this process: pid ")
    assert f"pid {os.getpid()}, started 20" in message and "command: " in message
    assert "\n" not in message
    first.release()
    hold(tmp_path / "x.lock", "output folder x").release()


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_a_second_run_on_a_busy_output_folder_is_refused_and_touches_nothing(tmp_path, base, suffix):
    out = tmp_path / "out" / "etemadonline"
    slow = ("-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0")
    first = crawl(base, tmp_path, suffix, *slow, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size for p in out.glob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(1.1)  # a second later: the second run's files would have names of their own
    # Its own state, so that only the output folder is shared.
    code, err = run(base, tmp_path, suffix, "-s", f"CRAWLER_STATE={tmp_path}/other.sqlite3")
    assert first.poll() is None, "the first run was still going when the second was refused"
    assert first.wait(timeout=120) == 0
    assert code != 0
    [line] = [line for line in err.splitlines() if "in use by another run" in line]
    assert f"output folder {out} is in use by another run: pid {first.pid}, started " in line
    assert "-m scrapy crawl etemadonline " in line, "the holder's command"
    assert "finish output_locked" in err, "refused at once, not after a crawl"
    assert "downloader/request_count" not in err, "nothing downloaded"
    assert "Finished the export a killed run left" not in err, "the live .part was not taken for a killed run's"
    assert codes_of(final_lines(out)) == CODES, "the first run's export whole: every article once"
    assert recorded_codes(tmp_path / "other.sqlite3") == [], "the refused run exported nothing"
    assert len(list(out.glob("*.manifest.json"))) == 1, "no manifest from the refused run"
    assert not list(out.glob("*.part"))


def test_a_part_file_a_live_crawl_writes_is_left_alone(tmp_path, base):
    """A `.part` flocked by its writer (here this test, as a crawl whose folder
    lock another template names) is not recovered by another run."""
    out = tmp_path / "out" / "etemadonline"
    out.mkdir(parents=True)
    live = DurableLineFile(out / "2020-01-01T00-00-00+00-00.jsonl.part", "wb", fsync=False)
    live.write(b'{"half": ')
    code, err = run(base, tmp_path)
    assert code == 0, err[-2000:]
    assert "another crawl is writing it" in err and "'export/parts_in_use': 1" in err
    assert (out / "2020-01-01T00-00-00+00-00.jsonl.part").read_bytes() == b'{"half": ', "untouched"
    live.close()


def test_two_storages_of_one_process_never_share_a_file(tmp_path):
    first = AtomicFileFeedStorage(str(tmp_path / "all.jsonl"), feed_options={"overwrite": True})
    file = first.open(None)
    file.write(b'{"a": 1}\n')
    second = AtomicFileFeedStorage(str(tmp_path / "all.jsonl"), feed_options={"overwrite": True})
    with pytest.raises(LockHeld, match="is being written by another crawl"):
        second.open(None)
    assert (tmp_path / "all.jsonl.part").read_bytes() == b'{"a": 1}\n', "not truncated by the refused open"
    first.store(file)
    assert (tmp_path / "all.jsonl").read_bytes() == b'{"a": 1}\n'


def test_crawlall_into_one_file_corrupts_nothing_and_loses_nothing(tmp_path):
    """`crawlall A B -O all.jsonl`: whatever crawlall makes of it (a refusal,
    or one site refused the folder the other holds), the file holds whole
    lines only, and every article the state records is in it once."""
    from test_crawl_e2e import site_routes

    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawlall", "etemadonline", "ilna", *FAST, "-a", f"base_url={base}",
             "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", "-O", f"{tmp_path}/all.jsonl"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode != 0, "one of the sites did not run: not a success"
    if not (tmp_path / "state.sqlite3").exists():
        return  # refused before anything ran
    lines = final_lines(tmp_path)
    assert lines, result.stderr[-2000:]
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        recorded = sorted(f"{site} {code}" for site, code in db.execute("SELECT site, news_code FROM articles"))
    assert sorted(f"{a['site']} {a['news_code']}" for a in map(json.loads, lines)) == recorded
    assert not list(tmp_path.glob("*.part"))


# -- write errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_a_write_error_leaves_no_broken_line_and_the_next_run_loses_nothing(tmp_path, base, suffix):
    out = tmp_path / "out" / "etemadonline"
    # 100 kB: some fifteen of the sixty articles fit (the state file stays smaller).
    code, err = run(base, tmp_path, suffix, limit=100_000)
    assert code == 1, err[-2000:]
    assert "Export to " in err and "failed (File too large)" in err and "finish export_failed" in err
    [part] = out.glob("*.part")
    assert part.read_bytes().endswith(b"\n"), "the half-written line was cut at once"
    assert final_lines(out) == [], "the failed export has no final name"
    recorded = recorded_codes(tmp_path / "state.sqlite3")
    assert 0 < len(recorded) < ARTICLES
    on_disk = codes_of(part.read_bytes().splitlines())  # every line whole
    assert len(set(on_disk)) == len(on_disk)
    # Whole lines of the group the failure interrupted may be on disk unrecorded (how many
    # depends on timing); the next run finishes the .part with them. None recorded is missing.
    assert set(recorded) <= set(on_disk), "what the state records is on disk, whole"
    [manifest] = out.glob("*.manifest.json")
    assert json.loads(manifest.read_text("utf-8"))["complete"] is False
    time.sleep(1.1)
    code, err = run(base, tmp_path, suffix)
    assert code == 0, err[-2000:]
    assert "Finished the export a killed run left" in err
    assert codes_of(final_lines(out)) == CODES, "every article exactly once, the failed run's too"
    assert not list(out.glob("*.part")) and not list(out.glob("*.tmp"))


def _in_limited_child(code: str, limit: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
    )  # fmt: skip


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "run.manifest.json"
    target.write_bytes(b"old\n")
    child = _in_limited_child(
        f"from pathlib import Path; from crawler.export.partfiles import write_atomically\n"
        f"write_atomically(Path({str(target)!r}), b'x' * 20000)", limit=10_000,
    )  # fmt: skip
    assert "File too large" in child.stderr
    assert target.read_bytes() == b"old\n" and [p.name for p in tmp_path.iterdir()] == [target.name]
    write_atomically(target, b"new\n")
    assert target.read_bytes() == b"new\n"


def test_a_failed_line_is_cut_at_once_and_the_file_takes_no_more(tmp_path):
    part = tmp_path / "x.jsonl.part"
    child = _in_limited_child(
        "import sys; from pathlib import Path; from crawler.export.feeds import DurableLineFile\n"
        f"f = DurableLineFile(Path({str(part)!r}), 'wb', True, on_failed=lambda p, e: print('failed', e.strerror))\n"
        "f.write(b'1' * 6000 + b'\\n'); f.write(b'2' * 6000 + b'\\n'); f.write(b'3\\n'); f.close()\n"
        "print('failed:', f.failed is not None)",
        limit=10_000,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    assert child.stdout.splitlines() == ["failed File too large", "failed: True"], "told once"
    assert part.read_bytes() == b"1" * 6000 + b"\n", "the broken second line cut, the third not written after it"


def test_a_run_whose_export_failed_is_not_complete_in_its_manifest(tmp_path):
    """Even when the failure comes as the run closes normally (the last group's fsync)."""
    from scrapy.utils.test import get_crawler

    from crawler.export.ledger import ExportLedger
    from crawler.spiders.sites import EtemadonlineSpider

    feed = f"{tmp_path}/%(name)s/run.jsonl"
    crawler = get_crawler(EtemadonlineSpider, project_settings(CRAWLER_STATE=":memory:", FEEDS={feed: {"format": "jsonlines"}}))
    spider = crawler.spider = EtemadonlineSpider.from_crawler(crawler)
    ledger = ExportLedger.of(crawler)
    ledger.export_failed(tmp_path / "etemadonline" / "run.jsonl.part", OSError(27, "File too large"))
    crawler.stats.set_value("finish_reason", "finished")  # as Scrapy's CoreStats sets it at the close
    ledger.spider_closed(spider, "finished")
    ledger.write_manifest()  # once the engine has stopped
    [manifest] = (tmp_path / "etemadonline").glob("*.manifest.json")
    manifest = json.loads(manifest.read_text("utf-8"))
    assert manifest["complete"] is False
    assert manifest["verdict"] == {"failed": True, "cause": "its export could not be written whole (see the log)"}
    ledger.state.close()


def test_a_finished_export_is_told_from_a_part_file_by_its_name():
    """The rule `scrapy merge` and `scrapy dataset` both find exports by: not
    a `.part`, nor the other files of an output folder (manifests, WARCs)."""
    finished = ["run.jsonl", "run.jsonl.gz"]
    others = ["run.jsonl.part", "run.jsonl.gz.part", "run.jsonl.gz.tmp", "run.manifest.json", "run.warc.gz"]
    assert [is_finished_export(Path("out/site", name)) for name in finished + others] == [True] * 2 + [False] * 5


def test_a_half_written_last_line_is_cut_before_the_final_name(tmp_path):
    from crawler.export.partfiles import finish

    part = tmp_path / "x.jsonl.part"
    part.write_bytes(b'{"a": 1}\n{"b": ' + b"2" * 70000)  # longer than one read back from the end
    finish(part, tmp_path / "x.jsonl")
    assert (tmp_path / "x.jsonl").read_bytes() == b'{"a": 1}\n'
    part.write_bytes(b'{"no newline at all')
    assert cut_partial_line(part) == 19 and part.read_bytes() == b""

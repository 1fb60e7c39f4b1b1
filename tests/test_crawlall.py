"""scrapy crawlall: several sites in one process, separate exports, a summary, an exit status."""

import json
import subprocess
import sys

import pytest

from crawler.commands.crawlall import choose_sites, outcome
from localsite import FAST, ROOT, serve
from test_crawl_e2e import site_routes


def crawlall(*args, tmp_path):
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", *FAST, "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_choosing_sites():
    assert "etemadonline" in choose_sites([]) and "news" not in choose_sites([])
    asam = choose_sites(["family:asam"])
    assert "etemadonline" in asam and len(asam) > 1
    assert choose_sites(["etemadonline", "family:asam"])[0] == "etemadonline"
    with pytest.raises(Exception, match="no site spider"):
        choose_sites(["nosuchsite"])


def test_outcome_counts_what_failed():
    assert outcome({"finish_reason": "finished", "articles/exported": 3})[0] is False
    assert outcome({"finish_reason": "finished", "log_count/ERROR": 2})[0] is True
    assert outcome({"finish_reason": "shutdown"})[0] is True
    assert outcome({})[0] is True


def test_two_sites_one_process_separate_exports(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        # Both spiders crawl the same local copy; each exports under its own site.
        result = crawlall(
            "etemadonline", "ilna", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", tmp_path=tmp_path
        )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    exported = {}
    for name in ("etemadonline", "ilna"):
        [export] = (tmp_path / name).glob("*.jsonl")
        exported[name] = [json.loads(line) for line in export.read_text("utf-8").splitlines()]
        assert len(exported[name]) == 4
    # One body throughout: the first article exported is the original of all others, across the two sites.
    originals = [a for articles in exported.values() for a in articles if a["duplicate_of"] is None]
    assert len(originals) == 1
    summary = result.stdout.split("crawlall: 2 sites")[1]
    assert "etemadonline" in summary and "ilna" in summary and "FAILED" not in summary


def test_a_failing_site_makes_the_exit_status_non_zero(tmp_path):
    with serve({}) as (base, _):
        pass  # the server is gone: every request fails
    result = crawlall("etemadonline", "-a", f"base_url={base}", "-s", "RETRY_TIMES=0", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "crawlall: failed: etemadonline" in result.stdout

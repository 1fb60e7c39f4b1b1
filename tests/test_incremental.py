"""Scheduled runs: a second run over an unchanged site fetches and exports
nothing, and a run killed at any point, then run again, leaves exports whose
union holds every article exactly once."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from localsite import FAST, ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import link, variant

ARTICLES = 60


def article_path(code: int) -> str:
    return f"/بخش-سیاسی-2/{code}-خبر"


def big_site(base: str) -> dict[str, Route]:
    codes = range(700001, 700001 + ARTICLES)
    urls = "".join(f"<url><loc>{base}{link(article_path(c))}</loc></url>" for c in codes)
    routes = {
        "/robots.txt": Route(f"User-agent: *\nSitemap: {base}/sitemap-news.xml\n", "text/plain"),
        "/sitemap-news.xml": Route(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
            "application/xml",
        ),
    }
    for c in codes:
        routes[article_path(c)] = Route(variant(str(c), f"خبر شماره {c}", "۱۴۰۲/۰۸/۱۰ ۱۰:۰۰:۰۰"))
    return routes


def exported_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl")) for line in f.read_text("utf-8").splitlines()]


def run_args(base: str, tmp_path: Path) -> list[str]:
    return [
        "-a", f"base_url={base}",
        "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
        "-s", f"CRAWLER_OUTPUT={tmp_path}/out/%(name)s/%(time)s.jsonl",
    ]


def test_second_run_over_unchanged_site_downloads_and_exports_nothing(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, requested):
        routes.update(big_site(base))
        first = scrapy_crawl("etemadonline", *run_args(base, tmp_path))
        assert first.returncode == 0, first.stderr[-2000:]
        articles_fetched = sum(p.startswith("/بخش-") for p in requested)
        requested.clear()
        time.sleep(1.1)  # the next run's files are named by its own start second
        second = scrapy_crawl("etemadonline", *run_args(base, tmp_path))
    assert second.returncode == 0, second.stderr[-2000:]
    assert articles_fetched == ARTICLES
    assert not [p for p in requested if p.startswith("/بخش-")], "no article page is downloaded again"
    out = tmp_path / "out" / "etemadonline"
    assert len(exported_lines(out)) == ARTICLES and len(list(out.glob("*.jsonl"))) == 1
    assert f"'articles/skipped/exported_before': {ARTICLES}" in second.stderr
    manifests = [json.loads(p.read_text("utf-8")) for p in sorted(out.glob("*.manifest.json"))]
    assert [m["counts"].get("exported", 0) for m in manifests] == [ARTICLES, 0]
    assert all(m["complete"] for m in manifests)


def test_killed_runs_lose_nothing_and_repeat_nothing(tmp_path):
    rng = random.Random(os.environ.get("KILL_SEED", "2"))
    out = tmp_path / "out" / "etemadonline"
    kills = 0
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(big_site(base))
        slow = ["-s", "DOWNLOAD_DELAY=0.03", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0"]
        for attempt in range(4):
            # Lines this run exports before the kill, fewer than it has left to export (the
            # articles earlier runs wrote, their leftover .part files included, it skips).
            earlier = set(out.glob("*.part")) if out.exists() else set()
            left = ARTICLES - len(exported_lines(out)) - sum(p.read_bytes().count(b"\n") for p in earlier)
            kill_after = rng.randrange(0, max(1, left - 5))
            proc = subprocess.Popen(
                [sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, *run_args(base, tmp_path), *slow],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                written = sum(p.read_bytes().count(b"\n") for p in out.glob("*.part") if p not in earlier) if out.exists() else 0
                if written >= kill_after:
                    time.sleep(rng.random() * 0.05)  # anywhere inside the next write
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                    break
                time.sleep(0.005)
            proc.wait(timeout=30)
            time.sleep(1.1)
        final = scrapy_crawl("etemadonline", *run_args(base, tmp_path))
    assert final.returncode == 0, final.stderr[-2000:]
    assert kills >= 3
    codes = [a["news_code"] for a in exported_lines(out)]
    assert sorted(codes) == [str(c) for c in range(700001, 700001 + ARTICLES)], "every article exactly once"
    assert not list(out.glob("*.part")), "every killed run's export was finished"
    recovered = [f for m in out.glob("*.manifest.json") for f in json.loads(m.read_text("utf-8"))["recovered_files"]]
    assert recovered, "the kills left .part files that later runs finished"


def test_jobdir_pause_and_resume(tmp_path):
    out = tmp_path / "out" / "etemadonline"
    routes: dict = {}
    with serve(routes) as (base, requested):
        routes.update(big_site(base))
        args = [*FAST, *run_args(base, tmp_path), "-s", f"JOBDIR={tmp_path}/job",
                "-s", "DOWNLOAD_DELAY=0.03", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0"]
        proc = subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "etemadonline", *args], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out.exists() and sum(p.read_bytes().count(b"\n") for p in out.glob("*.part")) >= 10):
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy pauses, keeping its queue in JOBDIR
        assert proc.wait(timeout=60) == 1  # paused is not finished: the crawl command says so (crawlall.outcome)
        paused = len(exported_lines(out))
        time.sleep(1.1)
        resumed = scrapy_crawl("etemadonline", *run_args(base, tmp_path), "-s", f"JOBDIR={tmp_path}/job")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert 10 <= paused < ARTICLES
    assert sorted(a["news_code"] for a in exported_lines(out)) == [str(c) for c in range(700001, 700001 + ARTICLES)]
    assert "Resuming crawl" in resumed.stderr
    manifests = [json.loads(p.read_text("utf-8")) for p in sorted(out.glob("*.manifest.json"))]
    assert [m["finish_reason"] for m in manifests] == ["shutdown", "finished"] and not manifests[0]["complete"]

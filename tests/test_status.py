"""scrapy status (crawler/commands/status.py, crawler/ops/report.py) on the
manifests of real crawls: Etemad Online served on 127.0.0.1 (a healthy run
of six articles, one of three, one where five of six articles lost their
lead: a layout alarm), and ILNA against a refused port (unreachable).
Runs over several days are simulated: each real manifest is copied with its
times moved back whole days (the only edit), named after its new time."""

import json
import re
import shutil
import socket
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from crawler.ops.report import health, run_of, sparkline, verdict
from localsite import FAST, ROOT, serve
from test_monitor import articles, news_site

CHROMIUM = Path("/usr/bin/chromium")


SUMMARIES: dict[str, str] = {}  # each crawl's last line on stderr, by the run's name here


def crawl(spider: str, out: Path, base: str, name: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, *FAST, "-a", f"base_url={base}",
         "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    SUMMARIES[name] = result.stderr.splitlines()[-1]
    [path] = sorted((out / spider).glob("*.manifest.json"))[-1:]
    manifest = json.loads(path.read_text("utf-8"))
    path.unlink()  # its copies, on the days the test gives them, stand for it
    return manifest


def served(out: Path, pages: list[str], name: str) -> dict:
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(news_site(base, pages))
        return crawl("etemadonline", out, base, name)


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_on(manifest: dict, days_ago: int, out: Path) -> None:
    """The run's manifest as if the run had started `days_ago` days earlier."""
    moved = dict(manifest)
    for key in ("started_at", "finished_at"):
        moved[key] = (datetime.fromisoformat(manifest[key]) - timedelta(days=days_ago)).isoformat()
    name = moved["started_at"].replace(":", "-")
    (out / manifest["spider"] / f"{name}.manifest.json").write_text(json.dumps(moved), "utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    six, three = served(out, articles(6), "six"), served(out, articles(3), "three")
    lead_lost = served(out, articles(6, lead_lost=5), "lead_lost")
    unreachable = crawl("ilna", out, f"http://127.0.0.1:{refused_port()}", "unreachable")
    assert (six["counts"]["exported"], three["counts"]["exported"], lead_lost["counts"]["exported"]) == (6, 3, 6)
    assert lead_lost["quality"]["alarms"] and unreachable["finish_reason"] == "unreachable"
    for manifest, days_ago in ((six, 6), (lead_lost, 5), (three, 4), (six, 2), (three, 2), (lead_lost, 0)):
        copy_on(manifest, days_ago, out)
    for days_ago in (2, 1, 0):
        copy_on(unreachable, days_ago, out)
    return out


def test_every_crawl_ends_with_its_summary_line_and_a_failed_one_with_its_cause(runs):
    assert re.fullmatch(r"crawl: etemadonline ok +exported +6 +dropped +0 +errors +0 +alarms +0 .* finish finished", SUMMARIES["six"])
    assert re.fullmatch(
        r"crawl: etemadonline FAILED +exported +6 .* finish finished  cause: etemadonline: field lead filled in 17% of 6 articles,"
        r" threshold 50% — the site's layout may have changed", SUMMARIES["lead_lost"],
    )  # fmt: skip
    assert re.fullmatch(r"crawl: ilna FAILED .* finish unreachable  cause: cannot reach 127\.0\.0\.1:\d+: connection refused", SUMMARIES["unreachable"])


def status(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "status", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def site_block(stdout: str, site: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{site} "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def test_the_terminal_report_shows_each_site_s_last_run_volume_coverage_and_alarms(runs):
    result = status(runs)
    assert result.returncode == 1, result.stderr  # ilna failed its last three runs
    etemad = site_block(result.stdout, "etemadonline")
    # Per day, oldest first, over 14 days: 6 six and five days ago, 3 four days ago, 6 + 3 two days ago, 6 today.
    assert etemad[0].split("|")[1] == " " * 7 + "▆▆▃ █ ▆"
    assert re.match(r"etemadonline +FAILED +last run \d{4}-\d\d-\d\d \d\d:\d\d UTC +exported 6 ", etemad[0])
    assert etemad[1].strip().startswith("cause: etemadonline: field lead filled in 17% of 6 articles, threshold 50%")
    assert etemad[2].strip() == "coverage now (median): lead 17% (100%)"
    assert len(etemad) == 3  # not failing three runs in a row: the run before the last was fine
    ilna = site_block(result.stdout, "ilna")
    assert ilna[0].split("|")[1] == " " * 11 + "___"  # ran, exported nothing
    assert ilna[1].strip() == "FAILED ITS LAST 3 RUNS"
    assert re.fullmatch(r"cause: cannot reach 127\.0\.0\.1:\d+: connection refused", ilna[2].strip())  # as its exit status said
    assert result.stdout.index("ilna ") < result.stdout.index("etemadonline ")  # the worst first


def test_the_window_and_the_streak_are_the_operator_s(runs):
    result = status(runs, "--days", "3", "--failed-runs", "4")
    assert result.returncode == 0  # no site failed four runs in a row
    assert site_block(result.stdout, "etemadonline")[0].split("|")[1] == "█ ▆"
    assert "FAILED ITS LAST" not in result.stdout
    two = status(runs, "--failed-runs", "2")
    assert two.returncode == 1 and "FAILED ITS LAST 3 RUNS" in site_block(two.stdout, "ilna")[1]
    assert "FAILED ITS LAST" not in "\n".join(site_block(two.stdout, "etemadonline"))  # its two failed runs were not in a row


def test_a_file_that_is_no_manifest_is_named_and_skipped(runs, tmp_path):
    shutil.copytree(runs, tmp_path, dirs_exist_ok=True)
    (tmp_path / "etemadonline" / "broken.manifest.json").write_text('{"spider": "etemadonline", "start')
    result = status(tmp_path)
    assert re.search(r"^status: .*broken\.manifest\.json: not a readable run manifest \(JSONDecodeError: .*\); skipped$", result.stderr, re.M)
    assert "etemadonline " in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [(["--days", "0"], "--days 0: give a whole number of 1 or more"), (["no-such-folder"], "no-such-folder: not a folder")],
)
def test_a_usage_mistake_is_one_line_and_exit_2(args, message):
    result = status(*args)
    assert result.returncode == 2 and result.stderr == f"scrapy status: error: {message}\n"


def test_no_manifests_is_said_in_one_line(tmp_path):
    result = status(tmp_path)
    assert result.returncode == 1 and result.stderr == f"status: no run manifests under {tmp_path}\n"


def test_news_crawls_of_several_domains_are_a_site_each():
    def run(spider, site, day):
        return run_of({"spider": spider, "site": site, "started_at": f"2026-12-0{day}T03:00:00+00:00", "finish_reason": "finished"}, Path("m"))

    sites = health([run("news", "a.ir", 1), run("news", "b.ir", 2), run("isna", "isna.ir", 1), run("isna", "isna.ir", 2)], 3, date(2026, 12, 2))
    assert [s.name for s in sites] == ["isna", "news a.ir", "news b.ir"]
    assert [len(s.runs) for s in sites] == [2, 1, 1]


def test_the_sparkline_scales_to_the_busiest_day_and_marks_empty_days():
    assert sparkline([None, 0, 1, 4, 8, None]) == " _▁▄█ "
    assert sparkline([None, None]) == "  "


def test_an_older_manifest_stopped_at_a_closespider_limit_did_not_fail():
    base = {"spider": "isna", "finish_reason": "closespider_itemcount", "complete": False, "quality": {"alarms": []}, "faults": {"blocked": 0}}
    assert verdict(base) == (False, "")
    assert verdict({**base, "finish_reason": "finished"}) == (True, "its export could not be written whole (see the log)")
    # Blocked as crawler.ops.faults.blocking_verdict says: every article page, or no article page reached.
    blocked = {"blocked/arvancloud": 4, "article_blocked": 4}
    assert verdict({**base, "pages": blocked}) == (True, "the site blocks the crawler (anti-bot pages: arvancloud 4)")
    assert verdict({**base, "pages": {**blocked, "article": 2}}) == (False, "")


def test_the_html_page_has_a_row_and_two_charts_per_site(runs, tmp_path):
    page = tmp_path / "status.html"
    result = status(runs, "--html", page)
    assert result.returncode == 1 and f"status: wrote {page}" in result.stderr
    assert list(tmp_path.iterdir()) == [page]  # written whole: no temporary file left
    text = page.read_text("utf-8")
    assert not re.search(r"<script|<link|<img|src=|url\(", text)  # self-contained: nothing fetched
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            view = browser.new_page(viewport={"width": 1300, "height": 800})
            view.goto(page.as_uri())
            rows = view.locator("tr.site")
            assert rows.evaluate_all("rows => rows.map(r => r.dataset.site)") == ["ilna", "etemadonline"]
            assert view.locator("tr.site.failing").evaluate_all("rows => rows.map(r => r.dataset.site)") == ["ilna"]
            for i in range(2):
                row = rows.nth(i)
                assert row.locator("svg.volume rect").count() == 14  # a bar a day
                assert row.locator("svg.volume").bounding_box()["height"] > 0
            etemad = rows.nth(1)
            assert etemad.locator("svg.coverage rect.now").count() == etemad.locator("svg.coverage text").count() / 2 > 10
            assert etemad.locator("svg.coverage rect.now.fell").evaluate_all("bars => bars.map(b => b.querySelector('title').textContent)") == [
                "lead: 17% now, median 100%"
            ]
            assert etemad.locator("svg.volume rect.bar").count() == 5 and rows.nth(0).locator("svg.volume rect.none").count() == 3
        finally:
            browser.close()

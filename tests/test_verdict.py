"""One verdict on a run (crawler.ops.verdict): `scrapy crawl`'s exit status
and summary line, the run's manifest and `scrapy status` say the same.
Real `scrapy crawl` processes against Etemad Online served on 127.0.0.1: a
run that logged an ERROR and otherwise finished, a site blocking every
article, a site blocking one article of three (the others exported), a
refused port; then `scrapy status` on each run's manifest, and on the same
manifest without its verdict (one written before verdicts were recorded)."""

import json
import re
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.ops.report import JUDGED_AGAIN, health, html_page, run_of, verdict
from crawler.ops.verdict import Verdict, judge
from localsite import ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import link, variant

ARVAN = (ROOT / "tests/fixtures/bad/arvancloud-challenge.html").read_bytes()
ARTICLES = [f"/بخش-سیاسی-2/{610001 + i}-خبر" for i in range(3)]
DATES = ["۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰", "۱۴۰۲/۰۱/۱۶ ۱۲:۰۰:۰۰", "۱۴۰۲/۰۱/۱۷ ۱۲:۰۰:۰۰"]


def article(i: int) -> Route:
    return Route(variant(str(610001 + i), f"خبر شماره {i + 1}", DATES[i]))


def site(base: str, answers: list[Route]) -> dict:
    """robots.txt, a feed linking the three articles, and each article's answer."""
    rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in ARTICLES)
    return {
        "/robots.txt": Route("User-agent: *\n", "text/plain"),
        "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
        **dict(zip(ARTICLES, answers)),
    }


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    """A real run: its exit status, summary line (stderr's last) and manifest."""

    def __init__(self, out: Path, answers: list[Route] | None, *args: str):
        self.out = out
        command = ("etemadonline", "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl", *args)
        if answers is None:  # nothing listens
            self.port = refused_port()
            self.result = scrapy_crawl(*command, "-a", f"base_url=http://127.0.0.1:{self.port}")
        else:
            routes: dict = {}
            with serve(routes) as (base, _):
                routes.update(site(base, answers))
                self.result = scrapy_crawl(*command, "-a", f"base_url={base}")
        self.summary = self.result.stderr.splitlines()[-1]
        [self.manifest_path] = (out / "etemadonline").glob("*.manifest.json")
        self.manifest = json.loads(self.manifest_path.read_text("utf-8"))

    @property
    def cause(self) -> str:
        """The cause on the summary line; "" for a run that did not fail."""
        return self.summary.partition("  cause: ")[2]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    out = tmp_path_factory.mktemp
    return {
        # One article answers 500 and is not retried: Scrapy logs "Gave up retrying" as an ERROR.
        "error": Run(out("error"), [article(0), article(1), Route("down", "text/plain", 500)], "-s", "RETRY_TIMES=0"),
        "blocked": Run(out("blocked"), [Route(ARVAN, status=503)] * 3),
        "partly_blocked": Run(out("partly"), [Route(ARVAN), article(1), article(2)]),
        "unreachable": Run(out("unreachable"), None),
    }


def status(folder: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`scrapy status` on a folder of one site's runs: the result and the site's block of lines."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "status", str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    lines = result.stdout.splitlines()
    assert lines[1].startswith("etemadonline "), result.stdout + result.stderr
    return result, [line.strip() for line in lines[1:]]


def reported(block: list[str]) -> Verdict:
    """The verdict `scrapy status` shows for the last run: FAILED or ok, and its cause."""
    failed = re.match(r"etemadonline +(FAILED|ok) ", block[0])[1] == "FAILED"
    return Verdict(failed, next((line.removeprefix("cause: ") for line in block if line.startswith("cause: ")), ""))


@pytest.mark.parametrize(
    "name, failed, cause",
    [
        ("error", True, "1 error logged, most faults http 5xx (1)"),
        ("blocked", True, "the site blocks the crawler (anti-bot pages: arvancloud 3)"),
        ("partly_blocked", False, ""),
        ("unreachable", True, "cannot reach 127.0.0.1:{port}: connection refused"),
    ],
)
def test_exit_status_summary_manifest_and_status_agree(runs, name, failed, cause):
    run = runs[name]
    cause = cause.format(port=getattr(run, "port", None))
    assert run.result.returncode == (1 if failed else 0), run.result.stderr[-3000:]
    assert run.summary.startswith(f"crawl: etemadonline {'FAILED' if failed else 'ok    '} ")
    assert run.cause == cause
    assert run.manifest["verdict"] == {"failed": failed, "cause": cause}
    result, block = status(run.out)
    assert reported(block) == (failed, cause)
    assert JUDGED_AGAIN not in result.stdout


def test_the_runs_are_what_they_stand_for(runs):
    assert runs["error"].manifest["counts"]["exported"] == 2 and runs["error"].manifest["finish_reason"] == "finished"
    assert runs["error"].manifest["quality"]["alarms"] == [] and "] ERROR: Gave up retrying" in runs["error"].result.stderr
    assert runs["blocked"].manifest["counts"].get("exported", 0) == 0
    assert runs["partly_blocked"].manifest["counts"]["exported"] == 2 and runs["partly_blocked"].manifest["faults"]["blocked"] == 1
    assert runs["unreachable"].manifest["finish_reason"] == "unreachable"


@pytest.mark.parametrize(
    "name, failed, cause",
    [
        # The errors the run logged are in no older manifest: judged ok, and the report says how it judged.
        ("error", False, ""),
        ("blocked", True, "the site blocks the crawler (anti-bot pages: arvancloud 3)"),
        ("partly_blocked", False, ""),
        ("unreachable", True, "finish reason unreachable"),
    ],
)
def test_a_manifest_without_a_verdict_is_judged_by_the_same_rules_and_says_so(runs, tmp_path, name, failed, cause):
    older = dict(runs[name].manifest)
    del older["verdict"]
    (tmp_path / "etemadonline").mkdir()
    (tmp_path / "etemadonline" / runs[name].manifest_path.name).write_text(json.dumps(older), "utf-8")
    result, block = status(tmp_path)
    assert reported(block) == (failed, cause)
    assert JUDGED_AGAIN in block
    assert verdict(older) == (failed, cause)
    now = datetime.now(timezone.utc)
    page = html_page(health([run_of(older, Path("m"))], 14, now.date()), 14, 3, now)
    assert JUDGED_AGAIN in page and ("FAILED" in page) == failed


@pytest.mark.parametrize(
    "stats, alarms, expected",
    [
        ({"finish_reason": "finished", "articles/exported": 3, "log_count/WARNING": 2}, [], ""),
        ({"finish_reason": "closespider_itemcount"}, [], ""),
        ({}, [], "finish reason not started"),
        ({"finish_reason": "unreachable", "faults/unreachable": "a.ir: DNS lookup failed", "log_count/ERROR": 1}, [],
         "cannot reach a.ir: DNS lookup failed"),
        ({"finish_reason": "finished", "faults/site_blocked": 1, "pages/blocked/arvancloud": 7}, [],
         "the site blocks the crawler (anti-bot pages: arvancloud 7)"),
        ({"finish_reason": "finished", "pages/blocked/arvancloud": 7}, [], ""),  # blocked pages, not a blocked site
        ({"finish_reason": "shutdown", "log_count/ERROR": 2}, ["x: field lead ..."], "finish reason shutdown"),
        ({"finish_reason": "export_failed", "export/write_failed": 1}, [], "finish reason export_failed"),
        ({"finish_reason": "finished", "export/write_failed": 1}, [], "its export could not be written whole (see the log)"),
        ({"finish_reason": "finished", "export/manifest_failed": 1, "log_count/ERROR": 1}, [],
         "the run's manifest could not be written (see the log)"),
        ({"finish_reason": "finished", "monitor/alarms": 2}, ["x: field lead ...", "x: field tags ..."], "x: field lead ... (and 1 more alarms)"),
        ({"finish_reason": "finished", "monitor/alarms": 1}, [], "1 layout alarm"),
        ({"finish_reason": "finished", "log_count/ERROR": 3, "faults/timeout": 5, "faults/http_5xx": 2}, [], "3 errors logged, most faults timeout (5)"),
        ({"finish_reason": "finished", "log_count/ERROR": 1}, [], "1 error logged"),
    ],
)  # fmt: skip
def test_a_run_fails_for_what_stopped_or_spoiled_it_first(stats, alarms, expected):
    assert judge(stats, alarms) == (bool(expected), expected)

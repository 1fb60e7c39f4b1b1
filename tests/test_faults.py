"""Faults: a local site that misbehaves on purpose (server errors, rate limits
with Retry-After, timeouts, connection resets, bodies cut short, redirect
loops). The crawl retries with backoff, gets what can be got, finishes, and
counts each kind of fault in its log and its manifest (crawler.ops.faults)."""

import json
import logging

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.ops.faults import RedirectLoopMiddleware, blocking_verdict, fault_counts
from localsite import Route, scrapy_crawl, serve
from test_crawl_e2e import link, variant

DATE = "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰"


def path(code: int, what: str) -> str:
    return f"/بخش-سیاسی-2/{code}-{what}"


def article(code: int) -> Route:
    return Route(variant(str(code), f"خبر {code}", DATE))


def code_of(p: str) -> int:
    return int(p.rsplit("/", 1)[1].split("-")[0])


OK = path(600001, "ok")
# Each answers badly first, then well: retried, then exported.
RECOVERING = {
    path(600002, "500"): [Route("oops", "text/plain", 500), Route("oops", "text/plain", 502)],
    path(600003, "503"): [Route("busy", "text/plain", 503, {"Retry-After": "1"})],
    path(600004, "429"): [Route("slow down", "text/plain", 429, {"Retry-After": "1"})],
    path(600005, "timeout"): [Route("late", delay=8)],  # DOWNLOAD_TIMEOUT=3
    path(600006, "reset"): [Route("", fault="reset")],
    path(600007, "cut"): [Route(variant("600007", "خبر 600007", DATE), fault="cut")],
}
ALWAYS_500 = path(600008, "always-500")
LOOP_A, LOOP_B = path(600009, "loop-a"), path(600010, "loop-b")
SELF_LOOP = path(600011, "self-loop")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("faults")
    routes: dict = {}
    with serve(routes) as (base, requested):
        pages = [OK, *RECOVERING, ALWAYS_500, LOOP_A, SELF_LOOP]
        rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in pages)
        routes.update({
            "/robots.txt": Route("User-agent: *\n", "text/plain"),
            "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
            OK: article(600001),
            **{p: [*bad, article(code_of(p))] for p, bad in RECOVERING.items()},
            ALWAYS_500: Route("down", "text/plain", 500),
            LOOP_A: Route("", status=302, headers={"Location": base + link(LOOP_B)}),
            LOOP_B: Route("", status=302, headers={"Location": base + link(LOOP_A)}),
            SELF_LOOP: Route("", status=301, headers={"Location": link(SELF_LOOP)}),
        })  # fmt: skip
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url={base}", "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl",
            "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=2",
        )  # fmt: skip
    [export] = (out / "etemadonline").glob("*.jsonl")
    [manifest] = (out / "etemadonline").glob("*.manifest.json")
    codes = sorted(json.loads(line)["news_code"] for line in export.read_text("utf-8").splitlines())
    return codes, json.loads(manifest.read_text("utf-8")), result, requested


def test_the_crawl_finishes_with_every_article_that_could_be_got(crawled):
    codes, manifest, result, _ = crawled
    assert manifest["complete"] is True and manifest["finish_reason"] == "finished", result.stderr[-3000:]
    assert codes == ["600001", "600002", "600003", "600004", "600005", "600006", "600007"]


def test_each_kind_of_fault_is_counted_in_the_manifest(crawled):
    _, manifest, _, _ = crawled
    assert manifest["faults"] == {
        "http_5xx": 2 + 1 + 3,  # two before a success, one 503, three times the broken page (RETRY_TIMES=2)
        "http_429": 1,
        "timeout": 1,
        "connection": 1,
        "dataloss": 1,
        "too_large": 0,
        "redirect_loop": 2,
        "blocked": 0,
        "retries_exhausted": 1,
    }


def test_the_log_sums_the_faults_up(crawled):
    _, _, result, _ = crawled
    assert (
        "etemadonline: faults: http_5xx 6, http_429 1, timeout 1, connection 1, dataloss 1, redirect_loop 2, retries_exhausted 1"
        in result.stderr
    )


def test_redirect_loops_are_stopped_and_named(crawled):
    _, _, result, requested = crawled
    assert requested.count(LOOP_A) == 1 and requested.count(LOOP_B) == 1 and requested.count(SELF_LOOP) == 1
    assert "Not followed, a redirect loop: " in result.stderr
    [line] = [line for line in result.stderr.splitlines() if "redirect loop" in line and link(LOOP_B) in line]
    assert line.count(link(LOOP_A)) == 2  # A -> B -> A


def test_retry_after_is_waited_for_and_retries_back_off(crawled):
    _, _, result, requested = crawled
    backoff = float(result.stderr.split("'retry/backoff_seconds': ")[1].split(",")[0])
    assert backoff >= 2.0  # the two Retry-After: 1 answers, and the others' short backoffs
    assert requested.count(ALWAYS_500) == 3  # the first try and RETRY_TIMES=2 retries
    assert "Gave up retrying" in result.stderr


def test_the_run_with_faults_it_could_not_overcome_exits_1(crawled):
    _, _, result, _ = crawled
    assert result.returncode == 1  # gave up on a page: scrapy crawl says so to cron


def test_redirect_past_redirect_max_times_is_counted():
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 1})
    crawler.spider = Spider("x")
    middleware = RedirectLoopMiddleware.from_crawler(crawler)
    first = Request("https://example.ir/1")
    second = middleware.process_response(first, Response(first.url, status=302, headers={"Location": "/2"}))
    with pytest.raises(IgnoreRequest):
        middleware.process_response(second, Response(second.url, status=302, headers={"Location": "/3"}))
    assert crawler.stats.get_value("faults/redirect_loop") == 1


def test_fault_counts_name_every_kind_even_when_none_happened():
    assert fault_counts({}) == dict.fromkeys(
        ["http_5xx", "http_429", "timeout", "connection", "dataloss", "too_large", "redirect_loop", "blocked", "retries_exhausted"], 0
    )


@pytest.mark.parametrize(
    "stats,level,message",
    [
        ({}, None, None),
        (
            {"pages/blocked/arvancloud": 12, "pages/article_blocked": 12},
            logging.ERROR, "etemadonline: 12 of 12 article pages were ArvanCloud challenges; the site is blocking this crawler",
        ),
        (
            {"pages/blocked/cloudflare": 4},
            logging.ERROR, "etemadonline: no article page reached; 4 pages were Cloudflare challenges; the site is blocking this crawler",
        ),
        (
            {"pages/blocked/arvancloud": 2, "pages/article_blocked": 2, "pages/article": 8},
            logging.WARNING, "etemadonline: 2 of 10 article pages were ArvanCloud challenges; 2 blocked pages in all",
        ),
    ],
)  # fmt: skip
def test_blocking_verdict(stats, level, message):
    assert blocking_verdict("etemadonline", stats) == (level and (level, message))

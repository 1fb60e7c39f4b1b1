"""Getting at a site: when it answers with anti-bot challenges the run says so
plainly (a WARNING per page, an ERROR at the end, exit status 1), and a site
that needs plain HTTP is crawled over http://."""

import asyncio
import json
from dataclasses import replace
from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler.commands.crawlall import outcome
from crawler.sites import site_named
from crawler.spiders.site import SiteSpider
from localsite import ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import link, variant

BAD = ROOT / "tests/fixtures/bad"
ARVAN = (BAD / "arvancloud-challenge.html").read_bytes()
CLOUDFLARE = (BAD / "cloudflare-challenge.html").read_bytes()
ARTICLES = [f"/بخش-سیاسی-2/{600001 + i}-خبر" for i in range(3)]


def crawl(base: str, out: Path):
    result = scrapy_crawl("etemadonline", "-a", f"base_url={base}", "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl")
    [manifest] = (out / "etemadonline").glob("*.manifest.json")
    return result, json.loads(manifest.read_text("utf-8"))


def test_a_site_answering_every_article_with_a_challenge_is_named_as_blocking(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, requested):
        rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in ARTICLES)
        routes.update({
            "/robots.txt": Route("User-agent: *\n", "text/plain"),
            "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
            **{p: Route(ARVAN, status=503) for p in ARTICLES},
        })  # fmt: skip
        result, manifest = crawl(base, tmp_path)
    log = result.stderr
    assert len([line for line in log.splitlines() if "WARNING: Blocked: " in line and "ArvanCloud challenge" in line]) == 3
    assert "ERROR: etemadonline: 3 of 3 article pages were ArvanCloud challenges; the site is blocking this crawler" in log
    assert all(requested.count(p) == 1 for p in ARTICLES)  # challenges are not retried
    assert manifest["complete"] is True and manifest["faults"]["blocked"] == 3
    assert manifest["pages"]["blocked/arvancloud"] == 3
    assert result.returncode == 1 and "FAILED" in log and "blocked    3" in log
    assert not list((tmp_path / "etemadonline").glob("*.jsonl"))


def test_a_site_blocking_discovery_too_is_named_as_blocking(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        for p in ("/robots.txt", "/fa/feeds/", "/feeds/", "/sitemap.xml", "/"):
            routes[p] = Route(CLOUDFLARE, status=403)
        result, manifest = crawl(base, tmp_path)
    # robots.txt twice: for its rules, and as a sitemap index
    assert "ERROR: etemadonline: no article page reached; 6 pages were Cloudflare challenges;" in result.stderr
    assert result.returncode == 1 and manifest["faults"]["blocked"] == 6


def test_a_few_challenges_among_articles_are_a_warning(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in ARTICLES)
        routes.update({
            "/robots.txt": Route("User-agent: *\n", "text/plain"),
            "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
            ARTICLES[0]: Route(ARVAN),
            ARTICLES[1]: Route(variant("600002", "خبر دوم", "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")),
            ARTICLES[2]: Route(variant("600003", "خبر سوم", "۱۴۰۲/۰۱/۱۶ ۱۲:۰۰:۰۰")),
        })  # fmt: skip
        result, manifest = crawl(base, tmp_path)
    assert "WARNING: etemadonline: 1 of 3 article pages were ArvanCloud challenges" in result.stderr
    assert "the site is blocking" not in result.stderr
    assert manifest["counts"]["exported"] == 2


def test_outcome_fails_a_blocked_site():
    (failed, _), summary = outcome({"finish_reason": "finished", "faults/site_blocked": 1, "pages/blocked/arvancloud": 7})
    assert failed and "blocked    7" in summary


def test_a_site_that_needs_plain_http_is_crawled_over_http():
    site = replace(site_named("etemadonline"), plain_http=True)
    assert site.base_url.startswith("https://") and site.start_url == "http://www.etemadonline.com"
    spidercls = type("PlainSpider", (SiteSpider,), {"name": "plain", "site": site})
    spider = spidercls.from_crawler(get_crawler(spidercls))
    assert spider.base_url == "http://www.etemadonline.com/"

    async def start_urls():
        return [r.url async for r in spider.start()]

    assert all(url.startswith("http://www.etemadonline.com/") for url in asyncio.run(start_urls()))
    # -a base_url= still wins, as for any site.
    assert spidercls.from_crawler(get_crawler(spidercls), base_url="https://mirror.example").base_url == "https://mirror.example/"

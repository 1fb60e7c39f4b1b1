"""The real Etemad Online spider, run by `scrapy crawl` through Scrapy's
engine, against a copy of the site served on 127.0.0.1: robots.txt, RSS feed,
sitemap index and urlset, home and section listings, article pages."""

import json
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from localsite import Route, scrapy_crawl, serve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "tests/fixtures/etemadonline.com/523995.html").read_text("utf-8")
SAMPLE_EXPECTED = json.loads((ROOT / "tests/fixtures/etemadonline.com/523995.json").read_text("utf-8"))["expected"]
HEADLINE = SAMPLE_EXPECTED["headline"]
DATE_TEXT = SAMPLE_EXPECTED["published_at_raw"]


def variant(code: str, headline: str, date_text: str | None) -> str:
    """The sample page turned into another article: other code, headline and time."""
    page = SAMPLE.replace("523995", code).replace(HEADLINE, headline)
    if date_text is None:
        return page.replace(f'<span class="news_time news-time">{DATE_TEXT}</span>', "").replace(
            f'<span class="news_time">{DATE_TEXT}</span>', ""
        )
    return page.replace(DATE_TEXT, date_text)


def path(section: str, code: str, slug: str) -> str:
    return f"/{section}/{code}-{slug}"


def link(p: str) -> str:
    return quote(p)  # sites percent-encode Persian paths in links


SAMPLE_PATH = path("بخش-جامعه-6", "523995", "همکاری-همه-جانبه")
FEED_ONLY = path("بخش-سیاسی-2", "600001", "خبر-اول")
SITEMAP_ONLY = path("بخش-سیاسی-2", "600002", "خبر-دوم")
SECTION_ONLY = path("بخش-اقتصادی-3", "600003", "خبر-سوم")
NO_DATE = path("بخش-سیاسی-2", "600004", "بدون-تاریخ")
DISALLOWED = path("بخش-ممنوع-9", "600005", "ممنوع")


def site_routes(base: str) -> dict[str, Route]:
    rss = "".join(
        f"<item><title>t</title><link>{base}{link(p)}</link><pubDate>Wed, 24 Nov 2021 15:41:37 GMT</pubDate></item>"
        for p in ("/fa/tiny/news-523995", FEED_ONLY)
    )
    urlset = "".join(f"<url><loc>{base}{link(p)}</loc></url>" for p in (SAMPLE_PATH, SITEMAP_ONLY, NO_DATE, "/fa/tag/1"))
    home = "".join(
        f'<a href="{link(p)}">x</a>' for p in (FEED_ONLY, SAMPLE_PATH, DISALLOWED, "/بخش-اقتصادی-3", "/fa/tag/1", "/about")
    )
    xml = "application/xml; charset=utf-8"
    return {
        "/robots.txt": Route(f"User-agent: *\nDisallow: {link('/بخش-ممنوع-9/')}\nSitemap: {base}/sitemap_index.xml\n", "text/plain"),
        "/fa/feeds/": Route(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{rss}</channel></rss>', "application/rss+xml"),
        "/sitemap_index.xml": Route(
            f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{base}/sitemap-news.xml</loc></sitemap></sitemapindex>',
            xml,
        ),
        "/sitemap-news.xml": Route(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>', xml
        ),
        "/": Route(f"<html><body>{home}</body></html>"),
        "/بخش-اقتصادی-3": Route(f'<html><body><a href="{link(SECTION_ONLY)}">x</a></body></html>'),
        SAMPLE_PATH: Route(SAMPLE),
        "/fa/tiny/news-523995": Route(SAMPLE),
        FEED_ONLY: Route(variant("600001", "خبر اول از خوراک", "۱۴۰۱/۰۲/۱۰ ۰۸:۰۵:۰۰")),
        SITEMAP_ONLY: Route(variant("600002", "خبر دوم از نقشه سایت", "۱۴۰۱/۰۷/۰۱ ۰۰:۳۰:۰۰")),
        SECTION_ONLY: Route(variant("600003", "خبر سوم از صفحه بخش", "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")),
        NO_DATE: Route(variant("600004", "خبری بی تاریخ", None)),
        DISALLOWED: Route(variant("600005", "خبر ممنوع", "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")),
        "/fa/tag/1": Route("<html><body>tag page</body></html>"),
    }


def crawl(base: str, *extra: str) -> subprocess.CompletedProcess:
    return scrapy_crawl("etemadonline", "-a", f"base_url={base}", *extra)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl") / "etemadonline.jsonl"
    routes: dict[str, Route] = {}
    with serve(routes) as (base, requested):
        routes.update(site_routes(base))
        result = crawl(base, "-O", f"{out}:jsonlines")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stderr, requested


def test_default_output_is_one_file_per_run_under_the_spider_name(tmp_path):
    routes: dict[str, Route] = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawl(base, "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    [export] = (tmp_path / "etemadonline").glob("*.jsonl")
    assert len(export.read_text("utf-8").splitlines()) == 4
    [manifest_path] = (tmp_path / "etemadonline").glob("*.manifest.json")
    assert manifest_path.name == export.name.replace(".jsonl", ".manifest.json")  # found beside its export
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["complete"] is True and manifest["finish_reason"] == "finished"
    assert manifest["files"] == [{"path": export.name, "articles": 4}]
    assert manifest["counts"]["exported"] == 4 and manifest["counts"]["dropped/missing_published_at"] == 1


def test_a_named_export_gets_its_manifest_beside_it(crawled):
    out, _, _ = crawled
    assert [p.name for p in out.parent.glob("*.manifest.json")] == ["etemadonline.manifest.json"]


def test_every_article_exported_once(crawled):
    out, log, _ = crawled
    lines = out.read_text("utf-8").splitlines()
    codes = [json.loads(line)["news_code"] for line in lines]
    assert sorted(codes) == ["523995", "600001", "600002", "600003"]


def test_sample_article_line_is_the_users_expected_output(crawled):
    out, _, _ = crawled
    articles = {a["news_code"]: a for a in map(json.loads, out.read_text("utf-8").splitlines())}
    sample = articles["523995"]
    for field, value in SAMPLE_EXPECTED.items():
        assert sample[field] == value, field
    assert sample["url"].endswith(quote(SAMPLE_PATH)) or sample["url"].endswith("/fa/tiny/news-523995")
    assert sample["site"] == "etemadonline.com" and sample["language"] == "fa"
    assert sample["schema_version"] == 2 and len(sample["content_hash"]) == 64
    assert sample["crawled_at"].endswith("+00:00")


def test_times_carry_the_offset_in_force(crawled):
    out, _, _ = crawled
    articles = {a["news_code"]: a for a in map(json.loads, out.read_text("utf-8").splitlines())}
    assert articles["600001"]["published_at"] == "2022-04-30T08:05:00+04:30"  # 1401: daylight saving
    assert articles["600002"]["published_at"] == "2022-09-23T00:30:00+03:30"  # 1 Mehr 1401: after it
    assert articles["600003"]["published_at"] == "2023-04-04T12:00:00+03:30"  # 1402: no DST any more
    assert articles["600001"]["headline"] == "خبر اول از خوراک"


def test_output_is_readable_utf8_and_complete(crawled):
    out, _, _ = crawled
    raw = out.read_bytes().decode("utf-8")
    assert "\\u06" not in raw and "همکاری" in raw
    assert not out.with_name(out.name + ".part").exists()
    fields = list(json.loads(raw.splitlines()[0]))
    assert fields[:4] == ["schema_version", "site", "url", "canonical_url"]
    assert "field_sources" not in fields


def test_page_without_date_is_dropped_with_a_reason(crawled):
    _, log, requested = crawled
    assert any("600004" in p for p in requested)
    assert "invalid article" in log and "missing published_at" in log
    assert "'articles/dropped/missing_published_at': 1" in log


def test_robots_and_one_request_per_article(crawled):
    _, log, requested = crawled
    assert not any("600005" in p for p in requested), "robots.txt disallows that section"
    assert requested.count("/fa/tiny/news-523995") + requested.count(SAMPLE_PATH) == 1
    assert "/fa/tag/1" not in requested and "/about" not in requested
    assert "'articles/skipped/same_code': " in log


def test_rate_limits_and_server_errors_are_retried_with_backoff():
    routes: dict[str, Route | list[Route]] = {}
    with serve(routes) as (base, requested):
        rss = f"<rss><channel><item><link>{base}{link(SAMPLE_PATH)}</link></item></channel></rss>"
        routes.update({
            "/robots.txt": Route("User-agent: *\n", "text/plain"),
            "/fa/feeds/": Route(rss, "application/rss+xml"),
            SAMPLE_PATH: [
                Route("busy", "text/plain", 503, {"Retry-After": "1"}),
                Route("slow down", "text/plain", 429),
                Route(SAMPLE),
            ],
        })
        result = crawl(base, "-o", "-:jsonlines", "-s", "LOG_FILE=/dev/stderr")
    assert result.returncode == 0, result.stderr[-3000:]
    assert [json.loads(line)["news_code"] for line in result.stdout.splitlines()] == ["523995"]
    assert requested.count(SAMPLE_PATH) == 3
    assert "'retry/count': 2" in result.stderr
    backoff = float(result.stderr.split("'retry/backoff_seconds': ")[1].split(",")[0])
    assert 1.0 <= backoff < 1.5  # Retry-After's 1 s, then RETRY_BACKOFF_BASE=0.01 with jitter


def test_gzip_output_when_the_name_asks_for_it(tmp_path):
    import gzip

    routes: dict[str, Route] = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawl(base, "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl.gz")
    assert result.returncode == 0, result.stderr[-3000:]
    [export] = (tmp_path / "etemadonline").glob("*.jsonl.gz")
    lines = gzip.decompress(export.read_bytes()).decode("utf-8").splitlines()
    assert sorted(json.loads(line)["news_code"] for line in lines) == ["523995", "600001", "600002", "600003"]
    assert not list((tmp_path / "etemadonline").glob("*.part"))


def test_same_body_under_other_codes_is_flagged_as_a_near_duplicate(crawled):
    out, _, _ = crawled
    articles = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    # The test site's variants share the sample's body: the first exported is
    # the original, the rest point to it.
    [original] = [a for a in articles if a["duplicate_of"] is None]
    assert {a["news_code"] for a in articles if a["duplicate_of"]} == {"523995", "600001", "600002", "600003"} - {original["news_code"]}
    assert all(a["duplicate_of"] in (None, {"site": "etemadonline.com", "news_code": original["news_code"]}) for a in articles)


def test_the_retired_crawler_processes_setting_changes_nothing_but_a_warning(crawled, tmp_path):
    """CRAWLER_PROCESSES sized a worker pool, removed (benchmarks/RESULTS.md,
    "Crawl"): an operator's settings that still set it give the very lines
    a crawl without gives, and one warning line pointing to crawlall --processes."""
    out = tmp_path / "etemadonline.jsonl"
    routes: dict[str, Route] = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawl(base, "-O", f"{out}:jsonlines", "-s", "CRAWLER_PROCESSES=2")
    assert result.returncode == 0, result.stderr[-3000:]
    in_process = crawled[0]

    def comparable(path):
        lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        for a in lines:  # these depend on the run: when it ran, which of two links and which variant came first
            del a["crawled_at"], a["duplicate_of"], a["url"]
        return sorted(lines, key=lambda a: a["news_code"])

    assert comparable(out) == comparable(in_process)
    assert sum(json.loads(line)["duplicate_of"] is None for line in out.read_text("utf-8").splitlines()) == 1
    [warning] = [line for line in result.stderr.splitlines() if "CRAWLER_PROCESSES" in line]
    assert warning.endswith("WARNING: CRAWLER_PROCESSES is no longer used: pages are read in the crawl's process;"
                            " `scrapy crawlall --processes N` runs the sites in N processes")  # fmt: skip

"""scrapy canary: each site's newest article fetched, extracted and judged,
offline, from recorded responses (REPLAY_WARC): a recorded crawl of the
local Etemad Online site of test_crawl_e2e, and archives written here."""

import subprocess
import sys
from io import BytesIO
from urllib.parse import quote

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.commands.canary import judge
from crawler.schema.article import normalize_article
from crawler.spiders.canary import Checked
from localsite import FAST, ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import FEED_ONLY, NO_DATE, SAMPLE_PATH, SITEMAP_ONLY, link, site_routes

BASE = "http://etemadonline.test"  # never resolved: every answer comes from the archive


def canary(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "canary", *FAST, *args], cwd=ROOT, capture_output=True, text=True, timeout=180
    )


def row(stdout: str, site: str) -> list[str]:
    [line] = [line for line in stdout.splitlines() if line.startswith(site + " ")]
    return line.split()


def header(stdout: str) -> list[str]:
    return stdout.splitlines()[0].split()


def archive(path, base: str, routes: dict[str, Route]) -> str:
    """Every route of a local site as a WARC response record, as if recorded from `base`."""
    with path.open("wb") as file:
        writer = WARCWriter(file, gzip=True)
        for p, route in routes.items():
            http = StatusAndHeaders(f"{route.status} OK", [("Content-Type", route.content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(base + link(p), "response", payload=BytesIO(route.body), http_headers=http)
            writer.write_record(record)
    return str(path)


def feed(base: str, *paths: str) -> Route:
    items = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in paths)
    return Route(f"<rss><channel>{items}</channel></rss>", "application/rss+xml")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A crawl of the local site recorded into a WARC, the server stopped since."""
    tmp = tmp_path_factory.mktemp("canary")
    routes: dict[str, Route] = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url={base}", "-s", f"RECORD_WARC={tmp}/crawl.warc.gz", "-O", f"{tmp}/crawl.jsonl"
        )
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "crawl.warc.gz", base


def test_healthy_sites_pass_from_a_recorded_crawl(recorded, tmp_path):
    warc, base = recorded
    result = canary("etemadonline", "ilna", "-a", f"base_url={base}", "-s", f"REPLAY_WARC={warc}",
                    "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert header(result.stdout) == ["site", "news_code", "headline", "body", "published_at", "lead", "article"]
    # The feed's first article; ILNA, another Asam site, reads the same copy from its second feed path.
    for site in ("etemadonline", "ilna"):
        *cells, found_in, url = row(result.stdout, site)
        assert cells == [site, "ok", "ok", "ok", "ok", "ok"] and found_in == "feed:"
        # The feed links the short URL; the archive holds the article under its slug URL, which the crawl took.
        assert url.startswith(base) and "523995" in url
    assert result.stdout.splitlines()[-1] == "canary: 2 of 2 sites ok"
    assert "warc/replay_missing" in result.stderr  # ILNA's first feed path was never recorded: a 404
    assert not list(tmp_path.iterdir())  # a check, not a crawl: nothing exported, no manifest


def test_without_a_feed_the_newest_sitemap_entry_is_checked(tmp_path):
    routes = site_routes(BASE)
    del routes["/fa/feeds/"]
    dated = ((SAMPLE_PATH, "2021-11-24"), (SITEMAP_ONLY, "2022-09-23T00:30:00+03:30"), (FEED_ONLY, "2022-04-30T08:05:00+04:30"))
    urls = "".join(f"<url><loc>{BASE}{link(p)}</loc><lastmod>{when}</lastmod></url>" for p, when in dated)
    routes["/sitemap-news.xml"] = Route(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', "application/xml"
    )
    routes["/sitemap_index.xml"] = Route(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{BASE}/sitemap-news.xml</loc><lastmod>2022-09-23</lastmod></sitemap>"
        f"<sitemap><loc>{BASE}/sitemap-2019.xml</loc><lastmod>2019-12-30</lastmod></sitemap></sitemapindex>",
        "application/xml",
    )
    warc = archive(tmp_path / "site.warc.gz", BASE, routes)
    result = canary("etemadonline", "-a", f"base_url={BASE}", "-s", f"REPLAY_WARC={warc}")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert row(result.stdout, "etemadonline")[-2:] == ["sitemap:", BASE + quote(SITEMAP_ONLY)]
    assert "sitemap-2019.xml" not in result.stderr  # only the index's newest sitemap is read
    assert "/fa/feeds/" in result.stderr  # the feeds were asked first (404: not archived)


def test_a_site_whose_newest_article_lost_its_date_fails(tmp_path):
    routes = site_routes(BASE)
    routes["/fa/feeds/"] = feed(BASE, NO_DATE, SAMPLE_PATH)
    warc = archive(tmp_path / "site.warc.gz", BASE, routes)
    result = canary("etemadonline", "-a", f"base_url={BASE}", "-s", f"REPLAY_WARC={warc}")
    assert result.returncode == 1
    assert row(result.stdout, "etemadonline") == [
        "etemadonline", "ok", "ok", "ok", "FAIL", "ok", "feed:", BASE + quote(NO_DATE), "missing", "published_at",
    ]  # fmt: skip
    assert result.stdout.splitlines()[-1] == "canary: 0 of 1 sites ok; failed: etemadonline"


def test_a_site_with_nothing_to_check_fails(tmp_path):
    warc = archive(tmp_path / "empty.warc.gz", BASE, {"/robots.txt": Route("User-agent: *\n", "text/plain")})
    result = canary("family:asam", "-a", f"base_url={BASE}", "-s", f"REPLAY_WARC={warc}")
    assert result.returncode == 1
    sites = [line.split()[0] for line in result.stdout.splitlines()[1:-1]]
    assert "etemadonline" in sites and "ilna" in sites
    assert " ".join(row(result.stdout, "etemadonline")[1:]) == "FAIL FAIL FAIL FAIL - no article link in its feeds or sitemaps"
    assert result.stdout.splitlines()[-1].startswith(f"canary: 0 of {len(sites)} sites ok; failed: ")


# -- judging one article ---------------------------------------------------------------------------


def article(**fields):
    base = {"site": "x.ir", "url": "https://x.ir/news/1", "news_code": "1", "headline": "تیتر", "body": "متن",
            "published_at": "2024-01-01T10:00:00+03:30", "lead": None, "tags": []}  # fmt: skip
    return Checked("https://x.ir/news/1", "feed", normalize_article(base | fields), None)


def test_optional_fields_fail_the_site_only_when_expected_on_every_article():
    verdict = judge("x", article(), {"lead": 0.5})
    assert verdict.cells == {"news_code": "ok", "headline": "ok", "body": "ok", "published_at": "ok", "lead": "miss"}
    assert verdict.failures == []
    verdict = judge("x", article(lead="لید"), {"lead": 0.5, "tags": 1.0})
    assert verdict.cells["lead"] == "ok" and verdict.cells["tags"] == "FAIL" and verdict.failures == ["missing tags"]


def test_a_present_but_invalid_field_fails():
    verdict = judge("x", article(published_at="yesterday"), {})
    assert verdict.cells["published_at"] == "FAIL"
    assert verdict.failures and verdict.failures[0].startswith("published_at:")

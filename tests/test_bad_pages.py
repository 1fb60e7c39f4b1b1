"""The bad-input corpus (tests/fixtures/bad/, described in its README): each
page is recognised by crawler.extract.pagecheck, and a crawl of the local
Etemad Online site serving them all at article addresses refuses each with a
log line and a stats counter, exports none, and exports the good articles."""

import gzip
import json
import runpy
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from crawler.extract import extract_article, read_article
from crawler.extract.html import parse_html
from crawler.extract.junk import drop_tree
from crawler.schema.article import normalize_article, validation_errors
from crawler.sites import site_for_url, site_named
from crawler.spiders.sites import EtemadonlineSpider
from localsite import ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import SAMPLE, link, variant

BAD = ROOT / "tests/fixtures/bad"
SITE = site_named("etemadonline")
URL = "https://www.etemadonline.com/بخش-سیاسی-2/600050-خبر"

# corpus file -> (kind read_article refuses it as, status the crawl serves it with)
REFUSED = {
    "truncated.html": ("bad/truncated", 200),
    "empty.html": ("bad/empty", 200),
    "binary.png": ("bad/binary", 200),
    "arvancloud-challenge.html": ("blocked/arvancloud", 503),
    "cloudflare-challenge.html": ("blocked/cloudflare", 403),
    "irna-interstitial.html": ("blocked/interstitial", 200),
    "soft-404.html": ("not_found", 200),
    "tag-listing.html": ("not_article", 200),
}
# Pages built to make extraction slow or crash (fixtures/bad/pathological.py)
PATHOLOGICAL = runpy.run_path(str(BAD / "pathological.py"))["PAGES"]
# corpus file -> headline, for pages whose encoding is wrongly labelled or legacy
MISLABELLED = {
    "charset-mismatch.html": "افزایش قیمت بلیت قطار در نوروز",
    "windows-1256.html": "بازار کتاب تهران در روزهای پایانی سال",
}


def twenty_mb_page() -> bytes:
    """A whole article page 20 MB long: one endless paragraph."""
    return SAMPLE.replace('<div id="echo_detail">', '<div id="echo_detail"><p>' + "واژه " * 2_200_000 + "</p>").encode()


def gzip_bomb() -> bytes:
    """A 40 KB gzip body that decompresses to 40 MB, past DOWNLOAD_MAXSIZE (16 MB)."""
    return gzip.compress(b" " * (40 * 1024 * 1024))


# -- the function level ---------------------------------------------------------------


@pytest.mark.parametrize("name", REFUSED)
def test_each_bad_page_is_recognised(name):
    reading = read_article((BAD / name).read_bytes(), URL, site=SITE)
    problem = reading.problem
    assert problem is not None and problem.kind == REFUSED[name][0], problem
    assert problem.reason and reading.fields is None


def test_a_body_scrapy_flags_as_cut_short_is_refused():
    """With DOWNLOAD_FAIL_ON_DATALOSS off, a cut body arrives flagged "dataloss"."""
    assert read_article(SAMPLE.encode(), URL, site=SITE, flags=["dataloss"]).problem.kind == "bad/truncated"
    assert read_article(SAMPLE.encode(), URL, site=SITE, flags=["partial"]).problem is None  # ended by closing: HTTP/1.0


@pytest.mark.parametrize("name", ["truncated.html", "tag-listing.html"])
def test_without_the_check_these_would_pass_as_articles(name):
    """Why the check comes first: extraction alone makes a valid-looking
    article of half a page, or of a listing's headlines and leads."""
    article = normalize_article(extract_article((BAD / name).read_bytes(), URL, site=SITE))
    assert validation_errors(article) == []


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=ISO-8859-1", "text/html; charset=utf-8"])
@pytest.mark.parametrize("name", MISLABELLED)
def test_pages_in_a_mislabelled_or_legacy_encoding_extract_right(name, content_type):
    body = (BAD / name).read_bytes()
    assert read_article(body, URL, site=SITE, content_type=content_type).problem is None
    article = normalize_article(extract_article(body, URL, site=SITE, content_type=content_type))
    assert article["headline"] == MISLABELLED[name]
    assert validation_errors(article) == []


def test_the_sites_own_pages_are_articles():
    """No saved article page of any site is refused: no false alarm."""
    pages = [p for p in sorted((ROOT / "tests/fixtures").glob("*/*.json")) if p.with_suffix(".html").exists()]
    assert len(pages) > 20
    for meta_path in pages:
        url = json.loads(meta_path.read_text("utf-8"))["url"]
        assert read_article(meta_path.with_suffix(".html").read_bytes(), url, site=site_for_url(url)).problem is None, meta_path


def test_the_checks_and_the_extraction_read_one_page(monkeypatch):
    """read_article's page checks and its extraction share one Page, so what
    both ask of it (JSON-LD, <meta>, the body container) is worked out once."""
    from crawler.extract import layers

    page = ROOT / "tests/fixtures/isna.ir/98030903723.html"
    url, body = json.loads(page.with_suffix(".json").read_text("utf-8"))["url"], page.read_bytes()
    parsed: list[int] = []
    real = layers.Page.json_ld.func
    monkeypatch.setattr(layers.Page, "json_ld", layers.cached_property(lambda page: parsed.append(1) or real(page)))
    layers.Page.json_ld.__set_name__(layers.Page, "json_ld")
    assert read_article(body, url, site=site_for_url(url)).fields["headline"]
    assert len(parsed) == 1


def test_challenge_markers_in_an_ordinary_page_are_no_challenge():
    """Sites on ArvanCloud's CDN or with Cloudflare's bot script carry the markers in every page."""
    page = SAMPLE.replace(
        "</head>",
        '<script src="https://cdn.arvancloud.ir/x.js"></script>'
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></head>',
    )
    assert read_article(page.encode(), URL, site=SITE).problem is None


def test_a_short_article_on_a_cdn_that_names_a_challenge_is_no_challenge():
    """A brief, as short as a challenge page, from a site on ArvanCloud's CDN:
    it says it is an article, so it is the site's own page."""
    page = (
        '<html><head><meta property="og:type" content="article"><title>خبر کوتاه</title>'
        '<script src="https://cdn.arvancloud.ir/x.js"></script></head><body><h1>خبر کوتاه</h1>'
        '<div id="echo_detail"><p>' + "متن کوتاه این خبر. " * 20 + "</p></div></body></html>"
    )
    assert read_article(page.encode(), URL, site=SITE).problem is None
    undeclared = page.replace("og:type", "og:kind").replace("echo_detail", "text")
    assert read_article(undeclared.encode(), URL, site=SITE).problem.kind == "blocked/arvancloud"


def test_a_not_found_box_on_an_article_is_no_soft_404():
    """A comment form's or a hidden template's "not found" message on a page
    that says it is an article; on a page that does not, the box is the page."""
    page = SAMPLE.replace("</body>", '<div class="comment-error">خبر مورد نظر یافت نشد</div></body>')
    assert read_article(page.encode(), URL, site=SITE).problem is None
    undeclared = page.replace('property="og:type"', 'property="og:kind"').replace('id="echo_detail"', 'id="text"')
    assert read_article(undeclared.encode(), URL, site=SITE).problem.kind == "not_found"


@pytest.mark.parametrize(
    "headline",
    [
        "از سرنشینان هواپیما خبری یافت نشد", "۴۰۴ کشته در زلزله", "صفحه‌ای تازه در روابط دو کشور",
        "شمار قربانیان زلزله رسید به — ۴۰۴",  # its title part after the dash is a bare 404
    ],
)
def test_not_found_words_in_an_articles_headline_are_no_soft_404(headline):
    page = variant("600060", headline, "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")
    assert read_article(page.encode(), URL, site=SITE).problem is None


@pytest.mark.parametrize("title", ["404 | اعتمادآنلاین", "خطای ۴۰۴", "Page not found", "صفحه مورد نظر وجود ندارد"])
def test_soft_404_titles(title):
    page = f"<html><head><title>{title}</title></head><body><p>x</p></body></html>"
    assert read_article(page.encode(), URL, site=SITE).problem.kind == "not_found"


def test_an_article_with_many_related_links_is_no_listing():
    related = "".join(f'<li><a href="/بخش-سیاسی-2/{610000 + i}-x">خبر مرتبط {i}</a></li>' for i in range(30))
    page = SAMPLE.replace("</body>", f"<ul>{related}</ul></body>")
    assert read_article(page.encode(), URL, site=SITE).problem is None
    # Its text alone says so, with no metadata and no body selector to go by.
    bare = page.replace('property="og:type"', 'property="og:kind"').replace('id="echo_detail"', 'id="text"')
    assert read_article(bare.encode(), URL, site=SITE).problem is None


def test_a_20_mb_page_is_read_within_the_budget():
    # An article, not too slow to read; the crawl refuses it by size.
    assert read_article(twenty_mb_page(), URL, site=SITE, budget=BUDGET).problem is None


def test_sitemap_entity_bomb_is_refused():
    # Our refusal, not lxml's: what libxml2 does with the entities changes
    # between releases (2.14 returns the <loc> with the entity unexpanded).
    body = (BAD / "sitemap-entity-bomb.xml").read_bytes()
    crawler = get_crawler(EtemadonlineSpider)
    spider = EtemadonlineSpider.from_crawler(crawler)
    assert spider._get_sitemap_body(XmlResponse("https://www.etemadonline.com/sitemap.xml", body=body)) is None
    assert crawler.stats.get_value("discovery/sitemap_refused") == 1


# -- pathological pages: each read within the budget, or refused as too slow --------------------

BUDGET = 10  # CRAWLER_EXTRACT_TIMEOUT's default


def test_deeply_nested_tags_are_read_within_the_budget():
    """100,000 <p><b>: linear work (about a second of CPU); the density walk
    used to be quadratic and took minutes."""
    reading = read_article(PATHOLOGICAL["nested-tags.html"](), URL, budget=BUDGET)
    assert reading.problem is None, reading.problem  # it ends in time; what it holds is no article
    assert reading.fields["headline"] == "تگ‌های تودرتو"


def test_an_element_with_200000_attributes_is_refused_before_it_is_parsed():
    """libxml2 parses such an element in quadratic time, in C, where the
    budget cannot stop it."""
    started = time.process_time()
    reading = read_article(PATHOLOGICAL["many-attributes.html"](), URL, budget=BUDGET)
    assert reading.problem.kind == "bad/too_slow"
    assert str(reading.problem) == "an element with 200000 attributes, too slow to parse"
    assert time.process_time() - started < BUDGET


def test_many_crowded_elements_are_refused_as_one_is():
    """What the parse costs is the sum over elements of their attributes squared."""
    element = "<div " + " ".join(f"a{i}" for i in range(2000)) + ">متن</div>"
    reading = read_article(f"<html><body>{element * 30}</body></html>".encode(), URL, budget=BUDGET)
    assert str(reading.problem) == "30 elements with up to 2000 attributes, too slow to parse"
    assert read_article(f"<html><body>{element}</body></html>".encode(), URL, budget=BUDGET).problem is None


def test_an_ordinary_element_is_not_counted_as_crowded():
    attributes = " ".join(f'data-x{i}="{i}"' for i in range(1000)) + ' content="' + "واژه " * 5000 + '"'
    page = SAMPLE.replace('<div id="echo_detail"', f'<div {attributes} id="echo_detail"')
    assert read_article(page.encode(), URL, site=SITE, budget=BUDGET).problem is None


def test_a_page_over_the_budget_is_refused_as_too_slow():
    reading = read_article(PATHOLOGICAL["nested-tags.html"](), URL, budget=0.05)
    assert reading.problem.kind == "bad/too_slow" and reading.fields is None
    assert str(reading.problem) == "reading it took over 0.05 s of CPU (CRAWLER_EXTRACT_TIMEOUT)"
    # The budget is over: nothing is left armed.
    assert read_article(PATHOLOGICAL["nested-tags.html"](), URL).problem is None


def test_off_the_main_thread_a_page_is_read_without_a_budget():
    """Signals reach only the main thread: elsewhere the budget is no limit, and no error."""
    readings = []
    thread = threading.Thread(target=lambda: readings.append(read_article(PATHOLOGICAL["nested-tags.html"](), URL, budget=0.05)))
    thread.start()
    thread.join()
    assert readings[0].problem is None


def test_a_handler_of_someone_elses_is_left_alone():
    """A profiler's SIGVTALRM handler: the page is read without a budget, the handler kept."""

    def profiler(signum, frame):
        pass

    previous = signal.signal(signal.SIGVTALRM, profiler)
    try:
        assert read_article(PATHOLOGICAL["nested-tags.html"](), URL, budget=0.05).problem is None
        assert signal.getsignal(signal.SIGVTALRM) is profiler
    finally:
        signal.signal(signal.SIGVTALRM, previous)


def test_a_late_budget_signal_ends_nothing():
    """A signal arriving as the timer is stopped, or after, is ignored
    (SIGVTALRM's default action would end the crawl)."""
    script = (
        "import os, signal\n"
        "from crawler.extract import read_article\n"
        f"read_article(b'<html><body><p>x</p></body></html>', {URL!r}, budget=5)\n"
        "os.kill(os.getpid(), signal.SIGVTALRM)\n"
        "print('still here')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout == "still here\n", result.stderr


def test_control_characters_in_text_and_tails_are_cleaned_not_raised():
    reading = read_article(PATHOLOGICAL["control-characters.html"](), URL, budget=BUDGET)
    assert reading.problem is None
    assert reading.fields["headline"] == "سامانه تازه حمل‌ونقل"
    texts = [v for v in reading.fields.values() if isinstance(v, str)]
    assert reading.fields["body"] and not any(c in t for t in texts for c in "\x01\x0b\x1f")


def test_a_dropped_element_gives_its_tail_to_the_tree_without_its_control_characters():
    root = parse_html("<div><p>یک</p><span>x</span>\x0bدو\x1f</div>", URL).root
    first, span = root.iter("p", "span")
    drop_tree(span)
    assert first.tail == "دو"
    drop_tree(first)  # its tail, now "دو", goes to the parent's text
    assert root.find(".//div").text == "دو"


# -- a crawl -------------------------------------------------------------------------------


def article_path(code: int, name: str) -> str:
    return f"/بخش-سیاسی-2/{code}-{Path(name).stem}"


GOOD_PATH = article_path(600001, "خبر-خوب")
LEGACY_AS_LATIN1 = article_path(600002, "windows-1256-as-latin1")
BIG = article_path(600003, "big")
BOMB = article_path(600004, "gzip-bomb")
PATHS = {name: article_path(600010 + i, name) for i, name in enumerate([*REFUSED, *MISLABELLED])}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bad")
    routes: dict[str, Route] = {}
    with serve(routes) as (base, requested):
        pages = [GOOD_PATH, LEGACY_AS_LATIN1, BIG, BOMB, *PATHS.values()]
        rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in pages)
        xml = "application/xml"
        routes.update({
            "/robots.txt": Route(f"User-agent: *\nSitemap: {base}/sitemap_index.xml\n", "text/plain"),
            "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
            "/sitemap_index.xml": Route(
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{base}/bomb.xml</loc></sitemap></sitemapindex>', xml
            ),
            "/bomb.xml": Route((BAD / "sitemap-entity-bomb.xml").read_text().replace("http://127.0.0.1:8000", base), xml),
            GOOD_PATH: Route(variant("600001", "خبر خوب", "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")),
            LEGACY_AS_LATIN1: Route((BAD / "windows-1256.html").read_bytes(), "text/html; charset=ISO-8859-1"),
            BIG: Route(twenty_mb_page()),
            BOMB: Route(gzip_bomb(), headers={"Content-Encoding": "gzip"}),
            **{PATHS[name]: Route((BAD / name).read_bytes(), "text/html", status) for name, (_, status) in REFUSED.items()},
            **{PATHS[name]: Route((BAD / name).read_bytes(), "text/html") for name in MISLABELLED},
        })  # fmt: skip
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url={base}", "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl"
        )
    [export] = (out / "etemadonline").glob("*.jsonl")
    [manifest] = (out / "etemadonline").glob("*.manifest.json")
    articles = {a["news_code"]: a for a in map(json.loads, export.read_text("utf-8").splitlines())}
    return articles, json.loads(manifest.read_text("utf-8")), result.stderr, requested


def test_the_crawl_finishes_and_exports_only_the_good_articles(crawled):
    articles, manifest, log, _ = crawled
    assert manifest["complete"] is True, log[-3000:]
    assert sorted(articles) == ["600001", "600002", "600018", "600019"]
    assert articles["600002"]["headline"] == MISLABELLED["windows-1256.html"]  # served as ISO-8859-1
    assert articles["600018"]["headline"] == MISLABELLED["charset-mismatch.html"]
    assert articles["600019"]["headline"] == MISLABELLED["windows-1256.html"]


@pytest.mark.parametrize("name", REFUSED)
def test_each_bad_page_is_logged_and_counted(crawled, name):
    _, manifest, log, _ = crawled
    kind = REFUSED[name][0]
    assert manifest["pages"].get(kind) == 1, manifest["pages"]
    [line] = [line for line in log.splitlines() if quote(PATHS[name]) in line and "WARNING" in line]
    assert ("Blocked: " if kind.startswith("blocked/") else "Not an article page: ") in line


def test_challenges_are_not_retried(crawled):
    _, manifest, _, requested = crawled
    assert requested.count(PATHS["arvancloud-challenge.html"]) == 1  # a 503, but a challenge: no retry
    assert manifest["faults"]["blocked"] == 3 and manifest["faults"]["http_5xx"] == 0


def test_blocked_pages_are_summed_up_as_a_warning_when_some_articles_came_through(crawled):
    _, _, log, _ = crawled
    # 14 article pages asked for; the 20 MB page and the gzip bomb never arrived.
    assert "WARNING: etemadonline: 3 of 12 article pages were anti-bot pages (" in log


def test_pages_past_download_maxsize_are_stopped(crawled):
    _, manifest, log, _ = crawled
    assert manifest["faults"]["too_large"] == 2  # the 20 MB page and the gzip bomb
    assert "larger than download max size" in log and "exceeded DOWNLOAD_MAXSIZE" in log


def test_the_sitemap_bomb_is_refused_and_the_crawl_goes_on(crawled):
    articles, _, log, requested = crawled
    assert "Sitemap refused: " in log and "'discovery/sitemap_refused': 1" in log
    assert not any("600040" in p for p in requested)
    assert "600001" in articles


# -- the budget in a crawl, in the crawl's process and in a worker's ----------------------------

SLOW, CROWDED, LARGE = (article_path(600101 + i, name) for i, name in enumerate(["nested-tags", "many-attributes", "flat-tags"]))


@pytest.fixture(scope="module")
def crawled_with_a_budget(tmp_path_factory):
    out = tmp_path_factory.mktemp("budget")
    routes: dict[str, Route] = {}
    with serve(routes) as (base, _):
        rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in (GOOD_PATH, SLOW, CROWDED, LARGE))
        routes.update({
            "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
            GOOD_PATH: Route(variant("600001", "خبر خوب", "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")),  # read in ~20 ms the first time
            SLOW: Route(PATHOLOGICAL["nested-tags.html"]()),  # ~1 s of CPU, no C call of over ~0.1 s
            CROWDED: Route(PATHOLOGICAL["many-attributes.html"]()),
            LARGE: Route(PATHOLOGICAL["flat-tags.html"]()),  # ~0.7 s of CPU in the parse alone
        })  # fmt: skip
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url={base}", "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl",
            "-s", "CRAWLER_EXTRACT_TIMEOUT=0.1",
        )  # fmt: skip
    [export] = (out / "etemadonline").glob("*.jsonl")
    [manifest] = (out / "etemadonline").glob("*.manifest.json")
    return export.read_text("utf-8"), json.loads(manifest.read_text("utf-8")), result.stderr


def test_pages_over_the_budget_are_skipped_counted_and_logged(crawled_with_a_budget):
    export, manifest, log = crawled_with_a_budget
    assert manifest["pages"].get("bad/too_slow") == 3, manifest["pages"]
    refused = {}
    for path in (SLOW, CROWDED, LARGE):
        [refused[path]] = [line for line in log.splitlines() if "WARNING: Not an article page: " in line and quote(path) in line]
    assert "an element with 200000 attributes, too slow to parse" in refused[CROWDED]
    over_budget = "reading it took over 0.1 s of CPU (CRAWLER_EXTRACT_TIMEOUT)"
    # The parse, in C, ends; then the budget's signal stops the reading.
    assert over_budget in refused[LARGE] and over_budget in refused[SLOW]
    assert [json.loads(line)["news_code"] for line in export.splitlines()] == ["600001"]
    assert "Extraction failed" not in log

"""The Nastooh family and its sites: the registry, article URL shapes, IRNA's
slugs, English editions on subdomains of the Persian sites, and a whole
`scrapy crawl mehrnews` of a Nastooh site served on 127.0.0.1."""

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.extract.layers import news_code_from_url
from crawler.families.nastooh import NASTOOH
from crawler.sites import site_for_url, site_named
from crawler.spiders import sites as spiders
from localsite import Route, crawl_served

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "tests/fixtures/mehrnews.com/synthetic-current-layout.html").read_text("utf-8")
PAGE_EXPECTED = json.loads((ROOT / "tests/fixtures/mehrnews.com/synthetic-current-layout.json").read_text("utf-8"))["expected"]

SITES = {  # spider name: (domain, language)
    "irna": ("irna.ir", "fa"),
    "isna": ("isna.ir", "fa"),
    "mehrnews": ("mehrnews.com", "fa"),
    "imna": ("imna.ir", "fa"),
    "hamshahrionline": ("hamshahrionline.ir", "fa"),
    "khabaronline": ("khabaronline.ir", "fa"),
    "mashreghnews": ("mashreghnews.ir", "fa"),
    "qudsonline": ("qudsonline.ir", "fa"),
    "shana": ("shana.ir", "fa"),
    "hawzahnews": ("hawzahnews.com", "fa"),
    "tehrantimes": ("tehrantimes.com", "en"),
    "irna_en": ("en.irna.ir", "en"),
    "mehrnews_en": ("en.mehrnews.com", "en"),
}


def spider(name: str):
    cls = next(c for c in vars(spiders).values() if getattr(c, "name", None) == name)
    return cls()


@pytest.mark.parametrize("name", SITES)
def test_site_is_registered_with_its_spider(name):
    site = site_named(name)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
    assert (site.domain, site.language, site.family.name) == (*SITES[name], "nastooh")
    assert site_for_url(f"{site.base_url}/news/123456/slug") is site
    assert spider(name).site is site


def test_english_editions_belong_to_their_own_sites():
    assert site_for_url("https://en.irna.ir/news/85312345/Iran-s-slug").name == "irna_en"
    assert site_for_url("https://www.irna.ir/news/85312345/خبر").name == "irna"
    assert site_for_url("https://en.mehrnews.com/news/209876/Slug").name == "mehrnews_en"
    assert site_for_url("https://mehrnews.com/news/6012345/خبر").name == "mehrnews"


@pytest.mark.parametrize(
    "url,code",
    [
        ("https://www.mehrnews.com/news/6012345/افزایش-صادرات", "6012345"),
        ("https://www.mehrnews.com/news/6012345/", "6012345"),
        ("https://www.isna.ir/news/98030903723/" + quote("کارشناسی-داوری"), "98030903723"),
        ("https://www.isna.ir/fa/news/98030903723/", "98030903723"),  # ISNA's older form
        ("https://www.tehrantimes.com/news/492621/Americans-gradually-packing-bags", "492621"),
        ("https://www.mehrnews.com/service/economy", None),
        ("https://www.mehrnews.com/tag/صادرات+نفت", None),
        ("https://www.mehrnews.com/photo/6012345/گالری", None),
        ("https://media.mehrnews.com/d/2023/11/01/4/4712345.jpg", None),
        ("https://www.isna.ir/page/archive.xhtml?mn=3&dy=9&yr=1398", None),
        ("https://www.mehrnews.com/news/", None),
    ],
)
def test_article_urls(url, code):
    assert news_code_from_url(url, (NASTOOH,)) == code


def test_irna_articles_keep_their_slug():
    irna = spider("irna")
    assert irna.article_code("https://www.irna.ir/news/85312345/" + quote("رئیس-جمهور")) == "85312345"
    assert irna.article_code("https://www.irna.ir/news/85312345/") is None
    assert irna.article_code("https://www.irna.ir/news/85312345") is None


def test_persian_spider_leaves_the_english_edition_alone():
    mehr, mehr_en = spider("mehrnews"), spider("mehrnews_en")
    english = "https://en.mehrnews.com/news/209876/Iran-exports"
    assert mehr.article_code(english) is None and mehr_en.article_code(english) == "209876"
    assert mehr.article_code("https://www.mehrnews.com/news/6012345/خبر") == "6012345"
    assert mehr.is_listing("https://www.mehrnews.com/service/economy")
    assert mehr.is_listing("https://www.mehrnews.com/service/economy/energy")
    assert not mehr.is_listing("https://en.mehrnews.com/service/economy")
    assert not mehr.is_listing("https://www.mehrnews.com/tag/نفت")


# -- a whole crawl -------------------------------------------------------------

FEED_ONLY = "/news/6100001/خبر-خوراک"
FEED_OLD_FORM = "/fa/news/6100007/"
NEWS_SITEMAP_ONLY = "/news/6100002/خبر-نقشه-خبری"
ROBOTS_SITEMAP_ONLY = "/news/6100003/خبر-نقشه-روزانه"
HOME_ONLY = "/news/6100004/خبر-صفحه-اول"
SECTION_ONLY = "/news/6100005/خبر-سرویس"
TWO_LEVELS_DOWN = "/news/6100006/خبر-زیرسرویس"


def variant(code: str, headline: str) -> str:
    """The synthetic page as another article: other code, other <h1>."""
    h1 = f'>{PAGE_EXPECTED["headline"]}</a></h1>'
    assert PAGE.count(h1) == 1
    return PAGE.replace("6012345", code).replace(h1, f">{headline}</a></h1>")


def links(*paths: str) -> str:
    return "".join(f'<a href="{quote(p)}">x</a>' for p in paths)


def site_routes(base: str) -> dict[str, Route]:
    xml = "application/xml; charset=utf-8"

    def urlset(*paths):
        locs = "".join(f"<url><loc>{base}{quote(p)}</loc></url>" for p in paths)
        return Route(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>', xml)

    rss = "".join(f"<item><title>t</title><link>{base}{quote(p)}</link></item>" for p in (FEED_ONLY, FEED_OLD_FORM))
    articles = {
        FEED_ONLY: "خبر از خوراک",
        FEED_OLD_FORM: "خبر با نشانی قدیمی",
        NEWS_SITEMAP_ONLY: "خبر از نقشه خبری",
        ROBOTS_SITEMAP_ONLY: "خبر از نقشه روزانه",
        HOME_ONLY: "خبر از صفحه اول",
        SECTION_ONLY: "خبر از صفحه سرویس",
        TWO_LEVELS_DOWN: "خبر دو سطح پایین‌تر",
    }
    routes = {
        "/robots.txt": Route(f"User-agent: *\nDisallow: /page/search\nSitemap: {base}/sitemap/all/sitemap.xml\n", "text/plain"),
        "/rss": Route(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{rss}</channel></rss>', "application/rss+xml"),
        "/sitemap/news/sitemap.xml": urlset(NEWS_SITEMAP_ONLY),
        "/sitemap/all/sitemap.xml": Route(
            f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap/1402/08/10/sitemap.xml</loc></sitemap></sitemapindex>",
            xml,
        ),
        "/sitemap/1402/08/10/sitemap.xml": urlset(ROBOTS_SITEMAP_ONLY),
        "/": Route(f"<html><body>{links(HOME_ONLY, '/service/economy', '/tag/نفت', '/page/search')}</body></html>"),
        "/service/economy": Route(f"<html><body>{links(SECTION_ONLY, '/service/economy/energy')}</body></html>"),
        "/service/economy/energy": Route(f"<html><body>{links(TWO_LEVELS_DOWN)}</body></html>"),
    }
    for path, headline in articles.items():
        code = re.search(r"\d+", path).group()
        routes[path] = Route(variant(code, headline))
    return routes


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl") / "mehrnews.jsonl"
    _, requested, _ = crawl_served("mehrnews", site_routes, out)
    articles = {a["news_code"]: a for a in map(json.loads, out.read_text("utf-8").splitlines())}
    return articles, requested


def test_crawl_finds_articles_through_feed_sitemaps_home_and_sections(crawled):
    articles, requested = crawled
    assert sorted(articles) == ["6100001", "6100002", "6100003", "6100004", "6100005", "6100007"]
    assert {"/robots.txt", "/rss", "/sitemap/news/sitemap.xml", "/", "/service/economy"} <= set(requested)


def test_crawl_follows_sections_one_level_only(crawled):
    _, requested = crawled
    assert "/service/economy/energy" not in requested, "a section linked from a section page is two levels down"
    assert TWO_LEVELS_DOWN not in requested
    assert "/tag/نفت" not in requested and "/page/search" not in requested


def test_crawled_article_is_extracted_by_the_family(crawled):
    articles, _ = crawled
    article = articles["6100005"]
    assert article["headline"] == "خبر از صفحه سرویس"
    assert article["site"] == "mehrnews.com" and article["language"] == "fa"
    for field in ("published_at", "uptitle", "lead", "body", "tags", "section"):
        assert article[field] == PAGE_EXPECTED[field], field

"""CMS-family detection (crawler.families.detect): every fixture and saved page,
given a URL on a host no site owns, is detected as its own family or as none,
never as another; and what a detected family changes in extraction, in
`scrapy extract` and in `scrapy crawl news`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from localsite import Route, scrapy_crawl, serve

from benchmarks.common import UNOWNED_HOST, unowned
from crawler.extract import extract_article
from crawler.extract.html import parse_html
from crawler.families.detect import FAMILIES, detect_family
from crawler.sites import site_for_url

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"
SHARED_PAGES = ROOT.parent / "shared/pages"

# Every page and the family it must be detected as (None: a layout of its own,
# or a page that is not an article). Written from the site modules' families
# (crawler/sites/*.py), not from the detector's output. Pages of a site with a
# family of its own (BBC, DW, Fars, Varzesh3...) must be None: no family here fits.
EXPECTED = {
    "tests/fixtures/8am.media/98514.html": "wordpress",
    "tests/fixtures/alef.ir/4020827047.html": None,
    "tests/fixtures/bad/arvancloud-challenge.html": None,
    "tests/fixtures/bad/charset-mismatch.html": "asam",  # Etemad Online's Asam layout (bad/README.md)
    "tests/fixtures/bad/cloudflare-challenge.html": None,
    "tests/fixtures/bad/empty.html": None,
    "tests/fixtures/bad/irna-interstitial.html": None,
    "tests/fixtures/bad/soft-404.html": None,
    "tests/fixtures/bad/tag-listing.html": None,
    "tests/fixtures/bad/truncated.html": "asam",  # Etemad Online's Asam layout (bad/README.md)
    "tests/fixtures/bad/windows-1256.html": "asam",  # Etemad Online's Asam layout (bad/README.md)
    "tests/fixtures/bbc.com/c4nw2e8x1ego.html": None,
    "tests/fixtures/dw.com/63189204.html": None,
    "tests/fixtures/etemadonline.com/523995.html": "asam",
    "tests/fixtures/farsnews.ir/14011020000512.html": None,
    "tests/fixtures/independentpersian.com/61732.html": None,  # Drupal 8 markup: not the drupal family's
    "tests/fixtures/iranintl.com/202411043127.html": None,
    "tests/fixtures/isna.ir/98030903723.html": "nastooh",
    "tests/fixtures/jahannews.com/498213.html": "studiokhabar",
    "tests/fixtures/mehrnews.com/synthetic-current-layout.html": "nastooh",
    "tests/fixtures/nournews.ir/158342.html": "nour",
    "tests/fixtures/pana.ir/1182734.html": "aspnet_content",
    "tests/fixtures/parsi.euronews.com/iran-saffron-exports-fall.html": None,
    "tests/fixtures/radiofarda.com/31362548.html": None,
    "tests/fixtures/rajanews.com/276543.html": "drupal",
    "tests/fixtures/sharghdaily.com/synthetic-current-layout.html": "asam",
    "tests/fixtures/tabnak.ir/synthetic-current-layout.html": "iransamaneh",
    "tests/fixtures/tarafdari.com/1862235.html": "drupal",
    "tests/fixtures/tasnimnews.com/2015910.html": "tasnim",
    "tests/fixtures/tehrantimes.com/492621.html": "nastooh",
    "tests/fixtures/tehrantimes.com/492999.html": "nastooh",
    "tests/fixtures/varzesh3.com/1608590.html": None,
    "tests/fixtures/varzesh3.com/d1Gjx.html": None,
    "tests/fixtures/yjc.ir/6919119.html": "iransamaneh",
    "shared/pages/isna.ir/news-98030903723.html": "nastooh",
    "shared/pages/mehrnews.com/textonly-home-2011-03-10-1738.html": None,  # a 2011 listing, pre-Nastooh
    "shared/pages/mehrnews.com/textonly-home-2011-03-10-1937.html": None,
    "shared/pages/tasnimnews.com/news-1398-02-30-2015910.html": "tasnim",
    "shared/pages/tehrantimes.com/news-492621-EN.html": "nastooh",
    "shared/pages/tehrantimes.com/news-492999-EN.html": "nastooh",
    "shared/pages/varzesh3.com/news-1608590.html": None,
    "shared/pages/varzesh3.com/news-d1Gjx.html": None,
    "shared/pages/yjc.ir/news-6919119-reserialized.html": "iransamaneh",
}


def original_url(key: str) -> str | None:
    if key.startswith("tests/"):
        meta = (ROOT / key).with_suffix(".json")
        return json.loads(meta.read_text("utf-8"))["url"] if meta.exists() else None
    rows = (SHARED_PAGES / "PROVENANCE.tsv").read_text("utf-8").splitlines()
    return next(row.split("\t")[3] for row in rows[1:] if row.split("\t")[0] == key.removeprefix("shared/pages/"))


def page_path(key: str) -> Path:
    return ROOT / key if key.startswith("tests/") else ROOT.parent / key


def test_the_table_lists_every_page(shared):
    pages = {f"tests/fixtures/{p.relative_to(FIXTURES)}" for p in FIXTURES.glob("*/*.html")}
    pages |= {f"shared/pages/{p.relative_to(SHARED_PAGES)}" for p in SHARED_PAGES.glob("*/*.html")}
    assert pages == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_page_is_its_own_family_or_none(key):
    if key.startswith("shared/") and not SHARED_PAGES.is_dir():
        pytest.skip("../shared is not beside the repository")
    # (the bad pages are written in Etemad Online's layout: given one of its URL shapes)
    url = unowned(original_url(key) or "https://x/fa/news/123456/x")
    family = detect_family(parse_html(page_path(key).read_bytes(), url).root, url)
    assert (family.name if family else None) == EXPECTED[key]


def test_the_table_agrees_with_the_sites_own_families():
    # A page of a registered site on a detectable family is expected as that family.
    detectable = {f.name for f in FAMILIES}
    for key, expected in EXPECTED.items():
        url = original_url(key) if key.startswith("tests/") and "/bad/" not in key else None
        site = site_for_url(url) if url else None
        if site:
            assert expected in (site.family.name if site.family.name in detectable else None, None), key


# SYNTHETIC pages, written for these tests.
NASTOOH_META = '<meta property="nastooh:code" content="1"><meta name="generator" content="www.nastooh.ir">'
SAMANEH_BAR = '<div class="news_nav news_pdate_c">۰۹ دی ۱۳۹۵</div><div class="news_id_c">1</div>'


def detected(html: str, path: str = "/news/123456/x"):
    url = f"https://{UNOWNED_HOST}{path}"
    family = detect_family(parse_html(html, url).root, url)
    return family.name if family else None


def test_two_markers_name_a_family():
    assert detected(f"<html><head>{NASTOOH_META}</head><body><p>x</p></body></html>") == "nastooh"


def test_one_marker_is_not_enough_without_the_url_shape():
    page = '<html><body><div id="docDiv3TitrMain">x</div></body></html>'
    assert detected(page, "/story/abc") is None
    assert detected(page, "/news/123456/x") == "studiokhabar"  # the family's URL shape is the second piece


def test_the_url_shape_alone_names_nothing():
    assert detected("<html><body><h1>x</h1><p>y</p></body></html>", "/fa/news/1398/02/30/2015910/x") is None


def test_two_families_showing_as_much_name_neither():
    assert detected(f"<html><head>{NASTOOH_META}</head><body>{SAMANEH_BAR}</body></html>", "/a/b") is None


def test_drupal_8_field_markup_is_not_the_drupal_7_family():
    assert detected('<html><head><meta name="generator" content="Drupal 10"></head>'
                    '<body><div class="field--name-body">x</div></body></html>') is None


def test_an_unowned_host_is_read_with_the_detected_family():
    meta = json.loads((FIXTURES / "etemadonline.com/523995.json").read_text("utf-8"))
    fields = extract_article((FIXTURES / "etemadonline.com/523995.html").read_bytes(), unowned(meta["url"]))
    assert fields["site"] == UNOWNED_HOST
    assert fields["field_sources"]["uptitle"] == "family:asam (detected)"
    assert fields["uptitle"] == meta["expected"]["uptitle"]
    assert fields["body"] == meta["expected"]["body"]


def test_a_registered_site_keeps_its_own_family():
    meta = json.loads((FIXTURES / "etemadonline.com/523995.json").read_text("utf-8"))
    fields = extract_article((FIXTURES / "etemadonline.com/523995.html").read_bytes(), meta["url"])
    assert fields["field_sources"]["headline"] == "family:asam"


def test_a_detected_english_page_keeps_its_language():
    meta = json.loads((FIXTURES / "tehrantimes.com/492621.json").read_text("utf-8"))
    fields = extract_article((FIXTURES / "tehrantimes.com/492621.html").read_bytes(), unowned(meta["url"]))
    assert fields["field_sources"]["body"] == "family:nastooh (detected)"
    assert fields["language"] == "en"


def test_scrapy_extract_names_the_detected_family():
    meta = json.loads((FIXTURES / "etemadonline.com/523995.json").read_text("utf-8"))
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", "--sources", "--url", unowned(meta["url"]),
         str(FIXTURES / "etemadonline.com/523995.html")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["field_sources"]["body"] == "family:asam (detected)"
    assert article["uptitle"] == meta["expected"]["uptitle"]


def test_crawl_news_reads_an_unlisted_domain_with_its_detected_family():
    # Etemad Online's page (Asam) served by a host no site owns, found through the home page.
    page = (FIXTURES / "etemadonline.com/523995.html").read_bytes()
    meta = json.loads((FIXTURES / "etemadonline.com/523995.json").read_text("utf-8"))
    routes = {"/": Route('<a href="/fa/tiny/news-523995">x</a>'), "/fa/tiny/news-523995": Route(page)}
    with serve(routes) as (base, _):
        result = scrapy_crawl("news", "-a", f"domain={base}", "-o", "-:jsonlines", "-s", "ROBOTSTXT_OBEY=0")
    assert result.returncode == 0, result.stderr[-3000:]
    [article] = [json.loads(line) for line in result.stdout.splitlines()]
    assert article["uptitle"] == meta["expected"]["uptitle"]
    assert article["news_code"] == "523995"
    assert "'articles/detected/asam': 1" in result.stderr

"""Which URLs a site's spider takes as its articles, and under which news code:
a table per family of real-shaped URLs (article, AMP, short, legacy, section,
tag, search, gallery, author, feed), the other-language editions every agency
runs beside its Persian site, the URL an article is asked under, and a real
crawl that meets one article under four addresses.

Rows marked "real" copy a URL or shape seen in ../shared/pages (a link or the
page's own address) or in ../shared/notes/sites.md; rows marked "guess" are
shapes written from knowledge of the CMS, not seen on a saved page.
"""

import json
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from scrapy.http import HtmlResponse, XmlResponse

from crawler.families.spec import Site
from crawler.sites import all_sites, site_for_url
from localsite import Route, crawl_served
from test_site_spider import spider_named

ROOT = Path(__file__).resolve().parent.parent
NOT = None  # not an article of the site

NASTOOH = [
    ("isna", "https://www.isna.ir/news/98030903723/کارشناسی-داوری-دیدار-سپاهان-و-پرسپولیس-از-زبان-عسگری", "98030903723"),  # real
    ("isna", "https://www.isna.ir/news/98030903723/", "98030903723"),  # real: the page links itself so
    ("isna", "https://www.isna.ir/amp/98030903723/", "98030903723"),  # real: the page's amphtml link
    ("isna", "https://isna.ir/fa/news/93010100001/", "93010100001"),  # real shape (sites.md: older ISNA)
    ("isna", "https://www.isna.ir/fa/Main/Detail/93010100001/عنوان", "93010100001"),  # guess: legacy CMS path
    ("isna", "https://www.isna.ir/print/98030903723/کارشناسی-داوری", NOT),  # real: print copy
    ("isna", "https://www.isna.ir/service/Sports", NOT),  # real: section
    ("isna", "https://www.isna.ir/service/Sports/1234", NOT),  # real shape: subsection
    ("isna", "https://www.isna.ir/tag/پرسپولیس", NOT),  # real shape: tag
    ("isna", "https://www.isna.ir/page/archive.xhtml", NOT),  # real: archive
    ("isna", "https://www.isna.ir/redirect/share/98030903723", NOT),  # real: share counter
    ("isna", "https://www.isna.ir/rss", NOT),  # feed
    ("mehrnews", "https://www.mehrnews.com/news/6012345/افزایش-۱۲-درصدی-صادرات", "6012345"),  # real shape
    ("mehrnews", "https://www.mehrnews.com/news/6012345", "6012345"),  # real shape (T cuts to it)
    ("mehrnews", "https://www.mehrnews.com/amp/6012345/", "6012345"),  # guess: ISNA's AMP shape, same CMS
    ("mehrnews", "https://www.mehrnews.com/x2Yz7Q", NOT),  # real shape: short link, no code in it
    ("mehrnews", "https://www.mehrnews.com/photo/6012345/گزارش-تصویری", NOT),  # real shape: gallery (sites.md)
    ("mehrnews", "https://www.mehrnews.com/search?q=نفت", NOT),  # search
    ("mehrnews", "https://www.mehrnews.com/rss/tp/2", NOT),  # feed
    ("khabaronline", "https://www.khabaronline.ir/live/1876543/گزارش-زنده", NOT),  # real shape: live page (sites.md)
    ("tehrantimes", "https://www.tehrantimes.com/news/492621/Americans-gradually-packing-bags-to-leave-region-IRGC-chief", "492621"),  # real
    ("tehrantimes", "https://www.tehrantimes.com/tag/Hossein+Salami", NOT),  # real
    ("tehrantimes", "https://www.tehrantimes.com/redirect/ads/2700", NOT),  # real
    ("irna", "https://www.irna.ir/news/85312345/خبر-تازه", "85312345"),  # real shape
    ("irna", "https://www.irna.ir/news/85312345/", NOT),  # real: IRNA closes slugless URLs (sites.md)
    ("irna", "https://www.irna.ir/amp/85312345/", NOT),  # guess: asked as /news/85312345, which IRNA closes
    ("irna", "https://www.irna.ir/fa/News/82345678/سیاسی/عنوان-خبر", "82345678"),  # guess: IRNA's pre-2019 CMS
]

IRANSAMANEH = [
    ("yjc", "https://www.yjc.ir/fa/news/6919119/گردهمایی-رؤسای-سازمان-نظام-دامپزشکی-کشور-در-شهرکرد", "6919119"),  # real
    ("yjc", "https://www.yjc.ir/fa/news/6919119", "6919119"),  # real: the page's og:url
    ("yjc", "https://www.yjc.ir/fa/amp/news/6919119", "6919119"),  # real: the page's amphtml link
    ("yjc", "https://yjc.news/fa/news/6919119/x", "6919119"),  # real shape: the site's other domain
    ("yjc", "https://www.yjc.ir/00T1yh", NOT),  # real: short link, no code in it
    ("yjc", "https://www.yjc.ir/fa/tags/12345/1/دامپزشکی", NOT),  # real shape: tag
    ("yjc", "https://www.yjc.ir/fa/political/13", NOT),  # real: section
    ("yjc", "https://www.yjc.ir/fa/list/3/13", NOT),  # real: section list
    ("yjc", "https://www.yjc.ir/fa/photo/cat/118", NOT),  # real: gallery section
    ("yjc", "https://www.yjc.ir/fa/search", NOT),  # real
    ("yjc", "https://www.yjc.ir/fa/rss/allnews", NOT),  # real: feed
    ("yjc", "https://www.yjc.ir/fa/save/6919119", NOT),  # real: save link
    ("tabnak", "https://www.tabnak.ir/fa/photos/1234567/عکس", "1234567"),  # real shape (sites.md): photo report, news code
    ("tabnak", "https://www.tabnak.ir/fa/service/politics", NOT),  # real shape (sites.md): section
    ("tabnak", "https://www.tabnak.ir/fa/Main/Detail/654321/بودجه", "654321"),  # guess: legacy CMS path
    ("tabnak", "https://www.tabnak.ir/fa/main/detail/654321", "654321"),  # guess
    ("tabnak", "https://www.tabnak.ir/fa/tag/1", NOT),  # real shape (sites.md): tag
]

ASAM = [
    ("sharghdaily", "https://www.sharghdaily.com/بخش-فرهنگ-و-هنر-5/900001-کتابخانه-های-عمومی", "900001"),  # real shape (sites.md)
    ("etemadonline", "https://www.etemadonline.com/fa/tiny/news-523995", "523995"),  # real (the user's sample)
    ("khabarfoori", "https://www.khabarfoori.com/fa/tiny/news-3214584", "3214584"),  # real (sites.md)
    ("khabarfoori", "https://www.khabarfoori.com/tiny/news-3214584", "3214584"),  # short form without /fa
    ("etemadonline", "https://www.etemadonline.com/fa/news/523995/همکاری", "523995"),  # real shape: older layout
    ("etemadonline", "https://www.etemadonline.com/fa/Main/Detail/523995/همکاری", "523995"),  # guess: legacy CMS path
    ("etemadonline", "https://www.etemadonline.com/amp/بخش-جامعه-6/523995-همکاری", "523995"),  # guess: AMP copy
    ("etemadonline", "https://www.etemadonline.com/بخش-جامعه-6", NOT),  # real shape: section
    ("etemadonline", "https://www.etemadonline.com/fa/tag/1", NOT),  # real shape (sites.md): tag
    ("etemadonline", "https://www.etemadonline.com/fa/feeds/?p=ZGF0ZVJhbmdl", NOT),  # real shape (sites.md): feed
    ("rokna", "https://www.rokna.net/fa/admin/newsstudios/edit", NOT),  # real (sites.md): admin
    ("ilna", "https://www.ilna.ir/fa/search?q=کار", NOT),  # guess: search
]

TASNIM = [
    ("tasnim", "https://www.tasnimnews.com/fa/news/1398/02/30/2015910/لیگ-قهرمانان-آسیا-برتری-بی-فایده", "2015910"),  # real
    ("tasnim", "https://www.tasnimnews.com/fa/news/1398/02/30/2015910/لیگ-قهرمانان-آسیا-برتری-بی-فایده/amp", "2015910"),  # real: amphtml
    ("tasnim", "https://tasnimnews.ir/fa/news/1398/02/30/2015910/x", "2015910"),  # real shape: the site's other domain
    ("tasnim", "https://www.tasnimnews.com/fa/service/1/سیاسی", NOT),  # real: section
    ("tasnim", "https://www.tasnimnews.com/fa/news/overview/popular", NOT),  # real: listing
    ("tasnim", "https://www.tasnimnews.com/fa/archive", NOT),  # real
    ("tasnim", "https://www.tasnimnews.com/fa/rss/feed/0/7/0/", NOT),  # real shape (sites.md): feed
    ("tasnim", "https://www.tasnimnews.com/fa/media/1398/02/30/2015911/گزارش-تصویری", NOT),  # guess: gallery
    ("tasnim", "https://tn.ai/2015910", "2015910"),  # real: the page's short link (redirected to the article)
    ("tasnim", "https://www.tasnimnews.com/2015910", "2015910"),  # real shape (sites.md): short link
    ("tasnim_en", "https://tn.ai/2983245", NOT),  # the Persian edition follows short links; an English one is dropped at its redirect
    ("tasnim", "https://www.tasnimnews.com/en/news/2023/11/01/2983245/iran-slug", NOT),  # the English edition's
    ("tasnim_en", "https://www.tasnimnews.com/en/news/2023/11/01/2983245/iran-slug", "2983245"),
]

STUDIOKHABAR = [
    ("jahannews", "https://www.jahannews.com/news/498213/برف-و-کولاک", "498213"),  # real shape (sites.md)
    ("baharnews", "https://www.baharnews.ir/news/261234", "261234"),  # real shape (T cuts to it)
    ("jahannews", "https://www.jahannews.com/amp/news/498213", "498213"),  # guess: AMP copy
    ("jahannews", "https://www.jahannews.com/fa/Main/Detail/498213/برف", "498213"),  # guess: legacy CMS path
    ("jahannews", "https://www.jahannews.com/tag/تهران", NOT),  # guess: tag
    ("jahannews", "https://www.jahannews.com/service/سیاسی", NOT),  # guess: section
]

DRUPAL = [
    ("rajanews", "https://www.rajanews.com/news/276543", "276543"),  # real shape (sites.md)
    ("tarafdari", "https://www.tarafdari.com/news/1862235", "1862235"),  # real shape (sites.md)
    ("tarafdari", "https://www.tarafdari.com/node/1862235", "1862235"),  # guess: Drupal's id-only path
    ("tarafdari", "https://www.tarafdari.com/discuss/1862235/گفتگو", NOT),  # real shape (sites.md): forum thread
    ("tarafdari", "https://www.tarafdari.com/static/page/archive", NOT),  # real (a listing the site declares)
    ("rajanews", "https://www.rajanews.com/taxonomy/term/12", NOT),  # guess: Drupal tag
    ("rajanews", "https://www.rajanews.com/user/34", NOT),  # guess: Drupal author
    ("rajanews", "https://www.rajanews.com/rss.xml", NOT),  # guess: Drupal feed
]

NOUR = [
    ("nournews", "https://nournews.ir/fa/news/158342/سامانه", "158342"),  # real shape (sites.md)
    ("nournews", "https://nournews.ir/news/158342", "158342"),  # real shape (T's form)
    ("nournews", "https://nournews.ir/fa/amp/news/158342", "158342"),  # guess: AMP copy
    ("nournews", "https://nournews.ir/en/news/158343/slug", NOT),  # real (sites.md): the English edition, same host
    ("nournews", "https://nournews.ir/ar/news/158344/slug", NOT),  # real (sites.md): the Arabic edition
]

ASPNET_CONTENT = [
    ("pana", "https://www.pana.ir/news/1182734", "1182734"),  # real shape (sites.md)
    ("pana", "https://www.pana.ir/news/1182734/عنوان", "1182734"),
    ("pana", "https://www.pana.ir/search", NOT),  # guess
]

WORDPRESS = [
    ("8am", "https://8am.media/fa/افزایش-بیماری/", "افزایش-بیماری"),  # real shape (sites.md: /fa/…)
    ("8am", "https://8am.media/fa/افزایش-بیماری/amp/", "افزایش-بیماری"),  # guess: WordPress AMP copy
    ("8am", "https://8am.media/fa/feed/", NOT),
    ("8am", "https://8am.media/fa/page/2/", NOT),
    ("8am", "https://8am.media/fa/category/politics/", NOT),
    ("8am", "https://8am.media/fa/tag/kabul/", NOT),
    ("8am", "https://8am.media/fa/author/editor/", NOT),
    ("8am", "https://8am.media/fa/?s=کابل", NOT),  # search
    ("8am", "https://8am.media/en/some-story/", NOT),  # the English edition
    ("8am", "https://8am.media/fa/wp-content/uploads/x.jpg", NOT),
]

GENERIC = [
    ("alef", "https://www.alef.ir/news/4020827047.html", "4020827047"),  # real (a fixture's address)
    ("alef", "https://www.alef.ir/tags/12345", NOT),
    ("alef", "https://www.alef.ir/search/12345", NOT),
    ("independentpersian", "https://www.independentpersian.com/node/61732/فرهنگ", "61732"),  # real (a fixture's address)
    ("independentpersian", "https://www.independentpersian.com/author/12345/نویسنده", NOT),  # guess: author
]

BESPOKE = [
    ("bbcpersian", "https://www.bbc.com/persian/articles/c9wdrd4qglpo", "c9wdrd4qglpo"),  # real shape (sites.md)
    ("bbcpersian", "https://www.bbc.com/persian/articles/c9wdrd4qglpo.amp", "c9wdrd4qglpo"),  # real shape (sites.md)
    ("bbcpersian", "https://www.bbc.com/persian/articles/amp/c9wdrd4qglpo", "c9wdrd4qglpo"),  # real shape (sites.md)
    ("bbcpersian", "https://www.bbc.com/persian/iran-61234567", "61234567"),  # real shape (sites.md)
    ("bbcpersian", "https://www.bbc.com/persian/iran-features-61234567", "61234567"),  # real shape (sites.md)
    ("bbcpersian", "https://www.bbc.com/persian/iran-features-61234567.amp", "61234567"),
    ("bbcpersian", "https://www.bbc.com/persian/world-61234568", "61234568"),  # guess: BBC's section-id form
    ("bbcpersian", "https://www.bbc.com/persian/world-features-61234569", "61234569"),  # guess
    ("bbcpersian", "https://www.bbc.com/persian/science-61234570", "61234570"),  # guess
    ("bbcpersian", "https://www.bbc.com/persian/arts-61234571", "61234571"),  # guess
    ("bbcpersian", "https://www.bbc.com/persian/sport-61234572", "61234572"),  # guess
    ("bbcpersian", "https://www.bbc.com/persian/afghanistan-61234573", "61234573"),  # guess
    ("bbcpersian", "https://www.bbc.com/persian/topics/ckdxnwvwwjnt", NOT),  # real shape: topic page
    ("bbcpersian", "https://www.bbc.com/persian", NOT),
    ("bbcpersian", "https://www.bbc.com/persian/popular/read", NOT),  # guess: most-read list
    ("bbcpersian", "https://www.bbc.com/news/articles/c0000000000o", NOT),  # BBC English
    ("bbcpersian", "https://feeds.bbci.co.uk/persian/articles/c9wdrd4qglpo", NOT),  # feed host, no articles
    ("radiofarda", "https://www.radiofarda.com/a/tehran-metro-line-10-delay/31362548.html", "31362548"),  # real shape
    ("radiofarda", "https://www.radiofarda.com/a/31362548.html", "31362548"),  # real shape
    ("radiofarda", "https://www.radiofarda.com/z/5", NOT),  # section
    ("dw_persian", "https://www.dw.com/fa-ir/%D8%B0%D8%AE%D8%A7%DB%8C%D8%B1/a-63189204", "63189204"),  # real shape
    ("dw_persian", "https://www.dw.com/en/gas-storage/a-63189204", NOT),  # another DW language
    ("dw_persian", "https://www.dw.com/fa-ir/ویدیو/av-63189205", NOT),  # guess: video page
    ("iranintl", "https://www.iranintl.com/202506267498", "202506267498"),  # real (sites.md)
    ("iranintl", "https://www.iranintl.com/fa/202506267498", "202506267498"),
    ("iranintl", "https://www.iranintl.com/en/202506267498", NOT),  # the English edition
    ("euronews_persian", "https://parsi.euronews.com/2023/05/17/iran-saffron-exports-fall", "iran-saffron-exports-fall"),
    ("euronews_persian", "https://per.euronews.com/2019/02/11/iran-revolution-anniversary", "iran-revolution-anniversary"),
    ("euronews_persian", "https://parsi.euronews.com/my-europe/2023/05/17/eu-budget-talks", "eu-budget-talks"),  # guess: section first
    ("euronews_persian", "https://parsi.euronews.com/culture/2023/05/18/nowruz-in-europe", "nowruz-in-europe"),  # guess
    ("euronews_persian", "https://www.euronews.com/2023/05/17/iran-saffron-exports-fall", NOT),  # the English edition
    ("euronews_persian", "https://parsi.euronews.com/tag/iran", NOT),
    ("farsnews", "https://www.farsnews.ir/news/14011020000512/صادرات", "14011020000512"),  # real (a fixture's address)
    ("farsnews", "https://www.farsnews.ir/media/14011020000513", "14011020000513"),  # real shape (sites.md)
    ("varzesh3", "https://www.varzesh3.com/news/1608590/گزارش-زنده-تراکتورسازی", "1608590"),  # real
    ("varzesh3", "https://www.varzesh3.com/news/d1Gjx/کاری-که-پروین-و-راجرز-و-نکردند", "d1Gjx"),  # real
    ("varzesh3", "http://varzesh3.com/news/1608590", "1608590"),  # real: the page's share link
    ("varzesh3", "https://www.varzesh3.com/news/live", NOT),  # real: live scores
    ("varzesh3", "https://www.varzesh3.com/tag/8/تراکتورسازی-تبریز", NOT),  # real: tag
    ("varzesh3", "https://www.varzesh3.com/match/76824/لیگ-برتر", NOT),  # real: match page
    ("varzesh3", "https://video.varzesh3.com/video/191075/صحبتهای-بازیکنان", NOT),  # real: the video service
]

TABLE = NASTOOH + IRANSAMANEH + ASAM + TASNIM + STUDIOKHABAR + DRUPAL + NOUR + ASPNET_CONTENT + WORDPRESS + GENERIC + BESPOKE


@pytest.mark.parametrize("name,url,code", TABLE)
def test_article_urls(name, url, code):
    _, spider = spider_named(name)
    assert spider.article_code(url) == code


def test_every_family_has_a_table():
    tested = {spider_named(name)[1].site.family.name for name, _, _ in TABLE}
    assert {s.family.name for s in all_sites()} <= tested


# Other-language editions of the agencies, each a host (or, on a shared host, a
# path) of its own: never the Persian site's, whatever its URL shape.
EDITIONS = [
    ("mehrnews", [f"https://{e}.mehrnews.com/news/6012345/slug" for e in ("ar", "ur", "tr", "ru", "de", "es", "fr", "hi", "en")]),
    ("irna", [f"https://{e}.irna.ir/news/85312345/slug" for e in ("ar", "fr", "de", "es", "ru", "tr", "ur", "zh", "en")]),
    ("isna", [f"https://{e}.isna.ir/news/1402081006789/slug" for e in ("en", "ar")]),
    ("farsnews", [f"https://{e}.farsnews.ir/news/14011020000512/slug" for e in ("en", "ar", "tr")]),
    ("hawzahnews", [f"https://{e}.hawzahnews.com/news/123456/slug" for e in ("ar", "en", "ur", "fr", "ru")]),
    ("tasnim", [f"https://www.tasnimnews.com/{e}/news/2023/11/01/2983245/slug" for e in ("ar", "tr", "en")]),
    ("iqna", [f"https://iqna.ir/{e}/news/3481234/slug" for e in ("ar", "en", "fr")]),
    ("kayhan", [f"https://kayhan.ir/{e}/news/123456/slug" for e in ("en", "ar")]),
    ("yjc", [f"https://www.yjc.ir/{e}/news/6919119/slug" for e in ("en", "ar")] + ["https://ar.yjc.ir/fa/news/6919119/x"]),
    ("iribnews", ["https://ar.iribnews.ir/fa/news/123456/x", "https://en.iribnews.ir/fa/news/123456/x"]),
]


@pytest.mark.parametrize("name,urls", EDITIONS, ids=[name for name, _ in EDITIONS])
def test_other_language_editions_are_refused(name, urls):
    _, spider = spider_named(name)
    site = spider.site
    for url in urls:
        assert spider.article_code(url) is None, url
        assert not site.owns(url) or site_for_url(url) is not site, url
        # nor read as the Persian site's when a page of theirs is extracted on its own
        assert site_for_url(url) is not site, url


def test_declared_editions_claim_their_own():
    assert site_for_url("https://en.irna.ir/news/85312345/Iran-s-slug").name == "irna_en"
    assert site_for_url("https://en.mehrnews.com/news/209876/Slug").name == "mehrnews_en"
    assert site_for_url("https://www.tasnimnews.com/en/news/2023/11/01/2983245/x").name == "tasnim_en"
    assert site_for_url("https://ar.mehrnews.com/news/209876/Slug") is None
    assert site_for_url("https://mehrnews.com/news/6012345/x").name == "mehrnews"  # bare and www. are the site's
    assert site_for_url("https://WWW.MEHRNEWS.COM/news/6012345/x").name == "mehrnews"


def test_editions_are_refused_in_listings_feeds_and_sitemaps():
    _, spider = spider_named("mehrnews")
    own = "https://www.mehrnews.com/news/6012345/x"
    others = ["https://ar.mehrnews.com/news/6012346/x", "https://ur.mehrnews.com/news/6012347/x", "https://en.mehrnews.com/news/6012348/x"]
    links = "".join(f'<a href="{u}">x</a>' for u in (*others, own))
    listing = HtmlResponse("https://www.mehrnews.com/", body=links.encode(), encoding="utf-8")
    assert [r.url for r in spider.parse_listing(listing)] == [own]
    items = "".join(f"<item><link>{u}</link></item>" for u in (*others, own))
    feed = XmlResponse("https://www.mehrnews.com/rss", body=f"<rss><channel>{items}</channel></rss>".encode())
    assert [r.url for r in spider.parse_feed(feed)] == [own]
    assert [e["loc"] for e in spider.sitemap_filter([{"loc": u} for u in (*others, own)])] == [own]


def test_a_sections_link_to_an_edition_is_not_followed():
    _, spider = spider_named("mehrnews")
    assert spider.is_listing("https://www.mehrnews.com/service/economy")
    assert not spider.is_listing("https://ar.mehrnews.com/service/economy")


# The URL an article found under another form is asked under: an AMP copy as its article.
ASKED_AS = [
    ("isna", "https://www.isna.ir/amp/98030903723/", "https://www.isna.ir/news/98030903723"),
    ("yjc", "https://www.yjc.ir/fa/amp/news/6919119", "https://www.yjc.ir/fa/news/6919119"),
    ("tasnim", "https://www.tasnimnews.com/fa/news/1398/02/30/2015910/لیگ/amp",
     f"https://www.tasnimnews.com/fa/news/1398/02/30/2015910/{quote('لیگ')}"),  # fmt: skip
    ("bbcpersian", "https://www.bbc.com/persian/articles/c9wdrd4qglpo.amp", "https://www.bbc.com/persian/articles/c9wdrd4qglpo"),
    ("bbcpersian", "https://www.bbc.com/persian/articles/amp/c9wdrd4qglpo", "https://www.bbc.com/persian/articles/c9wdrd4qglpo"),
    ("8am", "https://8am.media/fa/story/amp/", "https://8am.media/fa/story/"),
    # as found: the site redirects a short link, and the record carries where it ends
    ("etemadonline", "https://www.etemadonline.com/tiny/news-523995", "https://www.etemadonline.com/tiny/news-523995"),
    ("bbcpersian", "https://www.bbc.com/persian/articles/c9wdrd4qglpo?at_medium=RSS", "https://www.bbc.com/persian/articles/c9wdrd4qglpo?at_medium=RSS"),
]


@pytest.mark.parametrize("name,url,asked", ASKED_AS)
def test_an_article_is_asked_under_its_canonical_form(name, url, asked):
    _, spider = spider_named(name)
    request = spider.article_request(url)  # a link on a listing or in a feed
    assert request.url == asked
    assert spider.article_code(request.url) == spider.article_code(url)
    assert [e["loc"] for e in spider.sitemap_filter([{"loc": url}])] == [asked]


SAMPLES = {"<slug>": "خبر-تازه", "<section>": "world", "<n>": "12", "<lang>": "fa", "…": "x"}
CODES = ("12345678", "202506267498")  # a news code, and Iran International's 12 digits


def shape_url(site: Site, shape: str, code: str) -> str:
    date = "2023/05/17" if site.family.name == "euronews" else "1402/08/10"
    path = shape.replace("<code>", code).replace("<date>", date)
    for placeholder, value in SAMPLES.items():
        path = path.replace(placeholder, value)
    return site.base_url + path


@pytest.mark.parametrize("site", all_sites(), ids=lambda s: s.name)
def test_every_documented_shape_is_read_with_its_code(site):
    """The shapes a site declares (the README's table lists them) are what its patterns take."""
    _, spider = spider_named(site.name)
    assert site.article_shapes, "declare the site's article URL shapes (Family.url_shapes or Site.url_shapes)"
    for shape in site.article_shapes:
        read = {code: spider.article_code(shape_url(site, shape, code)) for code in CODES}
        assert any(read[code] == code for code in CODES), (shape, read)


# -- a real crawl: one article linked under four addresses ---------------------

YJC_PAGE = (ROOT / "tests/fixtures/yjc.ir/6919119.html").read_text("utf-8")
SLUG = "گردهمایی-رؤسای-سازمان-نظام-دامپزشکی-کشور-در-شهرکرد"
CANONICAL = f"/fa/news/6919119/{SLUG}"
LEGACY_ONLY_CANONICAL = "/fa/news/7000001/نشست-دامپزشکان"


def yjc_routes(base: str) -> dict[str, Route]:
    def moved(to: str) -> Route:
        return Route("", status=301, headers={"Location": base + quote(to)})

    home = "".join(
        f'<a href="{quote(p)}">x</a>'
        for p in (
            "/fa/amp/news/6919119",  # AMP copy: asked as /fa/news/6919119
            "/fa/news/6919119",  # id-only form
            "/fa/Main/Detail/6919119/x",  # legacy path
            CANONICAL,
            "/fa/Main/Detail/7000001/y",  # another article, linked only by its legacy path
            "/fa/news/7000002/z",  # an article the site moved to its English edition
        )
    )
    return {
        "/": Route(f"<html><body>{home}</body></html>"),
        "/fa/news/6919119": moved(CANONICAL),
        "/fa/Main/Detail/6919119/x": moved(CANONICAL),
        CANONICAL: Route(YJC_PAGE),
        "/fa/Main/Detail/7000001/y": moved(LEGACY_ONLY_CANONICAL),
        LEGACY_ONLY_CANONICAL: Route(YJC_PAGE.replace("6919119", "7000001")),
        "/fa/news/7000002/z": moved("/en/news/7000002/z"),
        "/en/news/7000002/z": Route(YJC_PAGE.replace("6919119", "7000002")),
    }


@pytest.fixture(scope="module")
def yjc_crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl") / "yjc.jsonl"
    base, requested, log = crawl_served("yjc", yjc_routes, out)
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return base, records, requested, log


def test_one_article_under_four_addresses_is_one_download_and_one_record(yjc_crawl):
    base, records, requested, _ = yjc_crawl
    assert [r["news_code"] for r in records].count("6919119") == 1
    [record] = [r for r in records if r["news_code"] == "6919119"]
    # The AMP link came first: asked as the article (whose id-only form the site redirects), never as AMP.
    assert requested.count("/fa/news/6919119") == 1 and requested.count(CANONICAL) == 1
    assert "/fa/amp/news/6919119" not in requested and "/fa/Main/Detail/6919119/x" not in requested
    assert urlsplit(record["url"]).path == quote(CANONICAL)


def test_a_legacy_link_is_followed_and_the_record_carries_the_canonical_url(yjc_crawl):
    base, records, requested, _ = yjc_crawl
    [record] = [r for r in records if r["news_code"] == "7000001"]
    assert record["url"] == base + quote(LEGACY_ONLY_CANONICAL)
    assert requested.count("/fa/Main/Detail/7000001/y") == 1


def test_an_article_redirected_to_another_edition_is_not_exported(yjc_crawl):
    _, records, requested, log = yjc_crawl
    assert "/en/news/7000002/z" in requested  # the redirect was followed
    assert "7000002" not in [r["news_code"] for r in records]
    assert "Redirected away from the site's articles" in log and "'pages/redirected_away': 1" in log
    assert sorted(r["news_code"] for r in records) == ["6919119", "7000001"]


def test_real_pages_link_their_amp_copies_under_their_own_code(shared):
    """The amphtml link each saved article page of a supported site carries
    (ISNA's /amp/<code>/, YJC's /fa/amp/news/<code>, Tasnim's .../amp) gives
    the page's own code, and is asked as the page."""
    from parsel import Selector

    from crawler.persian.urls import absolute_url

    rows = [line.split("\t") for line in (shared / "pages/PROVENANCE.tsv").read_text("utf-8").splitlines()[1:]]
    checked = 0
    for file, _, kind, url, *_ in rows:
        site = site_for_url(url)
        page = Selector(text=(shared / "pages" / file).read_text("utf-8", errors="replace"))
        amp = absolute_url(url, page.xpath("//link[@rel='amphtml']/@href").get())
        if kind == "listing" or site is None or amp is None:
            continue
        _, spider = spider_named(site.name)
        assert spider.article_code(amp) == spider.article_code(url) is not None, amp
        assert spider.article_code(spider.article_request(amp).url) == spider.article_code(url)
        assert "/amp" not in spider.article_request(amp).url
        checked += 1
    assert checked >= 3  # ISNA, Tasnim, YJC

"""crawler.extract.published: the publication time of a page no site module
knows, on every real page (as an unknown host) and on SYNTHETIC pages.

The synthetic pages below are written by hand (none is a saved page): each
models one hard case the real pages show or notes/sites.md describes (a
header clock and today's date above the article's date, a related-news list
with newer dates, Jalali text inside an ISO meta field, a header of lines
split by <br> with the time on its own line and ب.ظ, as the Aryanews 2020
page prints it). Their expected values were worked out by hand from the
Jalali calendar: 1 Farvardin 1399 is 20 March 2020, so 12 Mordad (day
4*31+12 = 136) is 2 August 2020 and 14 Mordad 4 August, in daylight saving
(+04:30).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.common import UNOWNED_HOST, unowned
from crawler.extract import extract_article
from crawler.persian.text import normalize_text

FIXTURES = Path(__file__).parent / "fixtures"


def read(html: str | bytes, url: str) -> tuple[str | None, str | None]:
    fields = extract_article(html, url, layers=("metadata", "generic"))
    return fields["published_at"], fields["published_at_raw"]


# --- real pages, as an unknown site --------------------------------------------------

REAL = sorted(
    (meta.parent.name + "/" + meta.stem, meta.with_suffix(".html"), json.loads(meta.read_text("utf-8")))
    for meta in FIXTURES.glob("*/*.json")
    if meta.with_suffix(".html").exists() and json.loads(meta.read_text("utf-8")).get("kind") == "real"
)


def test_there_are_real_pages():
    assert len(REAL) >= 7


@pytest.mark.parametrize("name,page,meta", REAL, ids=[r[0] for r in REAL])
def test_real_page_as_unknown_site(name, page, meta):
    """The date and time the page prints, as a person read them (the
    fixture's expected values), with nothing known about the site."""
    published, raw = read(page.read_bytes(), unowned(meta["url"]))
    assert published == meta["expected"]["published_at"]
    assert normalize_text(meta["expected"]["published_at_raw"]) in raw


def _shared_articles(shared: Path):
    for path in sorted((shared / "pages").glob("*/*.html")):
        same = [r for r in REAL if r[1].read_bytes() == path.read_bytes()]
        if same:
            yield path, same[0][2]


def test_shared_pages_as_unknown_site(shared):
    """../shared/pages's articles: each is also a real fixture (same bytes),
    whose expected values it is held to."""
    articles = list(_shared_articles(shared))
    assert len(articles) >= 7
    for path, meta in articles:
        assert read(path.read_bytes(), unowned(meta["url"]))[0] == meta["expected"]["published_at"], path


# --- synthetic pages -------------------------------------------------------------------

URL = f"https://{UNOWNED_HOST}/news/123456/some-slug"
TITLE = "افتتاح خط جدید متروی تهران با حضور شهردار"
BODY = "".join(
    f"<p>{sentence} خط جدید متروی تهران امروز با حضور شهردار و اعضای شورای شهر افتتاح شد و مسافران از فردا می‌توانند از آن استفاده کنند.</p>"
    for sentence in ("به گزارش خبرنگار ما،", "این خط", "شهردار گفت", "عضو شورای شهر افزود")
)


def synthetic(article: str, *, head: str = "", before: str = "", after: str = "") -> str:
    """A page: <head>, what comes before the article (header, menus), the
    article, what comes after it (related lists, footer)."""
    return (
        f'<html lang="fa"><head><meta charset="utf-8"><title>{TITLE} - خبرگزاری نمونه</title>{head}</head>'
        f"<body>{before}<main>{article}</main>{after}</body></html>"
    )


MENU = "<nav><ul>" + "".join(f'<li><a href="/s/{i}">بخش {i}</a></li>' for i in range(8)) + "</ul></nav>"
ARTICLE_DATE_ONLY = f'<article><h1>{TITLE}</h1><div class="news-info">۱۲ مرداد ۱۳۹۹</div>{BODY}</article>'
ARTICLE = f'<article><h1>{TITLE}</h1><div class="news-info">۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</div>{BODY}</article>'
RELATED = (
    '<div class="more-news"><h3>دیگر خبرها</h3><ul>'
    + "".join(
        f'<li><a href="/news/{700 + i}/x">عنوان خبری دیگر درباره شهر تهران و متروی آن شماره {i}</a>'
        f'<div class="date">۱۴ مرداد ۱۳۹۹ - ۱۸:{i:02d}</div></li>'
        for i in range(5)
    )
    + "</ul></div>"
)

SYNTHETIC = [
    # (case, page, url, published_at, a text the raw value holds)
    (
        "header clock and today's date above an article date with no time",
        synthetic(
            ARTICLE_DATE_ONLY,
            before=f'<header class="site-header"><span>سه‌شنبه ۱۴ مرداد ۱۳۹۹</span> <span class="clock">۱۸:۴۵</span></header>{MENU}',
        ),
        URL,
        "2020-08-02",
        "۱۲ مرداد ۱۳۹۹",
    ),
    (
        "header clock and today's date, the article undated",
        synthetic(
            f"<article><h1>{TITLE}</h1>{BODY}</article>",
            before='<header class="site-header"><span>سه‌شنبه ۱۴ مرداد ۱۳۹۹</span> <span class="clock">۱۸:۴۵</span></header>',
        ),
        URL,
        None,
        None,
    ),
    (
        'a <div class="header"> with today\'s date and a clock, the article undated',
        synthetic(f"<article><h1>{TITLE}</h1>{BODY}</article>", before='<div class="header"><span>۱۴ مرداد ۱۳۹۹ ۱۸:۴۵</span></div>'),
        URL,
        None,
        None,
    ),
    (
        "a sidebar's date before the headline, the article undated",
        synthetic(
            f"<article><h1>{TITLE}</h1>{BODY}</article>",
            before='<div class="sidebar"><div>تهران: ۳۵ درجه</div><div>۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</div></div>',
        ),
        URL,
        None,
        None,
    ),
    (
        "header bar with today's date and a clock, article date and time",
        synthetic(ARTICLE, before=f"<header><ul><li>سه‌شنبه ۱۴ مرداد ۱۳۹۹ - ۱۸:۴۵</li></ul></header>{MENU}"),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "today's date just above the headline, outside any header",
        synthetic(
            f'<div class="date">امروز: سه‌شنبه ۱۴ مرداد ۱۳۹۹</div><article><h1>{TITLE}</h1>{BODY}</article>',
        ),
        URL,
        None,
        None,
    ),
    (
        "a top bar's date (no <header>) and the article's",
        synthetic(ARTICLE, before='<div class="top-bar"><span>۱۴ مرداد ۱۳۹۹ ۱۸:۴۵</span></div>'),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "related list with newer dates after the article",
        synthetic(ARTICLE, after=RELATED),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "related list with newer dates right under the headline, the article undated",
        synthetic(f"<article><h1>{TITLE}</h1>{RELATED}{BODY}</article>"),
        URL,
        None,
        None,
    ),
    (
        "a date inside a link is another article's",
        synthetic(f'<article><h1>{TITLE}</h1><a href="/news/1">۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</a>{BODY}</article>'),
        URL,
        None,
        None,
    ),
    (
        "Jalali text inside article:published_time, nothing printed",
        synthetic(
            f"<article><h1>{TITLE}</h1>{BODY}</article>",
            head='<meta property="article:published_time" content="1399/05/12 09:30:00">',
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "1399/05/12 09:30:00",
    ),
    (
        "Jalali ISO-shaped JSON-LD datePublished, nothing printed",
        synthetic(
            f"<article><h1>{TITLE}</h1>{BODY}</article>",
            head='<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "1399-05-12T09:30:00+04:30"}</script>',
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "1399-05-12T09:30:00+04:30",
    ),
    (
        "<br>-split header with the time on its own line and ب.ظ (the Aryanews 2020 shape), no meta",
        synthetic(
            '<div class="news-head"><div class="rutitr">سخنگوی شهرداری:</div>'
            f"<h1>آریا نیوز - {TITLE}</h1>"
            '<div class="news-info">کد خبر: ۱۲۳۴۵۶<br>تاریخ انتشار: ۱۳۹۹/۰۵/۱۲<br>ساعت: ۰۴:۲۵:۱۲ ب.ظ<br>تعداد بازدید: ۲۳</div></div>'
            '<div class="news-text">' + "<br><br>".join(p[3:-4] for p in BODY.split("</p>") if p) + "</div>",
            before=MENU,
        ),
        URL,
        "2020-08-02T16:25:12+04:30",
        "۰۴:۲۵:۱۲ ب.ظ",
    ),
    (
        "date, seconds and ب.ظ on one line of a <br> header",
        synthetic(
            f'<div class="news-head"><h1>{TITLE}</h1><div>آریا نیوز<br>یکشنبه ۱۲ مرداد ۱۳۹۹ ۰۴:۲۵:۱۲ ب.ظ<br></div></div>'
            + BODY
        ),
        URL,
        "2020-08-02T16:25:12+04:30",
        "۱۲ مرداد ۱۳۹۹",
    ),
    (
        "the printed minute, not the metadata's seconds",
        synthetic(ARTICLE, head='<meta property="article:published_time" content="2020-08-02T05:00:41Z">'),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "a printed day takes the metadata's time of the same day",
        synthetic(ARTICLE_DATE_ONLY, head='<meta property="article:published_time" content="2020-08-02T05:00:41Z">'),
        URL,
        "2020-08-02T09:30:41+04:30",
        "2020-08-02T05:00:41Z",
    ),
    (
        "a printed date disagreeing with the metadata's day is not taken",
        synthetic(
            f'<article><h1>{TITLE}</h1><div class="info">۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</div>{BODY}</article>',
            head='<meta property="article:published_time" content="2020-08-02T05:00:41Z">',
        ),
        URL,
        "2020-08-02T09:30:41+04:30",
        "2020-08-02T05:00:41Z",
    ),
    (
        "a bare day in the metadata may be the UTC one: the printed time just after midnight stands",
        synthetic(
            f'<article><h1>{TITLE}</h1><div class="news-info">۱۲ مرداد ۱۳۹۹ - ۰۰:۲۰</div>{BODY}</article>',
            head='<meta property="article:published_time" content="2020-08-01">',
        ),
        URL,
        "2020-08-02T00:20:00+04:30",
        "۰۰:۲۰",
    ),
    (
        "a date labelled as the publication's stands against the metadata's day",
        synthetic(
            f'<article><h1>{TITLE}</h1><div class="info">تاریخ انتشار: ۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</div>{BODY}</article>',
            head='<meta property="article:published_time" content="2020-08-04T14:15:00Z">',
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "تاریخ انتشار",
    ),
    (
        "itemprop=datePublished on the article only",
        synthetic(f'<article><h1>{TITLE}</h1><span itemprop="datePublished" content="2020-08-02T09:30:00+04:30"></span>{BODY}</article>'),
        URL,
        "2020-08-02T09:30:00+04:30",
        "2020-08-02T09:30:00+04:30",
    ),
    (
        "itemprop=datePublished on the article and on each related item: none trusted",
        synthetic(
            f'<article><h1>{TITLE}</h1>{BODY}</article>',
            after="<ul>"
            + "".join(f'<li itemscope><a href="/n/{i}">خبر دیگر {i}</a><span itemprop="datePublished" content="2020-08-0{i}T10:00:00+04:30"></span></li>' for i in (3, 4))
            + "</ul>",
        ).replace("<article>", '<article><span itemprop="datePublished" content="2020-08-02T09:30:00+04:30"></span>'),
        URL,
        None,
        None,
    ),
    (
        "<time datetime> gives the time a printed day lacks",
        synthetic(
            f'<article><h1>{TITLE}</h1><time datetime="2020-08-02T09:30:00+04:30">۱۲ مرداد ۱۳۹۹</time>{BODY}</article>',
            after='<ul><li><a href="/n/1">خبری دیگر با عنوانی بلند برای این فهرست</a> <time datetime="2020-08-04T18:00:00+04:30"></time></li></ul>',
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "2020-08-02T09:30:00+04:30",
    ),
    (
        "a labelled date before a nearer unlabelled one (a photo's date under the headline)",
        synthetic(
            f"<article><h1>{TITLE}</h1><figure><figcaption>عکس: آرشیو، ۱۰ مرداد ۱۳۹۹</figcaption></figure>"
            f"<div>تاریخ انتشار: ۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</div>{BODY}</article>"
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "an update time is not the publication time",
        synthetic(
            f"<article><h1>{TITLE}</h1><div>به‌روزرسانی: ۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</div>"
            f"<div>انتشار: ۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</div>{BODY}</article>"
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "publication and update on one line",
        synthetic(
            f"<article><h1>{TITLE}</h1><div>تاریخ انتشار: ۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰ | به‌روزرسانی: ۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</div>{BODY}</article>"
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "a labelled date after a long body",
        synthetic(f"<article><h1>{TITLE}</h1>{BODY * 3}<div>تاریخ انتشار: ۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</div></article>"),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "an unlabelled date far from the headline is not the article's",
        synthetic(f"<article><h1>{TITLE}</h1>{BODY * 3}<div>۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</div></article>"),
        URL,
        None,
        None,
    ),
    (
        "a date in the body's prose is not the publication date",
        synthetic(f"<article><h1>{TITLE}</h1><p>این خط قرار بود ۱۲ مرداد ۱۳۹۹ افتتاح شود اما افتتاح آن به تعویق افتاد و اکنون پس از ماه‌ها تاخیر مسافران از آن استفاده می‌کنند و شهردار از آن بازدید کرد.</p>{BODY}</article>"),
        URL,
        None,
        None,
    ),
    (
        "comments' dates under a short article",
        synthetic(
            f"<article><h1>{TITLE}</h1>{BODY[:300]}</article>"
            '<section class="comments"><div class="comment"><div>علی</div><div>۱۴ مرداد ۱۳۹۹ - ۱۸:۰۰</div><div>عالی بود</div></div></section>'
        ),
        URL,
        None,
        None,
    ),
    (
        "a date in the headline is what the article is about",
        synthetic(f"<article><h1>گزارش زنده؛ تراکتور - پرسپولیس - ۱۲/۰۵/۱۳۹۹</h1>{BODY}</article>").replace(TITLE, "گزارش زنده؛ تراکتور - پرسپولیس - ۱۲/۰۵/۱۳۹۹"),
        URL,
        None,
        None,
    ),
    (
        "the day in a WordPress URL, nothing printed",
        synthetic(f"<article><h1>{TITLE}</h1>{BODY}</article>"),
        f"https://{UNOWNED_HOST}/2020/08/02/metro-line/",
        "2020-08-02",
        "2020/08/02",
    ),
    (
        "a Jalali URL day agreeing with the printed date and time",
        synthetic(ARTICLE),
        f"https://{UNOWNED_HOST}/fa/news/1399/05/12/123456/x",
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "the headline is the <h2> the title holds; the logo's <h1> in the header is not",
        synthetic(
            f'<div class="item-header"><h2>{TITLE}</h2><div>December 17, 2023 - 22:36</div></div>{BODY}',
            before=f'<header><h1 class="logo">خبرگزاری نمونه</h1><div>Mon December 25, 2023</div></header>{MENU}',
        ),
        URL,
        "2023-12-17T22:36:00+03:30",
        "22:36",
    ),
    (
        "the headline in a <header> of its own, outside any <article>",
        synthetic(
            f'<div class="content"><header class="entry-header"><h1 class="entry-title">{TITLE}</h1>'
            f'<div class="entry-meta">۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</div></header>{BODY}</div>',
            before=f'<header class="site-header"><div class="logo">خبرگزاری نمونه</div>{MENU}</header>',
        ).replace("<main>", "").replace("</main>", ""),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "an info bar's date beside short share links",
        synthetic(
            f'<article><h1>{TITLE}</h1><ul class="tools"><li>۱۲ مرداد ۱۳۹۹ - ۰۹:۳۰</li><li><a href="#">چاپ</a></li>'
            f'<li><a href="#">ارسال</a></li><li><a href="#">لینک کوتاه</a></li><li><a href="#">اشتراک</a></li></ul>{BODY}</article>'
        ),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "a time in an element right after the date, no space between",
        synthetic(f"<article><h1>{TITLE}</h1><div>۱۲ مرداد ۱۳۹۹<b>۰۹:۳۰</b></div>{BODY}</article>"),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "a date in an element right before the time, no space between",
        synthetic(f"<article><h1>{TITLE}</h1><div><b>۱۲ مرداد ۱۳۹۹</b>۰۹:۳۰</div>{BODY}</article>"),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "a <title> of the site's name alone, its logo <h1> in a header with a menu and today's date",
        synthetic(
            ARTICLE,
            before=f'<header><h1 class="logo">خبرگزاری نمونه</h1><div>سه‌شنبه ۱۴ مرداد ۱۳۹۹ ۱۸:۴۵</div>{MENU}</header>',
        ).replace(f"<title>{TITLE} - خبرگزاری نمونه</title>", "<title>خبرگزاری نمونه</title>"),
        URL,
        "2020-08-02T09:30:00+04:30",
        "۰۹:۳۰",
    ),
    (
        "DW's year-first date with a weekday",
        synthetic(f'<article><h1>{TITLE}</h1><span class="date">۱۳۹۹ مرداد ۱۲, یکشنبه</span>{BODY}</article>'),
        URL,
        "2020-08-02",
        "۱۳۹۹ مرداد ۱۲",
    ),
]


@pytest.mark.parametrize("case,html,url,expected,raw", SYNTHETIC, ids=[s[0] for s in SYNTHETIC])
def test_synthetic(case, html, url, expected, raw):
    published, published_raw = read(html, url)
    assert published == expected
    if raw is None:
        assert published_raw is None
    else:
        assert raw in published_raw


def test_registered_site_keeps_its_metadata_time():
    """On a page of a registered site whose selectors give no date, the
    metadata's time stands, as the site's module expects (the generic choice
    is for pages no module knows)."""
    html = synthetic(ARTICLE, head='<meta property="article:published_time" content="2020-08-02T05:00:41Z">')
    fields = extract_article(html, "https://www.iranintl.com/202008023127", layers=("metadata", "generic"))
    assert fields["published_at"] == "2020-08-02T09:30:41+04:30"
    assert fields["field_sources"]["published"] == "metadata"

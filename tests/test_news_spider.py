"""The generic `news` spider, on sites no spec covers, served from 127.0.0.1."""

import json

from localsite import Route, scrapy_crawl, serve

ISNA_PAGE = "pages/isna.ir/news-98030903723.html"  # in ../shared

# SYNTHETIC: a minimal article page of an unknown CMS, carrying only what most
# news pages carry: JSON-LD NewsArticle, OpenGraph and paragraphs.
GENERIC_ARTICLE = """<!DOCTYPE html><html lang="fa"><head><meta charset="utf-8">
<title>خبر آزمایشی | سایت نمونه</title>
<meta property="og:title" content="خبر آزمایشی">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"خبر آزمایشی","datePublished":"2024-01-15T09:30:00+03:30","keywords":"اقتصاد، بازار"}</script>
</head><body><nav><a href="/">خانه</a></nav><main><h1>خبر آزمایشی</h1><div class="content">
<p>بند نخست این خبر آزمایشی است که برای سنجش استخراج عمومی نوشته شده و چند جمله دارد تا متن کافی باشد.</p>
<p>بند دوم خبر به جزئیات بیشتری می‌پردازد و نشان می‌دهد که بندها جدا از هم بیرون می‌آیند.</p>
<p>بند سوم و پایانی خبر است و پس از آن هیچ متن دیگری نباید در بدنه دیده شود.</p>
</div></main><footer>همه حقوق محفوظ است</footer></body></html>"""


def test_single_url_of_an_unknown_site(shared):
    routes = {"/news/98030903723/x": Route((shared / ISNA_PAGE).read_bytes())}
    with serve(routes) as (base, _):
        result = scrapy_crawl("news", "-a", f"url={base}/news/98030903723/x", "-o", "-:jsonlines", "-s", "ROBOTSTXT_OBEY=0")
    assert result.returncode == 0, result.stderr[-3000:]
    [article] = [json.loads(line) for line in result.stdout.splitlines()]
    assert article["site"] == "127.0.0.1"
    assert article["news_code"] == "98030903723"
    assert article["headline"] == "کارشناسی داوری دیدار سپاهان و پرسپولیس از زبان عسگری"
    assert article["published_at"].startswith("2019-05-30T00:20")  # the page shows ۹ خرداد ۱۳۹۸ / ۰۰:۲۰


def test_domain_discovery_through_sitemap_and_home_page():
    routes: dict = {}
    with serve(routes) as (base, requested):
        routes.update({
            "/robots.txt": Route(f"User-agent: *\nSitemap: {base}/sitemap.xml\n", "text/plain"),
            "/sitemap.xml": Route(
                f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{base}/news/100001/a</loc></url><url><loc>{base}/tag/100009</loc></url></urlset>",
                "application/xml",
            ),
            "/": Route('<a href="/news/100002/b">b</a><a href="/about">about</a><a href="/news/100003/listing">c</a>'),
            "/news/100001/a": Route(GENERIC_ARTICLE),
            "/news/100002/b": Route(GENERIC_ARTICLE.replace("خبر آزمایشی", "خبر دوم")),
            "/news/100003/listing": Route("<html><body><h1>فهرست</h1><a href='/x'>x</a></body></html>"),
        })
        result = scrapy_crawl("news", "-a", f"domain={base}", "-o", "-:jsonlines")
    assert result.returncode == 0, result.stderr[-3000:]
    articles = {a["news_code"]: a for a in map(json.loads, result.stdout.splitlines())}
    assert sorted(articles) == ["100001", "100002"]
    assert articles["100002"]["headline"] == "خبر دوم"
    assert articles["100001"]["published_at"] == "2024-01-15T09:30:00+03:30"
    assert articles["100001"]["tags"] == ["اقتصاد", "بازار"]
    assert articles["100001"]["body"].count("\n\n") == 2 and "حقوق" not in articles["100001"]["body"]
    assert "/tag/100009" not in requested
    assert "'articles/not_article': 1" in result.stderr


def test_spider_needs_a_url_or_a_domain():
    result = scrapy_crawl("news")
    assert result.returncode != 0
    assert "-a url=" in result.stderr

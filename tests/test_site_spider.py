"""SiteSpider's discovery on the sites whose feeds live on another host (BBC's
feeds.bbci.co.uk) or that share a host with other editions (bbc.com/persian,
dw.com/fa-ir). Which URLs are articles: tests/test_url_shapes.py."""

import asyncio

from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders import sites


def spider_named(name: str, **kwargs):
    [cls] = [c for c in vars(sites).values() if getattr(getattr(c, "site", None), "name", None) == name]
    crawler = get_crawler(cls)
    return crawler, cls.from_crawler(crawler, **kwargs)


async def start_urls(spider) -> list[str]:
    return [request.url async for request in spider.start()]


def test_absolute_feed_on_another_host_is_requested_and_allowed():
    crawler, spider = spider_named("bbcpersian")
    urls = asyncio.run(start_urls(spider))
    assert urls[:3] == [
        "https://feeds.bbci.co.uk/persian/rss.xml",
        "https://www.bbc.com/persian/index.xml",
        "https://www.bbc.com/persian",
    ]
    offsite = OffsiteMiddleware.from_crawler(crawler)
    assert offsite.should_follow(Request(urls[0]), spider)
    assert not offsite.should_follow(Request("https://www.example.com/persian/articles/c9wdrd4qglpo"), spider)


def test_absolute_feed_stays_where_it_is_when_the_base_url_moves():
    _, spider = spider_named("bbcpersian", base_url="http://127.0.0.1:8000")
    urls = asyncio.run(start_urls(spider))
    assert urls[:3] == [
        "https://feeds.bbci.co.uk/persian/rss.xml",
        "http://127.0.0.1:8000/persian/index.xml",
        "http://127.0.0.1:8000/persian",
    ]


def test_feed_host_links_to_articles_on_the_site():
    _, spider = spider_named("bbcpersian")
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<item><link>https://www.bbc.com/persian/articles/c9wdrd4qglpo?at_medium=RSS&amp;at_campaign=rss</link></item>"
        "<item><link>https://www.bbc.com/persian/iran-features-61234567</link></item>"
        "<item><link>https://www.bbc.com/persian/topics/ckdxnwvwwjnt</link></item>"
        "<item><link>https://www.bbc.com/news/articles/c0000000000o</link></item>"
        "</channel></rss>"
    )
    response = XmlResponse("https://feeds.bbci.co.uk/persian/rss.xml", body=rss.encode("utf-8"))
    assert [r.url for r in spider.parse_feed(response)] == [
        "https://www.bbc.com/persian/articles/c9wdrd4qglpo?at_medium=RSS&at_campaign=rss",
        "https://www.bbc.com/persian/iran-features-61234567",
    ]


def test_a_malformed_link_is_skipped_and_the_rest_followed():
    """urllib raises on an unclosed IPv6 bracket ("http://[x"); one such link on a
    listing, in a feed or in a sitemap must not take the others down with it."""
    _, spider = spider_named("tabnak")
    listing = HtmlResponse(
        "https://www.tabnak.ir/", encoding="utf-8",
        body=b'<a href="http://[bad/fa/news/1">x</a><a href="/fa/news/1234567/x">y</a>'
        b'<a href="/fa/service/politics">z</a>',
    )  # fmt: skip
    assert [r.url for r in spider.parse_listing(listing)] == [
        "https://www.tabnak.ir/fa/news/1234567/x",
        "https://www.tabnak.ir/fa/service/politics",
    ]
    rss = b"<rss><channel><item><link>http://[bad</link></item><item><link>https://www.tabnak.ir/fa/news/7/y</link></item></channel></rss>"
    feed = XmlResponse("https://www.tabnak.ir/fa/rss/allnews", body=rss)
    assert [r.url for r in spider.parse_feed(feed)] == ["https://www.tabnak.ir/fa/news/7/y"]
    assert spider.article_code("http://[bad/fa/news/1") is None and not spider.is_listing("http://[x/fa/service/a")
    # A port that is no number: urllib reads the host, Scrapy's Request raises.
    bad_port = HtmlResponse(
        "https://www.tabnak.ir/", encoding="utf-8",
        body=b'<a href="https://www.tabnak.ir:x/fa/news/1/a">x</a><a href="https://www.tabnak.ir:x/fa/service/b">y</a>'
        b'<a href="/fa/news/2/b">z</a>',
    )  # fmt: skip
    assert [r.url for r in spider.parse_listing(bad_port)] == ["https://www.tabnak.ir/fa/news/2/b"]


class _Index(list):
    type = "sitemapindex"


def test_a_sitemap_index_entry_scrapy_cannot_request_is_skipped():
    _, spider = spider_named("tabnak")
    entries = _Index([{"loc": "http://[bad/s1.xml"}, {"loc": "https://www.tabnak.ir:x/s2.xml"}, {"loc": "https://www.tabnak.ir/s3.xml"}])
    assert [e["loc"] for e in spider.sitemap_filter(entries)] == ["https://www.tabnak.ir/s3.xml"]

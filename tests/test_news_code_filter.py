"""NewsCodeFilterMiddleware: one download per article, the crawl state asked
in batches (`known`) for the article links one response yields."""

import asyncio

import pytest
from scrapy import Request
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from conftest import project_settings
from crawler.export.statebase import ArticleRecord
from crawler.middlewares import NewsCodeFilterMiddleware
from crawler.spiders.sites import EtemadonlineSpider

SITE = "etemadonline.com"
SEEN = "2024-01-01T00:00:00+00:00"


def article(code: int) -> str:
    return f"https://www.etemadonline.com/fa/tiny/news-{code}"


class CountingState:
    """The crawl state, counting the queries the middleware makes."""

    def __init__(self, state):
        self.state, self.known_calls, self.gets = state, [], 0

    def known(self, site, news_codes):
        codes = list(news_codes)
        self.known_calls.append(len(codes))
        return self.state.known(site, codes)

    def get(self, site, news_code):
        self.gets += 1
        return self.state.get(site, news_code)


def middleware_for(tmp_path, cls=NewsCodeFilterMiddleware, exported=(), batch_size=None):
    crawler = get_crawler(EtemadonlineSpider, settings_dict=project_settings(CRAWLER_STATE=str(tmp_path / "state.sqlite3")))
    crawler.spider = EtemadonlineSpider.from_crawler(crawler)
    middleware = cls.from_crawler(crawler)
    middleware.state.record(ArticleRecord(SITE, str(c), article(c), "h", None, SEEN, SEEN) for c in exported)
    middleware.state = CountingState(middleware.state)
    if batch_size:
        middleware.batch_size = batch_size
    return middleware


def spider_output(spider, codes, *, item_every=0, fail_after=None):
    """What a sitemap's callback yields: article requests, with an item and a
    request for another sitemap now and then."""
    for n, code in enumerate(codes, 1):
        yield Request(article(code), callback=spider.parse_article)
        if item_every and n % item_every == 0:
            yield {"n": n}
            yield Request(f"https://www.etemadonline.com/sitemap-{n}.xml", callback=spider.parse)
        if fail_after == n:
            raise ValueError("broken sitemap")


async def as_async(iterable):
    for r in iterable:
        yield r


def run(middleware, output) -> list:
    response = XmlResponse("https://www.etemadonline.com/sitemap.xml", body=b"")

    async def collect():
        return [r async for r in middleware.process_spider_output(response, as_async(output))]

    return asyncio.run(collect())


def kept_codes(results) -> list[str]:
    return [r.meta["news_code"] for r in results if isinstance(r, Request) and "news_code" in r.meta]


def test_exported_and_repeated_codes_are_dropped_with_one_query_per_batch(tmp_path):
    middleware = middleware_for(tmp_path, exported=range(100, 1300, 2), batch_size=500)
    spider, stats = middleware.crawler.spider, middleware.crawler.stats
    codes = [*range(100, 1300), 101, 103, 100]  # 1,200 links, then three again
    results = run(middleware, spider_output(spider, codes, item_every=100))

    assert kept_codes(results) == [str(c) for c in range(101, 1300, 2)], "the new ones, in order"
    assert stats.get_value("articles/skipped/exported_before") == 600
    assert stats.get_value("articles/skipped/same_code") == 3
    assert middleware.state.known_calls == [500, 500, 200] and middleware.state.gets == 0
    # Items and other requests pass on as they come, before the batch they were yielded amid.
    assert [r["n"] for r in results if isinstance(r, dict)] == list(range(100, 1201, 100))
    # The first 500 links' four items and four sitemaps, then the first batch's 250 new links.
    assert kept_codes(results[:8]) == [] and kept_codes(results[8:258]) == [str(c) for c in range(101, 600, 2)]
    assert sum(isinstance(r, Request) and r.callback == spider.parse for r in results) == 12


def test_a_response_with_a_few_links_is_one_query_and_a_new_response_starts_a_batch(tmp_path):
    middleware = middleware_for(tmp_path, exported=[7])
    spider = middleware.crawler.spider
    assert kept_codes(run(middleware, spider_output(spider, [5, 6, 7]))) == ["5", "6"]
    assert kept_codes(run(middleware, spider_output(spider, [6, 7, 8]))) == ["8"]
    assert kept_codes(run(middleware, spider_output(spider, []))) == []
    assert middleware.state.known_calls == [3, 1]  # 6 was requested already, 7 too (and exported)


def test_a_callback_failing_part_way_still_passes_on_what_it_yielded(tmp_path):
    middleware = middleware_for(tmp_path, exported=[2])
    spider = middleware.crawler.spider
    passed = []

    async def collect_async():
        response = XmlResponse("https://www.etemadonline.com/sitemap.xml", body=b"")
        async for r in middleware.process_spider_output(response, as_async(spider_output(spider, [1, 2, 3, 4], fail_after=3))):
            passed.append(r)

    with pytest.raises(ValueError, match="broken sitemap"):
        asyncio.run(collect_async())
    assert kept_codes(passed) == ["1", "3"]


def test_the_distributed_filter_leaves_repeats_to_the_shared_dupefilter(tmp_path):
    from crawler.ops.distributed import SharedNewsCodeFilter

    middleware = middleware_for(tmp_path, cls=SharedNewsCodeFilter, exported=[2])
    spider, stats = middleware.crawler.spider, middleware.crawler.stats
    assert kept_codes(run(middleware, spider_output(spider, [1, 2, 1, 3, 2]))) == ["1", "1", "3"]
    assert stats.get_value("articles/skipped/exported_before") == 2
    assert stats.get_value("articles/skipped/same_code") is None
    assert middleware.state.known_calls == [5]

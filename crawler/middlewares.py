"""Downloader and spider middlewares."""

from __future__ import annotations

import random
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor

from crawler.ledger import ExportLedger
from twisted.internet.task import deferLater


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with a wait before each: the server's Retry-After when
    it sends one (at most RETRY_AFTER_MAX seconds), else exponential backoff,
    RETRY_BACKOFF_BASE * 2^(n-1) seconds with jitter, at most RETRY_BACKOFF_MAX.
    Retrying a 429 or 503 at once only earns another one."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX")

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(retry, retry_after(response.headers.get("Retry-After")))
        return retry

    async def process_exception(self, request, exception, spider=None):
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(retry, None)
        return retry

    def backoff(self, attempt: int, server_asked: float | None) -> float:
        if server_asked is not None:
            return min(server_asked, self.retry_after_max)
        delay = self.backoff_base * 2 ** (attempt - 1)
        return min(delay * random.uniform(0.75, 1.25), self.backoff_max)

    async def _wait(self, retry, server_asked: float | None) -> None:
        delay = self.backoff(retry.meta["retry_times"], server_asked)
        self.crawler.stats.inc_value("retry/backoff_seconds", round(delay, 3))
        if delay > 0:
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))


def retry_after(value: bytes | None) -> float | None:
    """Seconds a Retry-After header asks for: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, said without committing to it
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class NewsCodeFilterMiddleware:
    """Spider middleware: one download per article. Sites link the same article
    under several URLs (slug and short link, encoded and raw Persian), and
    feeds, sitemaps and listings all name it; a request for a news code
    already requested in this run, or exported by an earlier run (the crawl
    state), is dropped before it is downloaded."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.requested: set[str] = set()
        self.state = ExportLedger.of(crawler).state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _keep(self, result) -> bool:
        spider = self.crawler.spider
        if not isinstance(result, Request) or result.callback != getattr(spider, "parse_article", None):
            return True
        code = spider.article_code(result.url)
        if code is None:
            return True
        if self.requested_before(code):
            self.crawler.stats.inc_value("articles/skipped/same_code")
            return False
        if self.state.get(spider.site.domain, code) is not None:
            self.crawler.stats.inc_value("articles/skipped/exported_before")
            return False
        result.meta["news_code"] = code
        return True

    def requested_before(self, code: str) -> bool:
        """Whether this run asked for the code already; it has now."""
        if code in self.requested:
            return True
        self.requested.add(code)
        return False

    def process_spider_output(self, response, result, spider=None):
        return (r for r in result if self._keep(r))

    async def process_spider_output_async(self, response, result, spider=None):
        async for r in result:
            if self._keep(r):
                yield r

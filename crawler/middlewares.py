"""Downloader and spider middlewares."""

from __future__ import annotations

import random
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from crawler.export.ledger import ExportLedger


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
            await sleep(delay)


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
    state), is dropped before it is downloaded.

    The crawl state is asked in batches (`CrawlState.known`): the article
    requests that one response yields are held, up to `batch_size`, and
    checked together when the batch is full and when the response's output
    ends (a sitemap of 1,000 links is two queries, not 1,000). Everything
    else the spider yields (items, other requests) passes on at once; article
    requests keep their order among themselves."""

    batch_size = 500

    def __init__(self, crawler):
        self.crawler = crawler
        self.requested: set[str] = set()
        self.state = ExportLedger.of(crawler).state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _code(self, result) -> str | None | bool:
        """The news code of an article request, to check against the state;
        None for anything to pass on as it is; False for an article request
        to drop now, its code requested before in this run."""
        spider = self.crawler.spider
        if not isinstance(result, Request) or result.callback != getattr(spider, "parse_article", None):
            return None
        code = spider.article_code(result.url)
        if code is None:
            return None
        if self.requested_before(code):
            self.crawler.stats.inc_value("articles/skipped/same_code")
            return False
        return code

    def _not_exported(self, batch: list[tuple[Request, str]]) -> list[Request]:
        """The batch's requests whose codes no earlier run exported, in order."""
        if not batch:
            return []
        exported = self.state.known(self.crawler.spider.site.domain, [code for _, code in batch])
        kept = []
        for request, code in batch:
            if code in exported:
                self.crawler.stats.inc_value("articles/skipped/exported_before")
            else:
                request.meta["news_code"] = code
                kept.append(request)
        return kept

    def requested_before(self, code: str) -> bool:
        """Whether this run asked for the code already; it has now."""
        if code in self.requested:
            return True
        self.requested.add(code)
        return False

    async def process_spider_output(self, response, result, spider=None):
        # Async only: Scrapy hands a sync callback's output over as an async
        # iterable, and every middleware before this one is universal.
        batch: list[tuple[Request, str]] = []
        try:
            async for r in result:
                code = self._code(r)
                if code is None:
                    yield r
                elif code is not False:
                    batch.append((r, code))
                    if len(batch) >= self.batch_size:
                        full, batch = batch, []
                        for kept in self._not_exported(full):
                            yield kept
        except Exception:
            # The callback failed part way: what it yielded before goes on,
            # as it would have without the batching.
            for kept in self._not_exported(batch):
                yield kept
            raise
        for kept in self._not_exported(batch):
            yield kept

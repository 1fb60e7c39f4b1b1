"""What went wrong between the crawler and a site, counted and reported.

Each fault is counted in the crawl's stats as `faults/<kind>`, every attempt
(retried ones too): `http_5xx`, `http_429`, `timeout`, `connection` (refused,
reset, no DNS), `dataloss` (a body cut short of its Content-Length),
`too_large` (past DOWNLOAD_MAXSIZE, as sent or once decompressed: a
compression bomb), `redirect_loop`. Pages an anti-bot service served instead
of the page asked for are `pages/blocked/<kind>` (crawler.extract.pagecheck)
and go no further: not retried, not followed, not extracted. At the end of
the run one line sums the faults up, an ERROR says so when a site blocks the
crawler, and the run's manifest lists the same counts (`fault_counts`).
"""

from __future__ import annotations

import logging
import time
from typing import NoReturn

from OpenSSL.SSL import Error as TLSError
from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError, DownloadFailedError,
    DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
)  # fmt: skip
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectError, ConnectionClosed, ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TxTimeoutError

from crawler.extract.pagecheck import CHALLENGE_NAMES, challenge

logger = logging.getLogger(__name__)

# Normal ends: the spider ran out of pages, or reached a limit the run set (CLOSESPIDER_*).
NORMAL_ENDS = ("finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout")
SITE_BLOCKED_STAT = "faults/site_blocked"  # 1 when every article page (or all discovery) was blocked
UNREACHABLE_STAT = "faults/unreachable"  # "<host>: <cause>, ..." of the start hosts, when the run stopped for them
FAULT_KINDS = ("http_5xx", "http_429", "timeout", "connection", "dataloss", "too_large", "redirect_loop")
# First match wins: a TCP timeout is a ConnectError too.
EXCEPTION_KINDS = (
    ((DownloadTimeoutError, TxTimeoutError, TCPTimedOutError), "timeout"),
    ((ResponseDataLossError,), "dataloss"),
    ((DownloadCancelledError,), "too_large"),  # Scrapy cancels a download only past DOWNLOAD_MAXSIZE
    (
        (DownloadFailedError, DownloadConnectionRefusedError, CannotResolveHostError, ConnectError, ConnectionClosed, TunnelError),
        "connection",
    ),
)


def fault_of(exception: BaseException) -> str | None:
    return next((kind for types, kind in EXCEPTION_KINDS if isinstance(exception, types)), None)


def unreachable_cause(exception: BaseException) -> str | None:
    """Why an attempt got no answer from its host, in words; None when the
    host did answer (a body cut short, too large)."""
    kind = fault_of(exception)
    if kind == "timeout":
        return "timed out"
    if kind != "connection":
        return None
    # Scrapy wraps Twisted's errors; a TLS failure is one of the reasons of the wrapped one.
    wrapped = [exception, exception.__cause__, *(f.value for f in getattr(exception.__cause__, "reasons", ()))]
    if any(isinstance(e, (CannotResolveHostError, DNSLookupError)) for e in wrapped):
        return "DNS lookup failed"
    if any(isinstance(e, (DownloadConnectionRefusedError, ConnectionRefusedError)) for e in wrapped):
        return "connection refused"
    if any(isinstance(e, TLSError) for e in wrapped):
        return "TLS handshake failed"
    return "connection failed"


class Unreachable(IgnoreRequest):
    """A request not made, or not retried, because its host is unreachable.
    An IgnoreRequest: Scrapy drops it without a log line of its own."""


class Reach:
    """Which hosts answered in this run, and which never did. A host that has
    not answered once, whose attempts all failed to connect (no DNS, refused,
    timed out, TLS), is unreachable once a request to it has no retry left,
    or CRAWLER_UNREACHABLE_AFTER seconds after its first attempt began (a
    timeout alone takes DOWNLOAD_TIMEOUT per attempt). That is logged once,
    as an ERROR; its requests then fail at once, without retries. When no
    host has answered and every host the spider starts from
    (`spider.start_hosts`) is unreachable, the run stops: finish reason
    `unreachable`, the hosts and causes in UNREACHABLE_STAT."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.after = crawler.settings.getfloat("CRAWLER_UNREACHABLE_AFTER")
        self.answered: set[str] = set()
        self.first_try: dict[str, float] = {}
        self.unreachable: dict[str, str] = {}  # host -> cause

    @classmethod
    def of(cls, crawler) -> Reach:
        """The crawl's one record of its hosts."""
        reach = crawler.__dict__.get("_reach")
        if reach is None:
            reach = crawler.__dict__["_reach"] = cls(crawler)
        return reach

    def trying(self, request) -> None:
        """Before an attempt: Unreachable if its host is."""
        host = host_of(request)
        self._refuse(host)
        self.first_try.setdefault(host, time.monotonic())

    def answer(self, response) -> None:
        self.answered.add(host_of(response))

    def failed(self, request, exception: BaseException) -> None:
        """After a failed attempt: Unreachable if its host is, or now is."""
        if isinstance(exception, Unreachable):  # refused by trying(), counted there
            return
        host = host_of(request)
        self._refuse(host)
        cause = unreachable_cause(exception)
        if cause is None or host in self.answered:
            return
        trying_since = time.monotonic() - self.first_try.get(host, time.monotonic())
        if self._retries_left(request) and trying_since < self.after:
            return
        self.unreachable[host] = cause
        spider = self.crawler.spider
        logger.error("%s: cannot reach %s: %s", spider.name, host, cause, extra={"spider": spider})  # this site's (crawler.ops.logcount)
        self._stop_if_nothing_answers()
        self._refuse(host)

    def _refuse(self, host: str) -> None:
        if host in self.unreachable:
            self.crawler.stats.inc_value("faults/unreachable_requests")
            raise Unreachable(f"cannot reach {host}: {self.unreachable[host]}")

    def _retries_left(self, request) -> bool:
        # As Scrapy's RetryMiddleware (and BackoffRetryMiddleware) decide.
        settings = self.crawler.settings
        if not settings.getbool("RETRY_ENABLED") or request.meta.get("dont_retry"):
            return False
        return request.meta.get("retry_times", 0) < request.meta.get("max_retry_times", settings.getint("RETRY_TIMES"))

    def _stop_if_nothing_answers(self) -> None:
        spider = self.crawler.spider
        starts = set(getattr(spider, "start_hosts", ())) or set(self.unreachable)
        if self.answered or not starts <= self.unreachable.keys():
            return
        self.crawler.stats.set_value(UNREACHABLE_STAT, ", ".join(f"{h}: {self.unreachable[h]}" for h in sorted(starts)))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="unreachable"))


def host_of(request_or_response) -> str:
    """The host and port it goes to, without credentials."""
    return urlparse_cached(request_or_response).netloc.rpartition("@")[2]


def fault_counts(stats: dict) -> dict[str, int]:
    """Faults of a run by kind, every kind present; `blocked` sums the
    anti-bot pages, `retries_exhausted` the requests given up on."""
    counts = {kind: stats.get(f"faults/{kind}", 0) for kind in FAULT_KINDS}
    counts["blocked"] = sum(v for k, v in stats.items() if k.startswith("pages/blocked/"))
    counts["retries_exhausted"] = stats.get("retry/max_reached", 0)
    return counts


class FaultMiddleware:
    """Downloader middleware below HttpCompression (590), above MetaRefresh
    (580) and Retry (550): it sees every attempt's answer decompressed, and
    every download error, before a meta refresh or a retry acts on it. Counts
    faults; stops anti-bot pages, whatever their status; keeps the run's
    Reach, which fails requests to an unreachable host before a retry."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.reach = Reach.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        self.reach.trying(request)

    def process_response(self, request, response, spider=None):
        self.reach.answer(response)
        problem = challenge(response.body)
        if problem:
            self.stats.inc_value(f"pages/{problem.kind}")
            if request.callback == getattr(self.crawler.spider, "parse_article", None):
                self.stats.inc_value("pages/article_blocked")
            logger.warning("Blocked: %s (HTTP %d): %s", response.url, response.status, problem)
            raise IgnoreRequest(str(problem))
        if response.status == 429:
            self.stats.inc_value("faults/http_429")
        elif response.status >= 500:
            self.stats.inc_value("faults/http_5xx")
        return response

    def process_exception(self, request, exception, spider=None):
        kind = fault_of(exception)
        if kind:
            self.stats.inc_value(f"faults/{kind}")
        self.reach.failed(request, exception)
        return None


class RedirectLoopMiddleware(RedirectMiddleware):
    """Scrapy's redirects, with loops stopped, logged and counted. Left alone,
    a redirect back to a URL of its own chain is dropped without a word as a
    duplicate request (or followed REDIRECT_MAX_TIMES times when duplicates
    are allowed), and the page is simply missing."""

    def process_response(self, request, response, spider=None):
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        try:
            result = super().process_response(request, response)
        except IgnoreRequest:  # REDIRECT_MAX_TIMES reached
            self._stop(chain, "more redirects than REDIRECT_MAX_TIMES")
        if isinstance(result, Request) and result.url in chain:
            self._stop([*chain, result.url], "a redirect loop")
        return result

    def _stop(self, chain: list[str], what: str) -> NoReturn:
        self.crawler.stats.inc_value("faults/redirect_loop")
        logger.warning("Not followed, %s: %s", what, " -> ".join(chain))
        raise IgnoreRequest(what)


class CappedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, which refuses a body growing past
    DOWNLOAD_MAXSIZE as it is decompressed (a compression bomb) and logs it;
    here it is counted too (faults/too_large)."""

    def process_response(self, request, response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            self.stats.inc_value("faults/too_large")
            raise


class FaultReport:
    """Extension: at the end of a run, one line with the faults met, and an
    ERROR naming a site that answered with anti-bot pages instead of articles
    (rather than a bare "0 articles")."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_closed(self, spider, reason):
        stats = self.stats.get_stats()
        counts = fault_counts(stats)
        if any(counts.values()) and reason != "unreachable":  # said already, by Reach
            logger.warning("%s: faults: %s", spider.name, ", ".join(f"{k} {n}" for k, n in counts.items() if n))
        verdict = blocking_verdict(spider.name, stats)
        if verdict:
            level, message = verdict
            logger.log(level, message, extra={"spider": spider})  # this site's (crawler.ops.logcount)
            if level == logging.ERROR:
                self.stats.set_value(SITE_BLOCKED_STAT, 1)


def blocking_verdict(name: str, stats: dict) -> tuple[int, str] | None:
    """(log level, message) on the anti-bot pages of a run, or None if it met none."""
    blocked = {k.removeprefix("pages/blocked/"): n for k, n in stats.items() if k.startswith("pages/blocked/")}
    if not blocked:
        return None
    total = sum(blocked.values())
    if len(blocked) == 1:
        [kind] = blocked
        what = f"{CHALLENGE_NAMES.get(kind, kind)}s"
    else:
        what = "anti-bot pages (" + ", ".join(f"{CHALLENGE_NAMES.get(k, k)} {n}" for k, n in sorted(blocked.items())) + ")"
    articles_blocked = stats.get("pages/article_blocked", 0)
    articles = articles_blocked + stats.get("pages/article", 0)
    if articles == 0:
        return logging.ERROR, f"{name}: no article page reached; {total} pages were {what}; the site is blocking this crawler"
    if articles_blocked == articles:
        return logging.ERROR, f"{name}: {articles_blocked} of {articles} article pages were {what}; the site is blocking this crawler"
    return logging.WARNING, f"{name}: {articles_blocked} of {articles} article pages were {what}; {total} blocked pages in all"

"""Distributed mode: crawler processes on any number of machines share one
crawl of a site through Redis, with scrapy-redis's scheduler and duplicate
filter. One setting switches it on, REDIS_URL (`use_redis`, called from
SiteSpider.update_settings); without it nothing here is used.

Shared in Redis, per spider:
    <spider>:requests     the request queue (scrapy-redis): whichever worker pops a request fetches it
    <spider>:dupefilter   fingerprints of the requests made in this pass (scrapy-redis)
    <spider>:workers      the workers taking part, each with its lease (a deadline)
    <spider>:idle         those with nothing to do
and the crawl state, `crawler:*` (crawler.export.state_redis).

Exactly once with several workers:

1. One download per article. Article requests are fingerprinted by news
   code, not URL (NewsCodeDupeFilter): the short link in a feed and the long
   URL in a sitemap are one request, whichever worker meets them. Codes
   exported before are dropped by the crawl state (SharedNewsCodeFilter,
   which `use_redis` puts in place of NewsCodeFilterMiddleware: that one's
   memory of the codes its process requested would keep the requests a dead
   worker took with it from being made again, see 3; RedisScheduler refuses
   to run with it).

2. One export per article. Before passing an article, DeduplicatePipeline
   claims it in the state, an atomic SET NX on its site + code and canonical
   URL with a lease (CRAWLER_LEASE). The claim becomes "exported" when the
   line is on disk in that worker's own export file: the ledger records the
   article and drops the claim in one step. A worker that meets an article
   another worker holds waits: the holder either exports it (then it is
   dropped as exported) or dies, and its claim lapses with the lease.

3. Nothing lost when a worker dies. Requests it had popped die with it, and
   the URLs are in the duplicate filter, so no one would ask for them again.
   Each worker renews its lease in `<spider>:workers` three times per
   CRAWLER_LEASE. When the queue has run dry and every live worker is idle, a
   lapsed lease means a worker died with work in hand: a survivor empties the
   duplicate filter and starts discovery over (the spider's start(): feeds,
   sitemaps, listings). Exported articles are skipped by the state without a
   download, and those a worker still holds wait for the claim, so this pass
   fetches the discovery pages again and only the articles that were lost.
   The same happens at the next run when every worker died.
   A kill between writing a line and recording it leaves an article another
   worker will export again once the claim lapses. Distributed mode records
   each line alone (CRAWLER_GROUP_COMMIT off: an fsync and a Redis round trip
   before the next line is written), so that is one line at most per kill
   (benchmarks/dupwindow.py: 0-1 lines against 0-16 in groups). When the
   killed worker runs again with the same CRAWLER_OUTPUT, its `.part` file is
   recovered and that line taken out (ExportLedger._exported_since); if it
   never runs again the repeat stays, and `scrapy merge` keeps one line per
   (site, news_code). At least once across workers, exactly once where each
   worker's folder is recovered.

4. Stopping. A worker closes when the queue has been empty and every worker
   idle for MAX_IDLE_TIME_BEFORE_CLOSE seconds (0: never, a standing worker).
   The last one to leave deletes the queue, the duplicate filter and the
   worker lists, so the next run starts afresh. A worker that stops in another
   way (Ctrl-C, a CLOSESPIDER_* limit, an error) leaves its requests
   unfinished, so it stays listed until its lease lapses and the others take
   it for dead.

scrapy-redis 0.9.1 on Scrapy 2.19, what RedisScheduler adapts: its scheduler
passes `spider=` to the stats collector, deprecated since Scrapy 2.13
(`_SpiderlessStats` drops it), and joining a crawl under way it calls
`Spider.log()`, deprecated in 2.19 (`open` lends the spider a `log` that goes
to its logger). Its RedisSpider reads start URLs in `start_requests()`; it is
not used: the site spiders' own `start()` seeds the queue, the first
worker's copies winning through the shared duplicate filter. The rest of
scrapy-redis is used as it is.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from redis.exceptions import RedisError
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.conf import build_component_list
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.log import failure_to_exc_info
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.middlewares import NewsCodeFilterMiddleware

logger = logging.getLogger(__name__)


def use_redis(settings) -> None:
    """Switch a crawl's settings to distributed mode (REDIS_URL is set).
    Spider priority: a setting given on the command line still wins."""
    settings.set("SCHEDULER", "crawler.ops.distributed.RedisScheduler", priority="spider")
    settings.set("DUPEFILTER_CLASS", "crawler.ops.distributed.NewsCodeDupeFilter", priority="spider")
    settings.set("SCHEDULER_PERSIST", True, priority="spider")  # workers come and go; the last one clears
    # Each line recorded before the next is written: a killed worker leaves at
    # most one line written and not recorded, which a survivor may export again.
    settings.set("CRAWLER_GROUP_COMMIT", False, priority="spider")
    try:
        settings.replace_in_component_priority_dict("SPIDER_MIDDLEWARES", NewsCodeFilterMiddleware, SharedNewsCodeFilter)
    except KeyError:  # not enabled: nothing to swap
        return
    # Raised to spider priority too: `scrapy crawl` merges the project's
    # settings into the crawler's once more after this (CrawlerRunner.
    # create_crawler), and at project priority that put the process-local
    # filter back (RedisScheduler refuses to run with it).
    priority = max(settings.getpriority("SPIDER_MIDDLEWARES") or 0, SETTINGS_PRIORITIES["spider"])
    settings.set("SPIDER_MIDDLEWARES", settings.getdict("SPIDER_MIDDLEWARES"), priority=priority)


class _SpiderlessStats:
    """The stats collector as scrapy-redis's scheduler calls it, with the
    `spider=` argument Scrapy 2.13+ deprecates left out."""

    def __init__(self, stats):
        self._stats = stats

    def inc_value(self, key, count=1, start=0, spider=None):
        self._stats.inc_value(key, count, start)


# Lease deadlines are in Redis's clock (milliseconds), the one clock all machines share.
_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)"

_HEARTBEAT = _NOW + " redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[1])"

# KEYS: workers, idle, dupefilter. Returns the verdict, then the dead workers.
_IDLE = _NOW + """
redis.call('SADD', KEYS[2], ARGV[1])
local dead, busy = {}, false
local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #members, 2 do
  if tonumber(members[i + 1]) < now then table.insert(dead, members[i])
  elseif redis.call('SISMEMBER', KEYS[2], members[i]) == 0 then busy = true end
end
if busy then return {'wait'} end
if #dead == 0 then return {'idle'} end
for _, id in ipairs(dead) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('SREM', KEYS[2], id)
end
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[2], ARGV[1])
return {'restart', unpack(dead)}
"""

# KEYS: workers, idle, queue, dupefilter.
_LEAVE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return 1
"""


class Workers:
    """This worker's place among the workers of one spider's crawl."""

    def __init__(self, server, spider_name: str, queue_key: str, dupefilter_key: str, lease: float):
        self.server = server
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_ms = int(lease * 1000)
        self.members_key, self.idle_key = f"{spider_name}:workers", f"{spider_name}:idle"
        self.queue_key, self.dupefilter_key = queue_key, dupefilter_key
        self._heartbeat = server.register_script(_HEARTBEAT)
        self._idle = server.register_script(_IDLE)
        self._leave = server.register_script(_LEAVE)

    def heartbeat(self) -> None:
        """Renew the lease: this worker is alive for CRAWLER_LEASE seconds more."""
        self._heartbeat(keys=[self.members_key], args=[self.id, self.lease_ms])

    def busy(self) -> None:
        self.server.srem(self.idle_key, self.id)

    def idle(self) -> tuple[str, list[str]]:
        """List this worker idle and judge the crawl (the queue being empty):
        "wait" while a live worker is busy; else "restart" when some lease has
        lapsed (those workers are struck off, the duplicate filter emptied,
        and this worker listed busy, for it starts discovery over); else
        "idle"."""
        verdict, *dead = self._idle(keys=[self.members_key, self.idle_key, self.dupefilter_key], args=[self.id])
        return verdict.decode(), [d.decode() for d in dead]

    def leave(self) -> bool:
        """Leave the crawl, done; True when the last to leave (the crawl's keys are then deleted)."""
        return bool(self._leave(keys=[self.members_key, self.idle_key, self.queue_key, self.dupefilter_key], args=[self.id]))


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler, adapted to Scrapy 2.19, with the worker
    leases, idle rule and restart after a worker's death described above."""

    @classmethod
    def from_crawler(cls, crawler):
        middlewares = build_component_list(crawler.settings.getwithbase("SPIDER_MIDDLEWARES"))
        if any(load_object(mw) is NewsCodeFilterMiddleware for mw in middlewares):
            # Its memory of the codes this process requested would drop, when
            # discovery starts over, the requests a dead worker took with it.
            raise ValueError(
                "Distributed mode needs crawler.ops.distributed.SharedNewsCodeFilter in SPIDER_MIDDLEWARES"
                " in place of crawler.middlewares.NewsCodeFilterMiddleware"
            )
        scheduler = super().from_crawler(crawler)
        scheduler.stats = _SpiderlessStats(crawler.stats)
        scheduler.crawler = crawler
        scheduler.lease = crawler.settings.getfloat("CRAWLER_LEASE")
        scheduler.max_idle = crawler.settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE")
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        # Joining a crawl under way, scrapy-redis calls Spider.log(), deprecated in Scrapy 2.19.
        spider.log = lambda message, level=logging.DEBUG, **kw: spider.logger.log(level, message, **kw)
        try:
            super().open(spider)
        finally:
            del spider.log  # Spider.log() again, for anyone else
        self.workers = Workers(self.server, spider.name, self.queue.key, self.df.key, self.lease)
        self.listed_idle = False
        self.idle_since: float | None = None
        self.heartbeat = LoopingCall(self._renew_lease)
        self.heartbeat.start(self.lease / 3)
        logger.info("Distributed crawl: worker %s on queue %s", self.workers.id, self.queue.key)

    def _renew_lease(self) -> None:
        try:
            self.workers.heartbeat()
        except RedisError as e:  # a Redis blip must not stop the heartbeat for good
            logger.warning("Could not renew worker %s's lease: %s", self.workers.id, e)
            self.crawler.stats.inc_value("distributed/lease_errors")

    def next_request(self):
        if self.listed_idle:
            self.workers.busy()  # before popping: no worker is listed idle while it holds a request
            self.listed_idle = False
        return super().next_request()

    def spider_idle(self, spider):
        try:
            if self.has_pending_requests():  # others queued work since this worker last looked
                self.idle_since = None
                raise DontCloseSpider
            verdict, dead = self.workers.idle()
        except RedisError as e:  # a Redis blip is no verdict: closing now would end the crawl unfinished
            logger.warning("Could not judge the crawl (worker %s): %s", self.workers.id, e)
            self.listed_idle = True  # perhaps listed: the next request lists it busy again
            self.idle_since = None
            raise DontCloseSpider from None
        self.listed_idle = verdict != "restart"
        if verdict == "restart":
            logger.warning(
                "Worker(s) %s stopped without finishing: starting discovery over to find what they held",
                ", ".join(dead),
            )
            self.crawler.stats.inc_value("distributed/restarts")
            self._crawl_start_again(spider)
        if verdict != "idle":
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if self.max_idle <= 0 or now - self.idle_since < self.max_idle:
            raise DontCloseSpider
        logger.info("Queue empty and every worker idle for %.0f s: closing", now - self.idle_since)

    def _crawl_start_again(self, spider) -> None:
        async def schedule():
            async for request in spider.start():
                if isinstance(request, Request):
                    self.crawler.engine.crawl(request)

        deferred_from_coro(schedule()).addErrback(
            lambda f: logger.error("Could not start discovery over", exc_info=failure_to_exc_info(f))
        )

    def close(self, reason):
        self.heartbeat.stop()
        if reason == "finished" and self.workers.leave():
            logger.info("Last worker out: queue and duplicate filter of %s deleted", self.queue.key)
        elif reason != "finished":
            logger.warning(
                "Closing (%s) with the crawl unfinished: the other workers will take this one for dead"
                " in %.0f s and start discovery over", reason, self.lease,
            )  # fmt: skip
        return super().close(reason)


class NewsCodeDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared duplicate filter, knowing article requests by
    their news code (set by the news-code middleware) rather than their URL,
    so that one worker downloads an article whatever URL each met it under.
    A redirect's target is known by its URL: it is the same code's request
    going on."""

    @classmethod
    def from_spider(cls, spider):
        dupefilter = super().from_spider(spider)
        dupefilter.stats = spider.crawler.stats
        return dupefilter

    def request_fingerprint(self, request):
        code = request.meta.get("news_code")
        if code and not request.meta.get("redirect_urls"):
            return f"article:{code}"
        return super().request_fingerprint(request)

    def log(self, request, spider):
        article = request.meta.get("news_code") and not request.meta.get("redirect_urls")
        self.stats.inc_value("articles/skipped/same_code" if article else "dupefilter/filtered")
        super().log(request, spider)


class SharedNewsCodeFilter(NewsCodeFilterMiddleware):
    """The news-code middleware for a distributed crawl: codes exported before
    are still dropped here; codes already requested are dropped by the shared
    NewsCodeDupeFilter, which every worker sees and which forgets them when
    discovery starts over, where this process's memory would keep a request
    lost with a dead worker from being made again."""

    def requested_before(self, code: str) -> bool:
        return False

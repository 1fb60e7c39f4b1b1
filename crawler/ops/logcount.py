"""Log lines counted per site: `log_count/<LEVEL>` in each crawl's stats,
which its verdict reads (crawler.ops.verdict).

Scrapy's LogCount extension, which this replaces, counts every line the
process logs into the stats of every crawl running: in `scrapy crawlall`
one site's errors were every site's, and a site answering 500 failed the
healthy ones too. Here a line counts for the crawl whose spider it names
(`extra={"spider": ...}`, as Scrapy's engine, middlewares and spider
loggers give it). A line naming none counts for the crawl running alone;
while several run it is no one's, and is counted in `unattributed`, which
crawlall reports and fails on.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy import signals

running: list = []  # the crawlers counting now, in the process
unattributed: Counter = Counter()  # lines by level that named no spider while several ran


class CrawlLogCounter(logging.Handler):
    def __init__(self, crawler):
        super().__init__(level=crawler.settings.get("LOG_LEVEL"))
        self.crawler = crawler

    def emit(self, record: logging.LogRecord) -> None:
        spider = getattr(record, "spider", None)
        if spider is None and running != [self.crawler]:
            if running and running[0] is self.crawler:  # once, whichever handlers there are
                unattributed[record.levelname] += 1
        elif spider is None or spider is self.crawler.spider:
            self.crawler.stats.inc_value(f"log_count/{record.levelname}")


class SiteLogCount:
    """Extension: counts the log lines of its crawl from its spider's opening
    to its engine's stop. First of the extensions (EXTENSIONS), so that it
    counts from before the others' spider_opened (the export ledger's recovery)
    and the errors of their spider_closed (the feed export's store, Scrapy's
    FeedExporter, which logs it); and first at the engine's stop, so nothing
    the ledger logs then (its manifest records the verdict) is counted after
    the manifest: a failure there sets a stat the verdict reads instead."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.handler = CrawlLogCounter(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self, spider):
        running.append(self.crawler)
        logging.root.addHandler(self.handler)

    def engine_stopped(self):
        if self.handler in logging.root.handlers:  # opened
            logging.root.removeHandler(self.handler)
            running.remove(self.crawler)

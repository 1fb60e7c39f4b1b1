"""A Scrapy extension for finding what makes a crawl's memory grow: every
MEMTRACE_EVERY exported articles it takes a tracemalloc snapshot and logs
(logger `memtrace`) the Python heap's size and the allocation sites that grew
most since the last snapshot. Used by `python -m benchmarks.memory
--tracemalloc`; tracing slows the crawl several times over."""

from __future__ import annotations

import logging
import tracemalloc

from scrapy import signals

logger = logging.getLogger("memtrace")
TOP = 8


class TracemallocDiff:
    def __init__(self, crawler):
        self.every = crawler.settings.getint("MEMTRACE_EVERY", 10_000)
        self.items = 0
        self.last: tracemalloc.Snapshot | None = None
        tracemalloc.start()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, response, spider):
        self.items += 1
        if self.items % self.every:
            return
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        current, peak = tracemalloc.get_traced_memory()
        logger.info("%d articles: Python heap %.1f MiB (peak %.1f MiB)", self.items, current / 2**20, peak / 2**20)
        if self.last is not None:
            for stat in snapshot.compare_to(self.last, "lineno")[:TOP]:
                logger.info("  %+.1f KiB in %d blocks: %s", stat.size_diff / 1024, stat.count_diff, stat.traceback[0])
        self.last = snapshot

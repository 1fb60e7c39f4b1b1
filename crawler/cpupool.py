"""Worker processes for the crawl's CPU-heavy pure functions.

A crawl spends most of its CPU reading article pages (page checks and
extraction, crawler.extract.read_article) and fingerprinting bodies
(crawler.neardup), and one Python process uses one core. With
CRAWLER_PROCESSES = N > 0 those calls run in N worker processes (the
standard library's ProcessPoolExecutor) while Scrapy's engine, the
deduplication and the export stay in the crawl's process; with 0, the
default, they run in the crawl's process, as plain calls. Measured in
benchmarks/RESULTS.md ("Crawl"): worth it when a crawl is CPU-bound (no
download delay, many sites at once), not for one polite crawl, which waits
on the network.

Workers are started with "spawn" (forking a process that runs a reactor and
threads is unsafe) and replaced after MAX_TASKS_PER_WORKER calls, so that a
run of months does not grow with whatever a library leaks. A worker that
dies (killed, out of memory on some page) breaks the pool: the calls it
broke are made again in the crawl's own process, so no page is lost, the
failure is logged and counted (`cpu_pool/broken`), and a new pool serves
the calls after them. A crawl whose pool breaks MAX_BREAKS times (workers
that cannot start, or a page that kills every worker it meets) gives the
workers up and reads its pages in its own process to the end.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from scrapy import signals

logger = logging.getLogger(__name__)

MAX_TASKS_PER_WORKER = 20_000
MAX_BREAKS = 3


class CpuPool:
    """A crawl's access to the worker processes. The processes belong to the
    Python process, shared by all its crawls (crawlall runs one per site),
    and stop when the last crawl using them stops."""

    executor: ProcessPoolExecutor | None = None  # the process's workers, when any crawl uses them
    users: set[CpuPool] = set()

    def __init__(self, crawler, processes: int):
        self.crawler = crawler
        self.processes = processes
        self.breaks = 0
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def of(cls, crawler) -> CpuPool:
        """The crawl's one pool, sized by CRAWLER_PROCESSES."""
        pool = crawler.__dict__.get("_cpu_pool")
        if pool is None:
            pool = crawler.__dict__["_cpu_pool"] = cls(crawler, max(0, crawler.settings.getint("CRAWLER_PROCESSES", 0)))
        return pool

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs), in a worker process when the pool has any.
        `fn` must be importable by name and its arguments and result picklable."""
        if not self.processes:
            return fn(*args, **kwargs)
        executor = self._executor()
        try:
            return await asyncio.wrap_future(executor.submit(fn, *args, **kwargs))
        except BrokenProcessPool:
            if CpuPool.executor is executor:  # the first call to see it replaces the pool
                self.crawler.stats.inc_value("cpu_pool/broken")
                self.breaks += 1
                executor.shutdown(wait=False, cancel_futures=True)
                CpuPool.executor = None
                if self.breaks < MAX_BREAKS:
                    logger.error("A worker process died; its calls run in the crawl's process, and a new pool starts")
                else:
                    logger.error("Worker processes died %d times: this crawl reads its pages in its own process from now on", self.breaks)
                    self.close()
                    self.processes = 0
            return fn(*args, **kwargs)

    def _executor(self) -> ProcessPoolExecutor:
        CpuPool.users.add(self)
        if CpuPool.executor is None:
            CpuPool.executor = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=MAX_TASKS_PER_WORKER
            )
        return CpuPool.executor

    def close(self) -> None:
        CpuPool.users.discard(self)
        if not CpuPool.users and CpuPool.executor is not None:
            CpuPool.executor.shutdown(wait=True, cancel_futures=True)
            CpuPool.executor = None

"""crawler.cpupool: calls in worker processes, and what happens when one dies."""

import asyncio
import multiprocessing
import os

from scrapy.utils.test import get_crawler

from crawler.cpupool import CpuPool


def where() -> str:
    return "worker" if multiprocessing.parent_process() is not None else "crawl"


def die_in_a_worker() -> str:
    if multiprocessing.parent_process() is not None:
        os._exit(1)  # as the kernel's OOM killer would end it
    return "crawl"


def run_all(pool: CpuPool, *calls):
    async def main():
        return [await pool.run(fn) for fn in calls]

    try:
        return asyncio.run(main())
    finally:
        pool.close()


def test_no_processes_means_plain_calls():
    pool = CpuPool(get_crawler(), 0)
    assert run_all(pool, where) == ["crawl"] and CpuPool.executor is None


def test_crawls_of_one_process_share_the_workers_until_the_last_stops():
    first, second = CpuPool(get_crawler(), 1), CpuPool(get_crawler(), 1)

    async def main():
        return [await first.run(os.getpid), await second.run(os.getpid)]

    pids = asyncio.run(main())
    assert pids[0] == pids[1] != os.getpid()
    first.close()
    assert CpuPool.executor is not None
    second.close()
    assert CpuPool.executor is None


def test_calls_run_in_workers():
    assert run_all(CpuPool(get_crawler(), 1), where, where) == ["worker", "worker"]


def test_a_dead_worker_costs_no_call_and_the_pool_comes_back(caplog):
    crawler = get_crawler()
    pool = CpuPool(crawler, 1)
    assert run_all(pool, where, die_in_a_worker, where) == ["worker", "crawl", "worker"]
    assert crawler.stats.get_value("cpu_pool/broken") == 1
    assert "worker process died" in caplog.text


def test_a_crawl_gives_up_workers_that_keep_dying(caplog):
    crawler = get_crawler()
    pool = CpuPool(crawler, 1)
    assert run_all(pool, *[die_in_a_worker] * 4, where) == ["crawl"] * 5
    assert crawler.stats.get_value("cpu_pool/broken") == 3 and pool.processes == 0
    assert "reads its pages in its own process from now on" in caplog.text

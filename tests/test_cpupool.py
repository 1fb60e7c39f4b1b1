"""crawler.cpupool: calls in worker processes, and what happens when one dies."""

import asyncio
import dataclasses
import os
import pickle

import pytest
from scrapy.utils.test import get_crawler

from crawler import cpupool
from crawler.cpupool import CallOverLimit, CpuPool, RemoteTraceback
from crawler.sites import site_named

# The test's process id; a worker importing this module inherits it.
CRAWL = int(os.environ.setdefault("CPUPOOL_TEST_CRAWL_PID", str(os.getpid())))


def where() -> str:
    return "crawl" if os.getpid() == CRAWL else "worker"


def die_in_a_worker() -> str:
    if os.getpid() != CRAWL:
        os._exit(1)  # as the kernel's OOM killer would end it
    return "crawl"


def stuck_in_c_in_a_worker() -> str:
    """Some seconds in one C call (~20 here), which no Python signal handler interrupts."""
    if os.getpid() != CRAWL:
        sum(range(10**9))
    return where()


def fail_in_a_worker() -> None:
    raise ValueError("no article here")


def run_all(pool: CpuPool, *calls):
    async def main():
        try:
            return [await pool.run(fn) for fn in calls]
        finally:
            pool.close()

    return asyncio.run(main())


def test_no_processes_means_plain_calls():
    pool = CpuPool(get_crawler(), 0)
    assert run_all(pool, where) == ["crawl"] and CpuPool.workers == []


def test_workers_need_a_posix_system(monkeypatch, caplog):
    monkeypatch.setattr(cpupool.os, "name", "nt")
    pool = CpuPool.of(get_crawler(settings_dict={"CRAWLER_PROCESSES": 2}))
    assert pool.processes == 0 and "needs Linux or macOS" in caplog.text


def test_crawls_of_one_process_share_the_workers_until_the_last_stops():
    first, second = CpuPool(get_crawler(), 1), CpuPool(get_crawler(), 1)

    async def main():
        pids = [await first.run(os.getpid), await second.run(os.getpid)]
        [worker] = CpuPool.workers
        first.close()
        assert CpuPool.workers == [worker]
        second.close()
        assert CpuPool.workers == []
        for _ in range(100):
            if worker.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        assert worker.process.returncode == 0, "it ended"
        return pids

    pids = asyncio.run(main())
    assert pids[0] == pids[1] != os.getpid()


def test_calls_run_in_workers_spread_over_them():
    pool = CpuPool(get_crawler(), 2)

    async def main():
        try:
            return await asyncio.gather(*(pool.run(os.getpid) for _ in range(6)))
        finally:
            pool.close()

    pids = asyncio.run(main())
    assert len(set(pids)) == 2 and os.getpid() not in pids


def test_an_error_in_a_worker_reaches_the_caller_with_its_traceback():
    pool = CpuPool(get_crawler(), 1)
    with pytest.raises(ValueError, match="no article here") as raised:
        run_all(pool, fail_in_a_worker)
    assert isinstance(raised.value.__cause__, RemoteTraceback) and "fail_in_a_worker" in str(raised.value.__cause__)


def test_a_worker_is_replaced_after_its_last_call(monkeypatch):
    monkeypatch.setattr(cpupool, "MAX_TASKS_PER_WORKER", 2)
    pool = CpuPool(get_crawler(), 1)
    pids = run_all(pool, os.getpid, os.getpid, os.getpid, os.getpid)
    assert pids[0] == pids[1] != pids[2] == pids[3]


def test_a_dead_worker_costs_no_call_and_a_new_one_starts(caplog):
    crawler = get_crawler()
    pool = CpuPool(crawler, 1)
    assert run_all(pool, where, die_in_a_worker, where) == ["worker", "crawl", "worker"]
    assert crawler.stats.get_value("cpu_pool/broken") == 1
    assert "worker process died" in caplog.text


def test_a_call_past_its_cpu_limit_stops_its_worker_and_raises():
    crawler = get_crawler()
    pool = CpuPool(crawler, 1, cpu_limit=0.3)

    async def main():
        try:
            calls = [asyncio.ensure_future(pool.run(f)) for f in (stuck_in_c_in_a_worker, where)]
            await asyncio.wait(calls)
            return [call.exception() or call.result() for call in calls] + [await pool.run(where)]
        finally:
            pool.close()

    over, queued, after = asyncio.run(main())
    assert isinstance(over, CallOverLimit)
    assert queued == after == "worker", "the call queued behind it, and those after, go to a new worker"
    assert crawler.stats.get_value("cpu_pool/broken") is None, "no worker broke"


def test_a_worker_that_cannot_start_costs_no_call(caplog, monkeypatch):
    def no_processes_left(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(cpupool.subprocess, "Popen", no_processes_left)
    crawler = get_crawler()
    assert run_all(CpuPool(crawler, 1), where) == ["crawl"]
    assert crawler.stats.get_value("cpu_pool/broken") == 1 and "could not start" in caplog.text


def test_a_worker_whose_pipes_cannot_be_connected_is_dropped(caplog, monkeypatch):
    async def no_pipe(*args, **kwargs):
        raise OSError(24, "Too many open files")

    crawler = get_crawler()
    pool = CpuPool(crawler, 1)

    async def main():
        monkeypatch.setattr(asyncio.get_running_loop(), "connect_write_pipe", no_pipe)
        try:
            return await pool.run(where), CpuPool.workers[:]
        finally:
            pool.close()

    assert asyncio.run(main()) == ("crawl", [])
    assert crawler.stats.get_value("cpu_pool/broken") == 1 and "could not start" in caplog.text


def test_a_crawl_gives_up_workers_that_keep_dying(caplog):
    crawler = get_crawler()
    pool = CpuPool(crawler, 1)
    assert run_all(pool, *[die_in_a_worker] * 4, where) == ["crawl"] * 5
    assert crawler.stats.get_value("cpu_pool/broken") == 3 and pool.processes == 0
    assert "reads its pages in its own process from now on" in caplog.text


def test_a_registered_site_goes_to_a_worker_by_name():
    """A call's arguments are pickled: the registered Site is named, not copied
    (a copy cost ~70 µs a page and made extraction build its layers again);
    any other Site, one with a registered site's name included, goes whole."""
    isna = site_named("isna")
    frame = pickle.dumps(isna, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(frame) < 100 and pickle.loads(frame) is isna
    for other in (dataclasses.replace(isna, base_url="http://127.0.0.1:8000"), dataclasses.replace(isna, name="isna-mirror")):
        copy = pickle.loads(pickle.dumps(other, protocol=pickle.HIGHEST_PROTOCOL))
        assert copy == other and copy is not other and copy.base_url == other.base_url

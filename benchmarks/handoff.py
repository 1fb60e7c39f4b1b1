"""What handing a page to a worker process costs the crawl's own process:
crawler.cpupool's pipes against the standard library's ProcessPoolExecutor
(which cpupool used before), same run.

    python -m benchmarks.handoff                 # 3,000 calls each, twice, alternating
    python -m benchmarks.handoff --calls 500     # a quick smoke run

Each call sends an 8 KB page body and a URL and gets back a dict of about
that size (what `read_page` does, without the reading), 16 calls in flight
at a time as a crawl has them (CONCURRENT_REQUESTS 16), one worker process.
Reported: the crawl process's CPU time per call (user + system, its helper
threads included, the worker's not), and the wall time of all calls.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from scrapy.utils.test import get_crawler

from benchmarks.common import arguments, machine_facts, print_facts
from benchmarks.harness import Clock
from crawler.cpupool import CpuPool

BODY = os.urandom(8000)
IN_FLIGHT = 16


def answer(body: bytes, url: str) -> dict:
    """A stand-in for read_page: a dict about the size of an article's fields."""
    return {"url": url, "body": body.hex()[:8000], "tags": [f"tag {i}" for i in range(10)]}


async def calls(call, n: int) -> tuple[float, float]:
    """CPU ms per call and wall seconds of n calls, IN_FLIGHT at a time."""
    await call(BODY, "warm-up")  # the worker started and the function imported
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(i: int) -> None:
        async with slots:
            await call(BODY, f"https://example.ir/news/{i}")

    with Clock() as clock:
        await asyncio.gather(*(one(i) for i in range(n)))
    return clock.cpu / n * 1000, clock.wall


def importable_answer():
    """`answer` as a worker imports it: by its module's name, not __main__'s."""
    from benchmarks.handoff import answer

    return answer


async def with_cpupool(n: int) -> tuple[float, float]:
    pool, fn = CpuPool(get_crawler(), 1), importable_answer()
    try:
        return await calls(lambda body, url: pool.run(fn, body, url), n)
    finally:
        pool.close()


async def with_executor(n: int) -> tuple[float, float]:
    executor, fn = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")), importable_answer()
    try:
        return await calls(lambda body, url: asyncio.wrap_future(executor.submit(fn, body, url)), n)
    finally:
        executor.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    print_facts(machine_facts())
    print(f"{args.calls} calls, {IN_FLIGHT} in flight, one worker process\n")
    print(f"{'hand-off':<22}{'crawl CPU ms/call':>18}{'wall s':>9}")
    for _ in range(args.repeat):
        for name, run in (("ProcessPoolExecutor", with_executor), ("crawler.cpupool", with_cpupool)):
            cpu_ms, wall = asyncio.run(run(args.calls))
            print(f"{name:<22}{cpu_ms:>18.3f}{wall:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

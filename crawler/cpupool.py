"""Worker processes for the crawl's CPU-heavy pure functions.

A crawl spends most of its CPU reading article pages (page checks and
extraction, crawler.extract.read_article) and fingerprinting bodies
(crawler.neardup), and one Python process uses one core. With
CRAWLER_PROCESSES = N > 0 those calls run in N worker processes while
Scrapy's engine, the deduplication and the export stay in the crawl's
process; with 0, the default, they run in the crawl's process, as plain
calls. Measured in benchmarks/RESULTS.md ("Crawl"): worth it when a crawl is
CPU-bound (no download delay, many sites at once), not for one polite crawl,
which waits on the network.

A worker is a fresh interpreter (`python -m crawler.cpupool`) with a pipe in
and a pipe out. A call goes out as one pickled frame and its answer comes
back as one, written and read by the crawl's event loop itself. That is what
keeps the crawl's process, the crawl's bottleneck once the reading is
elsewhere, cheap: the standard library's ProcessPoolExecutor, used before,
hands every call through two helper threads and cost that process 0.41 ms
of CPU a call, these pipes 0.08 ms (benchmarks/handoff.py).

A worker is replaced after MAX_TASKS_PER_WORKER calls, so that a run of
months does not grow with whatever a library leaks. It ends when the last
crawl using it stops, or when its input pipe closes (the crawl died). One
that dies (killed, out of memory on some page) costs no call: the calls it
had are made again in the crawl's own process, the death is logged and
counted (`cpu_pool/broken`), and a new worker serves the calls after them. A crawl whose workers die
MAX_BREAKS times (workers that cannot start, or a page that kills every
worker it meets) gives them up and reads its pages in its own process to
the end.

A call may use CPU_LIMIT_FACTOR times CRAWLER_EXTRACT_TIMEOUT seconds of CPU
in its worker. The page budget (crawler.extract.cpu_budget) stops a page's
reading in Python, in a worker as in the crawl's process; this limit stops
one stuck in a C function (a libxml2 parse, an XPath), which no signal
handler interrupts: the kernel ends the worker (a timer of user and system
time, ITIMER_PROF, set for each call; SIGPROF's default action), the call
raises CallOverLimit, and the calls queued behind it go to another worker
(no breakage counted: they may be as costly, and the crawl's process
could not stop them).
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import subprocess
import sys
import traceback
from typing import Any, Callable

from scrapy import signals

logger = logging.getLogger(__name__)

MAX_TASKS_PER_WORKER = 20_000
MAX_BREAKS = 3
CPU_LIMIT_FACTOR = 3
_LENGTH = 4  # bytes of a frame's length, before the frame


class WorkerDied(Exception):
    def __init__(self, worker: Worker):
        super().__init__("the worker process died")
        self.worker = worker


class CallOverLimit(Exception):
    """The call used more CPU time than the pool allows it, and its worker was stopped."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, as its __cause__."""


class CpuPool:
    """A crawl's access to the worker processes. The processes belong to the
    Python process, shared by all its crawls (crawlall runs one per site),
    and stop when the last crawl using them stops."""

    workers: list[Worker] = []  # the process's, when any crawl uses them
    users: set[CpuPool] = set()

    def __init__(self, crawler, processes: int, cpu_limit: float = 0):
        self.crawler = crawler
        self.processes = processes
        self.cpu_limit = cpu_limit  # seconds of CPU a call may use in a worker; 0 for no limit
        self.breaks = 0
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def of(cls, crawler) -> CpuPool:
        """The crawl's one pool, sized by CRAWLER_PROCESSES."""
        pool = crawler.__dict__.get("_cpu_pool")
        if pool is None:
            processes = max(0, crawler.settings.getint("CRAWLER_PROCESSES", 0))
            if processes and os.name != "posix":  # the workers' pipes are handed over as POSIX file descriptors
                logger.warning("CRAWLER_PROCESSES needs Linux or macOS: this crawl reads its pages in its own process")
                processes = 0
            cpu_limit = CPU_LIMIT_FACTOR * crawler.settings.getfloat("CRAWLER_EXTRACT_TIMEOUT", 0)
            pool = crawler.__dict__["_cpu_pool"] = cls(crawler, processes, cpu_limit)
        return pool

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs), in a worker process when the pool has any.
        `fn` must be importable by name and its arguments and result picklable.
        Raises CallOverLimit when it used up the pool's cpu_limit in a worker."""
        if not self.processes:
            return fn(*args, **kwargs)
        try:
            return await self._worker().call(fn, args, kwargs, self.cpu_limit)
        except WorkerDied as died:
            if died.worker.over_limit:  # stopped for the call before this one, which may be as costly
                return await self.run(fn, *args, **kwargs)
            if not (died.worker.stopping or died.worker.counted):  # the first call to see it counts it
                died.worker.counted = True
                self._broken("A worker process died")
        except OSError as e:  # none could start (out of processes or file descriptors)
            self._broken(f"A worker process could not start ({e})")
        return fn(*args, **kwargs)

    def _broken(self, what: str) -> None:
        self.crawler.stats.inc_value("cpu_pool/broken")
        self.breaks += 1
        if self.breaks < MAX_BREAKS:
            logger.error("%s; its calls run in the crawl's process, and a new worker starts", what)
        else:
            logger.error("%s: worker processes failed %d times, this crawl reads its pages in its own process from now on", what, self.breaks)
            self.close()
            self.processes = 0

    def _worker(self) -> Worker:
        """The worker with the fewest calls waiting, once there are as many as the pool has processes."""
        CpuPool.users.add(self)
        workers = CpuPool.workers
        if len(workers) < self.processes and not any(w.idle for w in workers):
            workers.append(Worker())
        worker = min(workers, key=lambda w: len(w.calls))
        if worker.sent + 1 >= MAX_TASKS_PER_WORKER:  # this call is its last
            workers.remove(worker)
            worker.retiring = True
        return worker

    def close(self) -> None:
        CpuPool.users.discard(self)
        if not CpuPool.users:
            for worker in CpuPool.workers:
                worker.stop()
            CpuPool.workers.clear()


class Worker:
    """One worker process and the calls it has not answered yet."""

    def __init__(self):
        calls_r, calls_w = os.pipe()
        answers_r, answers_w = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # what the crawl imports from
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cpupool", str(calls_r), str(answers_w)], pass_fds=(calls_r, answers_w), env=env
        )
        os.close(calls_r)
        os.close(answers_w)
        self.calls: dict[int, asyncio.Future] = {}
        self.sent = 0
        self.retiring = False  # takes no new calls, stops once it has answered
        self.stopping = False
        self.over_limit = False  # stopped by the kernel for a call's CPU time
        self.counted = False  # its death, by a crawl
        self.out: asyncio.WriteTransport | None = None
        self.ready = asyncio.ensure_future(self._connect(os.fdopen(calls_w, "wb", 0), os.fdopen(answers_r, "rb", 0)))

    async def _connect(self, calls, answers) -> None:
        loop = asyncio.get_running_loop()
        try:
            self.out, _ = await loop.connect_write_pipe(asyncio.Protocol, calls)
            await loop.connect_read_pipe(lambda: _Answers(self), answers)
        except BaseException:  # its calls see this; the next ones get another worker
            if self in CpuPool.workers:
                CpuPool.workers.remove(self)
            self.process.kill()
            self.process.wait()
            raise

    @property
    def idle(self) -> bool:
        return not self.calls

    async def call(self, fn: Callable[..., Any], args: tuple, kwargs: dict, cpu_limit: float) -> Any:
        self.sent += 1
        call_id = self.sent
        frame = pickle.dumps((call_id, fn, args, kwargs, cpu_limit), protocol=pickle.HIGHEST_PROTOCOL)
        answer = self.calls[call_id] = asyncio.get_running_loop().create_future()  # its share of the load from now
        await self.ready
        if self.out.is_closing():  # it died meanwhile
            self.calls.pop(call_id, None)
            if answer.done():
                answer.exception()  # the WorkerDied gone() set, raised here instead
            raise WorkerDied(self)
        self.out.write(len(frame).to_bytes(_LENGTH, "big") + frame)
        return await answer

    def answered(self, call_id: int, ok: bool, value: Any) -> None:
        answer = self.calls.pop(call_id)
        if answer.done():  # the caller was cancelled
            pass
        elif ok:
            answer.set_result(value)
        else:
            error, remote_traceback = value
            error.__cause__ = RemoteTraceback(remote_traceback)
            answer.set_exception(error)
        if self.retiring and not self.calls:
            self.stop()

    def gone(self) -> None:
        """Its answers pipe closed: it stopped, died, or was stopped for
        using up the CPU time of the call it was making, its oldest."""
        if self in CpuPool.workers:
            CpuPool.workers.remove(self)
        if self.process.wait() == -signal.SIGPROF and self.calls:
            self.over_limit = True
            answer = self.calls.pop(min(self.calls))
            if not answer.done():
                answer.set_exception(CallOverLimit("it used up its CPU time; its worker process was stopped"))
        for answer in self.calls.values():
            if not answer.done():
                answer.set_exception(WorkerDied(self))
        self.calls.clear()
        if self.out is not None:
            self.out.close()

    def stop(self) -> None:
        """It ends once it has answered what was sent: an empty frame says so
        at once (the pipe's close waits for the event loop, which may be
        stopping too); the closed pipe says so otherwise."""
        self.stopping = True
        if self.out is None:  # not connected yet, so it has no calls
            self.process.terminate()
        elif not self.out.is_closing():
            self.out.write(bytes(_LENGTH))
            self.out.close()


class _Answers(asyncio.Protocol):
    """A worker's answers pipe, read by the event loop: frames to Worker.answered."""

    def __init__(self, worker: Worker):
        self.worker = worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _LENGTH:
            end = _LENGTH + int.from_bytes(self.buffer[:_LENGTH], "big")
            if len(self.buffer) < end:
                break
            answer = pickle.loads(self.buffer[_LENGTH:end])
            del self.buffer[:end]
            self.worker.answered(*answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.gone()


def serve(calls_fd: int, answers_fd: int) -> None:
    """A worker's life: answer calls until an empty frame, or the input pipe's close."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl decides when to stop, and closes the pipe
    with open(calls_fd, "rb") as calls, open(answers_fd, "wb", buffering=0) as answers:
        while len(head := calls.read(_LENGTH)) == _LENGTH and (length := int.from_bytes(head, "big")):
            call_id, fn, args, kwargs, cpu_limit = pickle.loads(calls.read(length))
            signal.setitimer(signal.ITIMER_PROF, cpu_limit)  # past it, SIGPROF ends the process
            try:
                answer = (call_id, True, fn(*args, **kwargs))
            except Exception as e:
                answer = (call_id, False, (e, traceback.format_exc()))
            signal.setitimer(signal.ITIMER_PROF, 0)
            try:
                frame = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as e:  # an answer that cannot travel
                frame = pickle.dumps((call_id, False, (RuntimeError(f"unpicklable answer: {e!r}"), traceback.format_exc())))
            answers.write(len(frame).to_bytes(_LENGTH, "big") + frame)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))

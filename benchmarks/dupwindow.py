"""Distributed mode: the duplicate window after a killed worker, and what
shrinking it costs.

    python -m benchmarks.dupwindow                         # 600 articles, 6 kills and 3 timed crawls per mode
    python -m benchmarks.dupwindow --articles 300 --kills 2 --timed 1   # a quick look

A local site (benchmarks/site.py, python server) and a redis-server of its
own (tests/redisserver.py). Two modes, alternated:

- group: lines fsynced and recorded in groups (CRAWLER_GROUP_COMMIT=1, one
  machine's default: the lines of up to 50 ms, at most 100);
- per-line: each line fsynced and recorded before the next is written
  (CRAWLER_GROUP_COMMIT=0, distributed mode's default).

Kills: worker A starts, worker B joins once A has written 10 lines, and A is
SIGKILLed at a random point after a random number of lines; B finishes the
crawl alone. Then, before A runs again, the union of A's lines (its `.part`
file's whole lines) and B's is counted: duplicates are lines beyond one per
news code, lost are codes in neither. Timed: one worker crawls the whole
site; the time from its start to its last line written (the export file's
modification time; Scrapy's elapsed_time_seconds counts the idle wait before
closing too, in steps of 5 s). Per line: what recording costs the crawl's
thread, alone of the rest: --lines exported lines (6 kB each, a real line's
size) through crawler.export.feeds.DurableLineFile into RedisState, each fsynced
and recorded alone, or in groups of 20 (a group's size at this rate);
milliseconds a line, median of 5 rounds, alternated.
"""

from __future__ import annotations

import json
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import redis

from benchmarks.common import arguments, machine_facts, print_facts
from benchmarks.harness import Clock, in_turn
from benchmarks.serve import free_port, serve
from benchmarks.site import FIRST_CODE, build
from tests.redisserver import redis_server

ROOT = Path(__file__).resolve().parent.parent
MODES = {"group": "1", "per-line": "0"}


def worker(base: str, redis_url: str, out: Path, mode: str, log: Path) -> subprocess.Popen:
    args = [
        "crawl", "etemadonline", "-a", f"base_url={base}", "-s", f"REDIS_URL={redis_url}",
        "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl", "-s", f"CRAWLER_GROUP_COMMIT={MODES[mode]}",
        "-s", "CRAWLER_LEASE=5", "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=1", "-s", "LOG_LEVEL=INFO",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    ]  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def codes(out: Path) -> list[str]:
    """The news codes of the whole lines in a worker's exports, `.part` files included."""
    found = []
    for path in out.glob("*/*.jsonl*"):
        data = path.read_bytes()
        found += [json.loads(line)["news_code"] for line in data[: data.rfind(b"\n") + 1].splitlines()]
    return found


def kill_trial(work: Path, base: str, redis_url: str, mode: str, expected: set[str], rng: random.Random) -> dict:
    a_out, b_out = work / "a", work / "b"
    kill_after = rng.randrange(50, len(expected) // 2)
    a = worker(base, redis_url, a_out, mode, work / "a.log")
    b = None
    while a.poll() is None:
        done = len(codes(a_out)) if a_out.exists() else 0
        if b is None and done >= 10:
            b = worker(base, redis_url, b_out, mode, work / "b.log")
        if b is not None and done >= kill_after:
            time.sleep(rng.random() * 0.05)
            a.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    a.wait()
    if b is None or a.returncode != -signal.SIGKILL:
        raise RuntimeError(f"worker A was not killed mid-run (exit {a.returncode}): see {work / 'a.log'}")
    if b.wait(timeout=600) != 0:
        raise RuntimeError(f"worker B failed: {(work / 'b.log').read_text()[-3000:]}")
    union = codes(a_out) + codes(b_out)
    return {
        "mode": mode, "killed_after_lines": kill_after,
        "duplicates": len(union) - len(set(union)), "lost": len(expected - set(union)),
    }  # fmt: skip


def timed_crawl(work: Path, base: str, redis_url: str, mode: str, expected: set[str]) -> dict:
    start = time.time()
    proc = worker(base, redis_url, work / "out", mode, work / "log")
    if proc.wait(timeout=900) != 0:
        raise RuntimeError(f"crawl failed: {(work / 'log').read_text()[-3000:]}")
    exported = Counter(codes(work / "out"))
    assert set(exported) == expected and set(exported.values()) == {1}, "every article exactly once"
    [export] = (work / "out").glob("*/*.jsonl")
    seconds = export.stat().st_mtime - start
    return {"mode": mode, "seconds": seconds, "per_s": len(expected) / seconds}


def per_line_cost(redis_url: str, folder: Path, lines: int) -> dict[str, float]:
    """Milliseconds a line, written, fsynced and recorded alone or in groups of 20."""
    from crawler.export.feeds import DurableLineFile
    from crawler.export.state_redis import RedisState
    from crawler.export.statebase import ArticleRecord

    state = RedisState(redis.Redis.from_url(redis_url), lease=60)
    padding = "x" * 6000

    def line(i: int) -> bytes:
        return json.dumps({"site": "bench.ir", "news_code": str(i), "content_hash": f"{i:064x}", "crawled_at": "2024-01-01T00:00:00+00:00", "body": padding}).encode() + b"\n"

    def record(written: list[bytes]) -> None:
        state.record([ArticleRecord.from_article(json.loads(x)) for x in written])

    timers: list = []
    rounds: dict[str, list[float]] = {"group": [], "per-line": []}
    for r in range(5):
        for mode in in_turn(("group", "per-line"), r):
            path = folder / f"{mode}-{r}.part"
            grouped = (lambda delay, fn: timers.append(fn) or _NoTimer()) if mode == "group" else None
            file = DurableLineFile(path, "wb", True, on_written=record, sync_later=grouped)
            with Clock() as clock:
                for i in range(lines):
                    file.write(line(r * lines + i))
                    if timers and (i + 1) % 20 == 0:
                        timers.pop()()  # the group's timer fires
                file.close()
            rounds[mode].append(clock.wall * 1000 / lines)
            path.unlink()
            timers.clear()
    return {mode: statistics.median(ms) for mode, ms in rounds.items()}


class _NoTimer:
    def cancel(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--kills", type=int, default=6, help="kill trials per mode (default 6)")
    parser.add_argument("--timed", type=int, default=3, help="timed crawls per mode (default 3)")
    parser.add_argument("--lines", type=int, default=2000, help="lines of the per-line cost (default 2000; 0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    kills, timed = [], []
    with tempfile.TemporaryDirectory(prefix="bench-dupwindow-") as tmp:
        tmp = Path(tmp)
        port = free_port()
        build(tmp / "site", args.articles, f"http://127.0.0.1:{port}")
        expected = {str(FIRST_CODE + i) for i in range(args.articles)}
        with serve(tmp / "site", port, "python") as base, redis_server(tmp / "redis") as redis_url:
            server = redis.Redis.from_url(redis_url)
            cost = per_line_cost(redis_url, tmp, args.lines) if args.lines else {}
            for r in range(max(args.kills, args.timed)):
                for mode in in_turn(list(MODES), r):
                    if r < args.kills:
                        server.flushall()
                        (work := tmp / f"kill-{mode}-{r}").mkdir()
                        kills.append(kill_trial(work, base, redis_url, mode, expected, rng))
                        print(kills[-1], flush=True)
                    if r < args.timed:
                        server.flushall()
                        (work := tmp / f"timed-{mode}-{r}").mkdir()
                        timed.append(timed_crawl(work, base, redis_url, mode, expected))
                        print(timed[-1], flush=True)
    print_facts(machine_facts())
    print(f"{args.articles} articles; {args.kills} kills and {args.timed} timed one-worker crawls per mode")
    print("| mode | duplicates after a kill (each trial) | mean | lost | articles/s, start to last line (median) | ms a line to record |")
    print("|---|---|---|---|---|---|")
    for mode in MODES:
        dups = [k["duplicates"] for k in kills if k["mode"] == mode]
        rates = [t["per_s"] for t in timed if t["mode"] == mode]
        print(
            f"| {mode} | {', '.join(map(str, dups))} | {statistics.mean(dups) if dups else 0:.1f}"
            f" | {sum(k['lost'] for k in kills if k['mode'] == mode)} | {statistics.median(rates) if rates else 0:.1f}"
            f" | {cost.get(mode, 0):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

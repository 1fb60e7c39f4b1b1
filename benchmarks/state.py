"""The crawl state at scale: insert and look up millions of articles in the
SQLite state (crawler.export.state.SqliteState `record`, `get` and `known`), with
the rate and the process's memory as it goes.

    python -m benchmarks.state                       # 10 million keys
    python -m benchmarks.state --keys 200000         # a quick smoke run
    python -m benchmarks.state --backend redis       # where crawler.export.state offers one

Keys are (site, news code) over 60 sites; each row carries a canonical URL,
a content hash and times as a crawl writes them. Inserts go through
`record()` in batches of --batch rows (what the API allows; a crawl records
one article at a time, as each line reaches the disk: --batch 1 measures
that). Lookups are `get()`, one key a call, and `known()`, --known-batch
keys of one site a call, as the news-code filter asks about a sitemap's or a
listing's links (crawler.middlewares); each order is measured both ways:

- in order: every key, in insertion order (60 sites' codes rising side by
  side, as a crawl meets them);
- scrambled: --sample keys spread over the whole store in an order far from
  any locality (an affine permutation, so no list of 10 million keys sits in
  memory): the worst case;
- absent: --sample codes newer than any stored, the common case of an
  incremental crawl asking about what it discovers.

For `known`, the keys of each order are dealt out to their sites and asked
about in batches as each site's fills: in order, a batch is one site's
consecutive codes (a sitemap's); scrambled, codes from all over the site's
range.

RSS (VmRSS) is read every tenth of each phase; its peak (VmHWM) at the end.
SQLite goes to a temporary file, removed afterwards. Redis (`--backend
redis`: crawler.export.state_redis, needs redis-server on the PATH) is a
redis-server started for the run on 127.0.0.1, without persistence, whose
own memory is reported too.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import arguments, load_average, machine_facts, print_facts, rss_kib
from crawler.export.state import SqliteState
from crawler.export.statebase import ArticleRecord

SITES = tuple(f"site{n:02d}.ir" for n in range(60))
FIRST_CODE = 1_000_000
TARGET_LOOKUPS_PER_SECOND = 100_000
STAMP = "2026-11-28T12:00:00+00:00"


def key(i: int) -> tuple[str, str]:
    return SITES[i % len(SITES)], str(FIRST_CODE + i // len(SITES))


def record_of(i: int) -> ArticleRecord:
    site, code = key(i)
    return ArticleRecord(
        site=site, news_code=code, canonical_url=f"https://www.{site}/fa/news/{code}/",
        content_hash=f"{i:064x}", modified_at=None, first_seen=STAMP, last_seen=STAMP,
    )  # fmt: skip


def scrambled(n: int):
    """0..n-1, each once, in an order far from the insertion order."""
    step = int(n * 0.618) or 1
    while math.gcd(step, n) != 1:
        step += 1
    return ((i * step + 7) % n for i in range(n))


@contextmanager
def open_backend(name: str, tmp: Path):
    """The store, and a function giving the bytes it holds (file size or server memory)."""
    if name == "sqlite":
        state = SqliteState(tmp / "state.sqlite3")
        yield state, lambda: sum(p.stat().st_size for p in tmp.glob("state.sqlite3*"))
        state.close()
        return
    from scrapy.settings import Settings

    from crawler.export.state_redis import RedisState
    from tests.redisserver import redis_server

    with redis_server(tmp / "redis") as url:
        state = RedisState.from_settings(Settings({"REDIS_URL": url, "CRAWLER_LEASE": 60}))
        yield state, lambda: state.server.info("memory")["used_memory"]
        state.close()


def timed(label: str, ops, total: int, checkpoints: list) -> float:
    """Runs the generator of operations; seconds taken. Notes RSS every tenth of the way."""
    start = time.perf_counter()
    done = 0
    every = max(total // 10, 1)
    for n in ops:
        done += n
        if done // every != (done - n) // every or done == total:
            checkpoints.append({"phase": label, "done": done, "rss_mib": rss_kib()[0] / 1024,
                                "seconds": time.perf_counter() - start})  # fmt: skip
            print(f"  {label}: {done:,} in {checkpoints[-1]['seconds']:.1f} s, RSS {checkpoints[-1]['rss_mib']:.0f} MiB",
                  file=sys.stderr)  # fmt: skip
    return time.perf_counter() - start


def inserts(state, keys: int, batch: int):
    for start in range(0, keys, batch):
        rows = [record_of(i) for i in range(start, min(start + batch, keys))]
        state.record(rows)
        yield len(rows)


def lookups(state, indexes, absent_offset: int = 0, chunk: int = 10_000):
    """get() of key(i) for each i; with `absent_offset`, of a code that much
    newer (more than any stored: none is found)."""
    get = state.get
    asked = found = 0
    while True:
        part = [key(i) for _, i in zip(range(chunk), indexes)]
        if not part:
            break
        found += sum(get(site, str(int(code) + absent_offset)) is not None for site, code in part)
        asked += len(part)
        yield len(part)
    if found != (0 if absent_offset else asked):
        raise RuntimeError(f"{found} of {asked} lookups found a row")


def known_lookups(state, indexes, absent_offset: int = 0, batch: int = 500):
    """known() of key(i) for each i, in batches of `batch` codes of one site
    (the keys dealt out to their sites in the order given; each site's batch
    asked when full, the rest at the end); `absent_offset` as in `lookups`."""
    known = state.known
    pending: dict[str, list[str]] = {site: [] for site in SITES}
    asked = found = 0
    for i in indexes:
        site, code = key(i)
        codes = pending[site]
        codes.append(str(int(code) + absent_offset) if absent_offset else code)
        if len(codes) == batch:
            found += len(known(site, codes))
            asked += batch
            pending[site] = []
            yield batch
    for site, codes in pending.items():
        if codes:
            found += len(known(site, codes))
            asked += len(codes)
            yield len(codes)
    if found != (0 if absent_offset else asked):
        raise RuntimeError(f"{found} of {asked} lookups found a row")


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--keys", type=int, default=10_000_000, help="articles to insert and look up (default 10 million)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per record() call (default 10000)")
    parser.add_argument("--sample", type=int, default=1_000_000, help="scrambled and absent lookups (default 1 million)")
    parser.add_argument("--known-batch", type=int, default=500, help="keys per known() call (default 500)")
    parser.add_argument("--backend", choices=("sqlite", "redis"), default="sqlite")
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite file goes (default: a temporary folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sample = min(args.sample, args.keys)

    checkpoints: list[dict] = []
    rss_start = rss_kib()[0] / 1024
    with tempfile.TemporaryDirectory(prefix="bench-state-", dir=args.dir) as tmp, open_backend(args.backend, Path(tmp)) as (state, size):
        insert_s = timed("record", inserts(state, args.keys, args.batch), args.keys, checkpoints)
        in_order_s = timed("get in order", lookups(state, iter(range(args.keys))), args.keys, checkpoints)
        spread = (i for _, i in zip(range(sample), scrambled(args.keys)))
        scrambled_s = timed("get scrambled", lookups(state, spread), sample, checkpoints)
        newest = iter(range(args.keys - sample, args.keys))
        absent_s = timed("get absent", lookups(state, newest, absent_offset=args.keys), sample, checkpoints)
        batch = args.known_batch
        known_in_order_s = timed("known in order", known_lookups(state, iter(range(args.keys)), batch=batch), args.keys, checkpoints)
        spread = (i for _, i in zip(range(sample), scrambled(args.keys)))
        known_scrambled_s = timed("known scrambled", known_lookups(state, spread, batch=batch), sample, checkpoints)
        newest = iter(range(args.keys - sample, args.keys))
        known_absent_s = timed("known absent", known_lookups(state, newest, absent_offset=args.keys, batch=batch), sample, checkpoints)
        stored = size()
    result = {
        "machine": machine_facts(),
        "backend": args.backend,
        "keys": args.keys,
        "batch": args.batch,
        "sample": sample,
        "inserts_per_second": args.keys / insert_s,
        "gets_in_order_per_second": args.keys / in_order_s,
        "gets_scrambled_per_second": sample / scrambled_s,
        "gets_absent_per_second": sample / absent_s,
        "known_batch": batch,
        "known_in_order_per_second": args.keys / known_in_order_s,
        "known_scrambled_per_second": sample / known_scrambled_s,
        "known_absent_per_second": sample / known_absent_s,
        "load_average": load_average(),
        "stored_mib": stored / 2**20,
        "rss_start_mib": rss_start,
        "rss_peak_mib": rss_kib()[1] / 1024,
        "checkpoints": checkpoints,
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print_facts(result["machine"])
    where = "file" if args.backend == "sqlite" else "server memory"
    print(f"{args.backend}: {args.keys:,} keys, record() batches of {args.batch:,}, {where} {result['stored_mib']:,.0f} MiB")
    print(f"  record            {result['inserts_per_second']:>10,.0f} rows/s")
    print(f"  get in order      {result['gets_in_order_per_second']:>10,.0f} /s   (target >= {TARGET_LOOKUPS_PER_SECOND:,})")
    print(f"  get scrambled     {result['gets_scrambled_per_second']:>10,.0f} /s   ({sample:,} keys)")
    print(f"  get absent        {result['gets_absent_per_second']:>10,.0f} /s   ({sample:,} keys)")
    print(f"  known in order    {result['known_in_order_per_second']:>10,.0f} /s   (batches of {batch:,} keys)")
    print(f"  known scrambled   {result['known_scrambled_per_second']:>10,.0f} /s   ({sample:,} keys)")
    print(f"  known absent      {result['known_absent_per_second']:>10,.0f} /s   ({sample:,} keys)")
    rss = [c["rss_mib"] for c in checkpoints]
    print("  load average at the end: " + ", ".join(f"{x:.2f}" for x in result["load_average"]))
    print(f"  RSS {result['rss_start_mib']:.0f} MiB at start, {min(rss):.0f}-{max(rss):.0f} MiB while running, peak {result['rss_peak_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

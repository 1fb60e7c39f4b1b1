"""Redis memory of a distributed crawl, measured: synthetic articles written
through the code a crawl uses, into a redis-server of its own, reading INFO
memory (used_memory) before and after each part.

    python -m benchmarks.redis_memory                      # 200,000 articles
    python -m benchmarks.redis_memory --articles 1000000
    python -m benchmarks.redis_memory --articles 1000000 --set-max-intset-entries 4096

The parts, per article:

- state: its row in crawler:articles:<site> and its canonical URL in
  crawler:urls (RedisState.record), kept for good;
- fingerprints: its body fingerprint in the near-duplicate index, crawler:fp:*
  (the script RedisState.near_duplicate_of runs to add one, pipelined: the
  lookup before it adds nothing), kept for good;
- dupefilter: its request's fingerprint in <spider>:dupefilter
  (NewsCodeDupeFilter: "article:<code>"), for the length of one run;
- queue: its request waiting in <spider>:requests (scrapy-redis's priority
  queue, pickled as Scrapy's Request.to_dict() gives it), only while it waits:
  the most a run holds is the articles discovered and not yet fetched, all of
  a backfill's at worst.

Articles are spread over 60 sites; news codes are 13 digits (ISNA's shape),
canonical URLs https://www.<site>/news/<code>/ plus a percent-encoded Persian
slug of five words (~200 bytes), half the articles with an update time.
Fingerprints are random 64-bit numbers (real bodies are no more alike, bar the
near duplicates). The queue is measured on up to 200,000 requests and scaled.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from urllib.parse import quote

import redis
from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from benchmarks.common import arguments, machine_facts
from crawler.export.state_redis import RedisState
from crawler.export.statebase import ArticleRecord
from crawler.spiders.sites import EtemadonlineSpider
from tests.redisserver import redis_server

SITES = [f"site{i}.ir" for i in range(60)]
WORDS = ["خبرگزاری", "ایران", "اقتصاد", "مجلس", "دولت", "تهران", "انتخابات", "قیمت", "بازار", "ورزش"]
BATCH = 5000
QUEUE_SAMPLE = 200_000


def articles(count: int, rng: random.Random):
    for i in range(count):
        site = SITES[i % len(SITES)]
        code = str(1402000000000 + i)
        slug = quote("-".join(rng.choice(WORDS) for _ in range(5)))
        yield ArticleRecord(
            site=site, news_code=code, canonical_url=f"https://www.{site}/news/{code}/{slug}",
            content_hash=f"{rng.getrandbits(256):064x}", modified_at="2023-11-01T10:00:00+03:30" if i % 2 else None,
            first_seen="2023-11-01T06:30:00+00:00", last_seen="2023-11-01T06:30:00+00:00",
        )  # fmt: skip


def used(server) -> int:
    return server.info("memory")["used_memory"]


def measure(count: int, intset_entries: int | None = None, seed: int = 1) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp, redis_server(Path(tmp)) as url:
        server = redis.Redis.from_url(url)
        if intset_entries:  # the band sets hold ~n/1024 seqs each: past the limit, a hash table
            server.config_set("set-max-intset-entries", intset_entries)
        state = RedisState(redis.Redis.from_url(url), lease=60)
        sizes = {}

        start = used(server)
        batch = []
        for record in articles(count, rng):
            batch.append(record)
            if len(batch) == BATCH:
                state.record(batch)
                batch = []
        state.record(batch)
        sizes["state"] = used(server) - start

        start = used(server)
        pipe = server.pipeline(transaction=False)
        for i in range(count):
            fp = rng.getrandbits(64)
            slots = state._slot_keys(state.index.bands(fp))
            key = f"{SITES[i % len(SITES)]} {1402000000000 + i}"
            state._add_fingerprint(keys=["crawler:fp:keys", "crawler:fp:entries", "crawler:fp:seq", *slots], args=[key, fp], client=pipe)
            if i % BATCH == BATCH - 1:
                pipe.execute()
        pipe.execute()
        sizes["fingerprints"] = used(server) - start

        start = used(server)
        pipe = server.pipeline(transaction=False)
        for i in range(count):
            pipe.sadd("etemadonline:dupefilter", f"article:{1402000000000 + i}")
            if i % BATCH == BATCH - 1:
                pipe.execute()
        pipe.execute()
        sizes["dupefilter"] = used(server) - start

        spider = EtemadonlineSpider()
        queue = PriorityQueue(server, spider, "%(spider)s:requests")
        queued = min(count, QUEUE_SAMPLE)
        start = used(server)
        for i in range(queued):
            code = str(1402000000000 + i)
            url = f"https://www.etemadonline.com/{quote('بخش-سیاسی-2')}/{code}-{quote('-'.join(rng.choice(WORDS) for _ in range(5)))}"
            queue.push(Request(url, callback=spider.parse_article, priority=1, meta={"news_code": code, "depth": 2}))
        sizes["queue"] = round((used(server) - start) * count / queued)

        info = server.info("memory")
        config = {k: v for k, v in server.config_get("*-max-*").items() if k.startswith(("hash-", "set-"))}
        state.close()
    per_article = {part: round(size / count) for part, size in sizes.items()}
    return {
        "articles": count,
        "bytes_per_article": per_article,
        "mib_per_million": {part: round(b * 1_000_000 / 2**20) for part, b in per_article.items()},
        "used_memory_peak_human": info["used_memory_peak_human"],
        "mem_allocator": info["mem_allocator"],
        "encoding_limits": config,
        "machine": machine_facts("redis", "scrapy-redis"),
        "redis_server": server_version(),
    }


def server_version() -> str:
    with tempfile.TemporaryDirectory() as tmp, redis_server(Path(tmp)) as url:
        return redis.Redis.from_url(url).info("server")["redis_version"]


def main() -> None:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--set-max-intset-entries", type=int, help="Redis setting, default 512")
    args = parser.parse_args()
    print(json.dumps(measure(args.articles, args.set_max_intset_entries), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

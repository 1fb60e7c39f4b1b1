"""The crawl state in Redis: what a distributed crawl (REDIS_URL set,
crawler.ops.distributed) remembers, shared by every worker on every machine,
with the interface (crawler.export.statebase) and guarantees of the SQLite state
(crawler.export.state).

Keys, all under `crawler:`:

    articles:<site>           hash: news code -> JSON [canonical_url, content_hash,
                              modified_at, first_seen, last_seen]
    urls                      hash: blake2b-128 of a canonical URL -> "<site> <news code>"
    claim:<site>:<code>       string: the token of the process that claimed the article,
    claim:url:<url digest>    expiring CRAWLER_LEASE seconds after the claim
    fp:seq                    counter: the order in which body fingerprints were first seen
    fp:keys                   hash: "<site> <news code>" -> its fingerprint's seq
    fp:entries                hash: seq -> "<site> <news code> <fingerprint>"
    fp:slot:<n>:<value>       set: seqs whose fingerprint has this value in band n
                              (crawler.export.neardup.NearDuplicateIndex)
    fp:layout                 the index's NearDuplicateIndex.LAYOUT; the slots of an
                              earlier layout (fp:band:*) are rebuilt from fp:entries

Claims are taken on the article's code and its canonical URL together, or not
at all (a Lua script, atomic in Redis). Recording an article writes its row,
its URL and drops this process's claims on it in one script, so another
worker waiting for the claim finds the article exported when it gets it.
Claims left by a process that died lapse with their lease; `close` gives back
the ones a live process still holds.

Redis keeps what it acknowledged only as well as its persistence is set up:
for exactly-once across a Redis restart, run it with `appendonly yes` and
`appendfsync always` (docs/distributed.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Iterable

from scrapy_redis.connection import get_redis_from_settings

from crawler.export.neardup import NearDuplicateIndex, first_within
from crawler.export.statebase import KNOWN_CHUNK, ArticleRecord

logger = logging.getLogger(__name__)

PREFIX = "crawler:"

_CLAIM = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return 0 end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return 1
"""

_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
"""

# KEYS: the site's articles hash, the URL index, then the article's claim keys.
# ARGV: news code, record JSON, URL digest ('' for none), "<site> <code>", token.
_RECORD = """
local record = ARGV[2]
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local fields = cjson.decode(record)
  fields[4] = cjson.decode(old)[4]  -- first_seen is kept
  record = cjson.encode(fields)
end
redis.call('HSET', KEYS[1], ARGV[1], record)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[5] then redis.call('DEL', KEYS[i]) end
end
"""

# KEYS: fp:keys, fp:entries, fp:seq, then the fingerprint's slot sets. ARGV: "<site> <code>", fingerprint.
_ADD_FINGERPRINT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], seq)
redis.call('HSET', KEYS[2], seq, ARGV[1] .. ' ' .. ARGV[2])
for i = 4, #KEYS do redis.call('SADD', KEYS[i], seq) end
return seq
"""


def url_digest(canonical_url: str) -> bytes:
    """What the URL index is keyed by: 16 bytes, where a canonical URL of
    percent-encoded Persian runs to hundreds."""
    return hashlib.blake2b(canonical_url.encode("utf-8"), digest_size=16).digest()


class RedisState:
    """CrawlState in Redis, for many processes at once."""

    def __init__(self, server, lease: float):
        self.server = server
        self.lease_ms = int(lease * 1000)
        self.token = uuid.uuid4().hex  # whose claim it is
        self.claims: dict[tuple[str, str], list[str]] = {}  # held by this process, not yet recorded
        self.index = NearDuplicateIndex()
        self._claim = server.register_script(_CLAIM)
        self._release = server.register_script(_RELEASE)
        self._record = server.register_script(_RECORD)
        self._add_fingerprint = server.register_script(_ADD_FINGERPRINT)
        self._lay_out_fingerprint_index()

    def _lay_out_fingerprint_index(self) -> None:
        """Rebuilds, once, the slots of an index an earlier version laid out
        otherwise, from the stored fingerprints. Workers starting together may
        each do it: adding a seq to a set twice leaves one."""
        layout = str(NearDuplicateIndex.LAYOUT)
        if (self.server.get(f"{PREFIX}fp:layout") or b"").decode() == layout:
            return
        if self.server.exists(f"{PREFIX}fp:entries"):
            logger.warning("Rebuilding the near-duplicate index in Redis in the new layout (once)")
            pipe = self.server.pipeline(transaction=False)
            for seq, entry in self.server.hscan_iter(f"{PREFIX}fp:entries"):
                for key in self._slot_keys(self.index.bands(int(entry.split()[-1]))):
                    pipe.sadd(key, seq)
                if len(pipe) >= 10_000:
                    pipe.execute()
            pipe.execute()
            for key in self.server.scan_iter(f"{PREFIX}fp:band:*", count=1000):  # layout 1
                pipe.unlink(key)
                if len(pipe) >= 10_000:
                    pipe.execute()
            pipe.execute()
        self.server.set(f"{PREFIX}fp:layout", layout)

    @staticmethod
    def _slot_keys(bands: list[tuple[int, int]]) -> list[str]:
        return [f"{PREFIX}fp:slot:{band}:{value}" for band, value in bands]

    @classmethod
    def from_settings(cls, settings) -> RedisState:
        # scrapy-redis's connection settings: REDIS_URL, REDIS_PARAMS.
        return cls(get_redis_from_settings(settings), settings.getfloat("CRAWLER_LEASE"))

    def get(self, site: str, news_code: str) -> ArticleRecord | None:
        row = self.server.hget(f"{PREFIX}articles:{site}", news_code)
        return ArticleRecord(site, news_code, *json.loads(row)) if row else None

    def known(self, site: str, news_codes: Iterable[str]) -> set[str]:
        # One HMGET (one round trip) per KNOWN_CHUNK codes: it returns the
        # rows, which are not needed, and still ran faster than a pipeline of
        # HEXISTS or a Lua loop of them (benchmarks/RESULTS.md).
        codes = list(news_codes)
        found: set[str] = set()
        for start in range(0, len(codes), KNOWN_CHUNK):
            chunk = codes[start : start + KNOWN_CHUNK]
            rows = self.server.hmget(f"{PREFIX}articles:{site}", chunk)
            found.update(code for code, row in zip(chunk, rows) if row is not None)
        return found

    def code_for_url(self, canonical_url: str) -> tuple[str, str] | None:
        owner = self.server.hget(f"{PREFIX}urls", url_digest(canonical_url))
        return tuple(owner.decode().split(" ", 1)) if owner else None

    def record(self, records: Iterable[ArticleRecord]) -> None:
        pipe = self.server.pipeline(transaction=False)
        for r in records:
            row = [r.canonical_url, r.content_hash, r.modified_at, r.first_seen, r.last_seen]
            self._record(
                keys=[f"{PREFIX}articles:{r.site}", f"{PREFIX}urls", *self._claim_keys(r.site, r.news_code, r.canonical_url)],
                args=[
                    r.news_code, json.dumps(row, ensure_ascii=False, separators=(",", ":")),
                    url_digest(r.canonical_url) if r.canonical_url else "", f"{r.site} {r.news_code}", self.token,
                ],
                client=pipe,
            )  # fmt: skip
            self.claims.pop((r.site, r.news_code), None)
        pipe.execute()

    def claim(self, site: str, news_code: str, canonical_url: str | None) -> bool:
        keys = self._claim_keys(site, news_code, canonical_url)
        if not self._claim(keys=keys, args=[self.token, self.lease_ms]):
            return False
        self.claims[(site, news_code)] = keys
        return True

    def release(self, site: str, news_code: str, canonical_url: str | None) -> None:
        self.claims.pop((site, news_code), None)
        self._release(keys=self._claim_keys(site, news_code, canonical_url), args=[self.token])

    @staticmethod
    def _claim_keys(site: str, news_code: str, canonical_url: str | None) -> list[str]:
        keys = [f"{PREFIX}claim:{site}:{news_code}"]
        if canonical_url:
            keys.append(f"{PREFIX}claim:url:{url_digest(canonical_url).hex()}")
        return keys

    def near_duplicate_of(self, site: str, news_code: str, fingerprint: int) -> tuple[str, str] | None:
        me = f"{site} {news_code}"
        seqs = sorted(map(int, self.server.sunion(self._slot_keys(self.index.probes(fingerprint)))))
        entries = (entry.decode().split(" ") for entry in (self.server.hmget(f"{PREFIX}fp:entries", seqs) if seqs else ()))
        match = first_within(
            fingerprint, (((s, c), int(fp)) for s, c, fp in entries if f"{s} {c}" != me)
        )
        # Looked up, then added: two workers adding near duplicates at the same
        # instant may both find none; the next copy names the first-seen.
        self._add_fingerprint(
            keys=[f"{PREFIX}fp:keys", f"{PREFIX}fp:entries", f"{PREFIX}fp:seq", *self._slot_keys(self.index.bands(fingerprint))],
            args=[me, fingerprint],
        )
        return match

    def __len__(self) -> int:
        return sum(self.server.hlen(key) for key in self.server.scan_iter(f"{PREFIX}articles:*"))

    def close(self) -> None:
        for keys in self.claims.values():
            self._release(keys=keys, args=[self.token])
        self.claims.clear()
        self.server.close()

"""What a near-duplicate lookup costs as the crawl state fills: the SQLite
state's `near_duplicate_of` (look up, then store, one article) at growing
numbers of stored fingerprints, against the first layout of the index in
the same run.

    python -m benchmarks.neardup_index                          # up to 1 million
    python -m benchmarks.neardup_index --marks 10000,100000     # a quick run
    python -m benchmarks.neardup_index --redis                  # the Redis state too

Fingerprints are random 64-bit integers (unrelated bodies: what nearly every
lookup meets). At each mark, --lookups calls of each layout, timed:

- now: crawler.export.state.SqliteState, the index of crawler.export.neardup
  (NearDuplicateIndex.LAYOUT 2: 3 bands, each probed at its value and the 21
  or 22 values one bit away);
- layout 1: the previous one, rebuilt here in a second SQLite file as that
  version wrote it: 6 bands of 10-11 bits, each probed at its value only, in
  a table indexed on (band, value), and the same query shape;
- redis (with --redis): crawler.export.state_redis.RedisState, the same index in a
  redis-server started for the run on 127.0.0.1 (needs redis-server on the
  PATH), filled through the state's own script.

The stores are filled with the same fingerprints in bulk between marks
(not timed), in temporary files, removed afterwards.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks.common import arguments, machine_facts, print_facts
from benchmarks.harness import Clock
from benchmarks.state import open_backend
from crawler.export.neardup import MASK, first_within
from crawler.export.state import SqliteState

LAYOUT_1 = [(offset, (1 << width) - 1) for offset, width in zip((0, 11, 22, 33, 44, 54), (11, 11, 11, 11, 10, 10))]


def signed(fp: int) -> int:
    return fp - (1 << 64) if fp >= 1 << 63 else fp


class FirstLayout:
    """The index as crawler.export.state kept it until NearDuplicateIndex.LAYOUT 2."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(
            "CREATE TABLE fingerprints (seq INTEGER PRIMARY KEY, site TEXT NOT NULL, news_code TEXT NOT NULL,"
            " fingerprint INTEGER NOT NULL, UNIQUE (site, news_code));"
            "CREATE TABLE fingerprint_bands (band INTEGER NOT NULL, value INTEGER NOT NULL, seq INTEGER NOT NULL);"
            "CREATE INDEX fingerprint_bands_lookup ON fingerprint_bands (band, value);"
        )

    @staticmethod
    def bands(fp: int) -> list[tuple[int, int]]:
        return [(n, fp >> offset & mask) for n, (offset, mask) in enumerate(LAYOUT_1)]

    def add(self, seq: int, fp: int) -> None:
        self.db.execute("INSERT INTO fingerprints VALUES (?, 's', ?, ?)", (seq, str(seq), signed(fp)))
        self.db.executemany("INSERT INTO fingerprint_bands VALUES (?, ?, ?)", [(b, v, seq) for b, v in self.bands(fp)])

    def near_duplicate_of(self, site: str, news_code: str, fp: int):
        bands = self.bands(fp)
        rows = self.db.execute(
            "SELECT f.site, f.news_code, f.fingerprint FROM fingerprints f WHERE f.seq IN"
            " (SELECT seq FROM fingerprint_bands WHERE " + " OR ".join(["(band = ? AND value = ?)"] * len(bands)) + ")"
            " ORDER BY f.seq",
            [x for band in bands for x in band],
        )
        match = first_within(fp, (((s, c), f & MASK) for s, c, f in rows if (s, c) != (site, news_code)))
        with self.db:
            self.db.execute("BEGIN")
            (seq,) = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM fingerprints").fetchone()
            self.add(seq, fp)
        return match


def fill(now: SqliteState, first: FirstLayout, shared, start: int, end: int, rng: random.Random) -> None:
    now.db.execute("BEGIN")
    first.db.execute("BEGIN")
    pipe = shared.server.pipeline(transaction=False) if shared is not None else None
    for seq in range(start, end):
        fp = rng.getrandbits(64)
        now.db.execute("INSERT INTO fingerprints VALUES (?, 's', ?, ?)", (seq, str(seq), signed(fp)))
        now.db.executemany("INSERT INTO fingerprint_slots VALUES (?, ?)", [(slot, seq) for slot in now._slots(now.index.bands(fp))])
        first.add(seq, fp)
        if shared is not None:
            keys = ["crawler:fp:keys", "crawler:fp:entries", "crawler:fp:seq", *shared._slot_keys(shared.index.bands(fp))]
            shared._add_fingerprint(keys=keys, args=[f"s {seq}", fp], client=pipe)
            if seq % 10_000 == 0:
                pipe.execute()
    now.db.execute("COMMIT")
    first.db.execute("COMMIT")
    if shared is not None:
        pipe.execute()


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--marks", default="10000,100000,400000,1000000", help="stored fingerprints at which to measure")
    parser.add_argument("--lookups", type=int, default=300, help="lookups per layout per mark (default 300)")
    parser.add_argument("--redis", action="store_true", help="measure the Redis state too (needs redis-server)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    marks = sorted(int(m) for m in args.marks.split(","))
    rng, lookups_rng = random.Random(1), random.Random(2)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-neardup-") as tmp, ExitStack() as stack:
        now = SqliteState(Path(tmp) / "now.sqlite3", durable=False)
        first = FirstLayout(Path(tmp) / "first.sqlite3")
        shared = stack.enter_context(open_backend("redis", Path(tmp)))[0] if args.redis else None
        indexes = [("now", now), ("layout 1", first), *([("redis", shared)] if shared is not None else [])]
        stored = 0
        for mark in marks:
            fill(now, first, shared, stored + 1, mark + 1, rng)
            stored = mark
            row = {"stored": mark}
            for name, index in indexes:
                queries = [lookups_rng.getrandbits(64) for _ in range(args.lookups)]
                with Clock() as clock:
                    for i, fp in enumerate(queries):
                        index.near_duplicate_of("t", f"{mark}-{i}", fp)
                row[name] = clock.wall / args.lookups * 1000
            stored += args.lookups  # both stored what they looked up
            results.append(row)
            print(f"{mark:>10,} stored: " + ", ".join(f"{name} {row[name]:.3f} ms" for name, _ in indexes) + " a lookup", file=sys.stderr)
        now.close()
        first.db.close()
    if args.json:
        print(json.dumps({"machine": machine_facts(), "results": results}, indent=1))
        return 0
    print_facts(machine_facts())
    print(f"\n{'stored':>10}  {'now ms':>8}  {'layout 1 ms':>11}  {'layout 1 / now':>14}" + ("  redis ms" if args.redis else ""))
    for row in results:
        print(
            f"{row['stored']:>10,}  {row['now']:>8.3f}  {row['layout 1']:>11.3f}  {row['layout 1'] / row['now']:>14.1f}"
            + (f"  {row['redis']:>8.3f}" if args.redis else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

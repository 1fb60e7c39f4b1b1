"""`scrapy dataset` at scale: synthetic JSON Lines exports merged into the
Parquet dataset (crawler.export.dataset.update), in rows per second, and the
dataset's size against the gzipped exports.

    python -m benchmarks.dataset                      # 100,000 articles
    python -m benchmarks.dataset --articles 10000     # a quick smoke run
    python -m benchmarks.dataset --duckdb             # also DuckDB's COPY, where duckdb is installed

The articles are synthetic: --sites sites, one export per site and day
(`data/<site>/<day>.jsonl.gz`, as daily runs write them), bodies of ~1,500
characters of Persian words drawn at random (like a short news article),
a tenth of them with a later version (modified_at) in a later day's file,
so the merge deduplicates. Timed: the first build from all exports, then an
incremental rerun after one more day's file per site. The exports and the
dataset go to a temporary folder, removed afterwards.

With --duckdb, the first build is also made by one DuckDB COPY (read_json,
latest version per key by a window function, PARTITION_BY site and month):
the alternative the issue names, timed on the same exports, alternating order.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import tempfile
from pathlib import Path

from benchmarks.common import arguments, machine_facts
from benchmarks.harness import Clock
from crawler.export.dataset import update
from crawler.schema.article import normalize_article

LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def vocabulary(rng: random.Random, size: int = 20_000) -> tuple[list[str], list[float]]:
    """Pseudo-words of Persian letters, with Zipf's frequencies (a word's
    weight 1/rank), as words are in running text: neither gzip nor Parquet's
    zstd gains from a small repeated vocabulary that no real text has."""
    words = ["".join(rng.choices(LETTERS, k=rng.randint(2, 8))) for _ in range(size)]
    weights, total = [], 0.0
    for rank in range(1, size + 1):
        total += 1 / rank
        weights.append(total)
    return words, weights


def make_exports(folder: Path, articles: int, sites: int, days: int, rng: random.Random, first_code: int = 0) -> int:
    """Writes the exports; returns how many lines (versions) they hold."""
    vocab, weights = vocabulary(rng)

    def text(k: int) -> str:
        return " ".join(rng.choices(vocab, cum_weights=weights, k=k))

    per_file: dict[tuple[int, int], list[str]] = {}
    lines = 0
    for n in range(first_code, first_code + articles):
        site, day = n % sites, (n // sites) % days
        versions = [None, f"2024-{1 + day % 12:02}-{1 + day % 28:02}T12:00:00+03:30"] if n % 10 == 0 else [None]
        for v, modified in enumerate(versions):
            article = normalize_article({
                "site": f"site{site}.ir", "url": f"https://www.site{site}.ir/news/{n}", "news_code": str(n),
                "headline": text(10), "lead": text(30), "body": "\n\n".join(text(60) for _ in range(5)),
                "published_at": f"2024-{1 + day % 12:02}-{1 + day % 28:02}T{n % 24:02}:00:00+03:30",
                "modified_at": modified, "tags": text(3).split(), "section": ["سیاسی"],
                "images": [{"url": f"https://www.site{site}.ir/img/{n}.jpg", "caption": None}],
                "crawled_at": f"2026-01-{1 + min(day + v, 27):02}T00:00:00+00:00",
            })  # fmt: skip
            per_file.setdefault((site, min(day + v, days)), []).append(json.dumps(article, ensure_ascii=False))
            lines += 1
    for (site, day), rows in per_file.items():
        path = folder / f"site{site}" / f"day{day:03}.jsonl.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode(), compresslevel=6))
    return lines


def size(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern))


# Every field, typed as crawler.export.dataset.ARROW_SCHEMA types it.
DUCKDB_COLUMNS = "{" + ", ".join(f"{name}: '{kind}'" for name, kind in {
    "schema_version": "SMALLINT", "site": "VARCHAR", "url": "VARCHAR", "canonical_url": "VARCHAR", "news_code": "VARCHAR",
    "published_at": "TIMESTAMPTZ", "published_at_raw": "VARCHAR", "modified_at": "TIMESTAMPTZ", "uptitle": "VARCHAR",
    "headline": "VARCHAR", "lead": "VARCHAR", "body": "VARCHAR", "source": "VARCHAR", "authors": "VARCHAR[]",
    "tags": "VARCHAR[]", "section": "VARCHAR[]", "images": "STRUCT(url VARCHAR, caption VARCHAR)[]", "language": "VARCHAR",
    "crawled_at": "TIMESTAMPTZ", "content_hash": "VARCHAR", "duplicate_of": "STRUCT(site VARCHAR, news_code VARCHAR)",
}.items()) + "}"  # fmt: skip


def duckdb_build(exports: Path, dataset: Path) -> None:
    import duckdb

    duckdb.sql(f"""
        COPY (
            SELECT * EXCLUDE (rank) FROM (
                SELECT *, left(published_at::VARCHAR, 7) AS month,
                       row_number() OVER (PARTITION BY site, news_code
                                          ORDER BY modified_at DESC NULLS LAST, crawled_at DESC) AS rank
                FROM read_json('{exports}/*/*.jsonl.gz', format = 'newline_delimited',
                               columns = {DUCKDB_COLUMNS})
            ) WHERE rank = 1
        ) TO '{dataset}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (site, month))
    """)  # fmt: skip


def main() -> None:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--duckdb", action="store_true")
    opts = parser.parse_args()
    rng = random.Random(1)
    work = Path(tempfile.mkdtemp(prefix="dataset-bench-"))
    try:
        exports = work / "data"
        lines = make_exports(exports, opts.articles, opts.sites, opts.days, rng)
        results: dict = {"machine": machine_facts("pyarrow", "duckdb"), "articles": opts.articles, "lines": lines,
                         "export_files": len(list(exports.rglob("*.gz"))), "jsonl_gz_bytes": size(exports, "*.jsonl.gz")}  # fmt: skip
        runs = ["pyarrow", "duckdb", "pyarrow", "duckdb"] if opts.duckdb else ["pyarrow"]
        for i, who in enumerate(runs):
            dataset = work / f"dataset-{who}-{i}"
            with Clock() as clock:
                if who == "pyarrow":
                    report = update(exports, dataset)
                    assert report.rows == opts.articles, report.line()
                else:
                    duckdb_build(exports, dataset)
            seconds = clock.wall
            results.setdefault(f"first_build_{who}", []).append({
                "seconds": round(seconds, 2), "lines_per_s": round(lines / seconds), "rows_per_s": round(opts.articles / seconds),
                "parquet_bytes": size(dataset, "*.parquet"),
            })  # fmt: skip
        # One more day: a file per site with new articles, into the pyarrow dataset.
        more = work / "more"
        make_exports(more, opts.articles // opts.days, opts.sites, 1, random.Random(2), first_code=opts.articles)
        for path in more.rglob("*.gz"):
            target = exports / path.parent.name / f"new-{path.name}"
            shutil.move(path, target)
        with Clock() as clock:
            report = update(exports, work / "dataset-pyarrow-0")
        results["incremental_rerun"] = {"new_files": report.files, "seconds": round(clock.wall, 2), "report": report.line()}
        first = results["first_build_pyarrow"][0]
        results["parquet_vs_jsonl_gz"] = round(first["parquet_bytes"] / results["jsonl_gz_bytes"], 3)
        print(json.dumps(results, ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

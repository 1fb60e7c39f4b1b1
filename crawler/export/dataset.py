"""The JSON Lines exports of many runs as one deduplicated Parquet dataset.

`update(exports, dataset)` reads every finished export under `exports`
(`*.jsonl` and `*.jsonl.gz`; a `.part` file is a run still writing, or one
killed, and is left for the next run of its spider to finish) and merges the
articles into `dataset`, partitioned Hive-style by site and publication month:

    dataset/site=etemadonline.com/month=2021-11/data.parquet

One row per (site, news_code): the latest version by `modified_at` (a version
without one is older than any with one), then by `crawled_at`. The month is
the one the page gave (`published_at` as written, Tehran time); an article
whose `published_at` is not a date goes to `month=unknown`, with the column
null, rather than be lost. Lines that are not an article (not JSON, no site,
news code or download time, a field of the wrong shape) are skipped and
counted. The columns are typed after the JSON Schema (ARROW_SCHEMA); the
partition columns `site` and `month` live in the folder names only, as Hive
readers (pyarrow, DuckDB, Polars, Spark) expect.

Incremental: `_manifest.json` in the dataset lists the export files read
(with their size and modification time, so a file continued since is read
again); a rerun reads only the others, and rewrites only the partitions their
articles fall in (or leave, when an update moved an article to another
month). Each partition is one file, written under a temporary name and
renamed over the old one, and the manifest is replaced last: a rerun killed
at any point leaves every partition whole, and the next rerun reads the same
new files again (merging a version twice changes nothing).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crawler.export.partfiles import PART_SUFFIX, is_finished_export, write_atomically
from crawler.ops.lock import hold
from crawler.persian.dates import instant
from crawler.schema.article import field_names

logger = logging.getLogger(__name__)

MANIFEST = "_manifest.json"  # "_" and "." names are skipped by Hive-partitioned readers
LOCK = ".lock"
DATA_FILE = "data.parquet"
UNKNOWN_MONTH = "unknown"
# Exports read into memory before their articles are merged (uncompressed
# bytes): a year of daily runs is merged in a few rounds, not all at once.
ROUND_BYTES = 256 * 1024 * 1024
PARTITION_COLUMNS = ("site", "month")
SITE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")  # the schema's pattern; also makes it a safe folder name
MONTH = re.compile(r"^\d{4}-\d{2}")

TEHRAN_TIME = pa.timestamp("us", tz="Asia/Tehran")
TEXT_LIST = pa.list_(pa.string())
# The article's fields in export order, typed after crawler/schema/article.schema.json,
# without `site` (a partition column). Times are instants: Tehran's for the
# page's times, UTC for the download; a date without a time of day is 00:00 Tehran time.
ARROW_SCHEMA = pa.schema([
    ("schema_version", pa.int16()),
    ("url", pa.string()),
    ("canonical_url", pa.string()),
    ("news_code", pa.string()),
    ("published_at", TEHRAN_TIME),
    ("published_at_raw", pa.string()),
    ("modified_at", TEHRAN_TIME),
    ("uptitle", pa.string()),
    ("headline", pa.string()),
    ("lead", pa.string()),
    ("body", pa.string()),
    ("source", pa.string()),
    ("authors", TEXT_LIST),
    ("tags", TEXT_LIST),
    ("section", TEXT_LIST),
    ("images", pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))),
    ("language", pa.string()),
    ("crawled_at", pa.timestamp("us", tz="UTC")),
    ("content_hash", pa.string()),
    ("duplicate_of", pa.struct([("site", pa.string()), ("news_code", pa.string())])),
    ("field_sources", pa.map_(pa.string(), pa.string())),
])  # fmt: skip
assert ARROW_SCHEMA.names == [n for n in field_names() if n != "site"], "crawler/schema changed: update ARROW_SCHEMA"
_WORK_SCHEMA = ARROW_SCHEMA.append(pa.field("site", pa.string())).append(pa.field("month", pa.string()))
_TEXT = {f.name for f in ARROW_SCHEMA if f.type == pa.string()}
_LISTS = {f.name for f in ARROW_SCHEMA if f.type == TEXT_LIST}


class BadLine(ValueError):
    """A line that is not an exported article."""


@dataclass
class Report:
    files: int = 0  # export files read
    lines: int = 0
    bad_lines: int = 0
    bad_files: list[str] = field(default_factory=list)  # unreadable (a cut .gz): read again next time
    parts_skipped: int = 0
    articles: int = 0  # rows added or replaced
    partitions: int = 0  # partition files written
    rows: int = 0  # rows in the dataset after the update

    def line(self) -> str:
        text = (
            f"read {self.files} new export files ({self.lines} lines), {self.articles} articles added or updated,"
            f" {self.partitions} partitions written, {self.rows} rows in all"
        )
        if self.bad_lines:
            text += f"; {self.bad_lines} lines not articles skipped"
        if self.parts_skipped:
            text += f"; {self.parts_skipped} unfinished .part files skipped"
        if self.bad_files:
            text += f"; {len(self.bad_files)} unreadable files skipped ({', '.join(self.bad_files)})"
        return text


def update(exports: Path, dataset: Path, round_bytes: int = ROUND_BYTES) -> Report:
    exports, dataset = Path(exports), Path(dataset)
    dataset.mkdir(parents=True, exist_ok=True)
    report = Report()
    lock = hold(dataset / LOCK, f"dataset {dataset}")  # LockHeld, naming the other update
    try:
        for leftover in dataset.glob(f"site=*/month=*/.{DATA_FILE}.tmp"):  # of a killed update
            leftover.unlink()
        seen = _read_manifest(dataset)
        new, report.parts_skipped = _new_exports(exports, dataset, seen)
        for files in _rounds(exports, new, round_bytes):
            table = _read_exports(exports, files, report)
            _merge(dataset, table, report)
            for path in files:
                if str(path) not in report.bad_files:
                    seen[str(path)] = new[path]
            _write_manifest(dataset, seen)  # last: a killed round is read again
        report.rows = sum(pq.read_metadata(p).num_rows for p in dataset.glob(f"site=*/month=*/{DATA_FILE}"))
    finally:
        lock.release()
    return report


# -- which exports are new ---------------------------------------------------------


def _signature(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _new_exports(exports: Path, dataset: Path, seen: dict) -> tuple[dict[Path, dict], int]:
    """Export files (relative to `exports`) not read before or changed since,
    with their signatures as found, and how many `.part` files were passed over."""
    new, parts = {}, 0
    for path in sorted(exports.rglob("*")):
        if dataset.resolve() in path.resolve().parents or not path.is_file():
            continue
        if path.name.endswith(PART_SUFFIX):
            parts += 1
        elif is_finished_export(path):
            relative, signature = path.relative_to(exports), _signature(path)
            if seen.get(str(relative)) != signature:
                new[relative] = signature
    return new, parts


def _rounds(exports: Path, files: list[Path], round_bytes: int):
    """The files in groups of about `round_bytes` of JSON (a gzipped export counted at 5 times its size)."""
    batch, size = [], 0
    for relative in files:
        batch.append(relative)
        size += (exports / relative).stat().st_size * (5 if relative.name.endswith(".gz") else 1)
        if size >= round_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# -- reading exports -----------------------------------------------------------------


def _read_exports(exports: Path, files: list[Path], report: Report) -> pa.Table:
    columns: dict[str, list] = {name: [] for name in _WORK_SCHEMA.names}
    for relative in files:
        path = exports / relative
        bad = 0
        try:
            with (gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")) as f:
                lines = f.read().splitlines()
        except (OSError, EOFError) as e:
            logger.warning("Export %s unreadable, skipped (read again next time): %s", path, e)
            report.bad_files.append(str(relative))
            continue
        report.files += 1
        for line in lines:
            if not line.strip():
                continue
            report.lines += 1
            try:
                row = _row(line)
            except BadLine:
                bad += 1
                continue
            for name, value in row.items():
                columns[name].append(value)
        if bad:
            report.bad_lines += bad
            logger.warning("%s: %d lines not articles skipped", path, bad)
    return pa.table({name: pa.array(values, type=_WORK_SCHEMA.field(name).type) for name, values in columns.items()})


def _row(line: bytes) -> dict:
    """The line's article as column values, or BadLine."""
    try:
        article = json.loads(line)
    except ValueError:
        raise BadLine from None
    if not isinstance(article, dict):
        raise BadLine
    site, code = article.get("site"), article.get("news_code")
    crawled_at = instant(article.get("crawled_at"))
    if not (isinstance(site, str) and SITE.match(site) and isinstance(code, str) and code and crawled_at):
        raise BadLine
    row = {}
    for name in _TEXT:
        value = article.get(name)
        if value is not None and not isinstance(value, str):
            raise BadLine
        row[name] = value
    for name in _LISTS:
        value = article.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadLine
        row[name] = value
    images = article.get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, dict) and isinstance(i.get("url"), str) for i in images):
        raise BadLine
    row["images"] = [{"url": i["url"], "caption": i.get("caption")} for i in images]
    duplicate_of = article.get("duplicate_of")
    if duplicate_of is not None and not (isinstance(duplicate_of, dict) and duplicate_of.get("news_code")):
        raise BadLine
    row["duplicate_of"] = duplicate_of and {"site": duplicate_of.get("site"), "news_code": duplicate_of["news_code"]}
    sources = article.get("field_sources")
    if sources is not None and not isinstance(sources, dict):
        raise BadLine
    row["field_sources"] = sources
    version = article.get("schema_version")
    row["schema_version"] = version if isinstance(version, int) else None
    published = article.get("published_at")
    row["published_at"] = instant(published)
    row["modified_at"] = instant(article.get("modified_at"))
    row["crawled_at"] = crawled_at
    row["site"] = site
    row["month"] = published[:7] if row["published_at"] and MONTH.match(published) else UNKNOWN_MONTH
    return row


# -- merging into the dataset --------------------------------------------------------


def _latest(table: pa.Table, keys: list[str]) -> pa.Table:
    """One row per `keys`: the latest version (modified_at, a missing one
    oldest, then crawled_at; on a tie the row that comes first)."""
    if table.num_rows == 0:
        return table
    oldest = pa.scalar(datetime(1, 1, 2, tzinfo=timezone.utc), TEHRAN_TIME)  # before any version
    sortable = table.append_column("_modified", pc.fill_null(table["modified_at"], oldest))
    order = pc.sort_indices(
        sortable.append_column("_order", pa.array(np.arange(table.num_rows))),
        sort_keys=[*((k, "ascending") for k in keys), ("_modified", "descending"), ("crawled_at", "descending"), ("_order", "ascending")],
    )
    table = table.take(order)
    same = np.ones(table.num_rows - 1, dtype=bool)  # as the row before, by `keys`
    for key in keys:
        values = table[key].to_numpy(zero_copy_only=False)
        same &= values[1:] == values[:-1]
    return table.filter(pa.array(np.concatenate([[True], ~same])))


def _partition_file(dataset: Path, site: str, month: str) -> Path:
    return dataset / f"site={site}" / f"month={month}" / DATA_FILE


def _merge(dataset: Path, new: pa.Table, report: Report) -> None:
    new = _latest(new, ["site", "news_code"])
    for site in pc.unique(new["site"]).to_pylist():
        ours = new.filter(pc.equal(new["site"], site))
        index = _site_index(dataset, site)  # where each of the site's codes is, and its version
        candidates = ours.select(index.column_names[:-1]).append_column("_stored", pa.array([False] * ours.num_rows))
        winners = _latest(pa.concat_tables([index, candidates]), ["news_code"])  # the dataset's first: it wins a tie
        ours = ours.filter(pc.is_in(ours["news_code"], winners.filter(pc.invert(winners["_stored"]))["news_code"]))
        if ours.num_rows == 0:
            continue
        replaced = pc.is_in(index["news_code"], ours["news_code"])
        gaining = set(ours["month"].to_pylist())
        losing = set(index.filter(replaced)["month"].to_pylist()) - gaining
        # Partitions gaining rows first, then those only losing some (an update
        # that moved its article to another month): a kill in between leaves the
        # article twice, never not at all, until the rerun.
        for month in [*sorted(gaining), *sorted(losing)]:
            _rewrite(dataset, site, month, ours.filter(pc.equal(ours["month"], month)), ours["news_code"])
            report.partitions += 1
        report.articles += ours.num_rows


def _site_index(dataset: Path, site: str) -> pa.Table:
    parts = []
    for path in sorted((dataset / f"site={site}").glob(f"month=*/{DATA_FILE}")):
        table = pq.read_table(path, columns=["news_code", "modified_at", "crawled_at"])
        month = path.parent.name.removeprefix("month=")
        parts.append(table.append_column("month", pa.array([month] * table.num_rows, pa.string())))
    key_schema = pa.schema([ARROW_SCHEMA.field(n) for n in ("news_code", "modified_at", "crawled_at")]).append(pa.field("month", pa.string()))
    index = pa.concat_tables(parts) if parts else key_schema.empty_table()
    return index.append_column("_stored", pa.array([True] * index.num_rows, pa.bool_()))


def _rewrite(dataset: Path, site: str, month: str, added: pa.Table, replaced_codes: pa.ChunkedArray) -> None:
    """The partition with the rows of `replaced_codes` taken out and `added` put in, swapped in whole."""
    path = _partition_file(dataset, site, month)
    rows = added.select(ARROW_SCHEMA.names).cast(ARROW_SCHEMA)
    if path.exists():
        kept = pq.read_table(path, schema=ARROW_SCHEMA)
        kept = kept.filter(pc.invert(pc.is_in(kept["news_code"], replaced_codes)))
        rows = pa.concat_tables([kept, rows])
    if rows.num_rows == 0:
        path.unlink()
        _fsync_dir(path.parent)
        return
    rows = rows.take(pc.sort_indices(rows, [("published_at", "ascending"), ("news_code", "ascending")]))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{DATA_FILE}.tmp")  # a dot name: no reader takes it for data
    pq.write_table(rows, tmp, compression="zstd", compression_level=3)  # zstd's own default: ~10% smaller than Arrow's 1, at little cost
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


# -- the manifest ----------------------------------------------------------------------


def _read_manifest(dataset: Path) -> dict[str, dict]:
    path = dataset / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text("utf-8"))["files"]


def _write_manifest(dataset: Path, seen: dict) -> None:
    write_atomically(dataset / MANIFEST, (json.dumps({"layout": 1, "files": seen}, indent=0, sort_keys=True) + "\n").encode("utf-8"))
    _fsync_dir(dataset)


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

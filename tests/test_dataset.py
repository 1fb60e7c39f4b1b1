"""The Parquet dataset made from JSON Lines exports (crawler.export.dataset, `scrapy dataset`).

The exports here are synthetic: articles made by normalize_article, with the
versions and dates each test needs."""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install -e '.[dataset]'")
import pyarrow.dataset as ds  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from crawler.export.dataset import ARROW_SCHEMA, MANIFEST, ROUND_BYTES, update  # noqa: E402
from crawler.schema.article import field_names, normalize_article  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEHRAN = timezone(timedelta(hours=3, minutes=30))


def article(code: str, *, site="etemadonline.com", published="2021-11-24T19:11:37+03:30", crawled="2026-01-01T10:00:00+00:00",
            modified=None, headline=None, **fields) -> dict:  # fmt: skip
    return normalize_article({
        "site": site, "url": f"https://www.{site}/news/{code}", "news_code": code,
        "headline": headline or f"تیتر خبر {code}", "body": f"متن خبر {code}", "published_at": published,
        "modified_at": modified, "crawled_at": crawled, **fields,
    })  # fmt: skip


def export(path: Path, articles: list[dict], extra: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles).encode() + extra
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def read(dataset: Path) -> list[dict]:
    rows = ds.dataset(dataset, format="parquet", partitioning="hive").to_table().to_pylist()
    return sorted(rows, key=lambda r: (r["site"], r["news_code"]))


def test_partitioned_by_site_and_publication_month_with_typed_columns(tmp_path):
    data = tmp_path / "data"
    export(data / "etemadonline" / "run1.jsonl", [
        article("1", images=[{"url": "https://www.etemadonline.com/a.jpg", "caption": "عکس"}], tags=["اقتصاد", "تهران"],
                authors=["نویسنده"], section=["سیاسی"], modified="2021-11-25T08:00:00+03:30"),
        article("2", published="2021-12-01"),  # a date without a time of day
        article("3", published="2020-06-10T12:00:00+04:30"),  # daylight saving
        {**article("4"), "published_at": "چهارشنبه"},  # no date: kept, in month=unknown
    ])  # fmt: skip
    export(data / "isna" / "run1.jsonl.gz", [article("9", site="isna.ir", duplicate_of={"site": "etemadonline.com", "news_code": "1"})])

    report = update(data, tmp_path / "dataset")

    folders = sorted(str(p.parent.relative_to(tmp_path / "dataset")) for p in (tmp_path / "dataset").rglob("*.parquet"))
    assert folders == [
        "site=etemadonline.com/month=2020-06", "site=etemadonline.com/month=2021-11",
        "site=etemadonline.com/month=2021-12", "site=etemadonline.com/month=unknown", "site=isna.ir/month=2021-11",
    ]  # fmt: skip
    assert (report.files, report.articles, report.rows) == (2, 5, 5)
    schema = pq.read_schema(next((tmp_path / "dataset").rglob("*.parquet")))
    assert schema.names == [n for n in field_names() if n != "site"], "the site is in the folder name only"
    assert str(schema.field("published_at").type) == "timestamp[us, tz=Asia/Tehran]"
    assert str(schema.field("crawled_at").type) == "timestamp[us, tz=UTC]"
    assert schema.field("images").type == pa.list_(pa.struct([("url", pa.string()), ("caption", pa.string())]))

    one, two, three, four, nine = read(tmp_path / "dataset")
    assert (one["site"], one["month"]) == ("etemadonline.com", "2021-11")
    assert one["published_at"] == datetime(2021, 11, 24, 19, 11, 37, tzinfo=TEHRAN)
    assert one["modified_at"] == datetime(2021, 11, 25, 8, 0, tzinfo=TEHRAN)
    assert one["crawled_at"] == datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)
    assert one["images"] == [{"url": "https://www.etemadonline.com/a.jpg", "caption": "عکس"}]
    assert (one["tags"], one["authors"], one["section"]) == (["اقتصاد", "تهران"], ["نویسنده"], ["سیاسی"])
    assert one["schema_version"] == 2 and one["duplicate_of"] is None and two["images"] == []
    assert two["published_at"] == datetime(2021, 12, 1, 0, 0, tzinfo=TEHRAN), "a bare date is 00:00 Tehran time"
    assert three["published_at"] == datetime(2020, 6, 10, 12, 0, tzinfo=timezone(timedelta(hours=4, minutes=30)))
    assert (four["month"], four["published_at"], four["headline"]) == ("unknown", None, "تیتر خبر 4")
    assert nine["duplicate_of"] == {"site": "etemadonline.com", "news_code": "1"}


@pytest.mark.parametrize("round_bytes", [ROUND_BYTES, 1], ids=["one round", "a round per file"])
def test_one_row_per_article_the_latest_version(tmp_path, round_bytes):
    data = tmp_path / "data" / "etemadonline"
    export(data / "run1.jsonl", [
        article("1", headline="نسخه نخست"),
        article("2", headline="بی زمان ویرایش", crawled="2026-01-03T00:00:00+00:00"),
        article("3", headline="ویرایش دوم", modified="2021-11-26T10:00:00+03:30", crawled="2026-01-01T00:00:00+00:00"),
    ])  # fmt: skip
    export(data / "run2.jsonl", [
        article("1", headline="نسخه دوم", crawled="2026-01-02T10:00:00+00:00"),  # same (no) update time, crawled later
        article("2", headline="با زمان ویرایش", modified="2021-11-25T00:00:00+03:30", crawled="2026-01-02T00:00:00+00:00"),
        article("3", headline="ویرایش نخست", modified="2021-11-25T10:00:00+03:30", crawled="2026-01-05T00:00:00+00:00"),
        article("3", headline="ویرایش دوم", modified="2021-11-26T10:00:00+03:30", crawled="2026-01-01T00:00:00+00:00"),
    ])  # fmt: skip
    update(tmp_path / "data", tmp_path / "dataset", round_bytes)
    rows = read(tmp_path / "dataset")
    assert [(r["news_code"], r["headline"]) for r in rows] == [
        ("1", "نسخه دوم"),  # crawled_at breaks the tie
        ("2", "با زمان ویرایش"),  # a stated update time beats none, though crawled earlier
        ("3", "ویرایش دوم"),  # the later modified_at, though crawled earlier
    ]

    # An older version read later changes nothing; a newer one replaces the row.
    export(data / "run3.jsonl", [article("1", headline="نسخه کهنه", crawled="2026-01-01T11:00:00+00:00"),
                                 article("3", headline="ویرایش سوم", modified="2021-11-27T10:00:00+03:30")])  # fmt: skip
    report = update(tmp_path / "data", tmp_path / "dataset")
    assert report.articles == 1
    assert [(r["news_code"], r["headline"]) for r in read(tmp_path / "dataset")] == [
        ("1", "نسخه دوم"), ("2", "با زمان ویرایش"), ("3", "ویرایش سوم"),
    ]  # fmt: skip


def test_an_update_that_moves_the_publication_month_leaves_one_row(tmp_path):
    data = tmp_path / "data" / "etemadonline"
    export(data / "run1.jsonl", [article("1", published="2021-11-30T23:50:00+03:30"), article("2")])
    update(tmp_path / "data", tmp_path / "dataset")
    export(data / "run2.jsonl", [article("1", published="2021-12-01T00:10:00+03:30", modified="2021-12-01T09:00:00+03:30")])
    update(tmp_path / "data", tmp_path / "dataset")
    assert [(r["news_code"], r["month"]) for r in read(tmp_path / "dataset")] == [("1", "2021-12"), ("2", "2021-11")]


def test_a_rerun_reads_only_files_it_has_not_read(tmp_path):
    data = tmp_path / "data" / "etemadonline"
    first = export(data / "run1.jsonl", [article("1"), article("2")])
    update(tmp_path / "data", tmp_path / "dataset")
    # The file read before now holds lines that are not articles, with its size
    # and time unchanged: a rerun that read it again would count them.
    stat = first.stat()
    first.write_bytes(b"x" * stat.st_size)
    os.utime(first, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    export(data / "run2.jsonl.gz", [article("3")])

    report = update(tmp_path / "data", tmp_path / "dataset")

    assert (report.files, report.lines, report.bad_lines, report.articles, report.rows) == (1, 1, 0, 1, 3)
    assert sorted(json.loads((tmp_path / "dataset" / MANIFEST).read_text())["files"]) == ["etemadonline/run1.jsonl", "etemadonline/run2.jsonl.gz"]
    # A file continued since it was read (an appending run) is read again.
    with (data / "run2.jsonl.gz").open("ab") as f:
        f.write(gzip.compress((json.dumps(article("4"), ensure_ascii=False) + "\n").encode()))
    report = update(tmp_path / "data", tmp_path / "dataset")
    assert (report.files, report.articles, report.rows) == (1, 1, 4)


def test_part_files_and_bad_lines_are_skipped_and_counted(tmp_path):
    data = tmp_path / "data" / "etemadonline"
    export(data / "run1.jsonl", [article("1")], extra=b'not json\n{"site": "etemadonline.com"}\n{"site": "../x", "news_code": "5", "crawled_at": "2026-01-01T00:00:00+00:00"}\n')
    export(data / "run2.jsonl.part", [article("2")])  # a run still writing, or killed: its spider's next run finishes it
    report = update(tmp_path / "data", tmp_path / "dataset")
    assert [r["news_code"] for r in read(tmp_path / "dataset")] == ["1"]
    assert (report.parts_skipped, report.bad_lines, report.lines) == (1, 3, 4)
    assert "1 unfinished .part files skipped" in report.line() and "3 lines not articles skipped" in report.line()
    assert not list((tmp_path / "dataset").glob("site=..*")), "a site that is not a domain makes no folder"


def test_the_arrow_schema_follows_the_json_schema():
    from crawler.schema.article import schema

    definitions = schema()["$defs"]

    def types(prop: dict) -> set[str]:
        if "$ref" in prop:
            return types(definitions[prop["$ref"].rsplit("/", 1)[1]])
        if "anyOf" in prop:
            return set().union(*map(types, prop["anyOf"]))
        if "const" in prop:
            return {type(prop["const"]).__name__}
        kind = prop.get("type", "string")  # an enum of strings
        return {kind} if isinstance(kind, str) else set(kind)

    arrow = {"string": pa.types.is_string, "array": pa.types.is_list, "int": pa.types.is_integer,
             "object": lambda t: pa.types.is_struct(t) or pa.types.is_map(t)}  # fmt: skip
    for f in ARROW_SCHEMA:
        (kind,) = types(schema()["properties"][f.name]) - {"null"}
        if "_at" in f.name and f.name != "published_at_raw":
            assert pa.types.is_timestamp(f.type) and f.type.tz, f.name
        else:
            assert arrow[kind](f.type), f.name


def test_scrapy_dataset_command_and_its_usage_error(tmp_path):
    export(tmp_path / "data" / "isna" / "run1.jsonl", [article("1", site="isna.ir")])
    run = subprocess.run([sys.executable, "-m", "scrapy", "dataset", str(tmp_path / "data"), str(tmp_path / "ds")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"dataset {tmp_path / 'ds'}: read 1 new export files (1 lines), 1 articles added or updated, 1 partitions written, 1 rows in all"
    wrong = subprocess.run([sys.executable, "-m", "scrapy", "dataset", str(tmp_path / "nothing")],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == f"scrapy dataset: error: no export folder '{tmp_path / 'nothing'}'"


def test_a_second_update_of_a_dataset_is_refused_naming_the_first(tmp_path):
    export(tmp_path / "data" / "isna" / "run1.jsonl", [article("1", site="isna.ir")])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from crawler.ops.lock import hold;"
         f" hold(Path({str(tmp_path / 'ds' / '.lock')!r}), 'x'); print('held', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        run = subprocess.run([sys.executable, "-m", "scrapy", "dataset", str(tmp_path / "data"), str(tmp_path / "ds")],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"scrapy dataset: dataset {tmp_path / 'ds'} is in use by another run: pid {holder.pid}, started ")
    assert not list((tmp_path / "ds").glob("site=*")), "the refused update wrote nothing"
    update(tmp_path / "data", tmp_path / "ds")  # once the first is done
    assert [r["news_code"] for r in read(tmp_path / "ds")] == ["1"]


KILLED_UPDATE = """
import sys
from pathlib import Path
from crawler.export.dataset import update
update(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_rerun_killed_mid_write_leaves_the_previous_dataset_readable(tmp_path):
    data, dataset = tmp_path / "data" / "etemadonline", tmp_path / "dataset"
    months = [f"{year}-{month:02}" for year in range(2001, 2021) for month in range(1, 13)]
    export(data / "run1.jsonl", [article(f"{i}", published=f"{m}-10T10:00:00+03:30") for i, m in enumerate(months)])
    update(tmp_path / "data", dataset)
    before = read(dataset)
    manifest = (dataset / MANIFEST).read_bytes()
    # The rerun updates every article and adds one in every month: 240 partitions to rewrite.
    export(data / "run2.jsonl", [
        a for i, m in enumerate(months) for a in (
            article(f"{i}", published=f"{m}-10T10:00:00+03:30", headline="ویرایش", modified=f"{m}-11T10:00:00+03:30"),
            article(f"n{i}", published=f"{m}-12T10:00:00+03:30"),
        )
    ])  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", KILLED_UPDATE, str(tmp_path / "data"), str(dataset)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        rewritten = [p for p in dataset.rglob("data.parquet") if pq.read_metadata(p).num_rows == 2] if proc.poll() is None else []
        if len(rewritten) >= 3:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "killed while writing partitions"

    middle = read(dataset)  # every partition whole
    assert (dataset / MANIFEST).read_bytes() == manifest, "the manifest is replaced last"
    assert sorted(r["news_code"] for r in middle if not r["news_code"].startswith("n")) == sorted(r["news_code"] for r in before)
    assert 3 <= sum(r["news_code"].startswith("n") for r in middle) < len(months)

    report = update(tmp_path / "data", dataset)  # reads run2 again, as if for the first time
    after = read(dataset)
    assert report.files == 1 and len(after) == 2 * len(months)
    assert all(r["headline"] == "ویرایش" for r in after if not r["news_code"].startswith("n"))
    assert not list(dataset.rglob("*.tmp")), "the killed write's temporary file is gone"

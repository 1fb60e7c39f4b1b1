"""scrapy merge: exports in (files, folders, gzipped), one line per (site,
news_code) out, the latest by modified_at then crawled_at; `.part` files not
read. Lines written by hand for the test (synthetic)."""

import gzip
import json
import subprocess
import sys

from localsite import ROOT


def line(site, code, crawled_at, modified_at=None, headline="") -> str:
    return json.dumps({"site": site, "news_code": code, "headline": headline, "modified_at": modified_at, "crawled_at": crawled_at}) + "\n"


def merge(*args):
    return subprocess.run([sys.executable, "-m", "scrapy", "merge", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_one_line_per_key_the_latest(tmp_path):
    w1, w2 = tmp_path / "w1" / "isna", tmp_path / "w2" / "isna"
    w1.mkdir(parents=True)
    w2.mkdir(parents=True)
    (w1 / "a.jsonl").write_text(
        line("isna.ir", "1", "2024-01-01T00:00:00+00:00", None, "first seen, no update time")
        + line("isna.ir", "1", "2024-01-01T00:00:00+00:00", "2024-01-02T10:00:00+03:30", "updated 06:30 UTC")
        + line("isna.ir", "2", "2024-01-05T09:00:00+00:00", headline="worker 1, earlier")
        + "{not json\n"
    )  # fmt: skip
    (w2 / "b.jsonl.gz").write_bytes(gzip.compress((
        # 07:00 UTC: later than 10:00+03:30 although it sorts first as text
        line("isna.ir", "1", "2024-01-01T00:00:00+00:00", "2024-01-02T07:00:00+00:00", "updated 07:00 UTC")
        + line("isna.ir", "2", "2024-01-05T09:00:01+00:00", headline="worker 2, a second later")
        + line("tasnimnews.com", "1", "2024-01-01T00:00:00+00:00", headline="another site, same code")
    ).encode()))  # fmt: skip
    (w2 / "c.jsonl.part").write_text(line("isna.ir", "3", "2024-01-06T00:00:00+00:00", headline="still being written"))
    result = merge("-o", tmp_path / "all.jsonl", tmp_path / "w1", w2 / "b.jsonl.gz", w2)
    assert result.returncode == 0, result.stderr
    merged = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text("utf-8").splitlines()]
    assert [(a["site"], a["news_code"], a["headline"]) for a in merged] == [
        ("isna.ir", "1", "updated 07:00 UTC"),
        ("isna.ir", "2", "worker 2, a second later"),
        ("tasnimnews.com", "1", "another site, same code"),
    ]
    assert result.stderr.strip() == (
        f"merge: 2 files, 7 lines, 3 articles written to {tmp_path / 'all.jsonl'} (3 repeats dropped, 1 unreadable lines skipped)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl", "w1", "w2"], "no temporary left"


def test_gzipped_output_a_tie_kept_first_and_a_merge_of_a_merge_changes_nothing(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        line("isna.ir", "9", "2024-01-01T00:00:00+00:00", headline="met first")
        + line("isna.ir", "9", "2024-01-01T00:00:00+00:00", headline="same times, met second")
    )  # fmt: skip
    assert merge("-o", tmp_path / "m.jsonl.gz", tmp_path / "a.jsonl").returncode == 0
    once = gzip.decompress((tmp_path / "m.jsonl.gz").read_bytes())
    assert once == line("isna.ir", "9", "2024-01-01T00:00:00+00:00", headline="met first").encode()
    assert merge("-o", tmp_path / "m2.jsonl", tmp_path / "m.jsonl.gz").returncode == 0
    assert (tmp_path / "m2.jsonl").read_bytes() == once


def test_usage_errors(tmp_path):
    for args in (["-o", tmp_path / "x.jsonl", tmp_path / "missing"], [tmp_path], ["-o", tmp_path / "x.jsonl"]):
        result = merge(*args)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
    assert "no such file or folder: " in merge("-o", tmp_path / "x.jsonl", tmp_path / "missing").stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_an_update_time_of_a_date_alone_is_tehrans_midnight(tmp_path):
    """The schema lets modified_at be a date alone: it is 00:00 in Tehran
    (20:30 UTC the day before), compared as an instant with full times."""
    (tmp_path / "a.jsonl").write_text(
        line("isna.ir", "1", "2024-01-03T00:00:00+00:00", "2024-01-02", "updated 2024-01-01T20:30Z")
        + line("isna.ir", "1", "2024-01-03T00:00:00+00:00", "2024-01-01T21:00:00+00:00", "updated 2024-01-01T21:00Z")
        + line("isna.ir", "2", "2024-01-03T00:00:00+00:00", "2024-01-01T20:00:00+00:00", "updated 2024-01-01T20:00Z")
        + line("isna.ir", "2", "2024-01-03T00:00:00+00:00", "2024-01-02", "updated 2024-01-01T20:30Z, later")
        + line("isna.ir", "3", "2024-01-03T00:00:00+00:00", "not a time", "unreadable")
    )  # fmt: skip
    result = merge("-o", tmp_path / "all.jsonl", tmp_path / "a.jsonl")
    assert result.returncode == 0, result.stderr
    merged = [json.loads(x)["headline"] for x in (tmp_path / "all.jsonl").read_text("utf-8").splitlines()]
    assert merged == ["updated 2024-01-01T21:00Z", "updated 2024-01-01T20:30Z, later"]
    assert "1 unreadable lines skipped" in result.stderr

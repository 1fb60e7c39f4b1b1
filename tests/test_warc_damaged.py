"""WARC files that break off (crawler.ops.warc): where a file cut anywhere
stops being whole, a recording whose write fails (a real RLIMIT_FSIZE in the
crawling process) or that is SIGKILLed, the next run that continues its
`.part`, and replays of a file damaged in the middle or at its end."""

import resource
import signal
import subprocess
import sys
import time
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.ops.warc import WarcDamaged, whole_end, whole_records
from localsite import FAST, ROOT
from test_incremental import ARTICLES
from test_unattended_export import base  # noqa: F401 - base: the local site of sixty articles, a fixture
from test_warc import export, recorded, records, target  # noqa: F401 - recorded: the recorded crawl, a fixture

CODES = [str(c) for c in range(700001, 700001 + ARTICLES)]


def written_alone(gz: bool, count: int) -> list[bytes]:
    """`count` response records, each written on its own: where each ends is known without reading them."""
    written = []
    for i in range(count):
        buffer = BytesIO()
        writer = WARCWriter(buffer, gzip=gz)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://x.ir/{i}", "response", payload=BytesIO(b"<p>%d</p>" % i * 30), http_headers=http))
        written.append(buffer.getvalue())
    return written


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_a_file_cut_anywhere_is_whole_up_to_its_last_whole_record(tmp_path, gz):
    """warcio reads a record cut short at the end of the file as a whole one,
    or stops quietly before it: the end is found by checking each record."""
    written = written_alone(gz, 3)
    data = b"".join(written)
    ends = [len(b"".join(written[: i + 1])) for i in range(3)]
    path = tmp_path / "cut.warc"
    for cut in range(len(data) + 1):
        path.write_bytes(data[:cut])
        last = max(e for e in [0, *ends] if e <= cut)
        with path.open("rb") as file:
            assert whole_end(file) == last, f"cut at {cut}"
        with path.open("rb") as file:
            if cut == last:
                assert [end for _, _, end in whole_records(file)] == ends[: ends.index(last) + 1 if last else 0]
            else:
                with pytest.raises(WarcDamaged) as damaged:
                    list(whole_records(file))
                assert damaged.value.offset == last, f"cut at {cut}"
    # Damage in the middle: the file is whole up to it, and unreadable from there on.
    path.write_bytes(written[0] + written[1][: len(written[1]) // 2] + written[2])
    with path.open("rb") as file:
        with pytest.raises(WarcDamaged) as damaged:
            list(whole_records(file))
    assert damaged.value.offset == ends[0]


# -- recording: real crawls of the local site of sixty articles ------------------------


def crawl(base: str, warc: Path, *extra: str) -> list[str]:
    """`scrapy crawl` recording into `warc`, its articles written to stdout (no file the size limit applies to)."""
    return [
        sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, "-a", f"base_url={base}",
        "-s", f"RECORD_WARC={warc}", "-o", "-:jsonlines", *extra,
    ]  # fmt: skip


def codes(stdout: str) -> list[str]:
    return sorted(line.split('"news_code": "')[1].split('"')[0] for line in stdout.splitlines())


def record_offsets(path: Path) -> list[int]:
    """Where each record starts, as warcio reads the file."""
    with path.open("rb") as file:
        records = ArchiveIterator(file)
        return [records.get_record_offset() for _ in records]


def replayed(base: str, warcs: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, "-a", f"base_url={base}",
         "-s", f"REPLAY_WARC={warcs}", "-o", "-:jsonlines"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def test_a_failed_write_stops_the_recording_and_the_next_run_cuts_it_back(tmp_path, base):
    warc = tmp_path / "etemadonline.warc.gz"  # no %(time)s: the next run continues the file
    part = tmp_path / "etemadonline.warc.gz.part"
    limit = 60_000  # a fifth of the recording: a full disk

    first = subprocess.run(
        crawl(base, warc), cwd=ROOT, capture_output=True, text=True, timeout=180,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
    )  # fmt: skip
    assert first.returncode == 1, first.stderr[-3000:]
    errors = [line for line in first.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and f"Writing WARC {part} failed (File too large)" in errors[0], errors
    assert "'warc/write_failed': 1" in first.stderr and "finish warc_failed" in first.stderr
    assert "Traceback" not in first.stderr
    assert not warc.exists(), "never its final name while it ends in a broken record"
    data = part.read_bytes()
    with part.open("rb") as file:
        end = whole_end(file)
    assert 0 < end < len(data)
    tail = zlib.decompressobj(16 + zlib.MAX_WBITS)
    tail.decompress(data[end:])
    assert not tail.eof and not tail.unused_data, "after the whole records, one record begun and nothing more"

    second = subprocess.run(crawl(base, warc), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"Continuing WARC {part}, which a run that did not finish left: cut {len(data) - end} bytes" in second.stderr
    assert f"'warc/part_cut_bytes': {len(data) - end}" in second.stderr
    assert warc.read_bytes()[:end] == data[:end] and not part.exists()
    found = records(warc)  # warcio reads it to the end: no broken record in the middle
    assert sum(t == "response" and "خبر" in p for t, p, _ in found) >= ARTICLES

    replay = replayed(base, str(warc))
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert codes(replay.stdout) == CODES


def test_a_killed_recording_is_cut_back_to_its_last_whole_record_by_the_next_run(tmp_path, base):
    warc = tmp_path / "etemadonline.warc.gz"
    part = tmp_path / "etemadonline.warc.gz.part"
    slow = ["-s", "DOWNLOAD_DELAY=0.03", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0"]
    proc = subprocess.Popen(crawl(base, warc, *slow), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (not part.exists() or part.stat().st_size < 40_000) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "killed mid-run"
    assert not warc.exists()
    # A kill between writes leaves whole records; a crash of the machine may
    # leave a record cut short: the last 100 bytes go.
    starts = record_offsets(part)
    size = part.stat().st_size - 100
    with part.open("r+b") as file:
        file.truncate(size)
    expected_end = max(s for s in starts if s <= size)  # the start of the record the cut fell in

    second = subprocess.run(crawl(base, warc), cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"cut {size - expected_end} bytes after its last whole record" in second.stderr
    assert record_offsets(warc)[: len([s for s in starts if s < expected_end])] == [s for s in starts if s < expected_end]
    assert sum(t == "response" and "خبر" in p for t, p, _ in records(warc)) >= ARTICLES


# -- replay of a damaged file: the recorded crawl of test_warc -------------------------


def article_responses(warc: Path, exported: list[dict]) -> list[tuple[int, int, dict]]:
    """(offset, length, article) of the response records of the exported articles, in file order."""
    by_url = {a["url"]: a for a in exported}
    found = []
    with warc.open("rb") as file:
        records = ArchiveIterator(file)
        for record in records:
            if record.rec_type == "response" and target(record) in by_url:
                found.append((records.get_record_offset(), records.get_record_length(), by_url[target(record)]))
    return found


def replay_damaged(recorded, tmp_path, data: bytes) -> tuple[list[dict], list[str]]:
    """Replay an archive of these bytes: the articles exported, the ERROR lines."""
    base = recorded[3]
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(data)
    result = replayed(base, str(damaged))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "crawl: etemadonline FAILED" in result.stderr and "finish finished" in result.stderr
    assert "'warc/replay_unreadable': 1" in result.stderr
    (tmp_path / "replayed.jsonl").write_text(result.stdout, "utf-8")
    errors = [line for line in result.stderr.splitlines() if " ERROR: " in line]
    return export(tmp_path / "replayed.jsonl"), errors


def test_replay_of_a_file_broken_in_the_middle_replays_the_records_before_it(recorded, tmp_path):
    warc, recorded_export, _, _, _ = recorded
    good = warc.read_bytes()
    exported = export(recorded_export)
    offset, length, last = article_responses(warc, exported)[-1]
    # The last article's response cut in half, the records after it whole (as an
    # earlier version's recorder continued a .part): readable up to that record.
    replayed_articles, errors = replay_damaged(recorded, tmp_path, good[:offset] + good[offset : offset + length // 2] + good[offset + length :])
    before = [a for o, _, a in article_responses(warc, exported) if o < offset]
    assert replayed_articles == sorted(before, key=lambda a: a["news_code"]) and last not in replayed_articles
    assert len(errors) == 1 and f"unreadable from byte {offset} on" in errors[0], errors


def test_replay_of_a_file_cut_short_ignores_its_last_record(recorded, tmp_path):
    warc, recorded_export, _, _, _ = recorded
    good = warc.read_bytes()
    offset, length, _ = article_responses(warc, export(recorded_export))[0]
    # A later recording of an article, cut in half: taken for whole, it would
    # be the one replayed (the latest), its body cut.
    with warc.open("rb") as file:
        file.seek(offset)
        record = next(ArchiveIterator(file))
        record.rec_headers.replace_header("WARC-Date", "2099-01-01T00:00:00Z")
        buffer = BytesIO()
        WARCWriter(buffer, gzip=True).write_record(record)
    later = buffer.getvalue()
    replayed_articles, errors = replay_damaged(recorded, tmp_path, good + later[: len(later) // 2])
    assert replayed_articles == export(recorded_export)
    assert len(errors) == 1 and f"unreadable from byte {len(good)} on" in errors[0], errors

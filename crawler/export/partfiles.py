"""Export files as they sit on disk: written as `<name>.part`, and given
their final name only whole (finish), a half-written last line cut first;
what a killed run's `.part` holds (recover); any file replaced whole or not
at all (write_atomically). Plain files, no Scrapy: the feed storage
(crawler.export.feeds) writes them, the export ledger (crawler.export.ledger) recovers them.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"


def is_finished_export(path: Path) -> bool:
    """Whether a file is a finished export by its name: JSON Lines, `x.jsonl`,
    or gzipped by `finish`, `x.jsonl.gz`; not `x.jsonl.part` (being written, or
    left by a killed run), nor `finish`'s `x.jsonl.gz.tmp`."""
    return path.name.endswith((".jsonl", ".jsonl.gz"))


def part_path_of(final_path: Path) -> Path:
    return final_path.with_name(final_path.name + PART_SUFFIX)


def final_path_of(part_path: Path) -> Path:
    return part_path.with_name(part_path.name.removesuffix(PART_SUFFIX))


def finish(part_path: Path, final_path: Path, append: bool = False) -> None:
    """Give a written export its final name, compressing it if the name asks,
    and never with a half-written last line. On an error (a full disk) the
    `.part` stays as it was. With `append`, a finished `.gz` keeps its bytes
    and gets the part's lines as one more gzip member after them (readers take
    members in a row as one stream): nothing is unpacked, an empty part leaves
    it untouched, and a member already at its end is not added twice (a run
    killed between the rename and the part's removal)."""
    cut = cut_partial_line(part_path)
    if cut:
        logger.warning("Cut %d bytes of a half-written last line from %s", cut, part_path)
    if final_path.suffix != ".gz":
        os.replace(part_path, final_path)
        logger.info("Export complete: %s", final_path)
        return
    kept = final_path.stat().st_size if append and final_path.exists() else 0
    if kept and not part_path.stat().st_size:
        part_path.unlink()
        return
    tmp = final_path.with_name(final_path.name + ".tmp")
    try:
        with tmp.open("wb") as out:
            if kept:
                with final_path.open("rb") as old:
                    shutil.copyfileobj(old, out)
            # No name or time in the header: the same lines give the same member (`_ends_with`).
            with part_path.open("rb") as src, gzip.GzipFile("", "wb", fileobj=out, mtime=0) as dst:
                shutil.copyfileobj(src, dst)
            os.fsync(out.fileno())
        given = kept and _ends_with(final_path, tmp, tmp.stat().st_size - kept)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if given:
        tmp.unlink()
    else:
        os.replace(tmp, final_path)
    part_path.unlink()
    logger.info("Export complete: %s", final_path)


def _ends_with(path: Path, other: Path, size: int) -> bool:
    """Whether the last `size` bytes of the two files are the same."""
    with path.open("rb") as a, other.open("rb") as b:
        if a.seek(0, os.SEEK_END) < size:
            return False
        a.seek(-size, os.SEEK_END)
        b.seek(-size, os.SEEK_END)
        return a.read() == b.read()


def cut_partial_line(path: Path) -> int:
    """Cut a half-written last line off `path`; how many bytes were cut."""
    with path.open("rb+") as f:
        size = end = f.seek(0, os.SEEK_END)
        while end:
            f.seek(max(0, end - 65536))
            chunk = f.read(end - f.tell())
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                end -= len(chunk) - newline - 1
                break
            end -= len(chunk)
        if end < size:
            f.truncate(end)
            os.fsync(f.fileno())
        return size - end


def write_atomically(path: Path, data: bytes) -> None:
    """`path` holds `data` whole, or stays as it was (a temporary file,
    fsynced, renamed over it)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def recover(part_path: Path, repeated=lambda article: False) -> tuple[list[dict], int, int]:
    """The articles whole in a `.part` file a killed run left, how many bytes
    of a half-written last line were cut off to leave it whole, and how many
    lines were taken out because `repeated` says another export holds them."""
    data = part_path.read_bytes()
    end = data.rfind(b"\n") + 1
    articles, kept = [], []
    for line in data[:end].splitlines(keepends=True):
        try:
            article = json.loads(line)
        except ValueError:  # cannot happen with whole lines; never let one stop the run
            logger.warning("Unreadable line in %s skipped", part_path)
            kept.append(line)
            continue
        if not repeated(article):
            articles.append(article)
            kept.append(line)
    removed = end - sum(map(len, kept))
    if removed:  # rewritten whole and swapped in, so a kill now leaves the old file
        write_atomically(part_path, b"".join(kept))
    elif end < len(data):
        cut_partial_line(part_path)
    return articles, len(data) - end, len(data[:end].splitlines()) - len(kept)

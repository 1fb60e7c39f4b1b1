"""scrapy merge -o OUT PATH...: many exports in, one line per article out.

Every exported line carries its key, (site, news_code). The union of a
distributed crawl's files may hold an article twice (docs/distributed.md),
and with CRAWLER_UPDATES=export a site's files hold each update
of an article; merging keeps one line per key, the latest: the greatest
`modified_at`, then the greatest `crawled_at`. Inputs are JSON Lines files
(`.jsonl`, `.jsonl.gz`) and folders searched for them; `.part` files, which a
run is writing or a killed run left, are not read. The output is written
whole or not at all (crawler.export.partfiles.write_atomically), sorted by key.
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.export.partfiles import is_finished_export, write_atomically
from crawler.persian.dates import instant

EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "-o OUTPUT PATH [PATH ...]"

    def short_desc(self) -> str:
        return "Merge JSON Lines exports into one file with one line per (site, news_code), the latest"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", required=True, help="the merged file (.jsonl, or .jsonl.gz to compress)")

    def run(self, args: list[str], opts) -> None:
        if not args:
            raise UsageError("give the export files or folders to merge")
        missing = [a for a in args if not Path(a).exists()]
        if missing:
            raise UsageError(f"no such file or folder: {missing[0]}")
        output = Path(opts.output)
        files = export_files([Path(a) for a in args])
        latest, read, unreadable = merge(files)
        data = b"".join(line for _, (_, line) in sorted(latest.items()))
        write_atomically(output, gzip.compress(data) if output.suffix == ".gz" else data)
        print(
            f"merge: {len(files)} files, {read} lines, {len(latest)} articles written to {output}"
            f" ({read - len(latest) - unreadable} repeats dropped, {unreadable} unreadable lines skipped)",
            file=sys.stderr,
        )


def export_files(paths: list[Path]) -> list[Path]:
    """The finished exports among `paths`, folders searched (not `.part` ones)."""
    found = []
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found += [p for p in candidates if is_finished_export(p)]
    return list(dict.fromkeys(found))


def merge(files: list[Path]) -> tuple[dict, int, int]:
    """(site, news_code) -> (order, line) of the latest line; lines read; unreadable lines."""
    latest: dict[tuple[str, str], tuple[tuple, bytes]] = {}
    read = unreadable = 0
    for path in files:
        try:
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        except (OSError, EOFError) as e:
            print(f"merge: {path} skipped, unreadable: {e}", file=sys.stderr)
            continue
        for line in data.splitlines(keepends=True):
            read += 1
            try:
                article = json.loads(line)
                key = (article["site"], article["news_code"])
                if not all(isinstance(k, str) and k for k in key):
                    raise TypeError("no key")
                modified = article.get("modified_at")
                order = (instant(modified) if modified else EARLIEST, instant(article["crawled_at"]))
                if None in order:
                    raise ValueError("not a time")
            except (ValueError, KeyError, TypeError):
                unreadable += 1
                continue
            if key not in latest or order > latest[key][0]:  # the first met wins a tie
                latest[key] = (order, line if line.endswith(b"\n") else line + b"\n")
    return latest, read, unreadable



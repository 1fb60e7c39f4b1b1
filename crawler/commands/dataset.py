"""scrapy dataset [EXPORTS] [DATASET]: merge the JSON Lines exports under
EXPORTS (default `data`) into the deduplicated Parquet dataset DATASET
(default `dataset`), reading only the files it has not read before
(crawler.export.dataset). Needs pyarrow: pip install '.[dataset]'."""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.commands import usage_error
from crawler.ops.lock import LockHeld


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[EXPORTS] [DATASET]"

    def short_desc(self) -> str:
        return "Merge the JSON Lines exports into one deduplicated Parquet dataset (site=/month= partitions)"

    def long_desc(self) -> str:
        return (
            "Reads the finished exports (*.jsonl, *.jsonl.gz) under EXPORTS (default data) that it has not read "
            "before and merges their articles into the Parquet dataset DATASET (default dataset): one row per "
            "site and news code, the latest version, in site=<site>/month=<YYYY-MM>/ folders."
        )

    def run(self, args: list[str], opts) -> None:
        if len(args) > 2:
            usage_error("dataset", "give at most EXPORTS and DATASET")
        exports = Path(args[0] if args else "data")
        dataset = Path(args[1] if len(args) > 1 else "dataset")
        if not exports.is_dir():
            usage_error("dataset", f"no export folder {str(exports)!r}")
        try:
            from crawler.export import dataset as merge
        except ImportError as e:
            usage_error("dataset", f"{e.name} is not installed: pip install '.[dataset]'")
        try:
            report = merge.update(exports, dataset)
        except LockHeld as e:
            print(f"scrapy dataset: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        print(f"dataset {dataset}: {report.line()}")
        if report.bad_files:
            self.exitcode = 1

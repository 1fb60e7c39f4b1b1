"""scrapy status [FOLDER]: every site's health across runs, from the run
manifests under the output folder (crawler.ops.report): last run and verdict,
articles exported per day as a sparkline, field coverage against its median,
alarms, and sites that failed their last runs; `--html FILE` writes the same
as one self-contained page of charts. Exits 1 when a site failed its last
`--failed-runs` runs, so a cron job can mail it."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.commands import usage_error
from crawler.export.partfiles import write_atomically
from crawler.ops import report


def output_root(template: str) -> Path:
    """The folder above the first %(...)s of CRAWLER_OUTPUT (data/%(name)s/... -> data)."""
    prefix = template.split("%(")[0]
    return Path(prefix) if prefix.endswith("/") else Path(prefix).parent


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--days N] [--failed-runs K] [--html FILE] [FOLDER]"

    def short_desc(self) -> str:
        return "Show every site's health across runs, from the run manifests"

    def long_desc(self) -> str:
        return (
            "Reads the run manifests under FOLDER (default: CRAWLER_OUTPUT's, e.g. data/) and prints per site the last "
            "run's time and verdict, articles exported per day as a sparkline, field coverage that moved from its "
            "median, and the alarms. --html FILE writes the same as one self-contained HTML page with charts. "
            "Exits 1 when a site failed its last K runs."
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--days", default="14", metavar="N", help="days of history to chart (default 14)")
        parser.add_argument(
            "--failed-runs", default="3", metavar="K", help="flag a site that failed this many runs in a row (default 3)"
        )
        parser.add_argument("--html", metavar="FILE", help="also write the report as a self-contained HTML page")

    def run(self, args: list[str], opts) -> None:
        days, failed_runs = (positive(name, value) for name, value in (("--days", opts.days), ("--failed-runs", opts.failed_runs)))
        if len(args) > 1:
            usage_error("status", "give one folder")
        folder = Path(args[0]) if args else output_root(self.settings["CRAWLER_OUTPUT"])
        if not folder.is_dir():
            usage_error("status", f"{folder}: not a folder")
        runs, problems = report.read_runs(folder)
        for problem in problems:
            print(f"status: {problem}", file=sys.stderr)
        if not runs:
            print(f"status: no run manifests under {folder}", file=sys.stderr)
            self.exitcode = 1
            return
        now = datetime.now(timezone.utc)
        sites = report.health(runs, days, now.date())
        print(report.text(sites, days, failed_runs), end="")
        if opts.html:
            try:
                write_atomically(Path(opts.html), report.html_page(sites, days, failed_runs, now).encode("utf-8"))
            except OSError as e:
                print(f"status: cannot write {opts.html}: {e.strerror or e}", file=sys.stderr)
                self.exitcode = 1
                return
            print(f"status: wrote {opts.html}", file=sys.stderr)
        if any(site.failing >= failed_runs for site in sites):
            self.exitcode = 1


def positive(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        usage_error("status", f"{name} {value}: give a whole number of 1 or more")
    return int(value)

"""scrapy crawl, with an exit status that tells how the run went.

Scrapy's own `crawl` exits 0 whenever the spider could start. This one, the
project's (COMMANDS_MODULE commands replace Scrapy's of the same name), runs
the same and then judges the run as `scrapy crawlall` does
(crawler.commands.crawlall.outcome), ending with its summary line on stderr
and, for a failed run, the main cause (`cause`): it exits 1 when the run did
not end normally, logged errors or raised layout alarms (crawler.ops.monitor).
Cron, systemd and scrapyd see a broken site.
A run refused before it starts (another run holds the crawl state, or the
state file is broken: crawler.export.state) says why in one line and exits 1.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_spider_arguments
from crawler.commands.crawlall import outcome, start, write_result
from crawler.ops.faults import FAULT_KINDS, NORMAL_ENDS, SITE_BLOCKED_STAT, UNREACHABLE_STAT
from crawler.ops.monitor import ALARMS_STAT, run_report


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return "Run a spider. `scrapy sites --args` lists the -a arguments each spider takes."

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        if len(args) == 1:
            check_spider_arguments("crawl", self.settings, args, opts.spargs)

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give one spider; `scrapy crawlall` runs many", print_help=not args)
        crawler = self._create_crawler(args[0])
        refused = start(self.crawler_process, [crawler], opts.spargs)
        stats = crawler.stats.get_stats() if crawler.stats else {}
        write_result(stats, refused.get(crawler))
        if refused:  # a busy or broken state: its one line says it all
            print(f"crawl: {args[0]}: {refused[crawler]}", file=sys.stderr)
            self.exitcode = 1
            return
        failed, summary = outcome(stats)
        # The alarms' words are in no stat: the monitor's report says them again.
        alarms = run_report(crawler)["alarms"] if stats.get(ALARMS_STAT) and crawler.spider else []
        why = f"  cause: {cause(stats, [a['message'] for a in alarms])}" if failed else ""
        print(f"crawl: {args[0]} {summary}{why}", file=sys.stderr)
        if failed:
            self.exitcode = 1


def cause(stats: dict, alarms: list[str]) -> str:
    """The main cause of a failed run, in words: what stopped or spoiled it
    first, from the stats (`outcome`'s) and the layout alarms' messages."""
    reason = stats.get("finish_reason", "not started")
    if stats.get(UNREACHABLE_STAT):
        return f"cannot reach {stats[UNREACHABLE_STAT]}"
    if stats.get(SITE_BLOCKED_STAT):
        kinds = ", ".join(f"{k.removeprefix('pages/blocked/')} {n}" for k, n in sorted(stats.items()) if k.startswith("pages/blocked/"))
        return f"the site blocks the crawler (anti-bot pages: {kinds})"
    if reason not in NORMAL_ENDS:
        return f"finish reason {reason}"
    if stats.get("export/manifest_failed"):
        return "the run's manifest could not be written (see the log)"
    if alarms:
        return alarms[0] + (f" (and {len(alarms) - 1} more alarms)" if len(alarms) > 1 else "")
    faults = {kind: stats[f"faults/{kind}"] for kind in FAULT_KINDS if stats.get(f"faults/{kind}")}
    worst = max(faults, key=faults.get, default=None)
    errors = stats.get("log_count/ERROR", 0)
    return f"{errors} error{'' if errors == 1 else 's'} logged" + (f", most faults {worst.replace('_', ' ')} ({faults[worst]})" if worst else "")

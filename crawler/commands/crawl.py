"""scrapy crawl, with an exit status that tells how the run went.

Scrapy's own `crawl` exits 0 whenever the spider could start. This one, the
project's (COMMANDS_MODULE commands replace Scrapy's of the same name), runs
the same and then judges the run as `scrapy crawlall` does
(crawler.commands.crawlall.outcome, by crawler.ops.verdict: the verdict the
run's manifest records), ending with its summary line on stderr and, for a
failed run, the main cause: it exits 1 when the run could not reach its
site, was blocked, did not end normally, could not write its export or
manifest, raised layout alarms (crawler.ops.monitor) or logged errors.
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
        # The alarms' words are in no stat: the monitor's report says them again.
        alarms = run_report(crawler)["alarms"] if stats.get(ALARMS_STAT) and crawler.spider else []
        verdict, summary = outcome(stats, [a["message"] for a in alarms])
        why = f"  cause: {verdict.cause}" if verdict.failed else ""
        print(f"crawl: {args[0]} {summary}{why}", file=sys.stderr)
        if verdict.failed:
            self.exitcode = 1

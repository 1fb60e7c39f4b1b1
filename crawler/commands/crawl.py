"""scrapy crawl, with an exit status that tells how the run went.

Scrapy's own `crawl` exits 0 whenever the spider could start. This one, the
project's (COMMANDS_MODULE commands replace Scrapy's of the same name), runs
the same and then judges the run as `scrapy crawlall` does
(crawler.commands.crawlall.outcome): it exits 1, with the summary line on
stderr, when the run did not end normally, logged errors or raised layout
alarms (crawler.monitor). Cron, systemd and scrapyd see a broken site.
A run refused before it starts (another run holds the crawl state, or the
state file is broken: crawler.state) says why in one line and exits 1.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_spider_arguments
from crawler.commands.crawlall import outcome, start
from crawler.faults import UNREACHABLE_STAT


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
        if refused:  # a busy or broken state: its one line says it all
            print(f"crawl: {args[0]}: {refused[crawler]}", file=sys.stderr)
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        failed, summary = outcome(stats)
        if failed:
            print(f"crawl: {args[0]} {summary}", file=sys.stderr)
            self.exitcode = 1
        if stats.get(UNREACHABLE_STAT):
            print(f"crawl: {args[0]}: cannot reach {stats[UNREACHABLE_STAT]}", file=sys.stderr)

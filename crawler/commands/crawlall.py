"""scrapy crawlall [SPIDER | family:NAME ...]: many sites in one process.

Without arguments every site spider runs; names and `family:<name>` choose.
Each site writes its own export (CRAWLER_OUTPUT, one folder per spider), and
`-a` arguments (a date window, say) go to every spider. At the end a summary
line per site; the exit status is 1 when any site failed: it did not finish
normally, or logged errors, or raised layout alarms (crawler.monitor), or was
never started.
"""

from __future__ import annotations

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_spider_arguments
from crawler.faults import SITE_BLOCKED_STAT, fault_counts
from crawler.monitor import ALARMS_STAT
from crawler.sites import all_sites


def choose_sites(args: list[str]) -> list[str]:
    sites = all_sites()
    if not args:
        return [s.name for s in sites]
    chosen: list[str] = []
    for arg in args:
        if arg.startswith("family:"):
            family = arg.removeprefix("family:")
            names = [s.name for s in sites if s.family.name == family]
            if not names:
                raise UsageError(f"no family {family!r}; known: {', '.join(sorted({s.family.name for s in sites}))}")
        elif arg in {s.name for s in sites}:
            names = [arg]
        else:
            raise UsageError(f"no site spider {arg!r}; `scrapy list` names them")
        chosen.extend(n for n in names if n not in chosen)
    return chosen


# Normal ends: the spider ran out of pages, or reached a limit the run set (CLOSESPIDER_*).
NORMAL_ENDS = ("finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout")


def outcome(stats: dict) -> tuple[bool, str]:
    """Whether a run failed, and its summary line; `scrapy crawl` judges by it too."""
    reason = stats.get("finish_reason", "not started")
    errors = stats.get("log_count/ERROR", 0)
    # Alarms and a blocked site are logged as the spider closes, when Scrapy
    # has stopped counting log lines.
    alarms = stats.get(ALARMS_STAT, 0)
    failed = reason not in NORMAL_ENDS or errors > 0 or alarms > 0 or bool(stats.get(SITE_BLOCKED_STAT))
    summary = (
        f"{'FAILED' if failed else 'ok':6} exported {stats.get('articles/exported', 0):5}"
        f"  dropped {stats.get('articles/dropped/invalid', 0):4}  errors {errors:3}  alarms {alarms:2}"
        f"  blocked {fault_counts(stats)['blocked']:4}  pages {stats.get('response_received_count', 0):5}  finish {reason}"
    )
    return failed, summary


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] [SPIDER | family:NAME ...]"

    def short_desc(self) -> str:
        return "Run many site spiders in one process, each with its own export, and summarize"

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        check_spider_arguments("crawlall", self.settings, choose_sites(args), opts.spargs)

    def run(self, args: list[str], opts) -> None:
        names = choose_sites(args)
        crawlers = {}
        for name in names:
            crawler = self._create_crawler(name)
            crawlers[name] = crawler
            self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        failed = []
        print(f"\ncrawlall: {len(names)} sites")
        for name, crawler in crawlers.items():
            stats = crawler.stats.get_stats() if crawler.stats else {}
            site_failed, summary = outcome(stats)
            print(f"  {name:20} {summary}")
            if site_failed:
                failed.append(name)
        if failed or self.crawler_process.bootstrap_failed:
            print(f"crawlall: failed: {', '.join(failed) or 'bootstrap'}")
            self.exitcode = 1

"""scrapy crawlall [SPIDER | family:NAME ...]: many sites in one process.

Without arguments every site spider runs; names and `family:<name>` choose.
Each site writes its own export (CRAWLER_OUTPUT, one folder per spider), and
`-a` arguments (a date window, say) go to every spider. At the end a summary
line per site, judged on that site's own stats and log lines
(crawler.logcount); the exit status is 1 when any site failed: it did not
finish normally, or logged errors, or raised layout alarms (crawler.monitor),
or was never started, or when errors were logged that no site can be blamed
for.

`-o`/`-O` (and FEEDS, CRAWLER_OUTPUT) must give each site its own folder,
with `%(name)s` in the folder's path: one file written by several sites at
once would interleave their lines, and its folder's `.part` recovery,
manifests and lock would be shared too. Otherwise a usage error.
"""

from __future__ import annotations

import logging
import sys

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler import logcount
from crawler.commands import check_spider_arguments
from crawler.faults import SITE_BLOCKED_STAT, fault_counts
from crawler.lock import LockHeld
from crawler.monitor import ALARMS_STAT
from crawler.sites import all_sites
from crawler.state import StateError

logger = logging.getLogger(__name__)

# A run refused before it started: another run holds its state, or the state
# file is broken. Its one-line message is all there is to say.
REFUSALS = (LockHeld, StateError)


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
    # A manifest that could not be written is an export the next run cannot account for.
    failed = (
        reason not in NORMAL_ENDS or errors > 0 or alarms > 0 or bool(stats.get(SITE_BLOCKED_STAT))
        or bool(stats.get("export/manifest_failed"))
    )  # fmt: skip
    summary = (
        f"{'FAILED' if failed else 'ok':6} exported {stats.get('articles/exported', 0):5}"
        f"  dropped {stats.get('articles/dropped/invalid', 0):4}  errors {errors:3}  alarms {alarms:2}"
        f"  blocked {fault_counts(stats)['blocked']:4}  pages {stats.get('response_received_count', 0):5}  finish {reason}"
    )
    return failed, summary


def shared_outputs(settings) -> list[str]:
    """The run's outputs that would be one file (or folder) for several sites:
    those whose folder does not vary with %(name)s. Standard output takes whole
    lines from each site, so it may be shared."""
    uris = settings.getdict("FEEDS") or [settings["CRAWLER_OUTPUT"]]
    return [uri for uri in uris if uri not in ("-", "stdout:") and "%(name)s" not in uri.rpartition("/")[0]]


def start(process, crawlers: list, spargs: dict) -> dict:
    """Runs the crawlers to their end. Returns the refusal message of each one
    refused before it started (REFUSALS); any other exception that stopped a
    start is logged with its traceback, as asyncio would have."""
    refused = {}

    def done(task, crawler):
        error = None if task.cancelled() else task.exception()
        if isinstance(error, REFUSALS):
            refused[crawler] = str(error)
        elif error is not None:
            logger.error("%s could not start", crawler.spidercls.name, exc_info=error)

    for crawler in crawlers:
        process.crawl(crawler, **spargs).add_done_callback(lambda task, crawler=crawler: done(task, crawler))
    process.start()
    return refused


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
        shared = shared_outputs(self.settings) if len(names) > 1 else []
        if shared:
            raise UsageError(
                f"{shared[0]} would be one output for {len(names)} sites; give each its own folder"
                " with %(name)s, e.g. -O 'out/%(name)s/%(time)s.jsonl'",
                print_help=False,
            )
        crawlers = {name: self._create_crawler(name) for name in names}
        refused = start(self.crawler_process, list(crawlers.values()), opts.spargs)
        for message in dict.fromkeys(refused.values()):
            print(f"crawlall: {message}", file=sys.stderr)
        failed = []
        print(f"\ncrawlall: {len(names)} sites")
        for name, crawler in crawlers.items():
            stats = crawler.stats.get_stats() if crawler.stats else {}
            site_failed, summary = outcome(stats)
            print(f"  {name:20} {'REFUSED' if crawler in refused else summary}")
            if site_failed:
                failed.append(name)
        stray = logcount.unattributed["ERROR"]
        if stray:
            print(f"crawlall: {stray} errors logged that name no site (see the log)")
        if failed or stray or self.crawler_process.bootstrap_failed:
            print(f"crawlall: failed: {', '.join(failed) or 'errors that name no site'}")
            self.exitcode = 1

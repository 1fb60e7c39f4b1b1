"""scrapy canary [SPIDER | family:NAME ...]: does each site still give its newest article?

For every site spider (or those named, as for crawlall) fetch the site's
newest article, from its feeds or else its sitemaps (crawler.spiders.canary),
extract it as a crawl would, and print a table site × field, then a count.
The exit status is 1 when any site failed: what an operator with internet
runs each morning to see which sites broke.

Checked for every site: the fields the export requires that a page gives
(crawler.schema.article.REQUIRED without site and url), each `ok` when present and
valid (crawler.schema.article.field_errors), else `FAIL`. Also shown: the
fields the site's coverage thresholds name (crawler.ops.monitor.thresholds); one
expected on every article (threshold 1) fails the site when missing, one
expected on fewer is `miss`, which does not (one article may lack it).
`-a` and `-s` work as for crawl: `-s REPLAY_WARC=...` checks recorded pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.commands import BaseRunSpiderCommand

from crawler.commands import check_spider_arguments
from crawler.commands.crawlall import choose_sites
from crawler.ops.monitor import FIELDS, thresholds
from crawler.schema.article import REQUIRED, field_errors
from crawler.spiders.canary import Checked, canary_of

CHECKED = tuple(f for f in REQUIRED if f not in ("site", "url"))  # the crawler sets those


@dataclass
class Verdict:
    site: str
    cells: dict[str, str]  # field -> ok, FAIL or miss
    failures: list[str]  # why the site failed; empty when it passed
    checked: Checked


def judge(site: str, checked: Checked, expected: dict[str, float]) -> Verdict:
    """`expected`: the site's coverage thresholds, the fields it should give and how often."""
    if checked.article is None:
        return Verdict(site, {f: "FAIL" for f in CHECKED}, [checked.problem], checked)
    errors = field_errors(checked.article)
    cells = {}
    for field in dict.fromkeys((*CHECKED, *expected)):
        if checked.article.get(field) and field not in errors:
            cells[field] = "ok"
        else:
            cells[field] = "FAIL" if field in CHECKED or expected[field] >= 1 else "miss"
    # Required fields fail through field_errors; a field expected on every article, here.
    missing = [f"missing {f}" for f, cell in cells.items() if cell == "FAIL" and f not in CHECKED and not checked.article.get(f)]
    return Verdict(site, cells, [*errors.values(), *missing], checked)


def table(verdicts: list[Verdict]) -> str:
    """Sites down, fields across; last, where the article was found and its
    URL, and why the site failed."""
    shown = {field for v in verdicts for field in v.cells}
    columns = [f for f in dict.fromkeys((*CHECKED, *FIELDS)) if f in shown]
    widths = [max(len("site"), *(len(v.site) for v in verdicts)), *(max(len(c), 4) for c in columns)]

    def line(values: list[str]) -> str:
        return "  ".join(f"{value:{width}}" for value, width in zip(values, widths + [0, 0])).rstrip()

    lines = [line(["site", *columns, "article"])]
    for v in verdicts:
        found = f"{v.checked.found_in}: {v.checked.url}" if v.checked.url else "-"
        lines.append(line([v.site, *(v.cells.get(c, "") for c in columns), found, "; ".join(v.failures)]))
    return "\n".join(lines)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] [SPIDER | family:NAME ...]"

    def short_desc(self) -> str:
        return "Fetch and check each site's newest article; exit 1 if any site broke"

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        opts.sites = choose_sites("canary", args)
        check_spider_arguments("canary", self.settings, opts.sites, opts.spargs)

    def run(self, args: list[str], opts) -> None:
        crawlers = {}
        for name in opts.sites:
            crawlers[name] = self._create_crawler(canary_of(self.crawler_process.spider_loader.load(name)))
            self.crawler_process.crawl(crawlers[name], **opts.spargs)
        self.crawler_process.start()
        verdicts = []
        for name, crawler in crawlers.items():
            spider = crawler.spider
            checked = spider.checked if spider is not None else Checked(problem="the spider did not start")
            expected = {f: t for f, t in thresholds(crawler.settings, spider and spider.site).items() if t > 0}
            verdicts.append(judge(name, checked, expected))
        failed = [v.site for v in verdicts if v.failures]
        print(table(verdicts))
        count = f"canary: {len(verdicts) - len(failed)} of {len(verdicts)} sites ok"
        print(count + (f"; failed: {', '.join(failed)}" if failed else ""))
        if failed or self.crawler_process.bootstrap_failed:
            self.exitcode = 1

"""The canary's spider: a site spider that checks one article, the site's newest.

It is the site's own spider (`canary_of(spidercls)` puts this class in
front of it), so discovery and extraction are the crawl's: feed items are
read by `parse_feed`, sitemaps walked by SitemapSpider with the site's
article filter, the page extracted by `parse_article`. Only what is fetched
is narrowed, in steps taken each time the spider falls idle:

1. the site's feeds; the newest article is the first article link of the
   first feed (in the site's order) that gives one;
2. if none does, its sitemaps, following only the newest sitemap of an
   index (by lastmod; all of them when none is dated); the newest article
   is the entry with the latest lastmod (the first listed when none is dated);
3. that one article page.

Listing pages are not read. Nothing is exported or remembered: the outcome
is `spider.checked`, for `scrapy canary` to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider

from crawler.ops.faults import UNREACHABLE_STAT
from crawler.persian.dates import parse_time
from crawler.spiders.site import SiteSpider

# Why an article page gave no article: the stats SiteSpider.parse_article counts.
REFUSALS = (
    ("pages/blocked/", "blocked: a bot challenge, not the page"),
    ("articles/bad_page", "not an article page"),
    ("articles/extract_error", "extraction failed"),
    ("articles/outside_window", "outside the date window"),
)


@dataclass
class Checked:
    url: str | None = None  # the article page checked
    found_in: str | None = None  # "feed" or "sitemap"
    article: dict[str, Any] | None = None  # its fields, as a crawl would export them
    problem: str | None = "no article link in its feeds or sitemaps"  # why there is no article


class CanarySpider(SiteSpider):
    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # A check, not a crawl: no export, and the crawl state neither read nor written.
        settings.set("FEEDS", {}, priority="spider")
        settings.set("CRAWLER_STATE", ":memory:", priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.next_step, signal=signals.spider_idle)
        return spider

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.checked = Checked()
        self.step = "feeds"
        self.feed_links: dict[int, str] = {}  # feed's place in the site's list -> its first article
        self.sitemap_entries: list[tuple[datetime | None, str]] = []  # (lastmod, URL), as listed

    async def start(self):
        for rank, url in enumerate(self._absolute(self.site.start_feeds)):
            yield Request(url, callback=self.parse_feed, cb_kwargs={"rank": rank})

    def parse_feed(self, response, rank: int = 0):
        first = next(iter(super().parse_feed(response)), None)  # the site spider's article request
        if first is not None:
            self.feed_links[rank] = first.url

    def sitemap_filter(self, entries):
        kept = list(super().sitemap_filter(entries))  # the site's articles, or an index's sitemaps
        if getattr(entries, "type", None) == "sitemapindex":
            dated = [e for e in kept if lastmod(e)]
            yield from [max(dated, key=lastmod)] if dated else kept
            return
        self.sitemap_entries.extend((lastmod(e), e["loc"]) for e in kept)  # fetched in step 3, if newest

    def next_step(self):
        """On spider_idle: what the step just finished found decides the next."""
        if self.step == "feeds" and not self.feed_links and self.sitemap_urls:
            self.step = "sitemaps"
            for url in self.sitemap_urls:
                self.crawler.engine.crawl(Request(url, callback=self._parse_sitemap))
            raise DontCloseSpider
        if self.step == "article":
            return
        if self.feed_links:
            url, found_in = self.feed_links[min(self.feed_links)], "feed"
        elif self.sitemap_entries:
            url, found_in = newest(self.sitemap_entries), "sitemap"
        else:
            return
        self.step = "article"
        self.checked = Checked(url, found_in, problem="the article page could not be fetched (see the log)")
        self.crawler.engine.crawl(Request(url, callback=self.parse_article, meta={"news_code": self.article_code(url)}))
        raise DontCloseSpider

    def closed(self, reason: str) -> None:
        """A site none of whose start hosts answered says why (crawler.ops.faults.Reach)."""
        unreachable = self.crawler.stats.get_value(UNREACHABLE_STAT)
        if unreachable and self.checked.article is None:
            self.checked.problem = f"unreachable: {unreachable}"

    def article_item(self, response, reading):
        """Records what the page gave; a canary exports nothing."""
        item = super().article_item(response, reading)
        self.checked.url = response.url
        if item is not None:
            self.checked.article, self.checked.problem = dict(item), None
        else:
            counted = [key for key, n in self.crawler.stats.get_stats().items() if n]
            self.checked.problem = next(
                (why for stat, why in REFUSALS if any(key.startswith(stat) for key in counted)), "no article extracted"
            )


def lastmod(entry) -> datetime | None:
    parsed = parse_time(entry.get("lastmod"))
    return parsed.value if parsed else None


def newest(entries: list[tuple[datetime | None, str]]) -> str:
    """The entry with the latest lastmod; the first listed among equals, or when none is dated."""
    dated = [(when, -i, url) for i, (when, url) in enumerate(entries) if when]
    return max(dated)[2] if dated else entries[0][1]


def canary_of(spidercls: type[SiteSpider]) -> type[SiteSpider]:
    """The site spider class turned canary: same name, site and discovery."""
    return type(f"{spidercls.__name__}Canary", (CanarySpider, spidercls), {"__module__": __name__})

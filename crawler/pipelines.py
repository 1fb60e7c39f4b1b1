"""Item pipelines, in order: normalize, validate, deduplicate, flag near
duplicates. Export itself is Scrapy's FEEDS (see settings.py and crawler/export/feeds.py)."""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.export.dedup import SeenStore, article_keys
from crawler.export.ledger import ExportLedger
from crawler.export.neardup import fingerprint
from crawler.items import ArticleItem
from crawler.persian.dates import instant
from crawler.schema.article import normalize_article, validation_errors

logger = logging.getLogger(__name__)

# How often a worker waiting for an article another worker has claimed asks again.
CLAIM_RETRY_SECONDS = 0.5


class _Pipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class NormalizePipeline(_Pipeline):
    """Puts every field in its exported form (crawler.schema.article.normalize_article)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.export_sources = crawler.settings.getbool("CRAWLER_EXPORT_FIELD_SOURCES")

    def process_item(self, item, spider=None):
        article = normalize_article(dict(ItemAdapter(item)))
        sources = article.pop("field_sources", None)
        if self.export_sources and sources is not None:
            article["field_sources"] = sources
        return ArticleItem(article)


class ValidatePipeline(_Pipeline):
    """Drops, with its reason logged and counted, any article the schema rejects."""

    def process_item(self, item, spider=None):
        errors = validation_errors(ItemAdapter(item))
        if not errors:
            self.stats.inc_value("articles/valid")
            return item
        self.stats.inc_value("articles/dropped/invalid")
        for error in errors:
            reason = error.replace(" ", "_") if error.startswith("missing ") else "schema"
            self.stats.inc_value(f"articles/dropped/{reason}")
        raise DropItem(f"invalid article {item.get('url')}: {'; '.join(errors)}")


class DeduplicatePipeline(_Pipeline):
    """Drops an article exported before: in this run (the `DEDUP_STORE`), or
    by an earlier one (the crawl state), by site and news code, then by
    canonical URL. An article exported before whose text or update time has
    changed is exported again when CRAWLER_UPDATES is "export" (a new line
    with the same news code), and dropped when it is "skip" (the default).

    An article is claimed in the crawl state before it passes (CrawlState.claim):
    when several workers crawl at once, an article one of them holds waits
    until that one has exported it (it is then dropped as exported before) or
    has died (its claim lapses and the article is this worker's to export)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.store: SeenStore = build_from_crawler(load_object(crawler.settings["DEDUP_STORE"]), crawler)
        self.state = ExportLedger.of(crawler).state
        self.export_updates = crawler.settings.get("CRAWLER_UPDATES", "skip") == "export"

    def process_item(self, item, spider=None):
        keys = article_keys(item["site"], item["news_code"], item.get("canonical_url"))
        self._check_this_run(item, keys)
        if not self.state.claim(item["site"], item["news_code"], item.get("canonical_url")):
            return self._when_claimed(item, keys)  # a coroutine, which Scrapy awaits
        return self._admit(item, keys)

    def _check_this_run(self, item, keys) -> None:
        seen = [key for key in keys if key in self.store]
        if seen:
            self.stats.inc_value("articles/dropped/duplicate")
            raise DropItem(f"duplicate article {item['url']}: {seen[0]} already exported")

    def _admit(self, item, keys):
        """The claimed article passes, unless an earlier export rules it out."""
        try:
            self._check_earlier_runs(item)
        except DropItem:
            self.state.release(item["site"], item["news_code"], item.get("canonical_url"))
            raise
        for key in keys:
            self.store.add(key)
        return item

    async def _when_claimed(self, item, keys):
        self.stats.inc_value("articles/claim_waits")
        while True:
            await sleep(CLAIM_RETRY_SECONDS)
            self._check_this_run(item, keys)
            if self.state.claim(item["site"], item["news_code"], item.get("canonical_url")):
                return self._admit(item, keys)

    def _check_earlier_runs(self, item) -> None:
        before = self.state.get(item["site"], item["news_code"])
        if before is None:
            url_owner = item.get("canonical_url") and self.state.code_for_url(item["canonical_url"])
            if url_owner:
                self.stats.inc_value("articles/dropped/exported_before")
                raise DropItem(f"article {item['url']} exported before as {url_owner[0]} {url_owner[1]}")
            return
        changed = before.content_hash != item["content_hash"] or _later(item.get("modified_at"), before.modified_at)
        if changed and self.export_updates:
            self.stats.inc_value("articles/updated")
            return
        self.stats.inc_value("articles/dropped/changed" if changed else "articles/dropped/exported_before")
        raise DropItem(
            f"article {item['site']} {item['news_code']} exported before"
            + (" (changed since; CRAWLER_UPDATES=skip)" if changed else "")
        )

    def close_spider(self, spider=None):
        self.store.close()


def _later(modified: str | None, before: str | None) -> bool:
    """Whether update time `modified` is after `before`, as instants: compared
    as text, a time written +03:30 just after Tehran's clocks went back from
    +04:30 would read as earlier than one just before."""
    if not modified:
        return False
    return not before or instant(modified) > instant(before)


class NearDuplicatePipeline(_Pipeline):
    """Sets `duplicate_of` to the first-seen article, on any site and in any
    run, whose body this one nearly repeats (crawler.export.neardup): agencies' copy
    republished with other boilerplate and light edits."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.state = ExportLedger.of(crawler).state

    def process_item(self, item, spider=None):
        match = self.state.near_duplicate_of(item["site"], item["news_code"], fingerprint(item["body"]))
        if match is not None:
            self.stats.inc_value("articles/near_duplicates")
        item["duplicate_of"] = match and {"site": match[0], "news_code": match[1]}
        return item

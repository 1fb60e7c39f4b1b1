"""The spider every site gets: discovery from feeds, sitemaps and listing
pages, as the site's family and spec declare them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, AsyncIterator
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.exceptions import UsageError
from scrapy.spiders import SitemapSpider

from crawler.extract import ArticleReading, read_article
from crawler.extract.layers import news_code_from_url
from crawler.families.spec import Site
from crawler.items import ArticleItem
from crawler.ops.usage import did_you_mean
from crawler.persian.urls import absolute_url, decoded_path, readable_url
from crawler.sites import site_for_url
from crawler.spiders.window import Window, WindowError

# How many listing pages deep to follow from a start listing (the home page's
# section links are one level).
MAX_LISTING_DEPTH = 1


def check_web_url(name: str, url: str) -> None:
    """UsageError unless `url` is an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not readable_url(url):
        raise UsageError(f"{name}={url!r} is not an http(s) URL")


class SiteSpider(SitemapSpider):
    """Crawls one site. `-a base_url=http://host:port` points it at another
    host serving the same paths (a mirror, or a local test server);
    `-a since=`, `-a until=`, `-a days=` limit it to a date window
    (crawler.spiders.window), and then the family's archive sitemaps are walked too.
    Arguments are checked (check_arguments) before the spider is made."""

    site: Site

    # The -a arguments it takes, with their help: `scrapy crawl` checks a run's
    # against them before anything is downloaded, `scrapy sites --args` lists them.
    arguments = {
        "base_url": "another host serving the site's paths, a mirror or a local test server (http://host:port)",
        "since": "first publication day or moment: Jalali 1402-08-01 or Gregorian 2023-10-23, a time may follow",
        "until": "last publication day (included whole) or moment; not before since",
        "days": "the last N days (a positive number); not with since",
    }

    def __init__(
        self, *args: Any, base_url: str | None = None, since: str | None = None, until: str | None = None,
        days: str | None = None, **kwargs: Any,
    ):  # fmt: skip
        self.window = self.window_of(since, until, days)
        self.base_url = (base_url or self.site.start_url).rstrip("/") + "/"
        archives = self.site.family.archives if self.window and self.window.since else ()
        self.sitemap_urls = self._absolute((*self.site.start_sitemaps, *archives))
        self.sitemap_rules = [("", "parse_article")]  # which URLs: sitemap_filter
        super().__init__(*args, **kwargs)
        # A mirror or test server (-a base_url) serving the site's paths, when it is no host of the site's.
        base_host = urlsplit(self.base_url).hostname or ""
        self.mirror = None if self.site.serves_host(base_host) else base_host
        # A start URL may be absolute on another host (BBC's feeds.bbci.co.uk): fetched, but no article host.
        starts = self._absolute((*self.site.start_feeds, *self.site.start_sitemaps, *self.site.start_listings))
        hosts = {base_host, self.site.domain, *self.site.hosts, *(urlsplit(u).hostname for u in starts)}
        self.allowed_domains = sorted(h for h in hosts if h)
        self.start_hosts = {urlsplit(u).netloc for u in starts}  # when none answers, the run stops (crawler.ops.faults.Reach)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        cls.check_arguments(kwargs)
        return super().from_crawler(crawler, *args, **kwargs)

    @classmethod
    def check_arguments(cls, spargs: dict[str, Any]) -> None:
        """UsageError, one line, for -a arguments the spider does not take or
        cannot use. Names starting with `_` are a scheduler's (scrapyd's `_job`)."""
        for name in spargs:
            if name not in cls.arguments and not name.startswith("_"):
                hint = did_you_mean(name, cls.arguments)
                raise UsageError(f"{cls.name} takes no argument -a {name}; {hint}it takes {', '.join(cls.arguments)}")
        if spargs.get("base_url") is not None:
            check_web_url("base_url", spargs["base_url"])
        cls.window_of(spargs.get("since"), spargs.get("until"), spargs.get("days"))

    @staticmethod
    def window_of(since: str | None, until: str | None, days: str | None) -> Window | None:
        try:
            return Window.from_args(since, until, days)
        except WindowError as e:
            raise UsageError(str(e)) from None

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if not settings.getdict("FEEDS"):
            feed = {"format": "jsonlines", "encoding": "utf-8", "store_empty": False}
            settings.set("FEEDS", {settings["CRAWLER_OUTPUT"]: feed}, priority="spider")
        if settings.get("REDIS_URL"):
            from crawler.ops.distributed import use_redis  # optional dependency: pip install '.[distributed]'

            use_redis(settings)

    def _absolute(self, paths) -> list[str]:
        return [urljoin(self.base_url, p) for p in paths]

    async def start(self) -> AsyncIterator[Any]:
        for url in self._absolute(self.site.start_feeds):
            yield Request(url, callback=self.parse_feed)
        for url in self._absolute(self.site.start_listings):
            yield Request(url, callback=self.parse_listing, cb_kwargs={"depth": 0})
        async for request in super().start():
            yield request

    # -- which URLs are what ---------------------------------------------------

    def _on_site(self, url: str) -> bool:
        """Whether the URL is of this site: on its hosts (not another edition's:
        ar.mehrnews.com, tasnimnews.com/en/) or on its mirror."""
        if not readable_url(url):  # no URL a request can be made of (a sitemap's <loc>, a link): not ours
            return False
        parts = urlsplit(url)
        if self.mirror and parts.hostname == self.mirror:
            return self.site.owns_path(parts.path)
        if not self.site.owns(url):
            return False
        # Not when an edition sharing the host claims it by its path prefix, before a site claiming the whole host.
        owner = site_for_url(url)
        return owner is None or owner is self.site

    def article_code(self, url: str) -> str | None:
        """The news code if `url` is an article of this site, else None."""
        return news_code_from_url(url, (self.site.family,)) if self._on_site(url) else None

    def is_listing(self, url: str) -> bool:
        if not self._on_site(url):
            return False
        path = decoded_path(url)
        return any(p.search(path) for p in self.site.family.listing_paths)

    def article_request(self, url: str) -> Request | None:
        if self.article_code(url) is None:
            return None
        # Articles before listings, so pages in flight stay few. An AMP copy is
        # asked as its article; a short link as found, its redirect followed.
        return Request(self.site.family.article_url(url), callback=self.parse_article, priority=1)

    # -- discovery ---------------------------------------------------------------

    def _in_window(self, date_text: str | None, *, newest_change: bool = False) -> bool:
        if self.window is None:
            return True
        inside = self.window.may_hold(date_text) if newest_change else self.window.may_contain(date_text)
        if not inside:
            self.crawler.stats.inc_value("discovery/outside_window")
        return inside

    def _get_sitemap_body(self, response):
        body = super()._get_sitemap_body(response)
        # Sitemaps have no use for XML entities; declared ones may be a bomb
        # (billion laughs). lxml does not expand them, but stops parsing at
        # its amplification limit and the sitemap yields nothing, silently.
        if body and b"<!ENTITY" in body[:65536]:
            self.logger.warning("Sitemap refused: %s declares XML entities (an entity bomb?)", response.url)
            self.crawler.stats.inc_value("discovery/sitemap_refused")
            return None
        return body

    def sitemap_filter(self, entries):
        if getattr(entries, "type", None) == "sitemapindex":
            # An index entry's lastmod is its sitemap's newest change: before
            # the window opens, nothing in it is inside; walking stops there.
            yield from (e for e in entries if readable_url(e["loc"]) and self._in_window(e.get("lastmod"), newest_change=True))
            return
        for entry in entries:
            if self.article_code(entry["loc"]) and self._in_window(entry.get("lastmod")):
                entry["loc"] = self.site.family.article_url(entry["loc"])  # SitemapSpider asks the loc: an AMP copy as its article
                yield entry

    def parse_feed(self, response):
        feed = Selector(text=response.text, type="xml")
        feed.remove_namespaces()
        items = feed.xpath("//item | //entry")
        self.crawler.stats.inc_value("discovery/feed_links", len(items))
        for item in items:
            link = item.xpath("./link/text() | ./link[not(@rel) or @rel='alternate']/@href").get()
            date = item.xpath("./pubDate/text() | ./published/text() | ./updated/text() | ./date/text()").get()
            url = absolute_url(response.url, link)
            if url and self._in_window(date):
                request = self.article_request(url)
                if request is not None:
                    yield request

    def parse_listing(self, response, depth: int = 0):
        if not hasattr(response, "css"):
            return
        for href in response.css("a::attr(href)").getall():
            url = absolute_url(response.url, href)
            if url is None:
                continue
            request = self.article_request(url)
            if request is not None:
                yield request
            elif depth < MAX_LISTING_DEPTH and self.is_listing(url):
                yield Request(url, callback=self.parse_listing, cb_kwargs={"depth": depth + 1})

    # -- articles ------------------------------------------------------------------

    def parse_article(self, response):
        self.crawler.stats.inc_value("pages/article")
        redirected = response.meta.get("redirect_urls")
        if redirected and self.article_code(redirected[0]) and not self.article_code(response.url):
            # An article's URL redirected to what is no article of this site: another
            # edition's (tasnimnews.com/en/..., ar.mehrnews.com), another site's, a home page.
            self.logger.warning("Redirected away from the site's articles: %s -> %s", redirected[0], response.url)
            self.crawler.stats.inc_value("pages/redirected_away")
            return
        try:
            reading = read_article(
                response.body, response.url, site=self.site, content_type=response.headers.get("Content-Type"),
                flags=tuple(response.flags), budget=self.crawler.settings.getfloat("CRAWLER_EXTRACT_TIMEOUT"),
            )  # fmt: skip
        except Exception:
            self.logger.exception("Extraction failed on %s", response.url)
            self.crawler.stats.inc_value("articles/extract_error")
            reading = None
        item = self.article_item(response, reading)
        if item is not None:
            yield item

    def article_item(self, response, reading: ArticleReading | None) -> ArticleItem | None:
        """The item a read article page gives, or None (counted and logged: why;
        `reading` is None when reading the page failed)."""
        if reading is None:
            return None
        problem = reading.problem
        if problem:
            self.logger.warning("%s: %s: %s", "Blocked" if problem.blocked else "Not an article page", response.url, problem)
            self.crawler.stats.inc_value(f"pages/{problem.kind}")
            if problem.kind.startswith("bad/"):
                self.crawler.stats.inc_value("articles/bad_page")  # what crawler.ops.monitor counts as failed pages
            return None
        fields = reading.fields
        fields["news_code"] = fields["news_code"] or response.meta.get("news_code")  # code from the URL first requested
        fields["crawled_at"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        self.crawler.stats.inc_value("articles/extracted")
        if self.window and fields["published_at"] and not self.window.may_contain(fields["published_at"]):
            self.crawler.stats.inc_value("articles/outside_window")
            return None
        return ArticleItem(fields)

"""The spider every site gets: discovery from feeds, sitemaps and listing
pages, as the site's family and spec declare them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, AsyncIterator
from urllib.parse import unquote, urljoin, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.spiders import SitemapSpider

from crawler.extract import extract_article
from crawler.extract.html import page_problem
from crawler.extract.layers import news_code_from_url
from crawler.items import ArticleItem
from crawler.spec import Site

# How many listing pages deep to follow from a start listing (the home page's
# section links are one level).
MAX_LISTING_DEPTH = 1


class SiteSpider(SitemapSpider):
    """Crawls one site. `-a base_url=http://host:port` points it at another
    host serving the same paths (a mirror, or a local test server)."""

    site: Site

    def __init__(self, *args: Any, base_url: str | None = None, **kwargs: Any):
        self.base_url = (base_url or self.site.base_url).rstrip("/") + "/"
        self.sitemap_urls = self._absolute(self.site.start_sitemaps)
        self.sitemap_rules = [("", "parse_article")]  # which URLs: sitemap_filter
        super().__init__(*args, **kwargs)
        self.hosts = {urlsplit(self.base_url).hostname, self.site.domain, *self.site.hosts}
        self.allowed_domains = sorted(h for h in self.hosts if h)

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if not settings.getdict("FEEDS"):
            feed = {"format": "jsonlines", "encoding": "utf-8", "store_empty": False}
            settings.set("FEEDS", {settings["CRAWLER_OUTPUT"]: feed}, priority="spider")

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
        host = urlsplit(url).hostname or ""
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def article_code(self, url: str) -> str | None:
        """The news code if `url` is an article of this site, else None."""
        return news_code_from_url(url, (self.site.family,)) if self._on_site(url) else None

    def is_listing(self, url: str) -> bool:
        path = unquote(urlsplit(url).path)
        return self._on_site(url) and any(p.search(path) for p in self.site.family.listing_paths)

    def article_request(self, url: str) -> Request | None:
        if self.article_code(url) is None:
            return None
        # Articles before listings, so pages in flight stay few.
        return Request(url, callback=self.parse_article, priority=1)

    # -- discovery ---------------------------------------------------------------

    def sitemap_filter(self, entries):
        for entry in entries:
            if getattr(entries, "type", None) == "sitemapindex" or self.article_code(entry["loc"]):
                yield entry

    def parse_feed(self, response):
        feed = Selector(text=response.text, type="xml")
        feed.remove_namespaces()
        links = feed.xpath("//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href").getall()
        self.crawler.stats.inc_value("discovery/feed_links", len(links))
        for link in links:
            request = self.article_request(urljoin(response.url, link.strip()))
            if request is not None:
                yield request

    def parse_listing(self, response, depth: int = 0):
        if not hasattr(response, "css"):
            return
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            request = self.article_request(url)
            if request is not None:
                yield request
            elif depth < MAX_LISTING_DEPTH and self.is_listing(url):
                yield Request(url, callback=self.parse_listing, cb_kwargs={"depth": depth + 1})

    # -- articles ------------------------------------------------------------------

    def parse_article(self, response):
        problem = page_problem(response.body)
        if problem:
            self.logger.warning("Not an article page: %s: %s", response.url, problem)
            self.crawler.stats.inc_value("articles/bad_page")
            return
        try:
            fields = extract_article(
                response.body, response.url, site=self.site, content_type=response.headers.get("Content-Type")
            )
        except Exception:
            self.logger.exception("Extraction failed on %s", response.url)
            self.crawler.stats.inc_value("articles/extract_error")
            return
        fields["news_code"] = fields["news_code"] or response.meta.get("news_code")  # code from the URL first requested
        fields["crawled_at"] = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        self.crawler.stats.inc_value("articles/extracted")
        yield ArticleItem(fields)

"""The spider for sites no spec covers, or for single URLs:

    scrapy crawl news -a url=https://www.example.ir/news/123456/...
    scrapy crawl news -a domain=example.ir
    scrapy crawl news -a domain=http://example.ir   # a site served over plain HTTP

With a URL it extracts that page; with a domain it discovers articles through
the robots.txt sitemaps, the usual feed paths and the home page. A registered
site's own selectors are used when the URL or domain is one of ours; otherwise
each page is read with the CMS family its markup shows (crawler.families.detect;
field_sources says "family:<name> (detected)"), and without one rests on
structured metadata and the generic layer. A domain without a scheme is
taken to be served over https (`https://<domain>/`); give the scheme,
`domain=http://example.ir`, for a site that has no https.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

from scrapy import Request
from scrapy.exceptions import UsageError

from crawler.families.detect import generic_site
from crawler.families.generic import GENERIC
from crawler.sites import site_for_url
from crawler.spiders.site import SiteSpider, check_web_url


class NewsSpider(SiteSpider):
    name = "news"
    arguments = {
        "url": "an article's URL: that page alone is extracted (or give domain)",
        "domain": "a site's domain (https assumed) or home URL (http://example.ir for plain HTTP): its articles are discovered (or give url)",
        **SiteSpider.arguments,
    }

    @classmethod
    def check_arguments(cls, spargs: dict[str, Any]) -> None:
        super().check_arguments(spargs)
        if bool(spargs.get("url")) == bool(spargs.get("domain")):
            raise UsageError("news needs a target: give either -a url=ARTICLE_URL or -a domain=DOMAIN")
        if spargs.get("url"):
            check_web_url("url", spargs["url"])

    def __init__(self, *args: Any, url: str | None = None, domain: str | None = None, **kwargs: Any):
        self.article_url = url
        start = url or (domain if "://" in domain else f"https://{domain}/")
        self.site = site_for_url(start) or generic_site(start)
        super().__init__(*args, **kwargs)
        if self.site.family is not GENERIC:
            self.logger.info("%s is a supported site: `scrapy crawl %s` discovers more of it", start, self.site.name)

    async def start(self) -> AsyncIterator[Any]:
        if self.article_url:
            yield Request(self.article_url, callback=self.parse_article)
            return
        async for request in super().start():
            yield request

    def article_item(self, response, reading):
        sources = reading.fields.get("field_sources", {}) if reading and reading.fields else {}
        detected = next((s for s in sources.values() if s.endswith(" (detected)")), None)
        if detected:  # read with the family its markup showed (crawler.families.detect)
            self.crawler.stats.inc_value(f"articles/detected/{detected.removeprefix('family:').removesuffix(' (detected)')}")
        item = super().article_item(response, reading)
        if item is not None and self.site.family is GENERIC and not (item.get("published_at") and item.get("body")):
            # URLs are guessed to be articles from their shape; a page with
            # no date or no text was a guess gone wrong, not a broken article.
            self.logger.debug("Not an article: %s", response.url)
            self.crawler.stats.inc_value("articles/not_article")
            return None
        return item

"""The crawl benchmark's peer: a Scrapy spider that only downloads a list of
URLs (one a line, `-a urls=FILE`) and does nothing with the pages. Run by
benchmarks/crawl.py with `scrapy runspider` outside the project, so with
Scrapy's default settings plus the same concurrency settings as the crawl.

With `-a parse=1` it also parses each page, once, as the crawl does
(crawler.extract.html.parse_html), and does nothing more: what any spider
that reads its pages pays, the floor under the crawl's CPU per page."""

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str, parse: str = "", **kwargs):
        super().__init__(**kwargs)
        self.urls_file = urls
        self.parse_html = None
        if parse:  # imported here, so that the run on an empty site, taken off as start-up, pays it too
            from crawler.extract.html import parse_html

            self.parse_html = parse_html

    async def start(self):
        with open(self.urls_file, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield scrapy.Request(line.strip(), callback=self.parse)

    def parse(self, response):
        if self.parse_html:
            self.parse_html(response.body, response.url, response.headers.get("Content-Type"))

"""The crawl benchmark's peer: a Scrapy spider that only downloads a list of
URLs (one a line, `-a urls=FILE`) and does nothing with the pages. Run by
benchmarks/crawl.py with `scrapy runspider` outside the project, so with
Scrapy's default settings plus the same concurrency settings as the crawl."""

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: str, **kwargs):
        super().__init__(**kwargs)
        self.urls_file = urls

    async def start(self):
        with open(self.urls_file, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield scrapy.Request(line.strip(), callback=self.parse)

    def parse(self, response):
        pass

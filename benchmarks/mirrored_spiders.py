"""The site spiders, each crawling its own local mirror, named by the setting
BENCH_BASE_URLS ({"spider": "http://127.0.0.1:port"}): `scrapy crawlall`
gives every site the same -a arguments, and benchmarks/crawl.py serves each
site on a port of its own. Its `processes` run sets
`-s SPIDER_MODULES=benchmarks.mirrored_spiders`."""

from crawler.spiders import sites

for _name, _cls in vars(sites).copy().items():
    if isinstance(_cls, type) and getattr(_cls, "site", None):

        def from_crawler(cls, crawler, *args, **kwargs):
            # A site without a mirror would crawl the real one: KeyError instead.
            kwargs["base_url"] = crawler.settings.getdict("BENCH_BASE_URLS")[cls.name]
            return super(cls, cls).from_crawler(crawler, *args, **kwargs)

        globals()[_name] = type(_name, (_cls,), {"from_crawler": classmethod(from_crawler), "__module__": __name__})

"""The Scrapy item for an article. Its fields are the export schema's
(crawler/schema/article.schema.json); tests keep the two in step."""

import scrapy


class ArticleItem(scrapy.Item):
    schema_version = scrapy.Field()
    site = scrapy.Field()
    url = scrapy.Field()
    canonical_url = scrapy.Field()
    news_code = scrapy.Field()
    published_at = scrapy.Field()
    published_at_raw = scrapy.Field()
    modified_at = scrapy.Field()
    uptitle = scrapy.Field()
    headline = scrapy.Field()
    lead = scrapy.Field()
    body = scrapy.Field()
    source = scrapy.Field()
    authors = scrapy.Field()
    tags = scrapy.Field()
    section = scrapy.Field()
    images = scrapy.Field()
    language = scrapy.Field()
    crawled_at = scrapy.Field()
    content_hash = scrapy.Field()
    duplicate_of = scrapy.Field()
    field_sources = scrapy.Field()

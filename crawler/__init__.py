"""A Scrapy crawler for Iranian news sites; see README.md."""

__version__ = "0.1.0"

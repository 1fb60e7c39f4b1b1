"""Spiders discover article URLs and hand the pages to crawler.extract."""

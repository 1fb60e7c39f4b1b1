"""IRNA (irna.ir). The site closes the connection on slugless /news/<code>/
URLs (notes/sites.md §1.A), so only links that carry the slug count as
articles, and none is ever cut to its code. Article pages sit behind a
Cloudflare JS interstitial that the XML sitemaps bypass; meta times are UTC."""

import re
from dataclasses import replace

from crawler.families.nastooh import NASTOOH
from crawler.spec import Site

# Nastooh, with the slug required in article URLs.
NASTOOH_SLUG_REQUIRED = replace(NASTOOH, article_paths=(re.compile(r"^/news/(?P<code>\d+)/[^/]+/?$"),))

SITE = Site(
    name="irna",
    domain="irna.ir",
    family=NASTOOH_SLUG_REQUIRED,
    base_url="https://www.irna.ir",
    names=("ایرنا", "خبرگزاری جمهوری اسلامی"),
    feeds=("/rss", "/rss/fa/8/", "/rss/service/society"),
)

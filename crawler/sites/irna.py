"""IRNA (irna.ir). The site closes the connection on slugless /news/<code>/
URLs (notes/sites.md §1.A), so only links that carry the slug count as
articles, and none is ever cut to its code; its pre-2019 CMS's
/fa/News/<code>/<section>/<slug> links are still taken (the site redirects them). Article pages sit behind a
Cloudflare JS interstitial that the XML sitemaps bypass; meta times are UTC."""

import re
from dataclasses import replace

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

# Nastooh, with the slug required in article URLs.
NASTOOH_SLUG_REQUIRED = replace(
    NASTOOH,
    article_paths=(re.compile(r"^/news/(?P<code>\d+)/[^/]+/?$"), re.compile(r"^/fa/news/(?P<code>\d+)(?:/[^/]+)+/?$", re.IGNORECASE)),
    url_shapes=("/news/<code>/<slug>", "/fa/News/<code>/<section>/<slug>"),
)

SITE = Site(
    name="irna",
    domain="irna.ir",
    family=NASTOOH_SLUG_REQUIRED,
    base_url="https://www.irna.ir",
    names=("ایرنا", "خبرگزاری جمهوری اسلامی"),
    feeds=("/rss", "/rss/fa/8/", "/rss/service/society"),
)

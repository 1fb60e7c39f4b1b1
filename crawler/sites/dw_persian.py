"""DW Persian (dw.com/fa-ir). Articles are /fa-ir/<slug>/a-<id>; feed
rss.dw.com/xml/rss-fa-all (notes/sites.md §2 row 56, §4). No source documents
DW's article markup, so no selectors: the page's JSON-LD and OpenGraph give
headline, lead and times, and the generic layer the body.
"""

import re

from crawler.families.spec import Family, Site, Spec

DW = Family(
    name="dw",
    spec=Spec(),
    article_paths=(re.compile(r"^/fa-ir/[^/]+/a-(?P<code>\d+)$"),),
    url_shapes=("/fa-ir/<slug>/a-<code>",),
    feeds=("https://rss.dw.com/xml/rss-fa-all",),
    # dw.com's robots.txt serves all of DW's languages; no Persian sitemap is documented.
    sitemaps=(),
    listings=("/fa-ir/",),
)

SITE = Site(
    name="dw_persian",
    domain="dw.com",
    family=DW,
    base_url="https://www.dw.com",
    names=("DW", "دویچه وله فارسی", "DW فارسی"),
    paths=("/fa-ir/",),
)

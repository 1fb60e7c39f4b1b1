"""Any news site no spec covers: no selectors (extraction falls through to
the page's structured metadata and the generic text-density layer), the
discovery points most CMSs offer, and article URLs recognised by a news code
of five or more digits in the path."""

import re

from crawler.families.spec import Family, Spec

_NOT_ARTICLES = r"(?!.*/(?:tags?|category|categories|search|author|page|archive|service|rss|feeds?|photos?|videos?|media)(?:/|$))"

GENERIC = Family(
    name="generic",
    spec=Spec(),
    article_paths=(re.compile(rf"^{_NOT_ARTICLES}.*?(?<!\d)(?P<code>\d{{5,}})(?!\d)"),),
    url_shapes=("/…/<code>…",),  # a code of 5+ digits anywhere, outside tag, search, feed and media pages
    feeds=("/rss", "/feed", "/rss.xml", "/feeds/", "/fa/rss/allnews", "/fa/feeds/"),
    sitemaps=("/robots.txt", "/sitemap.xml", "/sitemap_index.xml"),
    listings=("/",),
)

"""Iran International (iranintl.com). Articles are /<YYYYMMDD><4 digits>, the
first eight digits the Gregorian date (also under /fa/); feed /fa/feed
(notes/sites.md §2 row 54, §4). No source documents its article markup, so no
selectors: JSON-LD and OpenGraph give headline, lead and times, and the
generic layer the body.
"""

import re

from crawler.families.spec import Family, Site, Spec

IRANINTL = Family(
    name="iranintl",
    spec=Spec(),
    article_paths=(re.compile(r"^/(?:fa/)?(?P<code>\d{12})/?$"),),
    url_shapes=("/<code>", "/fa/<code>"),
    feeds=("/fa/feed",),
)

SITE = Site(
    name="iranintl",
    domain="iranintl.com",
    family=IRANINTL,
    base_url="https://www.iranintl.com",
    names=("ایران اینترنشنال", "Iran International"),
)

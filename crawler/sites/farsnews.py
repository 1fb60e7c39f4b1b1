"""Fars News (farsnews.ir), a CMS of its own (notes/sites.md §2 row 5, §4).

Article URLs are /news/<id> and /media/<id> since 2023; before, /news/<id>/<slug>
with a 14-digit id that starts with the Jalali date (14010204000332). The
markup read is T's: .publish-time and .nt-body; 2021 pages gave the date as
div.header time[datetime] in "M/D/YYYY h:mm:ss AM". Headline and lead come
from the page's metadata.

Fars now serves a JavaScript app shell, its /rss included (an HTML page), so
a plain download may hold none of this markup: the spider still targets the
documented markup, finds articles through robots.txt sitemaps, the home
page and the 2019-21 archive, and asks no feed.
"""

import re

from crawler.families.spec import Family, Site, Spec

FARS = Family(
    name="farsnews",
    spec=Spec(
        body=(".nt-body",),
        published=(".publish-time", "div.header time::attr(datetime)"),
    ),
    article_paths=(re.compile(r"^/(?:news|media)/(?P<code>\d+)(?:/[^/]*)?/?$"),),
    url_shapes=("/news/<code>", "/media/<code>", "/news/<code>/<slug>"),
    listing_paths=(re.compile(r"^/archive/?$"),),
)

SITE = Site(
    name="farsnews",
    domain="farsnews.ir",
    family=FARS,
    base_url="https://www.farsnews.ir",
    names=("خبرگزاری فارس", "Fars News"),
)

"""Radio Farda (radiofarda.com), on RFE/RL's "Pangea" CMS, which VOA Persian
shares: headline h1.title (or h1.pg-title), text in div.wsw, time in
`.published time[datetime]`. Articles are /a/<slug>/<id>.html or /a/<id>.html;
feed /rss/?count=20 (notes/sites.md §2 row 53, §4; the /api/<token> feeds
need a token no source gives).
"""

import re

from crawler.families.spec import Family, Site, Spec

PANGEA = Family(
    name="pangea",
    spec=Spec(
        headline=("h1.title", "h1.pg-title"),
        body=("div.wsw",),
        # Pangea's embeds inside the text: "read more" boxes, players, promos.
        body_drop=(".wsw__embed",),
        published=(".published time::attr(datetime)",),
    ),
    article_paths=(re.compile(r"^/a/(?:[^/]+/)?(?P<code>\d+)\.html$"),),
    url_shapes=("/a/<slug>/<code>.html", "/a/<code>.html"),
    feeds=("/rss/?count=20",),
)

SITE = Site(
    name="radiofarda",
    domain="radiofarda.com",
    family=PANGEA,
    base_url="https://www.radiofarda.com",
    names=("رادیو فردا", "Radio Farda"),
)

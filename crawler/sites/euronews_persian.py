"""Euronews Persian (parsi.euronews.com, also per.euronews.com): article
article.o-article-newsy, summary p.c-article-summary, text .c-article-content,
ISO time[datetime], tags #adb-article-tags div a; feed /rss (notes/sites.md
§2 row 51, §4).

sites.md has no article URL shape; these are Euronews' dated paths,
/<YYYY>/<MM>/<DD>/<slug>, also with a section before the date
(/<section>/<YYYY>/<MM>/<DD>/<slug>: my-europe, business, culture, ...), as its
editions use them (not verified on a saved Persian page). The slug is the only id in the URL, so it is the news code;
only Latin-letter slugs are taken, as the export's news code requires.
"""

import re

from crawler.families.spec import Family, Site, Spec

EURONEWS = Family(
    name="euronews",
    spec=Spec(
        article=("article.o-article-newsy",),
        headline=("h1",),
        lead=("p.c-article-summary",),
        body=(".c-article-content",),
        published=("time::attr(datetime)",),
        tags=("#adb-article-tags div a",),
    ),
    article_paths=(re.compile(r"^(?:/[a-z]+(?:-[a-z]+)*)?/\d{4}/\d{2}/\d{2}/(?P<code>[A-Za-z0-9_-]+)/?$"),),
    url_shapes=("/<date>/<code>", "/<section>/<date>/<code>"),
    feeds=("/rss",),
)

SITE = Site(
    name="euronews_persian",
    domain="parsi.euronews.com",
    family=EURONEWS,
    base_url="https://parsi.euronews.com",
    names=("یورونیوز", "Euronews"),
    hosts=("per.euronews.com",),
)

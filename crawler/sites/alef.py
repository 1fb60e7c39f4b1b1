"""Alef (alef.ir), a CMS of its own (notes/sites.md §2 row 18).

T reads .post-title, .post-lead, .post-content>*, .post-tag, and the date in
.post-sous time ("<weekday> <day> <month> <year>، HH:MM"). The notes give no
URL shape, so articles are recognised as the generic family recognises them,
by a news code of five or more digits in the path, and found through feeds
and the home page only.
"""

from crawler.families.generic import GENERIC
from crawler.families.spec import Family, Site, Spec

ALEF = Family(
    name="alef",
    spec=Spec(
        headline=(".post-title",),
        lead=(".post-lead",),
        body=(".post-content",),
        published=(".post-sous time",),
        tags=(".post-tag",),
    ),
    article_paths=GENERIC.article_paths,
    url_shapes=GENERIC.url_shapes,
    feeds=GENERIC.feeds,
    sitemaps=(),
)

SITE = Site(
    name="alef",
    domain="alef.ir",
    family=ALEF,
    base_url="https://www.alef.ir",
    names=("الف", "پایگاه خبری تحلیلی الف", "Alef"),
)

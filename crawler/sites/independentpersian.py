"""Independent Persian (independentpersian.com). sites.md records only its
feed, /rss.xml (§2 row 55, §4), and no article URL shape or markup. Articles
are recognised as the generic family recognises them, by a numeric id of five
or more digits in the path (which a Drupal /node/<id>/... path would carry);
JSON-LD and OpenGraph give headline, lead and times, the generic layer the body.
"""

from crawler.families.generic import GENERIC
from crawler.families.spec import Family, Site, Spec

INDEPENDENT_PERSIAN = Family(
    name="independentpersian",
    spec=Spec(),
    article_paths=GENERIC.article_paths,
    url_shapes=GENERIC.url_shapes,
    feeds=("/rss.xml",),
)

SITE = Site(
    name="independentpersian",
    domain="independentpersian.com",
    family=INDEPENDENT_PERSIAN,
    base_url="https://www.independentpersian.com",
    names=("ایندیپندنت فارسی", "Independent Persian"),
)

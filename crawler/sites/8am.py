from crawler.families.spec import Site, Spec
from crawler.families.wordpress import WORDPRESS

SITE = Site(
    name="8am",
    domain="8am.media",
    family=WORDPRESS,
    base_url="https://8am.media",
    names=("هشت صبح", "روزنامه هشت صبح", "8am"),
    overrides=Spec(body=(".content-inner",)),  # JNews
    feeds=("/fa/feed/",),
    listings=("/fa/",),
    paths=("/fa/",),
    url_shapes=("/fa/<code>/",),
)

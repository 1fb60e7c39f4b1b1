from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site

SITE = Site(
    name="borna",
    domain="borna.news",
    family=IRANSAMANEH,
    base_url="https://www.borna.news",
    names=("خبرگزاری برنا", "برنا", "Borna"),
    feeds=(*IRANSAMANEH.feeds, "/fa/feeds/"),  # an Asam-style feed is reported too
)

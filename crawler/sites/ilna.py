from crawler.families.asam import ASAM
from crawler.families.spec import Site

SITE = Site(
    name="ilna",
    domain="ilna.ir",
    family=ASAM,
    base_url="https://www.ilna.ir",
    names=("ایلنا", "خبرگزاری ایلنا", "ILNA"),
    feeds=("/fa/rss", "/fa/feeds/"),
)

from crawler.families.asam import ASAM
from crawler.families.spec import Site

SITE = Site(
    name="bartarinha",
    domain="bartarinha.ir",
    family=ASAM,
    base_url="https://www.bartarinha.ir",
    names=("برترین‌ها", "برترین ها", "Bartarinha"),
    feeds=("/fa/rss/allnews", *ASAM.feeds),  # sites.md §4 saw the IranSamaneh-style feed path here too
)

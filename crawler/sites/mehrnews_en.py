"""Mehr News Agency's English edition (en.mehrnews.com)."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

SITE = Site(
    name="mehrnews_en",
    domain="en.mehrnews.com",
    family=NASTOOH,
    base_url="https://en.mehrnews.com",
    names=("Mehr News Agency", "Mehr News"),
    language="en",
)

"""Tehran Times (tehrantimes.com), an English daily on Nastooh: `h2.item-title`,
the lead as `p.summary` at the top of `.item-text`, dates `December 17, 2023 - 22:36`."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

SITE = Site(
    name="tehrantimes",
    domain="tehrantimes.com",
    family=NASTOOH,
    base_url="https://www.tehrantimes.com",
    names=("Tehran Times",),
    language="en",
)

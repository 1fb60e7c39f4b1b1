from crawler.families.asam import ASAM
from crawler.families.spec import Site

SITE = Site(
    name="sharghdaily",
    domain="sharghdaily.com",
    family=ASAM,
    base_url="https://www.sharghdaily.com",
    names=("روزنامه شرق", "شرق", "Shargh"),
)

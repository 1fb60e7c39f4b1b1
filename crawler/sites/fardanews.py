from crawler.families.asam import ASAM
from crawler.families.spec import Site

SITE = Site(
    name="fardanews",
    domain="fardanews.com",
    family=ASAM,
    base_url="https://www.fardanews.com",
    names=("فردانیوز", "فردا نیوز", "Fardanews"),
)

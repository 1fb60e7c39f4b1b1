from crawler.families.spec import Site
from crawler.families.studiokhabar import STUDIOKHABAR

SITE = Site(
    name="jahannews",
    domain="jahannews.com",
    family=STUDIOKHABAR,
    base_url="https://www.jahannews.com",
    names=("جهان نیوز", "جهان‌نیوز", "Jahan News"),
)

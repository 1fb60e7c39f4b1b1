from crawler.families.spec import Site
from crawler.families.studiokhabar import STUDIOKHABAR

SITE = Site(
    name="baharnews",
    domain="baharnews.ir",
    family=STUDIOKHABAR,
    base_url="https://www.baharnews.ir",
    names=("بهار نیوز", "بهارنیوز", "Bahar News"),
)

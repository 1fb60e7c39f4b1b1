from crawler.families.studiokhabar import STUDIOKHABAR
from crawler.spec import Site

SITE = Site(
    name="baharnews",
    domain="baharnews.ir",
    family=STUDIOKHABAR,
    base_url="https://www.baharnews.ir",
    names=("بهار نیوز", "بهارنیوز", "Bahar News"),
)

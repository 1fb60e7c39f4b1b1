from crawler.families.asam import ASAM
from crawler.families.spec import Site

SITE = Site(
    name="afkarnews",
    domain="afkarnews.com",
    family=ASAM,
    base_url="https://www.afkarnews.com",
    names=("افکارنیوز", "افکار نیوز", "Afkar News"),
)

from crawler.families.nour import NOUR
from crawler.families.spec import Site

SITE = Site(
    name="nournews",
    domain="nournews.ir",
    family=NOUR,
    base_url="https://nournews.ir",
    names=("نورنیوز", "نور نیوز", "Nournews"),
    listings=("/fa",),
)

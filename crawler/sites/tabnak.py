from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="tabnak",
    domain="tabnak.ir",
    family=IRANSAMANEH,
    base_url="https://www.tabnak.ir",
    names=("تابناک", "Tabnak", "TABNAK"),
    overrides=Spec(article=(".gutter_news",)),
)

from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="defapress",
    domain="defapress.ir",
    family=IRANSAMANEH,
    base_url="https://www.defapress.ir",
    names=("دفاع پرس", "دفاع‌پرس", "Defa Press"),
    overrides=Spec(published=("xpath://meta[@property='article:published_time']/@content",)),
)

from crawler.families.asam import ASAM
from crawler.families.spec import Site, Spec

SITE = Site(
    name="eghtesadonline",
    domain="eghtesadonline.com",
    family=ASAM,
    base_url="https://www.eghtesadonline.com",
    names=("اقتصادآنلاین", "اقتصاد آنلاین", "Eghtesad Online"),
    overrides=Spec(uptitle=("h4",), lead=("p.summary",), body=(".item-text",)),
)

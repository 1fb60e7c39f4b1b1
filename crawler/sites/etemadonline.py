from crawler.families.asam import ASAM
from crawler.families.spec import Site, Spec

SITE = Site(
    name="etemadonline",
    domain="etemadonline.com",
    family=ASAM,
    base_url="https://www.etemadonline.com",
    names=("اعتمادآنلاین", "اعتماد آنلاین", "Etemad Online"),
    overrides=Spec(published=(".news-time", ".news_time")),
)

from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="ana",
    domain="ana.ir",
    family=IRANSAMANEH,
    base_url="https://www.ana.ir",
    names=("خبرگزاری آنا", "آنا", "ANA"),
    overrides=Spec(article=(".news_content", ".container-newsMedia")),
    hosts=("ana.press",),
)

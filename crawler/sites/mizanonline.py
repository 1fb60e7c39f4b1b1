from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="mizanonline",
    domain="mizanonline.ir",
    family=IRANSAMANEH,
    base_url="https://www.mizanonline.ir",
    names=("خبرگزاری میزان", "میزان", "Mizan"),
    overrides=Spec(article=(".main_news_body", ".row_news_body")),
)

from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="iqna",
    domain="iqna.ir",
    family=IRANSAMANEH,
    base_url="https://iqna.ir",
    names=("خبرگزاری بین‌المللی قرآن", "ایکنا", "IQNA"),
    overrides=Spec(article=(".box_news",)),
)

from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="iribnews",
    domain="iribnews.ir",
    family=IRANSAMANEH,
    base_url="https://www.iribnews.ir",
    names=("خبرگزاری صدا و سیما", "IRIB News"),
    overrides=Spec(published=(".photo_pub_date",), section=(".news_path2 a", ".news_path a")),
    hosts=("irib-news.ir",),
)

from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="jamejamonline",
    domain="jamejamonline.ir",
    family=IRANSAMANEH,
    base_url="https://www.jamejamonline.ir",
    names=("جام جم آنلاین", "جام‌جم آنلاین", "Jamejam Online"),
    overrides=Spec(article=(".bg-shadow-news .row",), published=("span.news-pdate",)),
)

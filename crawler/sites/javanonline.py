from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="javanonline",
    domain="javanonline.ir",
    family=IRANSAMANEH,
    base_url="https://www.javanonline.ir",
    names=("جوان آنلاین", "Javan Online"),
    overrides=Spec(article=(".over-hide",)),
)

from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="asriran",
    domain="asriran.com",
    family=IRANSAMANEH,
    base_url="https://www.asriran.com",
    names=("عصر ایران", "عصرایران", "Asriran"),
    overrides=Spec(article=(".col1-news",), headline=("h1",)),
)

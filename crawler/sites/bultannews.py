from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="bultannews",
    domain="bultannews.com",
    family=IRANSAMANEH,
    base_url="https://www.bultannews.com",
    names=("بولتن نیوز", "Bultan News"),
    overrides=Spec(headline=("h1",), published=("time::attr(datetime)", "time")),
)

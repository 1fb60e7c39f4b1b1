from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="snn",
    domain="snn.ir",
    family=IRANSAMANEH,
    base_url="https://www.snn.ir",
    names=("خبرگزاری دانشجو", "SNN"),
    overrides=Spec(published=(".photo_pdate",)),
)

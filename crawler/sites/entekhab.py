from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site

SITE = Site(
    name="entekhab",
    domain="entekhab.ir",
    family=IRANSAMANEH,
    base_url="https://www.entekhab.ir",
    names=("انتخاب", "Entekhab"),
)

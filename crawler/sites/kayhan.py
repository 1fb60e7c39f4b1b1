from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site

SITE = Site(
    name="kayhan",
    domain="kayhan.ir",
    family=IRANSAMANEH,
    base_url="https://kayhan.ir",
    names=("روزنامه کیهان", "کیهان", "Kayhan"),
)

"""Mashregh News (mashreghnews.ir)."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

SITE = Site(
    name="mashreghnews",
    domain="mashreghnews.ir",
    family=NASTOOH,
    base_url="https://www.mashreghnews.ir",
    names=("مشرق نیوز", "مشرق‌نیوز", "پایگاه خبری تحلیلی مشرق"),
)

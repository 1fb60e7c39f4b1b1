"""Quds Online (qudsonline.ir)."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

SITE = Site(
    name="qudsonline",
    domain="qudsonline.ir",
    family=NASTOOH,
    base_url="https://www.qudsonline.ir",
    names=("قدس آنلاین", "قدس‌آنلاین"),
)

"""IMNA (imna.ir), the municipalities' news agency. Behind ArvanCloud: the
site may answer with a JS challenge page, which the crawler does not solve."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

SITE = Site(
    name="imna",
    domain="imna.ir",
    family=NASTOOH,
    base_url="https://www.imna.ir",
    names=("ایمنا", "خبرگزاری ایمنا"),
)

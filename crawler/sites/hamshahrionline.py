"""Hamshahri Online (hamshahrionline.ir); its article may sit in `.main-content`."""

from crawler.families.nastooh import NASTOOH, article_scope
from crawler.families.spec import Site, Spec

SITE = Site(
    name="hamshahrionline",
    domain="hamshahrionline.ir",
    family=NASTOOH,
    base_url="https://www.hamshahrionline.ir",
    names=("همشهری آنلاین", "همشهری‌آنلاین"),
    overrides=Spec(article=article_scope(".main-content")),
)

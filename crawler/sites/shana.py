"""Shana (shana.ir), the oil ministry's news agency: the date in
`.item-nav.row > div > span`. Behind ArvanCloud, like imna.ir."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="shana",
    domain="shana.ir",
    family=NASTOOH,
    base_url="https://www.shana.ir",
    names=("شانا",),
    overrides=Spec(published=(".item-nav.row > div > span",)),
)

"""Hawzah News (hawzahnews.com); its article may sit in `div#main`."""

from crawler.families.nastooh import NASTOOH, article_scope
from crawler.families.spec import Site, Spec

SITE = Site(
    name="hawzahnews",
    domain="hawzahnews.com",
    family=NASTOOH,
    base_url="https://www.hawzahnews.com",
    names=("خبرگزاری حوزه", "حوزه نیوز"),
    overrides=Spec(article=article_scope("div#main")),
)

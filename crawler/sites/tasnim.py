"""Tasnim's Persian edition. It shares its hosts with the English one, which
claims /en/; this one claims the rest but other languages' prefixes
(`Site.owns`), so the short links /<id> and tn.ai/<id> are its to follow."""

from crawler.families.spec import Site
from crawler.families.tasnim import TASNIM

SITE = Site(
    name="tasnim",
    domain="tasnimnews.com",
    family=TASNIM,
    base_url="https://www.tasnimnews.com",
    names=("Tasnim", "اخبار تسنیم", "خبرگزاری تسنیم", "تسنیم"),
    hosts=("tasnimnews.ir", "tasnimnews.org", "tn.ai"),
)

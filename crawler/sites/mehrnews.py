"""Mehr News Agency (mehrnews.com): the Nastooh layout as documented, dates
`DD <month> YYYY، HH:MM`, short links /x<hash> (which hold no news code)."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

SITE = Site(
    name="mehrnews",
    domain="mehrnews.com",
    family=NASTOOH,
    base_url="https://www.mehrnews.com",
    names=("خبرگزاری مهر", "مهرنیوز", "Mehr News Agency"),
)

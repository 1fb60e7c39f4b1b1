"""IRNA English (en.irna.ir): the agency's English edition, on the same
Nastooh install as irna.ir, so article URLs keep their slug here too."""

from crawler.families.spec import Site
from crawler.sites.irna import NASTOOH_SLUG_REQUIRED

SITE = Site(
    name="irna_en",
    domain="en.irna.ir",
    family=NASTOOH_SLUG_REQUIRED,
    base_url="https://en.irna.ir",
    names=("IRNA English", "IRNA"),
    language="en",
)

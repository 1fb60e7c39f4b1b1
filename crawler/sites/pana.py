from crawler.families.aspnet_content import ASPNET_CONTENT
from crawler.families.spec import Site

SITE = Site(
    name="pana",
    domain="pana.ir",
    family=ASPNET_CONTENT,
    base_url="https://www.pana.ir",
    names=("پانا", "خبرگزاری پانا", "PANA"),
)

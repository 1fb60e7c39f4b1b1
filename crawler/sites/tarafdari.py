from crawler.families.drupal import DRUPAL
from crawler.families.spec import Site

SITE = Site(
    name="tarafdari",
    domain="tarafdari.com",
    family=DRUPAL,
    base_url="https://www.tarafdari.com",
    names=("طرفداری", "Tarafdari"),
    listings=("/", "/static/page/archive"),
)

from crawler.families.drupal import DRUPAL
from crawler.families.spec import Site, Spec

SITE = Site(
    name="rajanews",
    domain="rajanews.com",
    family=DRUPAL,
    base_url="https://www.rajanews.com",
    names=("رجانیوز", "رجا نیوز", "Rajanews"),
    # IranDrupal's own classes, in place of Drupal's field-name-* ones.
    overrides=Spec(
        uptitle=(".rutitr",),
        headline=(".title",),
        lead=(".lead",),
        body=(".body",),
        published=(".date-display-single",),
        tags=(".tags li",),
        section=(".category-breadcrumb a",),
    ),
)

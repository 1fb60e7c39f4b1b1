from crawler.families.asam import ASAM
from crawler.families.spec import Site, Spec

SITE = Site(
    name="rokna",
    domain="rokna.net",
    family=ASAM,
    base_url="https://www.rokna.net",
    names=("رکنا", "Rokna"),
    overrides=Spec(body=("#CK_editor",)),
)

from crawler.families.asam import ASAM
from crawler.families.spec import Site

SITE = Site(
    name="hammihanonline",
    domain="hammihanonline.ir",
    family=ASAM,
    base_url="https://hammihanonline.ir",
    names=("هم‌میهن", "هم میهن", "Hammihan"),
)

from crawler.families.tasnim import TASNIM
from crawler.spec import Site

SITE = Site(
    name="tasnim",
    domain="tasnimnews.com",
    family=TASNIM,
    base_url="https://www.tasnimnews.com",
    names=("Tasnim", "اخبار تسنیم", "خبرگزاری تسنیم", "تسنیم"),
    hosts=("tasnimnews.ir", "tasnimnews.org"),
    paths=("/fa/",),
)

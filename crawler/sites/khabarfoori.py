from crawler.families.asam import ASAM
from crawler.families.spec import Site, Spec

SITE = Site(
    name="khabarfoori",
    domain="khabarfoori.com",
    family=ASAM,
    base_url="https://www.khabarfoori.com",
    names=("خبرفوری", "خبر فوری", "Khabarfoori"),
    overrides=Spec(body=(".article_content",), section=(".breadcrumb_cnt ul.bread_crump li a",)),
)

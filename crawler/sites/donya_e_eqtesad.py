from crawler.families.asam import ASAM
from crawler.families.spec import Site, Spec

SITE = Site(
    name="donya_e_eqtesad",
    domain="donya-e-eqtesad.com",
    family=ASAM,
    base_url="https://donya-e-eqtesad.com",
    names=("دنیای اقتصاد", "Donya-e-Eqtesad"),
    overrides=Spec(body=(".article-body",), tags=(".article-tag a",)),
)

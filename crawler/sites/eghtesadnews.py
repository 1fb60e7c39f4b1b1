from crawler.families.asam import ASAM
from crawler.families.spec import Site, Spec

SITE = Site(
    name="eghtesadnews",
    domain="eghtesadnews.com",
    family=ASAM,
    base_url="https://www.eghtesadnews.com",
    names=("اقتصادنیوز", "اقتصاد نیوز", "Eghtesad News"),
    overrides=Spec(article=("article.news_page_article",), body=("#main_ck_editor",)),
)

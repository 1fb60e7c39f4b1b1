from crawler.families.iransamaneh import IRANSAMANEH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="yjc",
    domain="yjc.ir",
    family=IRANSAMANEH,
    base_url="https://www.yjc.ir",
    names=("باشگاه خبرنگاران جوان", "باشگاه خبرنگاران", "YJC"),
    # Current layout first (.news-box, .date-color-news, lead .news_strong), then the
    # 2019 one (.news_p_box, uptitle .rutitr_body, whose .news_strong is the uptitle's).
    overrides=Spec(
        article=(".news-box", ".news_p_box"),
        uptitle=(".rutitr_body",),
        lead=(".subtitle", ".news_strong"),
        published=(".date-color-news",),
        body_drop=("[class*=baznashr]",),  # stories of other agencies republished under the article
    ),
    listings=("/", "/fa/allnews"),
    hosts=("yjc.news",),
)

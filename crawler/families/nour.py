"""Nour (nournews.ir): an ASP.NET site with its Persian, English and Arabic
editions on one host (notes/sites.md §1.H, §2 row 43, §4).

T reads #Body_Body_lblNewsBody, ._Desc and meta[itemprop=datePublished],
whose content is in US order, M/D/YYYY h:mm:ss AM. RC reads the ld+json
NewsArticle (headline, datePublished, articleSection: the metadata layer's)
and the HTML comments that open each field (<!-- NEWS uptitle -->,
<!-- NEWS LEAD -->, <!-- NEWS CONTENT --> … <!-- END OF NEWS CONTENT -->),
used here where no id names the field. URLs are /fa/news/<id>/<slug>; T
puts the /fa into /news/<id> links, so both forms are read. /sitemap.xml
lists one urlset per day, all editions mixed.
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec


def _after_comment(marker: str) -> str:
    return f"xpath://comment()[normalize-space()='{marker}']/following-sibling::*[1]"


NOUR = Family(
    name="nour",
    spec=Spec(
        uptitle=(_after_comment("NEWS uptitle"),),
        lead=("._Desc", _after_comment("NEWS LEAD")),
        body=(
            "#Body_Body_lblNewsBody",
            "xpath://comment()[normalize-space()='NEWS CONTENT']/following-sibling::*"
            "[following-sibling::comment()[normalize-space()='END OF NEWS CONTENT']]",
        ),
        published=("xpath://meta[@itemprop='datePublished']/@content",),
        tags=("#Body_Body_news_Tags_lblTag a",),
    ),
    article_paths=(re.compile(r"^(?:/fa)?/news/(?P<code>\d+)(?:/[^/]*)?/?$"), MAIN_DETAIL),
    url_shapes=("/fa/news/<code>/<slug>", "/news/<code>", MAIN_DETAIL_SHAPE),
    sitemaps=("/robots.txt", "/sitemap.xml"),
    markers=(
        "xpath://comment()[normalize-space()='NEWS CONTENT']",
        "#Body_Body_lblNewsBody",
        "#Body_Body_news_Tags_lblTag",
    ),
)

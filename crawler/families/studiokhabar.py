"""StudioKhabar (news-studio.com): Jahan News, Bahar News, and pages of a dozen
more sites that carry its `#docDiv3…` ids (notes/sites.md §1.E).

Article URLs are /news/<id>/<slug>, also served as /news/<id>. The date line
reads "تاریخ انتشار : پنجشنبه ۹ دی ۱۳۹۵ ساعت ۱۹:۵۸".
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec

STUDIOKHABAR = Family(
    name="studiokhabar",
    spec=Spec(
        article=(".doc_content",),
        uptitle=("#docDiv3TitrRou",),
        headline=("#docDiv3TitrMain",),
        lead=("#docDivLead1", "#docDivLead"),
        body=("#doctextarea article", "#docContentdiv article"),
        published=("#docDiv3Date", ".doc_date"),
        tags=(".tags a",),
        section=(".doc-section-info a",),
    ),
    article_paths=(re.compile(r"^/news/(?P<code>\d+)(?:/[^/]*)?/?$"), MAIN_DETAIL),
    url_shapes=("/news/<code>/<slug>", "/news/<code>", MAIN_DETAIL_SHAPE),
    markers=("#docDiv3TitrMain, #docDiv3TitrRou", "#docDiv3Date, .doc_date", "#doctextarea, #docContentdiv", ".doc_content"),
)

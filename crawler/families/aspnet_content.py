"""An ASP.NET Web Forms news layout whose fields are server controls named
`Content_*` (#Content_title, #Content_rutitr, #Content_publishdate): pana.ir
and farsi.khamenei.ir in T (notes/sites.md §1.H, §0).

Article URLs are /news/<id> (pana.ir; T gives no URL shape for khamenei.ir).
The date reads "<day> <month> <year> - HH:MM"; khamenei.ir also writes a
numeric Jalali `.oliveDate`.
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec

ASPNET_CONTENT = Family(
    name="aspnet_content",
    spec=Spec(
        uptitle=("#Content_rutitr",),
        headline=("#Content_title",),
        lead=("#Content_UnderTitle", "#Content_lid"),
        body=(".NewsText",),
        published=("#Content_publishdate", ".oliveDate"),
        tags=("#keyWordContainer strong",),
        section=("#breadCrumbsContainer [itemprop=title]",),
    ),
    article_paths=(re.compile(r"^/news/(?P<code>\d+)(?:/[^/]*)?/?$"), MAIN_DETAIL),
    url_shapes=("/news/<code>", "/news/<code>/<slug>", MAIN_DETAIL_SHAPE),
    markers=("#Content_title", "#Content_rutitr, #Content_UnderTitle, #Content_lid", "#Content_publishdate"),
)

"""IranSamaneh (iransamaneh.com; "Didgah/Rasaneh" in some scrapers): Tabnak,
Asriran, YJC, IRIB News, ANA, Borna, Entekhab, Jamejam Online, Kayhan, Mizan,
SNN, IQNA, Bultan News, Defa Press, Javan Online and some ninety more
(notes/sites.md §1.B).

Markup: `.news_path` breadcrumb, `.rutitr` uptitle, a `.title` h1, `.subtitle`
lead, `div.body` text and `.tags_title` keywords. The date bar
`div.news_nav.news_pdate_c` holds a label `تاریخ انتشار:` (in a
`span.news_nav_title` or bare) and Jalali text `۰۹ دی ۱۳۹۵ - ۰۰:۴۲`, older
pages a `.fa_date` and a Gregorian `.en_date` in it. The header's
`.today_date` clock is the time the page was served, never the article's.

Article URLs are /fa/news/<code>/<slug>, AMP copies /fa/amp/news/<code>
(YJC's amphtml link). Photo reports, /fa/photos/<code>,
share the news codes and are fetched like news: one with text in its body is
exported, a picture-only album has no body and is dropped by validation.
Sections are /fa/service/<...>. Discovery: /fa/rss/allnews, the news sitemap
/fa-sitemap-news and robots.txt (the /fa-sitemap-newsarchive monthly archive
is left out: it lists every article ever published).
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec

IRANSAMANEH = Family(
    name="iransamaneh",
    spec=Spec(
        article=("article",),
        uptitle=(".rutitr", ".news-rutitr"),
        headline=("h1.title", ".title h1", "h1[class*=title]", ".news-title", ".title-news", ".title", "h1"),
        lead=(".subtitle", ".news-subtitle", ".subtitle-news", ".sub_ax", ".subtitle_photo"),
        body=("div.body", ".album_content"),
        # The date bar the first three date selectors read, in the article container or, on
        # some sites (Borna), outside it.
        regions=(("date_bar", ".news_pdate_c"),),
        published=(
            "xpath:$date_bar//*[contains(@class, 'fa_date')]",
            # the date without its label, whether the label is a span or bare text
            "xpath:normalize-space(substring-after($date_bar[contains(., 'انتشار')], ':'))",
            "xpath:$date_bar",
            ".fa_date",
            ".news-date",
            "time::attr(datetime)",
            "time",
        ),
        tags=(".tags li", ".tags_title a"),
        section=(".news_path a",),
        images=(".lead_image img", "div.body img", ".album_listi img"),
        news_code=(".news_id_c",),
    ),
    article_paths=(re.compile(r"^/fa/(?:news|photos)/(?P<code>\d+)(?:/[^/]*)?/?$"), MAIN_DETAIL),
    url_shapes=("/fa/news/<code>/<slug>", "/fa/news/<code>", "/fa/photos/<code>/<slug>", MAIN_DETAIL_SHAPE),
    listing_paths=(re.compile(r"^/fa/service/[^/]+(?:/[^/]+)?/?$"),),
    feeds=("/fa/rss/allnews",),
    sitemaps=("/robots.txt", "/fa-sitemap-news"),
    archives=("/fa-sitemap-newsarchive",),  # index of monthly sitemaps (notes §4)
    listings=("/",),
    markers=(".news_pdate_c", ".news_id_c", ".news_path"),
)

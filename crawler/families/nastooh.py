"""Nastooh (nastooh.ir; "newsstudio" in some scrapers): IRNA, ISNA, Mehr, IMNA,
Hamshahri Online, Khabar Online, Mashregh, Quds Online, Shana, Hawzah News,
Tehran Times and some forty more (notes/sites.md §1.A).

Markup: `article` holding `.item-header` (`.rutitr`/`.kicker`/`h4.subtitle`
uptitle, `h1` title, `ol.breadcrumb`, `.item-date`), `.introtext` or
`p.summary` lead, `.item-body .item-text` body, `section.tags` keywords and a
`.short-link-container input`. Dates are Jalali text, `DD <month> YYYY، HH:MM`
(Mehr, IRNA) or `... - HH:MM` (Khabar Online); English editions write
`December 17, 2023 - 22:36`. Pages carry `nastooh:code` and `article:*` meta.

Article URLs are /news/<code>/<slug>, also answered as /news/<code>; ISNA's
older ones /fa/news/<code>/; AMP copies /amp/<code>/ (ISNA's amphtml link),
asked as /news/<code>. Mehr's and Khabar Online's short links /x<hash> hold
no code and are not taken.
Sections are /service/<name>[/<sub>]. Discovery: /rss, the news sitemap
/sitemap/news/sitemap.xml (about thirty latest items) and robots.txt.
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec

# Containers of the article, most specific first. Sites that wrap it in
# something else put their container before the last-resort bare `article`
# with `article_scope(...)`.
_ARTICLE_SCOPES = (
    "article#item",
    "article:has(.item-text)",
    "article.item",
    "#photos",
)


def article_scope(*site_containers: str) -> tuple[str, ...]:
    """The family's article containers with a site's own before plain `article`."""
    return (*_ARTICLE_SCOPES, *site_containers, "article")


NASTOOH = Family(
    name="nastooh",
    spec=Spec(
        article=article_scope(),
        uptitle=(".item-header .rutitr", ".item-header .kicker", ".item-header h4.subtitle", ".rutitr", ".kicker", ".uptitle"),
        headline=(".item-header h1", "h1[itemprop=headline]", "h1.first-title", "h1.title", "[itemprop=headline]", ".item-title", "span.headline", "h1"),
        lead=(".introtext", ".item-summary .summary", "p.summary", ".item-summary"),
        body=(".item-body .item-text", "[itemprop=articleBody]", ".item-body"),
        # The lead, printed again at the top of .item-text on some sites (Tehran Times), and
        # the share bar and short link when the body falls back to the whole .item-body.
        body_drop=(".introtext", "p.summary", ".item-summary", ".item-footer"),
        published=(".item-header .item-date", ".item-date span", ".item-date", ".item-time"),
        tags=("section.tags li a", "section.tags a", "footer.tags li a", ".tags li a", ".tags li", "a[rel=tag]"),
        section=(".item-header ol.breadcrumb li a", "ol.breadcrumb li a", ".breadcrumb li", "li.breadcrumb-item"),
        images=(".item-body figure img", ".item-img img", ".item-text img"),
        # The URL has the code; else the page's meta, else a short link of the /news/<code>/ form
        # (Mehr's and Khabar Online's short links are /x<hash>, which holds no code).
        news_code=(
            "xpath://meta[@property='nastooh:code']/@content",
            "xpath://*[contains(@class, 'short-link')]//input/@value[contains(., '/news/')]",
        ),
    ),
    article_paths=(re.compile(r"^(?:/fa)?/news/(?P<code>\d+)(?:/[^/]*)?/?$"), MAIN_DETAIL),
    # /amp/<code>/ without its AMP marker
    rewrites=((re.compile(r"^/(\d+)/?$"), r"/news/\1"),),
    url_shapes=("/news/<code>/<slug>", "/news/<code>", "/fa/news/<code>/", "/amp/<code>/", MAIN_DETAIL_SHAPE),
    listing_paths=(re.compile(r"^/service/[^/]+(?:/[^/]+)?/?$"),),
    feeds=("/rss",),
    sitemaps=("/robots.txt", "/sitemap/news/sitemap.xml"),
    archives=("/sitemap/all/sitemap.xml",),  # index of daily sitemaps, every day since the start (notes §4)
    listings=("/",),
    markers=(
        "xpath:/html/head/meta[@property='nastooh:code']",
        "xpath:/html/head/meta[@name='generator'][contains(@content, 'nastooh')]",
        ".item-body .item-text",
        ".short-link-container",
    ),
)

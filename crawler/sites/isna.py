"""ISNA (isna.ir): Nastooh markup with its own classes (notes/sites.md §2
row 2): `.kicker`, `h1.first-title`, `p.summary`, the date in the first
`.meta-news` item (`۹ خرداد ۱۳۹۸ / ۰۰:۲۰`), keywords in `footer.tags`, the
reporter in `ul.author-id`. Older article URLs are /fa/news/<code>/."""

from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site, Spec

SITE = Site(
    name="isna",
    domain="isna.ir",
    family=NASTOOH,
    base_url="https://www.isna.ir",
    names=("ایسنا", "خبرگزاری دانشجویان ایران"),
    feeds=("/rss", "/rss/service/world"),
    overrides=Spec(
        uptitle=(".kicker",),
        headline=("h1.first-title",),
        lead=("p.summary",),
        body=(".item-body .item-text",),
        published=(".meta-news li:nth-child(1) .text-meta", ".meta-news .text-meta"),
        tags=("footer.tags li a",),
        # The reporter (خبرنگار), not the editor (دبیر) listed beside him.
        authors=("xpath:.//ul[contains(@class, 'author-id')]/li[contains(span, 'خبرنگار')]/strong",),
        # A breadcrumb where there is one; else the service (article:section) and
        # the subsection the .meta-news list names (دسته‌بندی).
        section=(
            "ol.breadcrumb li a",
            "xpath://meta[@property='article:section']/@content"
            " | .//*[contains(@class, 'meta-news')]//*[@itemprop='articleSection']",
        ),
    ),
)

"""Drupal: sites on Drupal's field markup (tarafdari.com and a dozen more in
T) and IranDrupal, the Iranian distribution Rajanews runs, whose selectors
its site module lists (notes/sites.md §1.F).

The date is a timeago element (its data-tarikh, or the ISO time in its
title), or on older pages a div.created reading
"پنجشنبه 9 دى 1395 ساعت 19:48 <span>2016-12-29 19:48:23</span>": its own text
is the date the page shows; the span is a machine copy. Article URLs are
/news/<id>; Drupal answers every node at /node/<id> too (redirecting to its
alias where the site sets one), the id the same.
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec

DRUPAL = Family(
    name="drupal",
    spec=Spec(
        article=("article.node-content",),
        uptitle=(".field-name-field-surtitle",),
        headline=("h1",),
        lead=(".field-name-field-teaser",),
        body=(".field-name-body .field-item.even",),
        published=(".timeago::attr(data-tarikh)", "abbr.timeago::attr(title)", "div.created::text"),
        tags=(".field-name-field-tags a",),
        section=(".field-name-field-category .field-item",),
    ),
    article_paths=(re.compile(r"^/(?:news|node)/(?P<code>\d+)(?:/[^/]*)?/?$"), MAIN_DETAIL),
    url_shapes=("/news/<code>", "/news/<code>/<slug>", "/node/<code>", MAIN_DETAIL_SHAPE),
    # Drupal 7's: Drupal 8 and later write other field classes (field--name-body), which this spec does not read.
    markers=(
        "xpath:/html/head/meta[@name='generator'][starts-with(@content, 'Drupal 7')]",
        ".field-name-body",
        ".field-name-field-tags, .field-name-field-category, .field-name-field-teaser, .field-name-field-surtitle",
        "xpath:/html/head/script[contains(., 'Drupal.settings')] | /html/head/script/@src[contains(., '/misc/drupal.js')]",
    ),
)

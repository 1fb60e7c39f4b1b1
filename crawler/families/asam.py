"""Asam (aasaam.com): Etemad Online, ILNA, Donya-e-Eqtesad, Eghtesad News,
Khabarfoori, Shargh, Fardanews, Rokna and some seventy more.

Article URLs are /<section-slug>-<secId>/<id>-<slug>, older /fa/news/<id>/<slug>,
short links /fa/tiny/news-<id> (also without /fa), which the sites redirect to
the article; sections are /بخش-<name>-<secId>.
"""

import re

from crawler.families.legacy import MAIN_DETAIL, MAIN_DETAIL_SHAPE
from crawler.families.spec import Family, Spec

ASAM = Family(
    name="asam",
    spec=Spec(
        article=("article", ".news_content", "main"),
        uptitle=(".uptitle", ".up-title", "h2.up_title", "h2.news-uptitle"),
        headline=("h1.title", "h1"),
        lead=("p.lead", ".lead", "p.news-lead", "p.news_lead"),
        body=(
            ".article_body #echo_detail", "#echo_detail", ".echo-detail", "#main_ck_editor", "#CK_editor",
            ".article_content", ".article-body", ".album_content",
        ),
        body_drop=(".article_tag", ".sec_info", ".share_news", ".short_link_cnt", ".tinyurl_form", "[id^=tavoos]"),
        published=("time::attr(datetime)", ".news_time", ".news-time", "time", ".news_nav_title"),
        source=(".writers", ".news_source", ".source"),
        tags=(".article_tags li", ".article_tag a", ".news_tags a", ".tags ul li a", ".article-tag a", ".all-tags div a", ".tag_items a"),
        section=(".breadcrumb_list li a", "ul.bread_crump li a", ".breadcrumb li a"),
        images=(
            ".image_top_primary img", ".primary-files img", ".primary_files img", ".primary_image img",
            ".gallery_containar figure img", ".contain_img img", "#echo_detail img", "#main_ck_editor img",
        ),
        news_code=(".news_id", ".news-id", ".short_link_cnt input::attr(value)", ".tinyurl_form input::attr(value)"),
    ),
    article_paths=(
        re.compile(r"^/[^/]+-\d+/(?P<code>\d+)(?:-[^/]*)?/?$"),
        re.compile(r"^(?:/fa)?/tiny/news-(?P<code>\d+)/?$"),
        re.compile(r"^/fa/news/(?P<code>\d+)(?:/[^/]*)?/?$"),
        MAIN_DETAIL,
    ),
    url_shapes=(
        "/<section>-<n>/<code>-<slug>", "/fa/tiny/news-<code>", "/tiny/news-<code>", "/fa/news/<code>/<slug>",
        MAIN_DETAIL_SHAPE,
    ),
    listing_paths=(re.compile(r"^/(?:fa/)?بخش-[^/]+-\d+/?$"),),
    feeds=("/fa/feeds/", "/feeds/"),
    sitemaps=("/robots.txt", "/sitemap.xml"),
    listings=("/",),
    markers=(
        "#echo_detail, .echo-detail, #main_ck_editor, #CK_editor",
        ".short_link_cnt, .tinyurl_form",
        ".image_top_primary, .primary-files, .primary_files",
        ".breadcrumb_list, .bread_crump",
    ),
)

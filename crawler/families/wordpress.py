"""WordPress, the de-facto family of 127 news sites in T (notes/sites.md
§0 and §1.G): JNews, Newspaper, Elementor and plain themes.

Permalinks are /<slug>/ (under a language prefix such as /fa/ on
multilingual sites), or /?p=<id>. A slug is no id: the post id the page
states (its shortlink, the postid-<id> body class) is the news code
(`code_in_url=False`), while the slug still tells articles apart during
discovery. An AMP copy, /<slug>/amp/, is the post's.
"""

import re

from crawler.families.spec import Family, Spec

WORDPRESS = Family(
    name="wordpress",
    spec=Spec(
        article=("#the-post", "body.single-post"),
        headline=("h1.jeg_post_title", "h1.entry-title", "h1"),
        lead=(".jeg_post_subtitle", ".entry-sub-title", ".single-post-excerpt"),
        body=(
            ".entry-content",
            ".elementor-widget-theme-post-content .elementor-widget-container",
            ".td-post-content",
            ".content-inner",
        ),
        body_drop=(".post-shortlink", ".post-bottom-meta", ".kk-star-ratings"),
        published=("xpath://meta[@property='article:published_time']/@content",),
        modified=("xpath://meta[@property='article:modified_time']/@content",),
        # Not .tagcloud a: on most themes that is the sidebar widget, not the post's tags.
        tags=(".jeg_post_tags a", ".post-tags a", "a[rel=tag]"),
        news_code=(
            "xpath:substring-after(//link[@rel='shortlink']/@href, '?p=')",
            "xpath:substring-before(concat(substring-after(//body/@class, 'postid-'), ' '), ' ')",
        ),
    ),
    # /<slug>/ or /<lang>/<slug>/, but not a bare language root, a feed, a pager or wp-* files.
    article_paths=(re.compile(r"^(?:/[a-z]{2})?/(?!(?:[a-z]{2}|feed|page)/?$|wp-)(?P<code>[^/.]+)/?$"),),
    feeds=("/feed/",),
    code_in_url=False,
    url_shapes=("/<code>/", "/<lang>/<code>/"),
    markers=(
        "xpath:/html/head/link[@rel='https://api.w.org/']",
        "xpath:/html/head/meta[@name='generator'][starts-with(@content, 'WordPress')]",
        "xpath:/html/head/link/@href[contains(., '/wp-content/') or contains(., '/wp-includes/')]"
        " | /html/head/script/@src[contains(., '/wp-content/') or contains(., '/wp-includes/')]",
        "xpath:/html/head/link[@rel='shortlink'][contains(@href, '?p=')]",
    ),
)

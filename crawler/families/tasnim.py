"""Tasnim's own CMS (tasnimnews.com, also served as tasnimnews.ir and .org).

Articles are /<lang>/news/<Jalali Y>/<M>/<D>/<id>/<slug>, AMP copies the
same with /amp after the slug, short links /<id> (on tn.ai too), which the
site redirects to the article in whichever edition holds it; services (sections)
are /<lang>/service/<sid>/<slug>. The Persian and English editions share the
hosts and differ by the /fa/ or /en/ prefix, so each is its own site; the
Persian one takes the short links (an English article's is dropped at its
redirect).
"""

import re

from crawler.families.spec import Family, Spec

TASNIM = Family(
    name="tasnim",
    spec=Spec(
        article=("article.single-news", "article.media"),
        uptitle=(".kicker", "h2.subtitle"),
        headline=("h1.title", ".title"),
        lead=("h3.lead", ".lead"),
        body=(".story",),
        # .hideTag: a hidden "- اخبار <service> -" link opening every story;
        # .readmore-container: the story's "بیشتر بخوانید" link to another article.
        body_drop=(".hideTag", ".readmore-container"),
        published=("li.time", ".time", "time"),
        tags=(".smart-keyword li", ".tags li"),
        section=("li.service",),
        images=("figure img", ".story img"),
        news_code=("#short-link",),
    ),
    article_paths=(
        re.compile(r"^/(?:fa|en)/news/\d{4}/\d{1,2}/\d{1,2}/(?P<code>\d+)(?:/[^/]*)?/?$"),
        re.compile(r"^/(?P<code>\d{5,})/?$"),
    ),
    # The Persian edition's; the English one names its own.
    url_shapes=("/fa/news/<date>/<code>/<slug>", "/fa/news/<date>/<code>/<slug>/amp", "/<code>"),
    listing_paths=(re.compile(r"^/(?:fa|en)/service/\d+(?:/[^/]*)?/?$"),),
    # The Persian edition's; the English one names its own.
    feeds=("/fa/rss/feed/0/7/0/", "/fa/rss/feed/0/8/0/", "/fa/rss"),
    sitemaps=("/robots.txt", "/fa/fa_sitemap.xml"),
    listings=("/fa",),
    markers=("article.single-news", ".smart-keyword", "li.service"),
)

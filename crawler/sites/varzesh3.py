"""Varzesh3, on its own CMS. Selectors come in pairs: the current layout's
(sites.md §2 row 47) and the 2019 one of the saved pages (news-page--*)."""

import re

from crawler.families.spec import Family, Site, Spec

# "زمان: 19:04 1398/02/11" sits loose in the 2019 info line, between the code and the view count.
OLD_TIME = "xpath:substring-before(substring-after(//div[contains(@class, 'news-page--news-info')], 'زمان:'), 'بازدید')"

VARZESH3 = Family(
    name="varzesh3",
    spec=Spec(
        article=(".news-text--wrapper",),
        uptitle=(".subhead", "h4.news-page--subtitle"),
        headline=(".headline", "h1.news-page--news-title", "h1"),
        lead=(".lead", "p.news-page--news-lead"),
        body=(".news-text", ".news-page--news-text"),
        published=(".news-info span:nth-child(2)", OLD_TIME),
        tags=(".tagbox .tag", ".tags-list li a"),
        # No breadcrumb on the page; the site names the section in its metadata.
        section=("xpath://meta[@property='og:article:section']/@content",),
        # The 2019 layout's top picture sits beside the info box, in a div.pull-lef (sic).
        images=(".news-text img", "div.pull-lef > img", ".news-page--news-text img"),
    ),
    # The code is the site's own id: sequential digits (1608590) or a short token (d1Gjx), both on 2019 pages,
    # with a digit or a capital letter where a lower-case word names a page (/news/live, the live scores).
    article_paths=(re.compile(r"^/news/(?P<code>(?=[a-z]*[0-9A-Z])[0-9A-Za-z]+)(?:/[^/]*)?/?$"),),
    url_shapes=("/news/<code>/<slug>", "/news/<code>"),
    feeds=("/rss/all",),
    sitemaps=("/robots.txt", "/sitemap/news"),
)

SITE = Site(
    name="varzesh3",
    domain="varzesh3.com",
    family=VARZESH3,
    base_url="https://www.varzesh3.com",
    names=("ورزش سه", "Varzesh3"),
)

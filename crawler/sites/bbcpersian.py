"""BBC News Persian (bbc.com/persian), pages rendered by BBC's "Simorgh": the
article in <main>, its paragraphs in <p>, the publication time only in JSON-LD
(datePublished, UTC; the visible <time> holds the date alone).

Articles are /persian/articles/<id> (id like c9wdrd4qglpo), older ones
/persian/<section>-<8 digits> in every section (iran, iran-features, world,
world-features, science, arts, sport, afghanistan, ...); the AMP copies
(/persian/articles/<id>.amp, /persian/articles/amp/<id>) are the same articles,
asked under the canonical URL. Feeds: feeds.bbci.co.uk/persian/rss.xml and
/persian/index.xml (notes/sites.md §2 row 52, §4).
"""

import re

from crawler.families.spec import Family, Site, Spec

BBC_PERSIAN = Family(
    name="bbcpersian",
    spec=Spec(
        article=("main",),
        headline=("h1#content", "h1"),
        body=("main",),
        # Simorgh's regions inside <main> (byline, related content, top stories),
        # the date line, and pictures with their captions.
        body_drop=("section", "time", "figure"),
    ),
    article_paths=(
        re.compile(r"^/persian/articles/(?P<code>[a-z0-9]+)$"),
        re.compile(r"^/persian/[a-z]+(?:-[a-z]+)*-(?P<code>\d{8})$"),
    ),
    url_shapes=("/persian/articles/<code>", "/persian/articles/<code>.amp", "/persian/<section>-<code>"),
    feeds=("https://feeds.bbci.co.uk/persian/rss.xml", "/persian/index.xml"),
    # bbc.com's robots.txt names the sitemaps of every BBC service; none is documented for Persian.
    sitemaps=(),
    listings=("/persian",),
)

SITE = Site(
    name="bbcpersian",
    domain="bbc.com",
    family=BBC_PERSIAN,
    base_url="https://www.bbc.com",
    names=("BBC News فارسی", "بی‌بی‌سی فارسی", "BBC Persian"),
    paths=("/persian/",),
)

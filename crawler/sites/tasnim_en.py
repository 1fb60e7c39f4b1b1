from crawler.families.spec import Site
from crawler.families.tasnim import TASNIM

SITE = Site(
    name="tasnim_en",
    domain="tasnimnews.com",
    family=TASNIM,
    base_url="https://www.tasnimnews.com",
    names=("Tasnim News Agency", "Tasnim"),
    language="en",
    feeds=(),  # sites.md documents feeds of the Persian edition only
    sitemaps=("/robots.txt", "/en/en_sitemap.xml"),
    listings=("/en",),
    hosts=("tasnimnews.ir", "tasnimnews.org"),
    paths=("/en/",),
    url_shapes=("/en/news/<date>/<code>/<slug>", "/en/news/<date>/<code>/<slug>/amp"),
)

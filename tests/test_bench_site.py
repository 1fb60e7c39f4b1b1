"""The crawl benchmark's real-page sites (benchmarks/site.py): each copy of a
real page is an article of its own, at its site's URL shape, with local
links, and no near duplicate of the other copies."""

from urllib.parse import unquote

from benchmarks.site import RealPageMaker
from crawler.export.neardup import DEFAULT_MAX_DISTANCE, distance, fingerprint
from crawler.extract import read_article
from crawler.sites import site_named

BASE = "http://127.0.0.1:9"


def test_copies_of_a_real_page_are_articles_of_their_own():
    makers = RealPageMaker.all(BASE)
    assert len(makers) >= 5  # the real fixtures with a numeric code
    for maker in makers:
        site = site_named(maker.spider)
        readings = []
        for i in (0, 1):
            page = maker.page(i).decode()
            assert 'rel="canonical"' not in page and f"://www.{maker.domain}/" not in page and f"{BASE}/" in page
            reading = read_article(page.encode(), BASE + maker.path(i), site=site)
            assert reading.problem is None, maker.name
            assert reading.fields["news_code"] == str(int(maker.code) + 1 + i), maker.name
            assert unquote(maker.path(i)) != unquote(maker.path(1 - i))
            readings.append(reading.fields["body"] or "")
        if len(readings[0]) > 1000:  # a body in <p>s, which the copies scramble
            assert distance(fingerprint(readings[0]), fingerprint(readings[1])) > DEFAULT_MAX_DISTANCE, maker.name

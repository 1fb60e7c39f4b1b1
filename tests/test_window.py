"""Date windows: parsing the arguments, and a crawl that stays inside one."""

import json
from datetime import datetime

import pytest

from crawler.persian.dates import TEHRAN
from crawler.spiders.window import Window, WindowError
from localsite import Route, scrapy_crawl, serve
from test_crawl_e2e import link, variant


def test_jalali_gregorian_and_relative_bounds():
    jalali = Window.from_args(since="1400-09-01", until="1400-09-30")
    assert jalali.since == datetime(2021, 11, 22, tzinfo=TEHRAN)
    assert jalali.until == datetime(2021, 12, 21, 23, 59, 59, tzinfo=TEHRAN)  # the whole last day
    assert Window.from_args(since="2021-11-22").since == jalali.since
    now = datetime(2024, 1, 10, 12, 0, tzinfo=TEHRAN)
    assert Window.from_args(days="3", now=now).since == datetime(2024, 1, 7, 12, 0, tzinfo=TEHRAN)
    assert Window.from_args() is None


@pytest.mark.parametrize("args", [{"since": "yesterday-ish"}, {"since": "1399-13-01"}, {"since": "1400-10-01", "until": "1400-09-01"}, {"days": "x"}, {"days": "-2"}, {"days": "0"}, {"days": "nan"}, {"days": "1e400"}, {"days": 3, "since": "1400-01-01"}])
def test_bad_windows_are_refused(args):
    with pytest.raises(WindowError):
        Window.from_args(**args)


def test_discovery_dates():
    window = Window.from_args(since="2021-11-22", until="2021-11-30")
    assert window.may_contain("2021-11-24T10:00:00+00:00")
    assert not window.may_contain("2021-11-21T10:00:00+03:30")
    assert window.may_contain("2021-11-22")  # a day partly inside
    assert window.may_contain(None) and window.may_contain("not a date")  # undated: look inside
    assert not window.may_contain("Wed, 01 Dec 2021 10:00:00 GMT")


def test_since_is_inclusive():
    window = Window.from_args(since="2021-11-22T10:00:00+03:30")
    assert window.may_contain("2021-11-22T10:00:00+03:30")  # published at the very moment the window opens
    assert window.may_contain("2021-11-22T06:30:00+00:00")  # the same moment, in UTC
    assert not window.may_contain("2021-11-22T09:59:59+03:30")
    assert window.may_hold("2021-11-22T10:00:00+03:30")  # a sitemap last changed then may list it


def test_a_day_only_date_on_the_since_day_is_kept_when_since_has_a_time():
    # -a days=N opens the window at a time of day; a lastmod or pubDate giving
    # only that day may be any time of it, some inside.
    window = Window.from_args(days="3", now=datetime(2021, 11, 25, 18, 0, tzinfo=TEHRAN))
    assert window.since == datetime(2021, 11, 22, 18, 0, tzinfo=TEHRAN)
    assert window.may_contain("2021-11-22") and window.may_contain("۱۴۰۰/۰۹/۰۱")  # the same day, Jalali
    assert window.may_hold("2021-11-22")  # a sitemap last changed that day
    assert not window.may_contain("2021-11-21") and not window.may_hold("2021-11-21")


def test_until_is_inclusive():
    window = Window.from_args(until="2021-11-30")
    assert window.may_contain("2021-11-30T23:59:59+03:30")  # the last second of the last day
    assert not window.may_contain("2021-12-01T00:00:00+03:30")
    exact = Window.from_args(until="2021-11-30T12:00:00+03:30")
    assert exact.may_contain("2021-11-30T12:00:00+03:30") and not exact.may_contain("2021-11-30T12:00:01+03:30")


def test_since_equal_to_until_is_one_moment_or_one_day():
    moment = Window.from_args(since="2021-11-22T10:00:00+03:30", until="2021-11-22T10:00:00+03:30")
    assert moment.since == moment.until and moment.may_contain("2021-11-22T10:00:00+03:30")
    day = Window.from_args(since="1400-09-01", until="1400-09-01")
    assert day.may_contain("2021-11-22T00:00:00+03:30") and day.may_contain("2021-11-22T23:59:59+03:30")
    assert not day.may_contain("2021-11-23T00:00:00+03:30")


def test_crawl_inside_a_window_skips_old_sitemaps_entries_and_articles():
    def page(code, date):
        return Route(variant(code, f"خبر {code}", date))

    old_sitemap_path, new_sitemap_path = "/sitemap-1400-08.xml", "/sitemap-1400-09.xml"
    paths = {code: f"/بخش-سیاسی-2/{code}-x" for code in ("800001", "800002", "800003", "800004")}
    routes: dict = {}
    with serve(routes) as (base, requested):
        def urlset(entries):
            body = "".join(f"<url><loc>{base}{link(paths[c])}</loc><lastmod>{d}</lastmod></url>" if d else f"<url><loc>{base}{link(paths[c])}</loc></url>" for c, d in entries)
            return Route(f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>', "application/xml")

        routes.update({
            "/robots.txt": Route(f"User-agent: *\nSitemap: {base}/sitemap_index.xml\n", "text/plain"),
            "/sitemap_index.xml": Route(
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}{old_sitemap_path}</loc><lastmod>2021-11-20</lastmod></sitemap>"
                f"<sitemap><loc>{base}{new_sitemap_path}</loc><lastmod>2021-12-20</lastmod></sitemap></sitemapindex>",
                "application/xml",
            ),
            old_sitemap_path: urlset([("800001", "2021-11-20")]),
            # 800002 inside; 800003 after the window by lastmod; 800004 undated in the sitemap, published before
            new_sitemap_path: urlset([("800002", "2021-11-25T10:00:00+03:30"), ("800003", "2021-12-10"), ("800004", None)]),
            paths["800001"]: page("800001", "۱۴۰۰/۰۸/۲۹ ۱۰:۰۰:۰۰"),
            paths["800002"]: page("800002", "۱۴۰۰/۰۹/۰۴ ۱۰:۰۰:۰۰"),
            paths["800003"]: page("800003", "۱۴۰۰/۰۹/۱۹ ۱۰:۰۰:۰۰"),
            paths["800004"]: page("800004", "۱۴۰۰/۰۸/۲۰ ۱۰:۰۰:۰۰"),
        })
        result = scrapy_crawl("etemadonline", "-a", f"base_url={base}", "-a", "since=1400-09-01", "-a", "until=1400-09-15", "-o", "-:jsonlines")
    assert result.returncode == 0, result.stderr[-2000:]
    assert [json.loads(line)["news_code"] for line in result.stdout.splitlines()] == ["800002"], result.stderr[-3000:]
    assert old_sitemap_path not in requested
    assert paths["800003"] not in requested and paths["800001"] not in requested
    assert paths["800004"] in requested  # undated in discovery: fetched, then left out by its own date
    assert "'articles/outside_window': 1" in result.stderr


def test_bad_window_argument_stops_the_crawl_with_a_clear_message():
    result = scrapy_crawl("etemadonline", "-a", "since=soon")
    assert result.returncode != 0 and "is not a date" in result.stderr


def test_a_window_adds_the_familys_history_sitemaps():
    from crawler.sites import site_named
    from crawler.spiders.site import SiteSpider

    spider_cls = type("IsnaSpider", (SiteSpider,), {"name": "isna", "site": site_named("isna")})
    assert not any("/sitemap/all/" in u for u in spider_cls().sitemap_urls)
    assert any(u.endswith("/sitemap/all/sitemap.xml") for u in spider_cls(since="1402-08-01").sitemap_urls)

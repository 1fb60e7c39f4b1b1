"""Spider arguments: declared once on the spider class (`arguments`, with
their help), checked before anything is downloaded, listed by `scrapy sites
--args`. A wrong one is a usage error: one line, no traceback, exit 2."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from crawler.spiders.news import NewsSpider
from crawler.spiders.site import SiteSpider
from crawler.spiders.sites import EtemadonlineSpider
from localsite import FAST, ROOT, serve


def scrapy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("command", "arguments", "message"),
    [
        ("crawl etemadonline", ["sinse=1400-01-01"], "etemadonline takes no argument -a sinse; did you mean since? it takes base_url, since, until, days"),
        ("crawl etemadonline", ["days=-2"], "days='-2' is not a positive number of days"),
        ("crawl etemadonline", ["days=0"], "days='0' is not a positive number of days"),
        ("crawl etemadonline", ["days=1e400"], "days='1e400' reaches back before the year 1"),
        ("crawl etemadonline", ["days=abc"], "days='abc' is not a number"),
        ("crawl etemadonline", ["since=1399-13-01"], "since='1399-13-01' is not a date (Jalali 1400-09-01 or Gregorian 2021-11-22)"),
        ("crawl etemadonline", ["since=1400-10-01", "until=1400-09-30"], "since=1400-10-01 is after until=1400-09-30"),
        ("crawl etemadonline", ["days=3", "until=1400-01-01"], "until=1400-01-01 is before the last 3 days"),
        ("crawl etemadonline", ["days=3", "since=1400-01-01"], "give -a days or -a since, not both"),
        ("crawl news", [], "news needs a target: give either -a url=ARTICLE_URL or -a domain=DOMAIN"),
        ("crawl news", ["url=news/123"], "url='news/123' is not an http(s) URL"),
        ("crawl etemadonlin", [], "no spider 'etemadonlin'; did you mean etemadonline? `scrapy list` names them"),
        ("crawlall etemadonline ilna", ["untill=1400-01-01"], "etemadonline takes no argument -a untill; did you mean until? it takes base_url, since, until, days"),
        ("canary etemadonline", ["days=-1"], "days='-1' is not a positive number of days"),
    ],
)
def test_a_wrong_argument_is_a_one_line_usage_error_before_any_download(command, arguments, message):
    name, *rest = command.split()
    with serve({}) as (base, requested):
        spargs = [a for arg in (f"base_url={base}", *arguments) for a in ("-a", arg)]
        result = scrapy(name, *rest, *FAST, *spargs)
    assert (result.returncode, result.stderr) == (2, f"scrapy {name}: error: {message}\n")
    assert requested == []


def test_a_wrong_base_url_is_a_usage_error():
    result = scrapy("crawl", "etemadonline", *FAST, "-a", "base_url=127.0.0.1:8000")
    assert (result.returncode, result.stderr) == (2, "scrapy crawl: error: base_url='127.0.0.1:8000' is not an http(s) URL\n")


def test_an_unknown_extraction_layer_is_a_usage_error(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html></html>")
    result = scrapy("extract", "--layers", "metadata,bogus", "--url", "https://example.ir/news/1", str(page))
    assert (result.returncode, result.stderr) == (2, "scrapy extract: error: no layer 'bogus'; the layers are site,family,metadata,generic\n")
    result = scrapy("extract", "--layers", "metadat", "--url", "https://example.ir/news/1", str(page))
    assert result.stderr == "scrapy extract: error: no layer 'metadat'; did you mean metadata? the layers are site,family,metadata,generic\n"


def test_a_scheduler_s_own_arguments_pass():
    # scrapyd runs `scrapy crawl SPIDER -a _job=<id>`.
    EtemadonlineSpider.check_arguments({"_job": "6487ec79", "since": "1400-09-01"})


def test_arguments_are_checked_when_a_spider_is_made_in_code_too():
    from scrapy.utils.test import get_crawler

    with pytest.raises(UsageError, match="did you mean since"):
        EtemadonlineSpider.from_crawler(get_crawler(EtemadonlineSpider), sinse="1400-09-01")


def test_the_declared_arguments_are_the_ones_the_spiders_take():
    def keywords(cls) -> set[str]:
        return {p.name for p in inspect.signature(cls.__init__).parameters.values() if p.kind is p.KEYWORD_ONLY}

    assert set(SiteSpider.arguments) == keywords(SiteSpider)
    assert set(NewsSpider.arguments) == keywords(NewsSpider) | keywords(SiteSpider)


def test_sites_args_lists_every_argument_of_every_spider_with_its_help():
    result = scrapy("sites", "--args")
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n")
    loader = get_spider_loader(get_project_settings())
    spiders = {name: loader.load(name) for name in loader.list()}
    for name, spidercls in spiders.items():
        [block] = [b for b in blocks if b.startswith(f"{name} (") or (name != "news" and " site spiders " in b.splitlines()[0])]
        listed = {line.split(maxsplit=1)[0]: line.split(maxsplit=1)[1] for line in block.strip().splitlines()[1:]}
        assert listed == spidercls.arguments, name
    assert blocks[0].startswith(f"the {len(spiders) - 1} site spiders (scrapy crawl SPIDER -a NAME=VALUE):")
    assert blocks[1].startswith("news (scrapy crawl news -a NAME=VALUE):")


def test_crawl_help_points_to_the_argument_listing():
    assert "scrapy sites --args" in scrapy("crawl", "-h").stdout

"""Layout-change alarms (crawler.ops.monitor): field coverage and failed share at
the end of a run, an ERROR line naming site and field, the report in the
manifest, and exit status 1 from `scrapy crawl` and `scrapy crawlall`."""

import json
import re
import subprocess
import sys
from dataclasses import replace
from urllib.parse import quote

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.commands.crawlall import outcome
from crawler.ops.monitor import FIELDS, report, thresholds
from crawler.sites import all_sites, site_named
from localsite import FAST, ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import variant

DATES = ["۱۴۰۲/۰۱/۱%d ۱۲:۰۰:۰۰" % day for day in range(1, 10)]


def without_lead(page: str) -> str:
    """The article after a redesign that renamed the lead's class (and dropped og:description)."""
    return re.sub(r'<meta property="og:description"[^>]*>', "", page).replace('<p class="lead">', '<p class="intro">')


def news_site(base: str, pages: list[str]) -> dict[str, Route]:
    """robots.txt, a feed linking every page, and the pages (codes 700001, ...)."""
    paths = [f"/بخش-سیاسی-2/{700001 + i}-خبر" for i in range(len(pages))]
    items = "".join(f"<item><link>{base}{quote(p)}</link></item>" for p in paths)
    return {
        "/robots.txt": Route("User-agent: *\n", "text/plain"),
        "/fa/feeds/": Route(f"<rss><channel>{items}</channel></rss>", "application/rss+xml"),
        **{p: Route(page) for p, page in zip(paths, pages)},
    }


def articles(n: int, *, lead_lost: int = 0, undated: int = 0) -> list[str]:
    pages = [variant(str(700001 + i), f"خبر شماره {i + 1}", None if i < undated else DATES[i]) for i in range(n)]
    return [without_lead(p) if i < lead_lost else p for i, p in enumerate(pages)]


def crawl_site(pages: list[str], tmp_path, command: str = "crawl") -> tuple[subprocess.CompletedProcess, dict | None]:
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(news_site(base, pages))
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", command, "etemadonline", *FAST,
             "-a", f"base_url={base}", "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl"],
            cwd=ROOT, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    manifests = list((tmp_path / "etemadonline").glob("*.manifest.json"))
    return result, json.loads(manifests[0].read_text("utf-8")) if manifests else None


# -- whole runs ---------------------------------------------------------------------------


def test_a_healthy_run_raises_no_alarm_and_reports_its_coverage(tmp_path):
    result, manifest = crawl_site(articles(6), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    quality = manifest["quality"]
    assert quality["articles"] == 6 and quality["coverage"]["lead"] == 1.0 and quality["coverage"]["tags"] == 0.0
    assert quality["article_pages"] == 6 and quality["failed_share"] == 0.0
    assert quality["alarms"] == [] and "'monitor/alarms': 0" in result.stderr
    assert "[crawler.ops.monitor] ERROR" not in result.stderr


def test_a_field_gone_from_most_articles_is_an_error_naming_site_and_field(tmp_path):
    result, manifest = crawl_site(articles(6, lead_lost=5), tmp_path)
    assert result.returncode == 1
    line = "etemadonline: field lead filled in 17% of 6 articles, threshold 50% — the site's layout may have changed"
    assert f"[crawler.ops.monitor] ERROR: {line}" in result.stderr
    assert re.search(r"crawl: etemadonline FAILED .* alarms  1 ", result.stderr)
    [alarm] = manifest["quality"]["alarms"]
    assert alarm == {"field": "lead", "value": 0.1667, "threshold": 0.5, "of": 6, "message": line}
    assert len(manifest["files"]) == 1 and manifest["files"][0]["articles"] == 6  # exported all the same


def test_article_pages_failing_extraction_are_an_error_with_their_reasons(tmp_path):
    result, manifest = crawl_site(articles(6, undated=3), tmp_path)
    assert result.returncode == 1
    assert (
        "etemadonline: 3 of 6 article pages failed extraction (50%: missing published_at 3), threshold 20%"
        " — the site's layout may have changed"
    ) in result.stderr
    quality = manifest["quality"]
    assert quality["articles"] == 3 and quality["failed_pages"] == 3 and quality["failed_share"] == 0.5
    assert quality["failed_reasons"] == {"dropped/missing_published_at": 3}
    # Only three exported: too few to judge coverage on.
    assert [a["field"] for a in quality["alarms"]] == [None]


def test_crawlall_fails_the_site_that_raised_an_alarm(tmp_path):
    result, _ = crawl_site(articles(6, lead_lost=5), tmp_path, command="crawlall")
    assert result.returncode == 1
    assert re.search(r"etemadonline +FAILED .* alarms  1 ", result.stderr)
    assert "crawlall: failed: etemadonline" in result.stderr


def test_a_threshold_naming_no_field_stops_the_run_before_it_starts():
    result = scrapy_crawl("etemadonline", "-s", 'CRAWLER_COVERAGE_THRESHOLDS={"leed": 0.5}', "-a", "base_url=http://127.0.0.1:9")
    assert result.returncode == 1
    assert "coverage thresholds for unknown fields ['leed']" in result.stderr
    assert "Spider opened" not in result.stderr


# -- the report, from stats ------------------------------------------------------------------


def stats(articles: int, filled: dict[str, int], **counts) -> dict:
    out = {"coverage/articles": articles, **{f"coverage/filled/{f}": n for f, n in filled.items()}}
    out.update({f"articles/{k}": v for k, v in counts.items()})
    return out


def test_coverage_is_the_share_of_exported_articles_with_the_field():
    r = report("isna", stats(40, {"lead": 5, "headline": 40}, extracted=40), {"lead": 0.5}, 0.2, 5)
    assert r["coverage"]["lead"] == 0.125 and r["coverage"]["headline"] == 1.0 and r["coverage"]["tags"] == 0.0
    assert set(r["coverage"]) == set(FIELDS)
    [alarm] = r["alarms"]
    assert alarm["message"] == (
        "isna: field lead filled in 12% of 40 articles, threshold 50% — the site's layout may have changed"
    )


def test_too_few_pages_are_not_judged():
    quiet = report("isna", stats(2, {}, extracted=2, bad_page=2), {"lead": 0.5}, 0.2, 5)
    assert quiet["alarms"] == [] and quiet["failed_share"] == 0.5
    assert report("isna", {}, {"lead": 0.5}, 0.2, 5) | {"thresholds": None} == {
        "articles": 0, "coverage": {}, "article_pages": 0, "failed_pages": 0, "failed_share": None,
        "failed_reasons": {}, "thresholds": None, "max_failed_share": 0.2, "alarms": [],
    }  # fmt: skip


def test_failed_share_counts_refused_pages_and_invalid_articles_but_not_wrong_guesses():
    counts = {"extracted": 10, "bad_page": 1, "extract_error": 1, "dropped/invalid": 2, "dropped/missing_body": 2,
              "dropped/duplicate": 3, "outside_window": 2, "not_article": 4}  # fmt: skip
    r = report("news", stats(6, {}, **counts), {}, 0.2, 5)
    # 6 + 2 article pages (4 of the extracted were guessed wrongly), 4 of them failed.
    assert (r["article_pages"], r["failed_pages"], r["failed_share"]) == (8, 4, 0.5)
    assert r["failed_reasons"] == {"bad_page": 1, "dropped/missing_body": 2, "extract_error": 1}
    assert "4 of 8 article pages failed extraction (50%: bad page 1, missing body 2, extract error 1)" in r["alarms"][0]["message"]
    assert report("news", stats(6, {}, **counts), {}, 0.5, 5)["alarms"] == []  # at the threshold: no alarm


def test_a_site_sets_its_own_thresholds_over_the_settings():
    settings = Settings({"CRAWLER_COVERAGE_THRESHOLDS": {"lead": 0.5, "tags": 0.3}})
    site = site_named("etemadonline")
    assert thresholds(settings, site) == {"lead": 0.5, "tags": 0.3}
    assert thresholds(settings, replace(site, coverage={"lead": 0, "section": 0.9})) == {"lead": 0.0, "tags": 0.3, "section": 0.9}
    with pytest.raises(ValueError, match="unknown fields"):
        thresholds(settings, replace(site, coverage={"summary": 1}))


def test_every_sites_thresholds_name_real_fields():
    settings = Settings(); settings.setmodule(project_settings)  # fmt: skip
    for site in all_sites():
        assert set(thresholds(settings, site)) <= set(FIELDS), site.name


def test_the_exit_verdict_counts_alarms_and_takes_limits_as_normal_ends():
    assert outcome({"finish_reason": "finished", "monitor/alarms": 1})[0].failed is True
    assert "alarms  1" in outcome({"finish_reason": "finished", "monitor/alarms": 1})[1]
    assert outcome({"finish_reason": "closespider_itemcount"})[0].failed is False
    assert outcome({"finish_reason": "closespider_errorcount"})[0].failed is True

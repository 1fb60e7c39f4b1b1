"""`scrapy list` and `scrapy extract`, run as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests/fixtures/etemadonline.com/523995.html"
META = json.loads(FIXTURE.with_suffix(".json").read_text("utf-8"))


def scrapy(*args):
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_list_names_the_site_spiders():
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    assert "etemadonline" in result.stdout.split()


def test_extract_prints_one_valid_json_line():
    result = scrapy("extract", "--url", META["url"], str(FIXTURE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    article = json.loads(lines[0])
    for field, value in META["expected"].items():
        assert article[field] == value, field
    assert "field_sources" not in article


def test_extract_sources_names_the_layer_of_each_field():
    result = scrapy("extract", "--sources", "--url", META["url"], str(FIXTURE))
    sources = json.loads(result.stdout)["field_sources"]
    assert sources["headline"] == "family:asam"
    assert sources["published"] == "site:etemadonline"


def test_extract_refuses_an_incomplete_page(tmp_path):
    cut = tmp_path / "cut.html"
    cut.write_bytes(FIXTURE.read_bytes()[:3000])
    result = scrapy("extract", "--url", META["url"], str(cut))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "truncated" in result.stderr


def test_extract_names_missing_fields(tmp_path):
    page = tmp_path / "nodate.html"
    page.write_text(FIXTURE.read_text("utf-8").replace(META["expected"]["published_at_raw"], ""), "utf-8")
    result = scrapy("extract", "--url", META["url"], str(page))
    assert result.returncode == 1 and result.stdout == ""
    assert "missing published_at" in result.stderr


def test_savefixture_from_a_file_writes_page_and_draft(tmp_path):
    result = scrapy("savefixture", META["url"], "--file", str(FIXTURE), "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    saved = tmp_path / "etemadonline.com" / "523995.html"
    assert saved.read_bytes() == FIXTURE.read_bytes()
    draft = json.loads(saved.with_suffix(".json").read_text("utf-8"))
    assert draft["draft"] is True and draft["kind"] == "real" and draft["url"] == META["url"]
    assert draft["expected"]["headline"] == META["expected"]["headline"]
    again = scrapy("savefixture", META["url"], "--file", str(FIXTURE), "--dir", str(tmp_path))
    assert again.returncode != 0, "an existing fixture is never overwritten"


def test_savefixture_downloads_through_scrapy(tmp_path):
    from localsite import Route, serve

    with serve({"/fa/tiny/news-523995": Route(FIXTURE.read_bytes())}) as (base, requested):
        result = scrapy("savefixture", f"{base}/fa/tiny/news-523995", "--dir", str(tmp_path), "-s", "ROBOTSTXT_OBEY=0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "127.0.0.1" / "523995.html").read_bytes() == FIXTURE.read_bytes()
    assert "/fa/tiny/news-523995" in requested

"""iran-news-extract (crawler/extract/batch.py), run as a user runs it: a real
process on saved pages, a folder with and without urls.tsv, and a WARC file
written here with warcio. Expected values come from the fixtures' JSON,
read off the pages by a person."""

import gzip
import json
import os
import pty
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures"
VARZESH3 = FIXTURES / "varzesh3.com/1608590.html"  # real; canonical link relative, pictures on a CDN
TASNIM = FIXTURES / "tasnimnews.com/2015910.html"  # real; og:url relative, no canonical link, pictures on newsmedia.tasnimnews.com
YJC = FIXTURES / "yjc.ir/6919119.html"  # real; names no URL of its own
ETEMAD = FIXTURES / "etemadonline.com/523995.html"  # reconstructed; names no URL of its own
CHALLENGE = FIXTURES / "bad/arvancloud-challenge.html"


def expected(page: Path) -> dict:
    meta = json.loads(page.with_suffix(".json").read_text("utf-8"))
    return {"url": meta["url"], **meta["expected"]}


def extract(*args, stderr=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.extract.batch", *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=120
    )


def articles(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def summary(result) -> str:
    return result.stderr.splitlines()[-1]


def test_saved_pages_take_their_url_from_their_relative_canonical_link_and_the_host_their_markup_names():
    result = extract(VARZESH3, TASNIM)
    assert result.returncode == 0, result.stderr
    got = articles(result)
    for article, page in zip(got, (VARZESH3, TASNIM)):
        want = expected(page)
        assert unquote(article["url"]) == want["url"]
        assert (article["news_code"], article["headline"], article["published_at"]) == (
            want["news_code"], want["headline"], want["published_at"],
        )  # fmt: skip
    assert summary(result) == "iran-news-extract: 2 pages: 2 complete, 0 incomplete, 0 not an article, 0 no URL, 0 unreadable"


def test_a_folder_takes_urls_from_urls_tsv_and_reports_a_page_whose_url_cannot_be_told(tmp_path):
    for page in (ETEMAD, YJC, CHALLENGE):
        shutil.copy(page, tmp_path)
    (tmp_path / "sub").mkdir()
    shutil.copy(VARZESH3, tmp_path / "sub")
    (tmp_path / "notes.txt").write_text("not a page")
    (tmp_path / "urls.tsv").write_text(
        f"523995.html\t{expected(ETEMAD)['url']}\n"
        "arvancloud-challenge.html\thttps://www.isna.ir/news/1402010100001/x\n"
        "a line without a tab\n",
        "utf-8",
    )
    result = extract("--input-dir", tmp_path)
    assert result.returncode == 1  # a page had no URL
    got = {a["news_code"]: a for a in articles(result)}
    assert sorted(got) == ["1608590", "523995"]  # yjc's page is not guessed into one
    assert got["523995"]["url"] == expected(ETEMAD)["url"]
    assert got["523995"]["headline"] == expected(ETEMAD)["headline"]
    log = result.stderr.splitlines()
    assert f"{tmp_path}/urls.tsv:3: not a file name, a tab and an http(s) URL; line skipped" in log
    assert any(line.startswith(f"{tmp_path}/6919119.html: no URL: ") for line in log), log
    assert any(line.startswith(f"{tmp_path}/arvancloud-challenge.html: not an article: blocked/arvancloud: ") for line in log), log
    assert log[-1] == "iran-news-extract: 4 pages: 2 complete, 0 incomplete, 1 not an article, 1 no URL, 0 unreadable"


def test_a_page_missing_a_required_field_is_reported_incomplete_not_written(tmp_path):
    page = tmp_path / "undated.html"
    # The real page with its publication time removed (the test's own edit).
    page.write_text(ETEMAD.read_text("utf-8").replace(expected(ETEMAD)["published_at_raw"], ""), "utf-8")
    (tmp_path / "urls.tsv").write_text(f"undated.html\t{expected(ETEMAD)['url']}\n")
    result = extract(page)
    assert result.returncode == 0 and result.stdout == ""
    assert f"{page}: incomplete: missing published_at" in result.stderr.splitlines()
    assert summary(result).endswith("0 complete, 1 incomplete, 0 not an article, 0 no URL, 0 unreadable")


# Synthetic pages, written here: an unregistered site with a relative canonical link.
def synthetic(links: list[str]) -> str:
    anchors = "".join(f'<a href="{link}">x</a>' for link in links)
    return (
        '<html><head><link rel="canonical" href="/news/123456/slug"><title>t</title></head>'
        f"<body><h1>Headline</h1>{anchors}</body></html>"
    )


@pytest.mark.parametrize(
    "links, url",
    [
        (["https://www.example-news.ir/a", "https://www.example-news.ir/b", "https://t.me/share"], "https://www.example-news.ir/news/123456/slug"),
        (["https://www.example-news.ir/a", "https://t.me/share"], None),  # no host holds more than half the links
        ([], None),
        (["https://www.isna.ir/a", "https://www.tasnimnews.com/b"], None),  # two registered sites, neither most
    ],
)
def test_a_host_is_taken_only_when_one_site_or_most_links_name_it(links, url):
    from crawler.extract.batch import page_url

    assert page_url(synthetic(links).encode()) == url


def test_a_warc_gives_each_page_its_record_s_url_and_time(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    with warc.open("wb") as file:
        writer = WARCWriter(file, gzip=True)

        def response(url, body, status="200 OK", content_type="text/html; charset=utf-8", encoding=None, date="2026-11-02T10:20:30Z"):
            headers = [("Content-Type", content_type)] + ([("Content-Encoding", encoding)] if encoding else [])
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date})
            writer.write_record(record)

        response(expected(ETEMAD)["url"], gzip.compress(ETEMAD.read_bytes()), encoding="gzip")  # as served: gzipped
        response("https://www.yjc.ir/robots.txt", b"User-agent: *\n", content_type="text/plain")
        response("https://www.yjc.ir/fa/news/1/x", b"gone", status="404 Not Found")
        response(expected(YJC)["url"], YJC.read_bytes(), date="2026-11-03T01:02:03Z")
    result = extract("--jobs", "2", warc)
    assert result.returncode == 0, result.stderr
    assert extract("--jobs", "1", warc).stdout == result.stdout  # workers change nothing but the speed
    got = articles(result)
    assert [(a["url"], a["crawled_at"]) for a in got] == [
        (expected(ETEMAD)["url"], "2026-11-02T10:20:30+00:00"),
        (expected(YJC)["url"], "2026-11-03T01:02:03+00:00"),
    ]
    assert [a["headline"] for a in got] == [expected(ETEMAD)["headline"], expected(YJC)["headline"]]
    assert summary(result) == "iran-news-extract: 2 pages: 2 complete, 0 incomplete, 0 not an article, 0 no URL, 0 unreadable"


def test_a_damaged_warc_is_reported_after_the_pages_before_the_damage(tmp_path):
    whole = tmp_path / "whole.warc"
    with whole.open("wb") as file:
        writer = WARCWriter(file, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(expected(YJC)["url"], "response", payload=BytesIO(YJC.read_bytes()), http_headers=http))
    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(whole.read_bytes() + b"not a WARC record\r\n\r\n")
    result = extract(damaged)
    assert result.returncode == 1
    assert [a["news_code"] for a in articles(result)] == [expected(YJC)["news_code"]]
    assert f"{damaged}: unreadable: not a readable WARC file from here on (Invalid WARC record)" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_extraction_runs_without_importing_scrapy():
    code = (
        "import sys; from crawler.extract.batch import main; main([sys.argv[1]]);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'}))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(VARZESH3)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "[]", result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give saved pages, WARC files or --input-dir DIR"),
        (["no-such-page.html"], "no-such-page.html: no such file"),
        (["--input-dir", "no-such-folder"], "--input-dir no-such-folder: not a folder"),
        (["--site", "nosuchsite", str(VARZESH3)], "no site named 'nosuchsite'"),
        (["--jobs", "0", str(VARZESH3)], "--jobs 0: give 1 or more"),
    ],
)
def test_a_usage_mistake_is_one_line_and_exit_2(args, message):
    result = extract(*args)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"iran-news-extract: error: {message}"), line


def test_the_progress_bar_is_drawn_only_on_a_terminal():
    plain = extract(VARZESH3, TASNIM)
    assert "pages" in plain.stderr and "2/2 pages" not in plain.stderr
    leader, follower = pty.openpty()
    try:
        on_terminal = extract(VARZESH3, TASNIM, stderr=follower)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert len(articles(on_terminal)) == 2
    assert b"\r[" + b"#" * 30 + b"] 2/2 pages" in drawn
    assert drawn.decode().splitlines()[-1].endswith("2 complete, 0 incomplete, 0 not an article, 0 no URL, 0 unreadable")


def test_a_registered_site_goes_to_a_worker_by_name_and_any_other_whole():
    """-j sends the site with every page: a registered one by its name (the
    worker's registry holds it, its layers built once there), a mirror whole."""
    import pickle
    from dataclasses import replace

    from crawler.sites import site_named

    isna = site_named("isna")
    assert len(pickle.dumps(isna)) < 100
    assert pickle.loads(pickle.dumps(isna)) is isna
    mirror = replace(isna, base_url="http://127.0.0.1:1")
    again = pickle.loads(pickle.dumps(mirror))
    assert again is not isna and again.base_url == "http://127.0.0.1:1"

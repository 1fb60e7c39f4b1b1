"""Record a crawl into a WARC file and replay it with no network
(crawler/ops/warc.py): the real Etemad Online spider, run by `scrapy crawl`
against the local copy of the site of test_crawl_e2e, then again from the
archive once that server has stopped."""

import gzip
import json
from collections import Counter
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.ops.warc import WarcReplayMiddleware
from localsite import Route, scrapy_crawl, serve
from test_crawl_e2e import FEED_ONLY, SAMPLE_PATH, path, site_routes

SHORT_LINK = "/fa/tiny/news-523995"  # the sample article's, named in the site's feed


def target(record) -> str:
    return record.rec_headers.get_header("WARC-Target-URI") or ""  # none on warcinfo


def records(warc: Path) -> list[tuple[str, str, object]]:
    """(WARC-Type, percent-decoded target path, record) of every record, bodies read."""
    found = []
    with warc.open("rb") as file:
        for record in ArchiveIterator(file):
            record.raw = record.raw_stream.read()
            found.append((record.rec_type, unquote(urlsplit(target(record)).path), record))
    return found


# Fields that differ between two runs of the same crawl: the download time, and
# which of the test site's nearly identical articles came first.
RUN_FIELDS = ("crawled_at", "duplicate_of")


def export(file: Path) -> list[dict]:
    """The exported articles, in code order, without RUN_FIELDS."""
    articles = [json.loads(line) for line in file.read_text("utf-8").splitlines()]
    return sorted(({k: v for k, v in a.items() if k not in RUN_FIELDS} for a in articles), key=lambda a: a["news_code"])


def gzipped(route: Route) -> Route:
    return Route(gzip.compress(route.body), route.content_type, route.status, {**route.headers, "Content-Encoding": "gzip"})


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A recorded crawl: its WARC, its export, the paths the server served, the base URL and the log."""
    tmp = tmp_path_factory.mktemp("record")
    routes: dict[str, Route] = {}
    with serve(routes) as (base, requested):
        # HTML as sites send it, gzipped: recorded as received, replayed decoded.
        routes.update({p: gzipped(r) if r.content_type.startswith("text/html") else r for p, r in site_routes(base).items()})
        routes["/fa/rss"] = routes.pop("/fa/feeds/")
        routes["/fa/feeds/"] = Route("", "text/plain", 301, {"Location": "/fa/rss"})
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url={base}", "-O", f"{tmp}/recorded.jsonl:jsonlines",
            "-s", f"RECORD_WARC={tmp}/warc/%(name)s/%(time)s.warc.gz",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    [warc] = (tmp / "warc" / "etemadonline").iterdir()
    return warc, tmp / "recorded.jsonl", list(requested), base, result.stderr


def replay(base: str, warcs: str, out: Path):
    result = scrapy_crawl("etemadonline", "-a", f"base_url={base}", "-O", f"{out}:jsonlines", "-s", f"REPLAY_WARC={warcs}")
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def copy_records(source: Path, dest: Path, keep) -> None:
    """A new archive of the records `keep` says yes to (it may change them first)."""
    with source.open("rb") as src, dest.open("wb") as dst:
        writer = WARCWriter(dst, gzip=True)
        for record in ArchiveIterator(src):
            if keep(record):
                writer.write_record(record)


def test_every_response_the_server_sent_is_recorded_with_its_request(recorded):
    warc, _, requested, base, log = recorded
    assert warc.name.endswith(".warc.gz") and not list(warc.parent.glob("*.part"))
    found = records(warc)
    assert found[0][0] == "warcinfo"
    assert Counter(p for t, p, _ in found if t == "response") == Counter(requested)
    assert Counter(p for t, p, _ in found if t == "request") == Counter(requested)
    assert f"'warc/records_written': {2 * len(requested) + 1}" in log
    responses = {p: r for t, p, r in found if t == "response"}
    assert responses["/robots.txt"].http_headers.get_statuscode() == "200"
    assert responses["/feeds/"].http_headers.get_statuscode() == "404"  # error statuses too
    assert responses["/fa/feeds/"].http_headers.get_header("Location") == "/fa/rss" and "/fa/rss" in responses  # redirects too
    home = responses["/"]
    assert home.http_headers.get_header("Content-Encoding") == "gzip" and home.raw.startswith(b"\x1f\x8b")  # as received
    request = next(r for t, p, r in found if t == "request" and p == "/")
    assert request.http_headers.to_str().startswith(f"GET / HTTP/1.1\r\nHost: {urlsplit(base).netloc}\r\n")
    assert request.rec_headers.get_header("WARC-Concurrent-To") == home.rec_headers.get_header("WARC-Record-ID")


def test_replay_with_the_server_stopped_gives_the_same_export(recorded, tmp_path):
    warc, recorded_export, requested, base, _ = recorded
    log = replay(base, str(warc), tmp_path / "replayed.jsonl")
    assert export(tmp_path / "replayed.jsonl") == export(recorded_export)
    assert len(export(recorded_export)) == 4
    assert f"'warc/replayed': {len(requested)}" in log and "warc/replay_missing" not in log
    assert "downloader/request_count" not in log  # nothing reached the downloader
    assert "'robotstxt/forbidden': 1" in log  # robots.txt came from the archive, and was obeyed


def test_url_missing_from_the_archive_is_a_counted_404(recorded, tmp_path):
    warc, recorded_export, _, base, _ = recorded
    partial = tmp_path / "partial.warc.gz"
    copy_records(warc, partial, lambda r: unquote(urlsplit(target(r)).path) != FEED_ONLY)
    log = replay(base, str(partial), tmp_path / "replayed.jsonl")
    assert [a["news_code"] for a in export(tmp_path / "replayed.jsonl")] == ["523995", "600002", "600003"]
    assert "'warc/replay_missing': 1" in log
    assert f"Not in the WARC archives, replayed as 404: {base}{quote(FEED_ONLY)}" in log


def test_article_recorded_under_another_of_its_urls_is_replayed_from_it(recorded, tmp_path):
    """Which of an article's links a run follows first (short link from the
    feed, slug from the home page) depends on which page arrives first, so a
    replay may ask for another URL of it than the recorded run took."""
    warc, recorded_export, _, base, _ = recorded
    other = path("بخش-جامعه-6", "523995", "نشانی-دیگر")

    def under_other_url(record):
        if unquote(urlsplit(target(record)).path) in (SHORT_LINK, SAMPLE_PATH):
            record.rec_headers.replace_header("WARC-Target-URI", f"{base}{quote(other)}")
        return True

    moved = tmp_path / "moved.warc.gz"
    copy_records(warc, moved, under_other_url)
    log = replay(base, str(moved), tmp_path / "replayed.jsonl")
    expected = export(recorded_export)
    next(a for a in expected if a["news_code"] == "523995")["url"] = f"{base}{quote(other)}"
    assert export(tmp_path / "replayed.jsonl") == expected
    assert "'warc/replayed_other_url': 1" in log and "warc/replay_missing" not in log


def test_replay_from_a_list_of_files_and_globs(recorded, tmp_path):
    warc, recorded_export, requested, base, _ = recorded
    is_article = lambda r: "/بخش-" in unquote(target(r))  # noqa: E731
    copy_records(warc, tmp_path / "discovery.warc.gz", lambda r: not is_article(r))
    (tmp_path / "articles").mkdir()
    copy_records(warc, tmp_path / "articles" / "1.warc.gz", is_article)
    log = replay(base, f"{tmp_path}/discovery.warc.gz, {tmp_path}/articles/*.warc.gz", tmp_path / "replayed.jsonl")
    assert export(tmp_path / "replayed.jsonl") == export(recorded_export)
    assert f"'warc/replayed': {len(requested)}" in log and "from 2 WARC files" in log


# -- the replay middleware on hand-written archives ------------------------------------


def write_warc(warc: Path, responses) -> None:
    """responses: (url, WARC-Date, status line, headers, body)."""
    with warc.open("wb") as file:
        writer = WARCWriter(file, gzip=True)
        for url, date, status, headers, body in responses:
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date})
            )


def replayer(warcs) -> WarcReplayMiddleware:
    return WarcReplayMiddleware.from_crawler(get_crawler(settings_dict={"REPLAY_WARC": warcs}))


def test_latest_record_wins_and_percent_encoding_does_not_matter(tmp_path):
    html = [("Content-Type", "text/html; charset=utf-8")]
    write_warc(tmp_path / "new.warc.gz", [("http://x.ir/%D8%AE%D8%A8%D8%B1?b=2&a=1", "2024-05-02T00:00:00Z", "200 OK", html, b"<p>new</p>")])
    write_warc(tmp_path / "old.warc.gz", [("http://x.ir/خبر?a=1&b=2", "2024-05-01T00:00:00Z", "503 Service Unavailable", html, b"busy")])
    middleware = replayer([str(tmp_path / "new.warc.gz"), str(tmp_path / "old.warc.gz")])
    request = Request("http://x.ir/%d8%ae%d8%a8%d8%b1?a=1&b=2")
    response = middleware.process_request(request)
    assert isinstance(response, HtmlResponse) and response.status == 200 and response.text == "<p>new</p>"
    assert request.meta["dont_retry"]  # a recorded 503 would only come back the same
    assert response.flags == ["warc"] and middleware.stats.get_value("warc/replayed") == 1


def test_encodings_warcio_undoes_are_replayed_decoded_and_others_left_to_scrapy(tmp_path):
    page = gzip.compress("<html><body><p>متن</p></body></html>".encode("utf-8"))
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(page), page)
    html = ("Content-Type", "text/html; charset=utf-8")
    write_warc(tmp_path / "a.warc.gz", [
        ("https://x.ir/1", "2024-05-01T00:00:00Z", "200 OK", [html, ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], chunked),
        ("https://x.ir/2", "2024-05-01T00:00:00Z", "200 OK", [html, ("Content-Encoding", "zstd"), ("Content-Length", "4")], b"zstd"),
    ])
    middleware = replayer(str(tmp_path / "a.warc.gz"))
    response = middleware.process_request(Request("https://x.ir/1"))
    assert response.text == "<html><body><p>متن</p></body></html>"
    assert b"Content-Encoding" not in response.headers and b"Transfer-Encoding" not in response.headers
    assert response.headers.getlist("Set-Cookie") == [b"a=1", b"b=2"]
    response = middleware.process_request(Request("https://x.ir/2"))  # for HttpCompressionMiddleware to decode
    assert response.body == b"zstd" and response.headers["Content-Encoding"] == b"zstd" and response.headers["Content-Length"] == b"4"


def test_unknown_url_is_a_404_and_a_missing_archive_stops_the_run(tmp_path):
    write_warc(tmp_path / "a.warc.gz", [])
    middleware = replayer(f"{tmp_path}/*.warc.gz")
    response = middleware.process_request(Request("https://x.ir/2"))
    assert response.status == 404 and "warc" in response.flags
    assert middleware.stats.get_value("warc/replay_missing") == 1
    with pytest.raises(FileNotFoundError, match="no file matches"):
        replayer(str(tmp_path / "none.warc.gz"))


def test_a_second_run_recording_into_the_same_file_is_refused_and_touches_nothing(tmp_path):
    """Two runs named the same archive (a template without %(time)s): the
    second stops at once, before writing, and leaves the first's file as it is."""
    from scrapy import Spider
    from scrapy.exceptions import CloseSpider

    from crawler.ops.warc import WarcRecorderMiddleware

    settings = {"RECORD_WARC": str(tmp_path / "%(name)s.warc.gz")}
    first, second = (WarcRecorderMiddleware(get_crawler(Spider, settings)) for _ in range(2))
    spider = Spider(name="isna")
    first.open(spider)
    part = tmp_path / "isna.warc.gz.part"
    written = part.read_bytes()
    with pytest.raises(CloseSpider) as refused:
        second.open(spider)
    assert refused.value.reason == "warc_in_use"
    second.close(spider)
    assert part.read_bytes() == written and not (tmp_path / "isna.warc.gz").exists()
    assert second.stats.get_value("warc/in_use") == 1
    first.close(spider)
    assert [r for r in records(tmp_path / "isna.warc.gz") if r[0] == "warcinfo"], "the first run's archive, whole"

"""Record a crawl into a WARC file, and replay a crawl from WARC files with no
network: re-extract a past crawl after an extractor fix, or run whole-crawl
tests from recorded responses.

Recording (`-s RECORD_WARC=warc/%(name)s/%(time)s.warc.gz`) writes a request
and a response record for every response the downloader returns, as
received: status line, headers, body still in its Content-Encoding.
Replaying (`-s REPLAY_WARC=warc/etemadonline/*.warc.gz`) answers every
request from the archives, a 404 for a URL they do not hold."""

from __future__ import annotations

import glob
import logging
import os
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.response import response_status_message
from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from crawler import __version__
from crawler.export.partfiles import part_path_of
from crawler.ops.lock import try_hold_open_file

logger = logging.getLogger(__name__)

FLAG = "warc"  # on every replayed response
MISSING_LOGGED = 10  # URLs missing from the archive named in the log; the rest only counted


class WarcRecorderMiddleware:
    """Downloader middleware, on when RECORD_WARC names a file (a template
    with %(name)s and %(time)s, as in FEEDS). It sits next to the downloader,
    so it sees responses before decompression, redirects or retries. The
    file is `<name>.part` until the spider closes, like exports
    (crawler.export.partfiles); a file named again by a later run is continued.
    Gzipped per record unless the name ends in `.warc`."""

    def __init__(self, crawler):
        self.template = crawler.settings.get("RECORD_WARC")
        if not self.template:
            raise NotConfigured
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.file = None  # until open() has it, and when refused
        crawler.signals.connect(self.open, signals.spider_opened)
        crawler.signals.connect(self.close, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open(self, spider):
        start = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace(":", "-")
        self.path = Path(self.template % {"name": spider.name, "time": start})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.part = part_path_of(self.path)
        if self.path.exists() and not self.part.exists():
            os.replace(self.path, self.part)  # a finished archive named again: continue it
        self.file = self.part.open("ab")
        if not try_hold_open_file(self.file):  # another live run records into the same file
            self.file.close()
            self.file = None
            self.stats.inc_value("warc/in_use")
            logger.error("WARC %s is being written by another run: refusing to run", self.part)
            raise CloseSpider("warc_in_use")
        self.writer = WARCWriter(self.file, gzip=self.path.suffix != ".warc")
        info = {
            "software": f"iran-news-crawler/{__version__} (Scrapy {scrapy.__version__})",
            "isPartOf": spider.name,
            "http-header-user-agent": self.settings["USER_AGENT"],
            "robots": "obey" if self.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }
        self._write(self.writer.create_warcinfo_record(self.path.name, info))

    def close(self, spider):
        if self.file is None:  # not opened, or refused: the file is the other run's
            return
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.part, self.path)
        logger.info("WARC complete: %s", self.path)

    def process_response(self, request, response, spider=None):
        # A replayed response is the archive's, not the network's: not archived again.
        if FLAG not in response.flags:
            self.writer.write_request_response_pair(request_record(self.writer, request), response_record(self.writer, response))
            self.stats.inc_value("warc/records_written", 2)
        return response

    def _write(self, record):
        self.writer.write_record(record)
        self.stats.inc_value("warc/records_written")


def header_pairs(headers: Headers, drop: tuple[bytes, ...] = ()) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        if name.lower() not in drop
        for value in values
    ]


def request_record(writer: WARCWriter, request):
    url = urlsplit(request.url)
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    headers = [("Host", url.netloc), *header_pairs(request.headers)]
    http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)
    return writer.create_warc_record(request.url, "request", payload=BytesIO(request.body), http_headers=http)


def response_record(writer: WARCWriter, response):
    protocol = response.protocol if response.protocol in ("HTTP/1.0", "HTTP/1.1") else "HTTP/1.1"
    # Scrapy has already joined a chunked body: the header would misdescribe it.
    headers = header_pairs(response.headers, drop=(b"transfer-encoding",))
    http = StatusAndHeaders(response_status_message(response.status), headers, protocol=protocol)
    warc_headers = {"WARC-IP-Address": str(response.ip_address)} if response.ip_address else None
    return writer.create_warc_record(
        response.url, "response", payload=BytesIO(response.body), http_headers=http, warc_headers_dict=warc_headers
    )


class WarcReplayMiddleware:
    """Downloader middleware, on when REPLAY_WARC names WARC files (a path, a
    comma-separated list or a list; glob patterns allowed). It answers every
    request it sees, so none reaches the downloader: the response recorded
    for its URL (the latest one when the archives hold several), or a 404
    for a URL they do not hold. It sits after the robots.txt middleware,
    so robots rules apply as in the recorded run, while robots.txt itself,
    downloaded through the same middleware chain, comes from the archive."""

    def __init__(self, crawler):
        patterns = crawler.settings.getlist("REPLAY_WARC")
        if not patterns:
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        # Built here rather than on spider_opened, whose handlers' errors are
        # only logged: an archive that cannot be read must stop the run.
        paths = warc_paths(patterns)
        self.index = index_responses(paths)
        self.articles: dict[str, Recorded] | None = None  # news code -> response, made when first needed
        logger.info("Replaying %d recorded URLs from %d WARC files", len(self.index), len(paths))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        # The archive gives the same answer every time: retrying a recorded 503 only waits.
        request.meta["dont_retry"] = True
        found = self.index.get(url_key(request.url)) or self.same_article(request)
        if found is None:
            self.stats.inc_value("warc/replay_missing")
            if self.stats.get_value("warc/replay_missing") <= MISSING_LOGGED:
                logger.info("Not in the WARC archives, replayed as 404: %s", request.url)
            return Response(request.url, status=404, flags=[FLAG, "missing"], request=request)
        self.stats.inc_value("warc/replayed")
        return replayed_response(request, found)

    def same_article(self, request) -> Recorded | None:
        """The article's response recorded under another of its URLs. A run
        requests an article by whichever of its links (slug, short link)
        comes first, and the order in which pages arrive changes from run
        to run; the recorded run may have taken another one."""
        code = request.meta.get("news_code")  # set by NewsCodeFilterMiddleware
        if code is None:
            return None
        if self.articles is None:
            self.articles = {}
            for key, recorded in self.index.items():
                article = self.crawler.spider.article_code(key)
                if article is not None and (article not in self.articles or recorded.date >= self.articles[article].date):
                    self.articles[article] = recorded
        found = self.articles.get(code)
        if found is not None:
            self.stats.inc_value("warc/replayed_other_url")
        return found


def url_key(url: str) -> str:
    """URLs as Scrapy's request fingerprints compare them: percent-encoding,
    query order and fragments do not matter."""
    return canonicalize_url(url)


def warc_paths(patterns: list[str]) -> list[str]:
    paths = []
    for pattern in patterns:
        matched = sorted(glob.glob(pattern.strip(), recursive=True))
        if not matched:
            raise FileNotFoundError(f"REPLAY_WARC: no file matches {pattern.strip()!r}")
        paths += matched
    return paths


class Recorded(NamedTuple):
    """Where a response record is: bodies are read only when asked for."""

    date: datetime  # WARC-Date
    path: str
    offset: int


def index_responses(paths: list[str]) -> dict[str, Recorded]:
    """URL key -> its latest response record."""
    index: dict[str, Recorded] = {}
    for path in paths:
        with open(path, "rb") as file:
            records = ArchiveIterator(file)
            for record in records:
                if record.rec_type != "response" or not record.http_headers:
                    continue
                key = url_key(record.rec_headers.get_header("WARC-Target-URI"))
                date = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"))
                if key not in index or date >= index[key].date:  # equal dates: the later record
                    index[key] = Recorded(date, path, records.get_record_offset())
    return index


def replayed_response(request, recorded: Recorded) -> Response:
    with open(recorded.path, "rb") as file:
        file.seek(recorded.offset)
        record = next(ArchiveIterator(file))
        http = record.http_headers
        body = record.content_stream().read()
    # content_stream() has undone chunking and the content encodings warcio
    # knows; their headers go, so that Scrapy does not decode again. Any other
    # encoding stays, with its header, for HttpCompressionMiddleware.
    decoded = {"transfer-encoding"} if http.get_header("transfer-encoding") == "chunked" else set()
    if (http.get_header("content-encoding") or "").lower() in BufferedReader.get_supported_decompressors():
        decoded.add("content-encoding")
    if decoded:
        decoded.add("content-length")
    headers = Headers([(name, value) for name, value in http.headers if name.lower() not in decoded])
    # The URL recorded, when it is another URL of the same article.
    target = record.rec_headers.get_header("WARC-Target-URI")
    url = request.url if url_key(target) == url_key(request.url) else target
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url, status=int(http.get_statuscode()), headers=headers, body=body, flags=[FLAG], request=request)

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
from collections.abc import Iterator
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
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.response import response_status_message
from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.utils import BUFF_SIZE
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
    (crawler.export.partfiles); a file named again by a later run is continued,
    a `.part` a failed or killed run left first cut back to its last whole
    record. A failed write (a full disk) stops the recording and the run, the
    file left `.part`. Gzipped per record unless the name ends in `.warc`."""

    def __init__(self, crawler):
        self.template = crawler.settings.get("RECORD_WARC")
        if not self.template:
            raise NotConfigured
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.crawler = crawler
        self.file = None  # until open() has it, and when refused
        self.failed = False  # a write failed: nothing more is written
        crawler.signals.connect(self.open, signals.spider_opened)
        crawler.signals.connect(self.close, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open(self, spider):
        self.spider = spider
        start = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace(":", "-")
        self.path = Path(self.template % {"name": spider.name, "time": start})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.part = part_path_of(self.path)
        leftover = self.part.exists()  # a run that failed or was killed left it
        if self.path.exists() and not leftover:
            os.replace(self.path, self.part)  # a finished archive named again: continue it
        # Unbuffered: each record goes to the file in whole write() calls, so
        # after a failed one nothing buffered is written later.
        self.file = self.part.open("ab", buffering=0)
        if not try_hold_open_file(self.file):  # another live run records into the same file
            self.file.close()
            self.file = None
            self.stats.inc_value("warc/in_use")
            logger.error("WARC %s is being written by another run: refusing to run", self.part)
            raise CloseSpider("warc_in_use")
        if leftover:
            self._cut_back()
        self.buffer = BytesIO()  # one write's records, made whole before they go to the file
        self.writer = WARCWriter(self.buffer, gzip=self.path.suffix != ".warc")
        info = {
            "software": f"iran-news-crawler/{__version__} (Scrapy {scrapy.__version__})",
            "isPartOf": spider.name,
            "http-header-user-agent": self.settings["USER_AGENT"],
            "robots": "obey" if self.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        }
        if not self._write(self.writer.write_record, self.writer.create_warcinfo_record(self.path.name, info)):
            raise CloseSpider("warc_failed")

    def _cut_back(self) -> None:
        """Cut a leftover .part back to the end of its last whole record: the
        run that left it may have stopped inside one (a full disk, a crash)."""
        size = self.part.stat().st_size
        with self.part.open("rb") as file:
            end = whole_end(file)
        self.file.truncate(end)
        self.stats.set_value("warc/part_cut_bytes", size - end)
        logger.warning(
            "Continuing WARC %s, which a run that did not finish left: cut %d bytes after its last whole record",
            self.part, size - end, extra={"spider": self.spider},
        )  # fmt: skip

    def close(self, spider):
        if self.file is None:  # not opened, or refused: the file is the other run's
            return
        if not self.failed:
            try:
                os.fsync(self.file.fileno())
            except OSError as e:  # a full disk noticed only now
                self._failed(e)
        self.file.close()
        if self.failed:  # left .part, for the next run to cut back
            return
        os.replace(self.part, self.path)
        logger.info("WARC complete: %s", self.path)

    def process_response(self, request, response, spider=None):
        # A replayed response is the archive's, not the network's: not archived again.
        if FLAG not in response.flags and not self.failed:
            pair = request_record(self.writer, request), response_record(self.writer, response)
            if not self._write(self.writer.write_request_response_pair, *pair):
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_failed"))
        return response

    def _write(self, write, *records) -> bool:
        """Write records to the file, whole: False if it failed, and then
        nothing more is written, so the file ends in a broken record at worst."""
        write(*records)
        data = memoryview(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()
        try:
            while data:
                data = data[self.file.write(data) :]
        except OSError as e:
            self._failed(e)
            return False
        self.stats.inc_value("warc/records_written", len(records))
        return True

    def _failed(self, error: OSError) -> None:
        self.failed = True
        self.stats.inc_value("warc/write_failed")
        logger.error(
            "Writing WARC %s failed (%s): recording stopped, the file left as .part for the next run to cut back"
            " to its last whole record; closing the run", self.part, error.strerror or error, extra={"spider": self.spider},
        )  # fmt: skip


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
        # only logged: an archive that is missing must stop the run.
        paths = warc_paths(patterns)
        self.index, self.damaged = index_responses(paths)
        self.articles: dict[str, Recorded] | None = None  # news code -> response, made when first needed
        logger.info("Replaying %d recorded URLs from %d WARC files", len(self.index), len(paths))
        crawler.signals.connect(self.report_damaged, signals.spider_opened)

    def report_damaged(self, spider):
        """One line for each archive that breaks off, once its lines count for the run (crawler.ops.logcount)."""
        for path, damage in self.damaged:
            self.stats.inc_value("warc/replay_unreadable")
            logger.error(
                "WARC %s is unreadable from byte %d on (%s): only the records before it are replayed",
                path, damage.offset, damage.why, extra={"spider": spider},
            )  # fmt: skip

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


def index_responses(paths: list[str]) -> tuple[dict[str, Recorded], list[tuple[str, WarcDamaged]]]:
    """URL key -> its latest response record; the archives that break off, and where."""
    index: dict[str, Recorded] = {}
    damaged = []
    for path in paths:
        with open(path, "rb") as file:
            try:
                for record, offset, _ in whole_records(file):
                    if record.rec_type != "response" or not record.http_headers:
                        continue
                    key = url_key(record.rec_headers.get_header("WARC-Target-URI"))
                    date = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"))
                    if key not in index or date >= index[key].date:  # equal dates: the later record
                        index[key] = Recorded(date, path, offset)
            except WarcDamaged as damage:
                damaged.append((path, damage))
    return index, damaged


class WarcDamaged(Exception):
    """A WARC file cannot be read from `offset` on."""

    def __init__(self, offset: int, why: str):
        super().__init__(f"unreadable from byte {offset} on: {why}")
        self.offset = offset
        self.why = why


def whole_records(file) -> Iterator[tuple[ArcWarcRecord, int, int]]:
    """(record, offset, end) of each whole record of an open WARC file, its
    block read; WarcDamaged at the first one that is not. ArchiveIterator
    gives a record cut short at the end of the file as if it were whole, or
    stops before it, so its gzip member's end or its blank lines, its block
    digest, and that nothing follows the last record are checked here."""
    records = ArchiveIterator(file, check_digests=True)
    end = 0
    try:
        for record in records:
            while record.raw_stream.read(BUFF_SIZE):
                pass
            offset, length = records.get_record_offset(), records.get_record_length()
            if records.reader.decompressor:  # gzipped per record: the member's end marker was read
                ends = records.reader.decompressor.eof
            else:  # plain: two blank lines follow the block, not counted in its length
                ends = os.pread(file.fileno(), 4, offset + length) == b"\r\n\r\n"
                length += 4
            if not ends:
                raise WarcDamaged(offset, "a record cut short")
            # A plain record cut short and followed by others takes their bytes for its
            # own: its block digest tells. (Tools differ in what a payload digest covers.)
            if any(p.startswith("block digest failed") for p in record.digest_checker.problems):
                raise WarcDamaged(offset, "a record whose bytes are not the ones written")
            end = offset + length
            yield record, offset, end
        if end != os.fstat(file.fileno()).st_size:  # warcio ends quietly on some cut headers
            raise WarcDamaged(end, "a record cut short")
    except WarcDamaged:
        raise
    except Exception as e:  # noqa: BLE001 - bytes cut anywhere in a header make warcio fail in as many ways
        why = str(e).split(", first line:")[0][:200] or type(e).__name__  # warcio quotes the bad bytes at length
        raise WarcDamaged(end, why) from None


def whole_end(file) -> int:
    """Where the last whole record of an open WARC file ends."""
    end = 0
    try:
        for _, _, end in whole_records(file):
            pass
    except WarcDamaged:
        pass
    return end


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

"""iran-news-extract: saved pages to JSON Lines, without starting Scrapy.

    iran-news-extract page1.html page2.html > articles.jsonl
    iran-news-extract --input-dir archive/ > articles.jsonl
    iran-news-extract crawl.warc.gz > articles.jsonl

Each page goes through the extraction, normalization and validation of a
crawl (crawler.extract.read_article, crawler.schema.article); complete articles are
written to stdout, one JSON line each. A page needs the URL it was fetched
from: a WARC record names it; a saved file takes it from `urls.tsv` in its
folder (file name, tab, URL), else from its canonical link or og:url, made
absolute, when relative, against the host the page's own markup points to
(`page_url`). A page whose URL cannot be told is reported, never guessed.
Every page that gives no complete article is one line on stderr; a summary
line ends the run, and a progress bar shows on stderr when it is a terminal.
Exit status 1 when a page could not be read or had no URL, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import zlib
from collections import Counter, deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, NamedTuple
from urllib.parse import urljoin, urlsplit

# Scrapy is not imported at all, and crawler.extract (a third of a second)
# only once the arguments are read: --help and usage errors answer at once.

PROG = "iran-news-extract"
URLS_FILE = "urls.tsv"
PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ""}  # "": pages saved under their URL's last segment
WARC_SUFFIXES = (".warc", ".warc.gz")
OUTCOMES = ("complete", "incomplete", "not an article", "no URL", "unreadable")


class Page(NamedTuple):
    name: str  # as reported: the file, or the WARC file and the record's URL
    body: bytes | None  # None: the file could not be read (`problem` says why)
    url: str | None  # None: read from the page itself (`page_url`)
    crawled_at: str
    content_type: str | None = None
    problem: str | None = None


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, as a scheduled job's log needs it; argparse would print the usage first.
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = Parser(
        prog=PROG,
        description="Extract articles from saved pages, a folder of them or WARC files, as a crawl would, "
        "and write them to stdout as JSON Lines.",
        epilog=f"A page's URL comes from its WARC record; for files, from {URLS_FILE} in the page's folder "
        "(file name, tab, URL), else from the page's canonical link or og:url. Pages whose URL cannot be told "
        "are reported on stderr, never guessed.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="saved pages, or WARC files (.warc, .warc.gz)")
    parser.add_argument("--input-dir", type=Path, metavar="DIR", help="a folder of saved pages (*.html, *.htm, no suffix; subfolders too)")
    parser.add_argument("--site", help="site spec to read every page with (a spider name), whatever the URL's host")
    parser.add_argument("--sources", action="store_true", help="add field_sources: the layer that gave each field")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="worker processes (default: one per CPU; 1: none)"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs {args.jobs}: give 1 or more")
    if not args.files and args.input_dir is None:
        parser.error("give saved pages, WARC files or --input-dir DIR")
    if args.input_dir is not None and not args.input_dir.is_dir():
        parser.error(f"--input-dir {args.input_dir}: not a folder")
    for name in args.files:
        if not Path(name).is_file():
            parser.error(f"{name}: no such file")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    from crawler.sites import site_named

    try:
        site = site_named(args.site) if args.site else None
    except KeyError as e:
        print(f"{PROG}: error: {e.args[0]}", file=sys.stderr)
        return 2
    files = [Path(f) for f in args.files]
    pages_files = [f for f in files if not f.name.endswith(WARC_SUFFIXES)]
    if args.input_dir is not None:
        pages_files += sorted(p for p in args.input_dir.rglob("*") if is_page_file(p, args.input_dir))
    warcs = [f for f in files if f.name.endswith(WARC_SUFFIXES)]
    progress = Progress(len(pages_files) if not warcs else None) if sys.stderr.isatty() else None
    counts: Counter[str] = Counter()
    jobs = args.jobs if len(pages_files) > 1 or warcs else 1  # one page: no workers to start
    try:
        for page, (outcome, line) in extracted(pages(pages_files, warcs), site, args.sources, jobs):
            counts[outcome] += 1
            if outcome == "complete":
                sys.stdout.write(line + "\n")
            else:
                report(progress, f"{page.name}: {outcome}: {line}")
            if progress:
                progress.step()
    except BrokenPipeError:  # `| head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's flush at exit would fail again
        return 1
    if progress:
        progress.clear()
    total = sum(counts.values())
    print(f"{PROG}: {total} page{'' if total == 1 else 's'}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES), file=sys.stderr)
    return 1 if counts["no URL"] or counts["unreadable"] else 0


def is_page_file(path: Path, top: Path) -> bool:
    hidden = any(part.startswith(".") for part in path.relative_to(top).parts)
    return path.is_file() and not hidden and path.name != URLS_FILE and path.suffix.lower() in PAGE_SUFFIXES


def pages(files: list[Path], warcs: list[Path]) -> Iterator[Page]:
    urls: dict[Path, dict[str, str]] = {}  # folder -> its urls.tsv
    for path in files:
        folder = path.parent
        if folder not in urls:
            urls[folder] = read_urls(folder / URLS_FILE)
        yield saved_page(path, urls[folder].get(path.name))
    for path in warcs:
        yield from warc_pages(path)


def read_urls(path: Path) -> dict[str, str]:
    """File name -> URL, from a urls.tsv; {} when there is none. A line
    that is not a name, a tab and an http(s) URL is reported and skipped."""
    if not path.is_file():
        return {}
    found = {}
    for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        name, _, url = line.partition("\t")
        if not line.strip():
            continue
        if not name or not url.strip().startswith(("http://", "https://")):
            print(f"{path}:{number}: not a file name, a tab and an http(s) URL; line skipped", file=sys.stderr)
            continue
        found[name.strip()] = url.strip()
    return found


def saved_page(path: Path, url: str | None) -> Page:
    try:
        body = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError as e:
        return Page(str(path), None, None, "", problem=e.strerror or str(e))
    # A saved page was downloaded when it was saved.
    crawled_at = datetime.fromtimestamp(mtime, timezone.utc).replace(microsecond=0).isoformat()
    return Page(str(path), body, url, crawled_at)


def warc_pages(path: Path) -> Iterator[Page]:
    """The HTML pages a WARC file's response records hold, answered 200;
    their bodies as served, decoded of chunking and content encodings."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with path.open("rb") as file:
            for record in ArchiveIterator(file):
                http = record.http_headers
                if record.rec_type != "response" or http is None or http.get_statuscode() != "200":
                    continue
                content_type = http.get_header("content-type") or ""
                if "html" not in content_type.lower():
                    continue  # robots.txt, feeds, sitemaps, pictures
                url = record.rec_headers.get_header("WARC-Target-URI")
                date = record.rec_headers.get_header("WARC-Date") or ""
                yield Page(f"{path}#{url}", record.content_stream().read(), url, utc_iso(date), content_type)
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error) as e:
        # The pages before the damage are read; the rest of the file cannot be.
        why = str(e).split(", first line:")[0][:200]  # warcio quotes the unreadable bytes at length
        yield Page(str(path), None, None, "", problem=f"not a readable WARC file from here on ({why})")


def utc_iso(date: str) -> str:
    """A WARC-Date as the export writes times; "" (the extraction's time) when it is none."""
    try:
        return datetime.fromisoformat(date.replace("Z", "+00:00")).astimezone(timezone.utc).replace(microsecond=0).isoformat()
    except ValueError:
        return ""


HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


def page_url(body: bytes, site=None) -> str | None:
    """The URL a saved page names for itself: its canonical link, else its
    og:url; a relative one made absolute against the page's <base>, else the
    host its own absolute URLs point to (`page_host`). None when the page
    names no URL or no host can be told."""
    from crawler.extract.html import parse_html

    end = HEAD_END.search(body)
    head = parse_html(body[: end.end()] if end else body, "")
    named = head.xpath(
        "(//link[contains(concat(' ', normalize-space(translate(@rel, 'CANONICAL', 'canonical')), ' '), ' canonical ')]/@href"
        " | //meta[@property='og:url']/@content)"
    ).getall()
    named = [u.strip() for u in named if u.strip()]
    if not named:
        return None
    absolute = [u for u in named if u.startswith(("http://", "https://"))]
    if absolute:
        return absolute[0]
    base = head.xpath("//base/@href").get("").strip()
    if not base.startswith(("http://", "https://")):
        base = site.start_url if site else page_host(parse_html(body, "") if end else head)
    return urljoin(base, named[0]) if base else None


def page_host(page) -> str | None:
    """`scheme://host` the page's own absolute URLs (links, pictures, scripts,
    metadata) point to: a registered site's home when they are of one site's
    domains (its pictures on a subdomain, say; editions sharing a home are
    one); otherwise the host of more
    than half of its absolute links. None when no host is clearly the page's."""
    from crawler.sites import all_sites

    urls = [u.strip() for u in page.xpath("//@href | //@src | //meta/@content | //form/@action").getall()]
    urls = [("https:" + u if u.startswith("//") else u) for u in urls if u.startswith(("http://", "https://", "//"))]
    hosts = {(urlsplit(u).hostname or "").removeprefix("www.") for u in urls}
    homes = {
        site.start_url for site in all_sites() for host in hosts
        if any(host == d or host.endswith("." + d) for d in (site.domain, *site.hosts))
    }  # fmt: skip
    if len(homes) > 1:  # editions on hosts of their own (en.irna.ir): the one the page names
        homes = {home for home in homes if (urlsplit(home).hostname or "").removeprefix("www.") in hosts}
    if len(homes) == 1:
        return homes.pop()
    links = [urlsplit(u) for u in page.xpath("//a/@href | //link/@href").getall() if u.startswith(("http://", "https://"))]
    common = Counter(f"{u.scheme}://{u.netloc}" for u in links).most_common(1)
    return common[0][0] if common and common[0][1] * 2 > len(links) else None


def extracted(pages: Iterator[Page], site, sources: bool, jobs: int) -> Iterator[tuple[Page, tuple[str, str]]]:
    """Each page with its `extract` result, in the pages' order. With jobs > 1,
    in that many worker processes, a few pages per worker in flight: pages
    are read no faster than they are extracted, so a large WARC or folder
    is never held in memory."""
    if jobs == 1:
        for page in pages:
            yield page, extract(page, site, sources)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        waiting: deque = deque()
        for page in pages:
            waiting.append((page, pool.submit(extract, page, site, sources)))
            if len(waiting) >= 4 * jobs:
                done, future = waiting.popleft()
                yield done, future.result()
        while waiting:
            done, future = waiting.popleft()
            yield done, future.result()


def extract(page: Page, site, sources: bool) -> tuple[str, str]:
    """(outcome, the article's JSON line or why there is none)."""
    from crawler.extract import read_article
    from crawler.schema.article import normalize_article, validation_errors

    if page.body is None:
        return "unreadable", page.problem
    url = page.url or page_url(page.body, site)  # here, in the workers: it may parse the page
    if url is None:
        return "no URL", f"not in {URLS_FILE}, and no absolute canonical link or og:url, nor a host to make one absolute"
    reading = read_article(page.body, url, site=site, content_type=page.content_type)
    if reading.problem:
        return "not an article", f"{reading.problem.kind}: {reading.problem}"
    article = normalize_article({**reading.fields, "crawled_at": page.crawled_at or None})
    field_sources = article.pop("field_sources")
    errors = validation_errors(article)
    if errors:
        return "incomplete", "; ".join(errors)
    if sources:
        article["field_sources"] = field_sources
    return "complete", json.dumps(article, ensure_ascii=False)


class Progress:
    """A one-line bar on a terminal's stderr: pages done, of how many when known."""

    def __init__(self, total: int | None):
        self.total, self.done = total, 0

    def step(self) -> None:
        self.done += 1
        if self.total:
            filled = 30 * self.done // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} pages")
        else:
            sys.stderr.write(f"\r{self.done} pages")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\x1b[K")


def report(progress: Progress | None, line: str) -> None:
    if progress:
        progress.clear()
    print(line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

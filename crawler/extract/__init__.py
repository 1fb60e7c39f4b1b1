"""Article extraction as pure code: a page and its URL in, the article's fields out.

    >>> from crawler.extract import extract_article
    >>> fields = extract_article(open("page.html", "rb").read(), "https://www.etemadonline.com/...")

A crawl reads a downloaded page with `read_article`: the page checks
(crawler.extract.pagecheck) and the extraction over one parse of the page.

Layers are asked in turn for every field and the first that knows it wins:
the site's own selectors, its CMS family's (on a host no site module owns,
the family crawler.families.detect recognises in the page), the page's structured metadata
(JSON-LD, OpenGraph, article:* meta, canonical link), then a generic fallback.
`field_sources` in the result says which layer gave each field.

A page may be built to make a parser or a walk slow (an element with
200,000 attributes, 100,000 nested tags): `read_article`'s `budget` bounds
the CPU time one page may take, and such a page is refused as
`bad/too_slow`.
"""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlsplit

from parsel import Selector

from crawler.extract.boilerplate import DROP_SELECTORS
from crawler.extract.html import MAX_ATTRIBUTES, long_tag_attributes, parse_html
from crawler.extract.layers import GenericLayer, MetadataLayer, Page, SpecLayer
from crawler.extract.pagecheck import PageProblem, byte_problem, content_problem
from crawler.extract.selectors import select
from crawler.families.spec import Site
from crawler.schema.article import complete_article

logger = logging.getLogger(__name__)

LAYERS = ("site", "family", "metadata", "generic")
# Resolution order: the body is taken last so that it can leave out the
# headline and lead that some pages print again inside it; the headline
# before the uptitle and lead, which the generic layer looks for around it.
FIELDS = (
    "news_code", "headline", "uptitle", "lead", "published", "modified", "source",
    "authors", "tags", "section", "canonical_url", "body", "images",
)


def build_layers(site: Site | None, names: Iterable[str] = LAYERS) -> tuple:
    """The layers, in the order they are asked, for pages of `site`. Layers
    keep nothing of a page (Page does), so a site's are built once: the
    last built for each site name and set of layers is kept, and used while
    it is asked for with the same Site."""
    names = tuple(names)
    key = (site.name if site else None, site.family.name if site else None, names)
    built = _BUILT.get(key)
    if built is None or built[0] is not site:
        built = _BUILT[key] = (site, tuple(_built_layers(site, set(names))))
    return built[1]


_BUILT: dict[tuple[str | None, str | None, tuple[str, ...]], tuple[Site | None, tuple]] = {}


def _built_layers(site: Site | None, names: set[str]) -> list:
    layers: list = []
    if site is not None:
        family = site.family
        scope = site.overrides.article or family.spec.article
        drop = (*DROP_SELECTORS, *family.spec.body_drop, *site.overrides.body_drop)
        if "site" in names:
            layers.append(SpecLayer(f"site:{site.name}", site.overrides, scope=scope, drop=drop))
        if "family" in names:
            label = f"family:{family.name}" + (" (detected)" if site.detected else "")
            layers.append(SpecLayer(label, family.spec, scope=scope, drop=drop, family=family))
    if "metadata" in names:
        layers.append(MetadataLayer())
    if "generic" in names:
        layers.append(GenericLayer())
    return layers


@dataclass(frozen=True)
class ArticleReading:
    """What a downloaded article page holds: the article's fields, or the
    problem that stops the page from holding one (then `fields` is None)."""

    fields: dict[str, Any] | None
    problem: PageProblem | None = None


def read_article(
    body: bytes | str,
    url: str,
    *,
    site: Site | None = None,
    content_type: str | bytes | None = None,
    flags: Iterable[str] = (),
    layers: Iterable[str] = LAYERS,
    budget: float | None = None,
) -> ArticleReading:
    """The page checked and, when it passes, extracted, from one parse.
    `flags` are Scrapy's response flags ("dataloss": the body came cut short).
    `budget`: the seconds of CPU time its reading may take (see cpu_budget),
    after which it stops and the page is refused as `bad/too_slow`."""
    problem = byte_problem(body, tuple(flags))
    if problem:
        return ArticleReading(None, problem)
    counts = long_tag_attributes(body.encode() if isinstance(body, str) else body)
    if sum(n * n for n in counts) > MAX_ATTRIBUTES**2:
        elements = f"{len(counts)} elements with up to" if len(counts) > 1 else "an element with"
        return ArticleReading(None, PageProblem("bad/too_slow", f"{elements} {max(counts)} attributes, too slow to parse"))
    try:
        with cpu_budget(budget):
            return _read_article(body, url, site, content_type, layers)
    except OverBudget:
        return ArticleReading(None, PageProblem("bad/too_slow", f"reading it took over {budget:g} s of CPU (CRAWLER_EXTRACT_TIMEOUT)"))


def _read_article(body, url, site, content_type, layers) -> ArticleReading:
    parsed = parse_html(body, url, content_type)
    # One Page for the checks and the extraction, which ask it the same things.
    page = Page(parsed, url, page_site(parsed, url, site))
    problem = content_problem(page, body)
    if problem:
        return ArticleReading(None, problem)
    return ArticleReading(_extracted(page, layers))


def page_site(page: Selector, url: str, site: Site | None = None) -> Site | None:
    """The site whose specs read the page: `site`, else the registered site that
    owns the URL. On a host none owns, and for the generic site of `scrapy crawl
    news`, a site on the CMS family the page's markup shows, if one does."""
    from crawler.families.detect import detect_family, detected_site, generic_site
    from crawler.families.generic import GENERIC
    from crawler.sites import site_for_url

    site = site or site_for_url(url)
    if site is None or site.family is GENERIC:
        family = detect_family(page.root, url)
        if family is not None:
            return detected_site(site or generic_site(url), family)
    return site


class OverBudget(BaseException):
    """A page's budget ran out. Not an Exception, as KeyboardInterrupt is not:
    no `except Exception` in the extraction takes it for a field's failure."""


@contextmanager
def cpu_budget(seconds: float | None):
    """Raise OverBudget in the block once the process has spent `seconds` of
    user CPU time in it (None or 0: no limit). A CPU timer (ITIMER_VIRTUAL),
    not a clock: a loaded machine slows every page, and pages would be
    refused for the machine's fault. Its signal reaches only the main thread,
    where a crawl reads pages (Scrapy's reactor); in any other thread, or
    where SIGVTALRM has a handler of its own (a profiler's), the block runs
    unlimited. The signal interrupts Python, not a C function: a libxml2
    parse or an XPath running ends first."""
    global _armed
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGVTALRM) is not _over_budget:
        if signal.getsignal(signal.SIGVTALRM) != signal.SIG_DFL:
            yield
            return
        # Left in place: a signal arriving as the timer is stopped is ignored,
        # where SIGVTALRM's default action would end the process.
        signal.signal(signal.SIGVTALRM, _over_budget)
    _armed = True
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        _armed = False


_armed = False


def _over_budget(signum, frame) -> None:
    if _armed:
        raise OverBudget


def extract_article(
    html: bytes | str | Selector,
    url: str,
    *,
    site: Site | None = None,
    content_type: str | bytes | None = None,
    layers: Iterable[str] = LAYERS,
) -> dict[str, Any]:
    """The article's fields, normalized, as the export contract names them.

    `site` defaults to the registered site that owns the URL's host; with none,
    the family the page's markup shows (`page_site`), else only the metadata
    and generic layers run. `html` may be the page already
    parsed (extraction edits that tree); `content_type` is the HTTP header,
    used to decode bytes. Fields no layer found are None or []; whether the
    result is complete enough to export is `crawler.schema.article.validation_errors`'s call.
    """
    parsed = html if isinstance(html, Selector) else parse_html(html, url, content_type)
    return _extracted(Page(parsed, url, page_site(parsed, url, site)), layers)


def _extracted(page: Page, layers: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    sources: dict[str, str] = {}
    layer_list = build_layers(page.site, layers)
    for name in FIELDS:
        for layer in layer_list:
            if name not in layer.fields:
                continue
            value = layer.get(name, page, found)
            if value:
                found[name] = value
                sources[name] = layer.label
                break
    logger.debug("field sources for %s: %s", page.url, sources)
    return complete_article(_as_record(found, sources, page))  # the layers' text is normalized


def _as_record(found: dict[str, Any], sources: dict[str, str], page: Page) -> dict[str, Any]:
    published = found.get("published")
    modified = found.get("modified")
    body, body_source = found.get("body") or (None, None)
    if body_source and "source" not in found:
        found["source"] = body_source
        sources["source"] = sources["body"]
    site = page.site
    language = site.language if site and not site.detected else (next(iter(select(page.root, "xpath:/html/@lang")), None) or "fa")[:2].lower()
    return {
        "site": site.domain if site else (urlsplit(page.url).hostname or "").removeprefix("www.") or None,
        "url": page.url,
        "canonical_url": found.get("canonical_url"),
        "news_code": found.get("news_code"),
        "published_at": published[1].isoformat() if published else None,
        "published_at_raw": published[0] if published else None,
        "modified_at": modified[1].isoformat() if modified else None,
        "uptitle": found.get("uptitle"),
        "headline": found.get("headline"),
        "lead": found.get("lead"),
        "body": body,
        "source": found.get("source"),
        "authors": found.get("authors", []),
        "tags": found.get("tags", []),
        "section": found.get("section", []),
        "images": found.get("images", []),
        "language": language if language in ("fa", "en") else "fa",
        "field_sources": sources,
    }

"""The heading of a page no spec knows: headline, uptitle, lead and news code,
each taken from evidence that agrees (the metadata and generic layers of
crawler.extract.layers ask here).

- Headline: the page's <h1>s, JSON-LD headline, og:title, twitter:title and
  <title>, each without the site's name at its start or end; the text most of
  them agree on, whole or as a run of their separated parts.
- Site names: the site's own, else the ones the page states (og:site_name,
  application-name, JSON-LD publisher) and their parts; a part reading as an
  agency's name ("خبرگزاری X", "X News Agency") or as the host's name counts too.
- Uptitle: an element named for it (rutitr, kicker, uptitle...) around the
  headline's <h1>, else the short line just above it ending in a colon.
- Lead: an element named for it (lead, summary, introtext...) after the <h1>,
  else the page's description where an element of the page reads the same.
- News code: an id of letters and digits in the URL, the `کد خبر: N` the
  page prints, else a short link's code (the generic family's URL pattern
  gives all-digit ids first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract.html import text_of
from crawler.persian.text import fold_for_comparison, normalize_text, to_ascii_digits
from crawler.persian.urls import decoded_path


class ParsedPage(Protocol):
    """What these readers take of a parsed page: crawler.extract.layers.Page,
    which calls them (named here, not imported, so neither imports the other)."""

    root: etree._Element
    url: str
    meta: dict[str, list[str]]
    json_ld: list[dict[str, Any]]
    names: tuple[str, ...]


# What links to a site's home page say: no section, and no site's name.
HOME_CRUMBS = {"صفحه اصلی", "صفحه نخست", "خانه", "اصلی", "Home", "home", "Homepage"}
# Between a title's parts: a bar, "::", guillemets, or a dash with a space on one side at least.
SEPARATOR = re.compile(r"\s*(?:[|｜]+|::|[»«])\s*|\s+[-–—]+\s*|\s*[-–—]+\s+")
# Words that make a title's part a publication's name.
_AGENCY = re.compile(
    r"^(?:خبرگزاری|پایگاه(?:\s|\u200c)+(?:خبری|اطلاع(?:\s|\u200c)*رسانی|تحلیلی)|سایت(?:\s|\u200c)+خبری|روزنامه|"
    r"هفته(?:\s|\u200c)*نامه|ماهنامه|شبکه(?:\s|\u200c)+خبر)(?:\s|\u200c|$)|\bnews\s+agency\b|\bnews\s*(?:network|site|online)\b",
    re.I,
)
MAX_NAME_WORDS = 6
MIN_PART_CHARS = 10  # a run of a title's parts shorter than this is not offered as its headline
MAX_UPTITLE_CHARS = 150
MIN_LEAD_CHARS = 30
MAX_LEAD_CHARS = 1500

# (روتیتر, the Persian word, as CMSs spell it: rutitr, rotitr, TitrRou)
_UPTITLE_NAMES = (
    "rutitr", "rotitr", "ro-titr", "titr-rou", "kicker", "uptitle", "up-title", "surtitle", "supertitle", "pretitle", "overtitle",
)
_LEAD_NAMES = ("lead", "summary", "introtext", "intro-text", "excerpt", "teaser", "lid", "chekide")


class _Named:
    """Elements below the context whose class or id names one of `names` as a
    word of its own: "news-lead", "leadText", "Content_rutitr", not "leader",
    "slider" or "solid"."""

    def __init__(self, names: Iterable[str]):
        self.names = tuple(f"-{n}-" for n in names)
        lowered = "translate(concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        held = " or ".join(f"contains({lowered}, '{n.replace('-', '')}')" for n in names)  # a cheap first sieve
        self._candidates = etree.XPath(f"descendant::*[@class or @id][{held}]", smart_strings=False)

    def __call__(self, context: etree._Element) -> list[etree._Element]:
        return [e for e in self._candidates(context) if any(n in _words(e) for n in self.names)]


def _words(element: etree._Element) -> str:
    """The element's class and id as lower-case words between dashes: "-news-page-subtitle-"."""
    raw = f"{element.get('class') or ''} {element.get('id') or ''}"
    raw = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", raw).lower()
    return "-" + "-".join(re.findall(r"[a-z]+", raw)) + "-"


_UPTITLE_NAMED = _Named(_UPTITLE_NAMES)
_SUBTITLE_NAMED = _Named(("subtitle", "sub-title"))
_LEAD_NAMED = _Named(_LEAD_NAMES)
# Paragraphs inside an element: a lead is one.
_PARAGRAPHS = etree.XPath("count(descendant::p)")
# The title of the link to the home page, or of the logo inside it: the site's name.
_HOME_LINK_NAMES = etree.XPath(
    "//body//a[@href='/' or @href=$home or @href=concat($home, '/')]/@title"
    " | //body//a[@href='/' or @href=$home or @href=concat($home, '/')]/img/@alt",
    smart_strings=False,
)
_H1 = etree.XPath("//body//h1", smart_strings=False)
_HEADINGS = {"h1", "h2", "h3"}
_TITLE = etree.XPath("/html/head/title//text()", smart_strings=False)
_TEXT_HOLDING = etree.XPath(
    "//body//text()[contains(., $probe)][not(ancestor::script or ancestor::style)]/..", smart_strings=False
)
_CODE_LABEL = re.compile(r"(?:کد|شناسه)[\s\u200c]*(?:خبر|مطلب)|news\s*(?:id|code)", re.I)
# Elements whose own text holds a news code's label.
_CODE_HOLDERS = etree.XPath(
    "//body//*[not(self::script)][text()[contains(., 'کد خبر') or contains(., 'کد مطلب') or contains(., 'شناسه خبر')"
    " or contains(., 'شناسه مطلب') or contains(., 'News ID') or contains(., 'News Code')]]",
    smart_strings=False,
)
_NEXT_TEXT = etree.XPath("following::text()[normalize-space()][1]", smart_strings=False)
# A code is digits, or letters and digits (Varzesh3's d1Gjx).
_CODE = re.compile(r"^[\s:：#\-]*((?=[A-Za-z]*[\d۰-۹])[A-Za-z\d۰-۹]{3,})")
# Short links holding the code: Asam's /tiny/news-N, WordPress's ?p=N.
_SHORT_LINK = etree.XPath(
    "/html/head/link[@rel='shortlink']/@href | //body//a/@href[contains(., '/tiny/news-')]"
    " | //body//input/@value[contains(., '/tiny/news-')]",
    smart_strings=False,
)
_SHORT_LINK_CODE = re.compile(r"/tiny/news-(\d+)|[?&]p=(\d+)$")


# ---- site names ----


def learned_names(page: ParsedPage) -> tuple[str, ...]:
    """The names the page gives its site (og:site_name, application-name, JSON-LD
    publisher, the home link's title or logo, and the parts of <title> before
    or after its headline that read as names), each whole, in its separated
    parts, and without an agency word ("خبرگزاری تسنیم": "تسنیم", the name a
    lead's dateline uses)."""
    parts = urlsplit(page.url)
    home = f"{parts.scheme}://{parts.netloc}"
    found = [*page.meta.get("og:site_name", []), *page.meta.get("application-name", [])]
    found += [n for n in _HOME_LINK_NAMES(page.root, home=home) if n.strip() not in HOME_CRUMBS and len(n.split()) <= MAX_NAME_WORDS]
    for obj in page.json_ld:
        publisher = obj.get("publisher")
        for p in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(p, dict) and isinstance(p.get("name"), str):
                found.append(p["name"])
    names: list[str] = []
    for value in found:
        whole = normalize_text(value)
        if whole:
            names.append(whole)
            names.extend(_parts(whole))
    host = _host_name(page.url)
    title = _parts(normalize_text("".join(_TITLE(page.root))) or "")
    if len(title) > 1:
        names.extend(part for part in (title[0], title[-1]) if _is_name(part, names, host))
    names += [_AGENCY.sub("", n).strip() for n in names if _AGENCY.match(n)]
    return tuple(dict.fromkeys(n for n in names if n))


def _host_name(url: str) -> str:
    """The host's first label below www: "tasnimnews" for www.tasnimnews.com."""
    return (urlsplit(url).hostname or "").removeprefix("www.").split(".")[0].replace("-", "")


def _is_name(part: str, names: Iterable[str], host: str, *, agency: bool = True) -> bool:
    """Whether a title's part is the site's name: one of `names`, the host's,
    or (with `agency`) any publication's by its form."""
    folded = fold_for_comparison(part)
    if any(folded == fold_for_comparison(n) for n in names):
        return True
    if len(part.split()) > MAX_NAME_WORDS:
        return False
    if agency and _AGENCY.search(part):
        return True
    # "Tasnim", "TABNAK", "Mehr News Agency": the host's own name in Latin letters
    letters = re.sub(r"[^a-z]", "", part.lower())
    return len(letters) >= 4 and re.fullmatch(r"[A-Za-z .&'-]+", part) is not None and (letters in host or host in letters)


def _parts(title: str) -> list[str]:
    return [p for p in (normalize_text(p) for p in SEPARATOR.split(title)) if p]


def strip_site_name(title: str, page: ParsedPage) -> str:
    """The title without the site's name at its start or end ("name - ", " | name",
    "name: ", «خبرگزاری X -»): the parts that are names, taken off while another part is left.
    Before a colon only the site's own name is: "روزنامه کیهان: ..." quotes another paper."""
    stripped = title
    names, host = page.names, _host_name(page.url)
    while True:
        separators = list(SEPARATOR.finditer(stripped))
        if separators:
            first, last = separators[0], separators[-1]
            if first.start() > 0 and _is_name(stripped[: first.start()], names, host) and stripped[first.end():].strip():
                stripped = stripped[first.end():]
                continue
            if last.end() < len(stripped) and _is_name(stripped[last.end():], names, host) and stripped[: last.start()].strip():
                stripped = stripped[: last.start()]
                continue
        m = re.match(r"^([^:：]{2,60})[:：]\s*(?=\S)", stripped)
        if m and _is_name(m.group(1).strip(), names, host, agency=False):
            stripped = stripped[m.end():]
            continue
        m = re.search(r"[:：]\s*([^:：]{2,60})$", stripped)
        if m and _is_name(m.group(1).strip(), names, host, agency=False) and stripped[: m.start()].strip():
            stripped = stripped[: m.start()]
            continue
        return stripped if stripped is title else normalize_text(stripped) or ""


# ---- headline ----


def headline_candidates(page: ParsedPage) -> list[tuple[str, str]]:
    """(source, text) of every place the page states its headline, site names taken off."""
    found = [("h1", text_of(h1)) for h1 in _H1(page.root)[:3]]
    found += [("ld", str(o["headline"])) for o in page.json_ld if o.get("headline")]
    found += [(key, v) for key in ("og:title", "twitter:title") for v in page.meta.get(key, [])]
    found += [("title", "".join(_TITLE(page.root)))]
    stripped = []
    for source, text in found:
        text = normalize_text(text)
        if text:
            text = strip_site_name(text, page)
            if text:
                stripped.append((source, text))
    return stripped


def agreed_headline(page: ParsedPage) -> str | None:
    """The headline the page's statements of it agree on (two at least): a
    statement whole, where two make it; else the run of their parts most of
    them make (the rest being site, section or series names). Ties go to what
    the <h1> says (what readers see; metadata may be a stale draft's), then to
    the longer."""
    candidates = headline_candidates(page)
    return _most_agreed(candidates, whole=True) or _most_agreed(candidates, whole=False)


def _most_agreed(candidates: list[tuple[str, str]], *, whole: bool) -> str | None:
    support: dict[str, set[str]] = {}
    text_of_key: dict[str, str] = {}
    for source, text in candidates:
        parts = _parts(text)
        runs = {text} if whole else {text} | {
            " - ".join(parts[i:j]) if j - i > 1 else parts[i]
            for i in range(len(parts)) for j in range(i + 1, len(parts) + 1) if (i, j) != (0, len(parts))
        }
        for run in runs:
            if run is not text and len(run) < MIN_PART_CHARS:
                continue
            key = fold_for_comparison(run)
            support.setdefault(key, set()).add(source)
            if run is text or key not in text_of_key:
                text_of_key.setdefault(key, run)
    agreed = [(len(sources), "h1" in sources, len(key), key) for key, sources in support.items() if len(sources) >= 2]
    if not agreed:
        return None
    return text_of_key[max(agreed)[3]]


def headline_element(page: ParsedPage, headline: str | None) -> etree._Element | None:
    """The <h1> that prints the headline."""
    if not headline:
        return None
    wanted = fold_for_comparison(headline)
    for h1 in _H1(page.root)[:3]:
        text = normalize_text(text_of(h1))
        if text and wanted in fold_for_comparison(text):
            return h1
    return None


# ---- uptitle and lead ----


def _short_line(element: etree._Element, headline: str) -> str | None:
    text = normalize_text(text_of(element))
    if not text or len(text) > MAX_UPTITLE_CHARS or fold_for_comparison(text) == fold_for_comparison(headline):
        return None
    return text


def _around(h1: etree._Element, levels: int) -> etree._Element:
    scope = h1
    for _ in range(levels):
        parent = scope.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        scope = parent
    return scope


def _preceding(element: etree._Element, scope: etree._Element) -> set[etree._Element]:
    """The elements of `scope` that come before `element` in the document, outside it."""
    before: set[etree._Element] = set()
    node = element
    while node is not None and node is not scope:
        for sibling in node.itersiblings(preceding=True):
            before.update(sibling.iter())
        node = node.getparent()
    return before


def _document_order(scope: etree._Element):
    """A sort key putting elements of `scope` in document order."""
    order = {e: i for i, e in enumerate(scope.iter())}
    return order.__getitem__


def _surroundings(page: ParsedPage, headline: str | None, levels: int):
    """The headline's <h1>, the element `levels` above it, and what comes before the <h1> in that."""
    h1 = headline_element(page, headline)
    if h1 is None:
        return None
    scope = _around(h1, levels)
    return h1, scope, _preceding(h1, scope)


def uptitle(page: ParsedPage, headline: str | None) -> str | None:
    found = _surroundings(page, headline, 2)
    if found is None:
        return None
    h1, scope, before = found
    named = [e for e in _UPTITLE_NAMED(scope) if h1 not in e.iter()]
    # The nearest above the headline first, then one beside it below; not one of the
    # related news further down, which have their own. A "subtitle" is an uptitle
    # only above the headline; below it, it is a lead.
    above = [e for e in [*named, *_SUBTITLE_NAMED(scope)] if e in before]
    beside = [e for e in named if e not in before and e.getparent() is h1.getparent()]
    for element in [*sorted(above, key=_document_order(scope), reverse=True), *beside]:
        text = _short_line(element, headline)
        if text:
            return text
    # The line just above the headline, when it ends in a colon (a speaker, a place, a series).
    above = next((e for e in h1.itersiblings(preceding=True) if isinstance(e.tag, str) and text_of(e).strip()), None)
    if above is not None:
        text = _short_line(above, headline)
        if text and text.endswith((":", "：")):
            return text
    return None


def named_lead(page: ParsedPage, headline: str | None) -> str | None:
    """The first element named for a lead after the headline, before any other
    heading (past one, the elements are another story's or section's) and
    outside lists (related news with their own teasers)."""
    found = _surroundings(page, headline, 4)
    if found is None:
        return None
    h1, scope, before = found
    named = {*_LEAD_NAMED(scope), *_SUBTITLE_NAMED(scope)}
    inside_h1 = set(h1.iter())
    for element in scope.iter():
        if element in before or element in inside_h1:
            continue
        if element in named and not any(a.tag == "li" for a in element.iterancestors()):
            text = normalize_text(text_of(element))
            # (one paragraph: not the body, nor a box of several like Drupal's "text-with-summary")
            if _PARAGRAPHS(element) <= 1 and text and MIN_LEAD_CHARS <= len(text) <= MAX_LEAD_CHARS:
                return text
        elif element.tag in _HEADINGS:
            return None
    return None


def shown_description(page: ParsedPage, descriptions: Iterable[str]) -> str | None:
    """The first description that an element of the page's body prints whole."""
    for value in descriptions:
        text = normalize_text(value)
        if not text or len(text) < MIN_LEAD_CHARS:
            continue
        probe = str(value).strip()[:24]
        wanted = fold_for_comparison(text)
        if any(fold_for_comparison(normalize_text(text_of(e)) or "") == wanted for e in _TEXT_HOLDING(page.root, probe=probe)):
            return text
    return None


# ---- news code ----

# An id of letters and digits as a path segment of its own after a news word: /news/d1Gjx/<slug>,
# /persian/articles/c4nw2e8x1ego (all-digit ids are the generic family's URL pattern's).
# A word and a number ("page2", "part3") is no id.
_URL_ID = re.compile(
    r"/(?:news|articles?|stor(?:y|ies)|posts?|content|item)/(?![a-z]+\d+(?:/|$))((?=[a-z]*\d)(?=\d*[a-z])[a-z\d]{5,16})(?:/|$)", re.I
)


def url_news_code(url: str) -> str | None:
    m = _URL_ID.search(decoded_path(url))
    return m.group(1) if m else None



def printed_news_code(page: ParsedPage) -> str | None:
    """The code the page prints after `کد خبر`, else the one a short link holds."""
    for element in _CODE_HOLDERS(page.root):
        text = text_of(element)
        label = _CODE_LABEL.search(text)
        after = text[label.end():] if label else ""
        if not after.strip(" :：\u200c\n\t"):  # the number in the element after the label's
            after = "".join(_NEXT_TEXT(element)[:1])
        m = _CODE.match(after)
        if m:
            return to_ascii_digits(m.group(1))
    for link in _SHORT_LINK(page.root):
        m = _SHORT_LINK_CODE.search(str(link))
        if m:
            return m.group(1) or m.group(2)
    return None

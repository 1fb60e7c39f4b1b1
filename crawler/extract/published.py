"""The publication time of a page no spec knows: a Persian htmldate.

`published_time(root, url, json_ld, meta)` returns (the text as the page
wrote it, ParsedTime), or None. Every string is read by crawler.persian.dates.

Candidates:
- structured data: JSON-LD datePublished, the publication meta tags (Jalali
  text inside an ISO-meant field is read as Jalali), elements marked
  itemprop="datePublished";
- the URL: a `/1399/05/12/` or `/2020/08/02/` path (a day, no time);
- the printed lines: the page's text split at block elements and <br>, as a
  reader sees it, each line holding a date (a <time datetime> in a line whose
  text gives no time of day lends its attribute).

The printed date is what the export wants (the time the page shows, to the
minute it shows), so a line is chosen when one can be trusted:
1. Left out: the headline itself; lines in the page's header, navigation or
   footer (clocks, today's date bar), in sidebars, related-news and comment
   boxes, in link-dense blocks or mostly inside links (lists of other
   articles and their dates); lines saying "today" or naming an update; and
   prose (long lines, unless labelled).
2. The rest are ranked by how much text stands between them and the
   headline (the heading the page's title holds, else the longest <h1>,
   outside the page chrome), a line labelled as the publication date
   (تاریخ انتشار, کد خبر's line, ...) first; beyond `NEAR` characters only a
   labelled line counts.
3. With structured data or a URL date, the nearest line agreeing with them on
   the day wins; none agreeing, the nearest labelled line, else the
   structured time (else the URL's day). With neither, the nearest line wins.
4. A line giving a day and no time of day takes its time from the next or
   previous line when that line is only a time, else from the structured time
   of the same day.
Precision first: no date is better than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from crawler.extract.html import BLOCK_TAGS, SKIP_TAGS
from crawler.persian.dates import ParsedTime, parse_time
from crawler.persian.text import normalize_text, to_ascii_digits
from crawler.persian.urls import decoded_path

__all__ = ["PUBLISHED_META", "parse_first_time", "published_time", "structured_times"]

# Publication meta tags, by property, name or itemprop (lowercased), most
# specific first. Not `date`: Nastooh pages put the time they were served there.
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "dc.date.issued", "dcterms.issued", "dc.date",
    "sailthru.date", "parsely-pub-date",
)  # fmt: skip

NEAR = 600  # characters of text between the headline and a date line (uptitle, lead, code, author, caption)
# A longer line is prose (a date in a sentence is not when it was published),
# unless labelled: an info bar may hold the section, code, date, author and views.
LONGEST_LINE = 100
LONGEST_LABELLED_LINE = 200
SHORT_TIME_LINE = 30  # a line holding only a time of day ("ساعت: ۰۴:۲۵:۱۲ ب.ظ")

# Elements that are page chrome when they are not around the headline nor inside the article.
_CHROME_TAGS = {"header", "nav", "footer"}
_CHROME_WORDS = {"navbar", "navigation", "menu", "footer", "topbar"}
# "header" and "nav" name the page's own alone or with one of these words, "bar"
# with one of them ("top-bar"); an article's header ("item-header") and info
# bar (IranSamaneh's "news_nav", "date-bar") hold its date.
_PAGE_WORDS = {"site", "page", "main", "top", "primary"}
# Boxes of other articles, wherever they are.
_BOX_TAGS = {"aside"}
_BOX_WORDS = {
    "sidebar", "related", "ticker", "marquee", "latest", "popular", "most", "mostviewed", "suggest", "comment", "comments",
}  # fmt: skip
_HEADING_TAGS = {"h1", "h2", "h3"}
_TITLE_CHARS = 15  # the mean length of links that are other articles' titles
_MENU_LINKS = 5
_ARTICLE_TAGS = {"article", "main"}
_SHORTEST_HEADLINE = 10
_WORD_SPLIT = re.compile(r"[\s_\-]+")

_P = r"[\s\u200c]*"
_DIGIT = re.compile(r"[0-9۰-۹٠-٩]")
_TODAY = re.compile(r"امروز|today", re.I)
_UPDATE = re.compile(rf"به{_P}روز{_P}رسانی|بروز{_P}رسانی|ویرایش|آخرین{_P}تغییر|updated|modified", re.I)
# A line naming the publication date, or the news code beside it.
_LABEL = re.compile(rf"تاریخ{_P}(?:انتشار|خبر|درج|:)|زمان{_P}(?:انتشار|:)|منتشر{_P}شده|انتشار\s*:|کد{_P}خبر|published", re.I)
_URL_DATE = re.compile(r"/(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})(?=/|$)")
_ITEMPROP = etree.XPath("//*[@itemprop='datePublished' and not(self::meta)]")


def parse_first_time(candidates: Iterable[str]) -> tuple[str, ParsedTime] | None:
    """First candidate that parses, preferring one that gives a time of day;
    the candidates after one with a time of day are not asked for."""
    dated = None
    for raw in candidates:
        raw = normalize_text(raw)
        parsed = parse_time(raw)
        if parsed is None:
            continue
        if parsed.has_time:
            return raw, parsed
        dated = dated or (raw, parsed)
    return dated


def published_time(
    root: etree._Element, url: str, json_ld: list[dict[str, Any]], meta: dict[str, list[str]]
) -> tuple[str, ParsedTime] | None:
    """The page's publication time (see the module's docstring)."""
    structured = parse_first_time(structured_times(root, json_ld, meta))
    from_url = _url_date(url)
    # (day, days it may be off): a time's day is exact; a bare day, in a path
    # or a meta tag, may be the UTC one.
    evidence = [(found[1].value.date(), 0 if found[1].has_time else 1) for found in (structured, from_url) if found]
    title = root.find("head/title")
    titles = [t for t in map(normalize_text, [*meta.get("og:title", ()), title.text if title is not None else None]) if t]
    lines = _date_lines(root, titles)
    if evidence:
        agreeing = [c for c in lines if any(abs((c.day - day).days) <= slack for day, slack in evidence)]
        # None agreeing, a line naming itself the publication date still
        # stands: the page says so (metadata is often the serving time).
        chosen = agreeing[0] if agreeing else next((c for c in lines if c.labelled), None)
    else:
        chosen = lines[0] if lines else None
    if chosen is None:
        return structured or from_url
    if not chosen.parsed.has_time and structured and structured[1].has_time and structured[1].value.date() == chosen.day:
        return structured
    return chosen.raw, chosen.parsed


def structured_times(root: etree._Element, json_ld: list[dict[str, Any]], meta: dict[str, list[str]]) -> Iterable[str]:
    """Publication times in the page's structured data, most specific first."""
    for obj in json_ld:
        if obj.get("datePublished"):
            yield str(obj["datePublished"])
    for key in PUBLISHED_META:
        yield from meta.get(key, ())
    # Elements marked datePublished, when they agree: a list of other articles
    # may carry their own.
    marked = {element.get("datetime") or element.get("content") or "".join(element.itertext()) for element in _ITEMPROP(root)}
    if len(marked) == 1:
        yield from marked


def _url_date(url: str) -> tuple[str, ParsedTime] | None:
    m = _URL_DATE.search(to_ascii_digits(decoded_path(url)))
    if m is None:
        return None
    raw = f"{m['y']}/{m['m']}/{m['d']}"
    parsed = parse_time(raw)
    return (raw, parsed) if parsed else None


# --- printed lines ---------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    raw: str
    parsed: ParsedTime
    labelled: bool  # named as the publication date, or on the news code's line

    @property
    def day(self) -> date:
        return self.parsed.value.date()


@dataclass
class _Line:
    text: str
    block: etree._Element  # the block element the line is in
    start: int  # characters of page text before the line
    link_chars: int  # characters of the line inside links
    times: list[str]  # datetime attributes of <time> elements in the line


def _lines(root: etree._Element) -> tuple[list[_Line], list[tuple[etree._Element, int]]]:
    """The page's visible lines in document order, and its headings with the
    index of the line each starts."""
    body = next(root.iter("body"), root)
    lines: list[_Line] = []
    headings: list[tuple[etree._Element, int]] = []
    buf: list[str] = []
    state = {"links": 0, "start": 0, "in_link": 0}
    blocks: list[etree._Element] = [body]
    times: list[str] = []

    def flush() -> None:
        text = "".join(buf)
        buf.clear()
        stripped = text.strip()
        if stripped:
            lines.append(_Line(stripped, blocks[-1], state["start"], state["links"], list(times)))
            state["start"] += len(stripped)
        state["links"] = 0
        times.clear()

    def add(text: str) -> None:
        buf.append(text)
        if state["in_link"]:
            state["links"] += len(text.strip())

    walker = etree.iterwalk(body, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        tag = node.tag
        if event in ("comment", "pi"):
            if node.tail:  # (a comment's tail is text: "<!-- code -->کد خبر:")
                add(node.tail)
            continue
        if event == "start":
            if tag in SKIP_TAGS:
                walker.skip_subtree()  # (its end comes next: only its tail is read)
                continue
            if tag in BLOCK_TAGS:
                flush()
                blocks.append(node)
            else:
                buf.append(" ")  # (<span>۱۲ مرداد ۱۳۹۹</span><span>۰۹:۳۰</span> shows a gap)
            if tag == "a":
                state["in_link"] += 1
            if tag in _HEADING_TAGS or node.get("itemprop") == "headline":
                headings.append((node, len(lines)))
            if tag == "time" and node.get("datetime"):
                times.append(node.get("datetime"))
            if node.text:
                add(node.text)
        else:
            if tag not in SKIP_TAGS:
                if tag in BLOCK_TAGS:
                    flush()
                    blocks.pop()
                else:
                    buf.append(" ")
                if tag == "a":
                    state["in_link"] -= 1
            if node is not body and node.tail:
                add(node.tail)
    flush()
    return lines, headings


def _words(element: etree._Element) -> set[str]:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return set(filter(None, _WORD_SPLIT.split(names)))


def _is_chrome(element: etree._Element) -> bool:
    words = _words(element)
    return (
        element.tag in _CHROME_TAGS
        or bool(words & _CHROME_WORDS)
        or (bool(words & {"header", "nav"}) and (len(words) == 1 or bool(words & _PAGE_WORDS)))
        or ("bar" in words and bool(words & _PAGE_WORDS))
    )


def _page_chrome(element: etree._Element) -> bool:
    """Chrome, and not inside the article (whose own <header> holds its date)."""
    return _is_chrome(element) and not any(a.tag in _ARTICLE_TAGS for a in element.iterancestors())


def _is_box(element: etree._Element) -> bool:
    return element.tag in _BOX_TAGS or bool(_words(element) & _BOX_WORDS)


def _headline(headings: list[tuple[etree._Element, int]], titles: list[str]) -> tuple[etree._Element, int] | None:
    """The longest heading the page's title (og:title, <title>) holds, h1
    first among equals (a list of latest news may repeat it in an <h3>), not
    in the site's header (a logo's <h1> sits there, and a title may be the
    site's name alone); else the longest <h1> outside the page chrome."""
    rank = {"h2": 1, "h3": 2}  # (h1 and any element marked itemprop=headline: 0)
    texts = [(h, i, normalize_text("".join(h.itertext())) or "") for h, i in headings]
    in_title = [t for t in texts if len(t[2]) >= _SHORTEST_HEADLINE and any(t[2] in title for title in titles)]
    in_title = [t for t in in_title if not any(map(_site_header, t[0].iterancestors()))]
    if in_title:
        h, i, _ = min(in_title, key=lambda t: (-len(t[2]), rank.get(t[0].tag, 0), t[1]))
        return h, i
    h1s = [(h, i, text) for h, i, text in texts if h.tag == "h1" and text and not any(map(_page_chrome, h.iterancestors()))]
    return max(h1s, key=lambda t: len(t[2]))[:2] if h1s else None


def _link_dense(element: etree._Element) -> bool:
    """A list of other articles: mostly the text of links as long as titles
    (an article's info bar has short ones: print, send, short link)."""
    links = list(element.iter("a"))
    if len(links) < 3:
        return False
    text = len("".join(element.itertext()).strip())
    linked = sum(len("".join(a.itertext()).strip()) for a in links)
    return linked * 2 > text and linked >= _TITLE_CHARS * len(links)


def _site_header(element: etree._Element) -> bool:
    """Page chrome holding a menu: where a logo's <h1> is, not a post's."""
    return _page_chrome(element) and sum(1 for _ in element.iter("a")) >= _MENU_LINKS


def _excluded(line: _Line, around_headline: set[etree._Element]) -> bool:
    if line.link_chars * 2 > len(line.text):
        return True
    for element in (line.block, *line.block.iterancestors()):
        if element in around_headline:
            return False  # the headline's own container
        if _is_box(element) or _link_dense(element) or _page_chrome(element):
            return True
    return False


def _date_lines(root: etree._Element, titles: list[str]) -> list[_Candidate]:
    """Printed lines that may give the publication time, nearest the headline first."""
    lines, headings = _lines(root)
    headline = _headline(headings, titles)
    around: set[etree._Element] = set()
    headline_at = None
    if headline is not None:
        around = {headline[0], *headline[0].iterancestors()}
        headline_at = headline[1] if headline[1] < len(lines) else None
    found: list[tuple[bool, int, _Candidate]] = []
    for i, line in enumerate(lines):
        if i == headline_at or not (line.times or _DIGIT.search(line.text)):
            continue  # (a date in the headline is what it is about; most lines have no digit)
        text = normalize_text(line.text)
        if not text or len(text) > LONGEST_LABELLED_LINE or _TODAY.search(text):
            continue
        labelled = bool(_LABEL.search(text))
        if len(text) > LONGEST_LINE and not labelled:
            continue
        update = _UPDATE.search(text)
        if update:
            text = text[: update.start()]  # a publication date may come before the update's
        parsed = parse_time(text) if text else None
        if parsed is None and line.times:
            parsed = parse_time(line.times[0])
        if parsed is None or _excluded(line, around):
            continue
        raw = text
        if not parsed.has_time:
            raw, parsed = _with_time(text, parsed, line, lines, i)
        if headline_at is None:
            gap = None
        else:
            ends = lines[headline_at].start + len(lines[headline_at].text)
            gap = max(line.start - ends, lines[headline_at].start - (line.start + len(line.text)), 0)
        if gap is not None and gap <= NEAR:
            found.append((False, gap, _Candidate(raw, parsed, labelled)))
        elif labelled:
            found.append((True, gap or 0, _Candidate(raw, parsed, labelled)))
    # Near lines before far ones, labelled before unlabelled, then by distance.
    found.sort(key=lambda f: (f[0], not f[2].labelled, f[1]))
    return [c for _, _, c in found]


def _with_time(raw: str, parsed: ParsedTime, line: _Line, lines: list[_Line], i: int) -> tuple[str, ParsedTime]:
    """The date with the time of day printed beside it: a <time>'s attribute
    of the same day, or the next or previous line of the same block or a
    sibling block when that line holds only a time."""
    day = parsed.value.date()
    for attribute in line.times:
        timed = parse_time(attribute)
        if timed and timed.has_time and timed.value.date() == day:
            return attribute, timed
    for j in (i + 1, i - 1):
        if not 0 <= j < len(lines):
            continue
        other = lines[j]
        if other.block is not line.block and other.block.getparent() is not line.block.getparent():
            continue
        text = normalize_text(other.text) or ""
        if len(text) <= SHORT_TIME_LINE and parse_time(text) is None:
            joined = f"{raw} {text}"
            timed = parse_time(joined)
            if timed and timed.has_time and timed.value.date() == day:
                return joined, timed
    return raw, parsed

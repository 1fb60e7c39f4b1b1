"""What a downloaded page is, decided before any article is extracted from it.

`byte_problem` (what the bytes alone tell) and `content_problem` (what the
parsed page tells) are the places that refuse a page; crawler.extract.
read_article asks both, around one parse. Whether the page declares itself
an article (JSON-LD, og:type, the site's body container with text) is asked
first, once: most article pages do, and it spares them the checks' walks of
the whole page (every link, every element's class). Each refusal has a kind,
counted by a crawl as `pages/<kind>`:

- `bad/empty`, `bad/binary`, `bad/truncated`: the page cannot hold a whole article;
- `blocked/arvancloud`, `blocked/cloudflare`, `blocked/interstitial`: an
  anti-bot challenge stands where the page should be (`challenge` alone is
  what the crawl's downloader middleware asks of every response);
- `not_found`: a "soft 404", a 200 page saying the news is not there;
- `not_article`: a listing (tag, section, search page) at an article's address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.extract.html import SKIP_TAGS, decode_html, text_of
from crawler.extract.layers import Page, news_code_from_url, node_text
from crawler.extract.selectors import select
from crawler.families.generic import GENERIC
from crawler.families.spec import Site
from crawler.persian.text import normalize_text, to_ascii_digits
from crawler.persian.urls import absolute_url


@dataclass(frozen=True)
class PageProblem:
    kind: str  # counted as pages/<kind>
    reason: str  # for the log line

    def __str__(self) -> str:
        return self.reason

    @property
    def blocked(self) -> bool:
        return self.kind.startswith("blocked/")


# Anti-bot pages by their markers, looked for (lower-cased) in the page's first
# 64 KB. ArvanCloud's JS challenge is a short page naming arvancloud that sets
# an `__arcsjs` cookie; Cloudflare's says "Just a moment..." or "Checking your
# browser" and loads its challenge platform (cf-chl), and its block page is
# "Attention Required! | Cloudflare"; IRNA's editorial site shows
# "Transferring to the website…" before its pages.
CHALLENGES = (
    ("arvancloud", "ArvanCloud challenge", (b"__arcsjs", b"arvancloud")),
    (
        "cloudflare", "Cloudflare challenge",
        (b"just a moment...", b"checking your browser", b"cf-chl", b"cf_chl", b"challenge-platform", b"attention required! | cloudflare"),
    ),  # fmt: skip
    ("interstitial", '"Transferring to the website" interstitial', (b"transferring to the website",)),
)
CHALLENGE_NAMES = {kind: name for kind, name, _ in CHALLENGES}
# A challenge page says next to nothing. Ordinary pages carry the same markers
# too (assets on ArvanCloud's CDN, Cloudflare's bot-detection script), but
# with a page's worth of text around them.
CHALLENGE_MAX_TEXT = 1500

# "The news (page, item) you asked for was not found / does not exist / was
# deleted", "page not found". Not "no news was found" alone, which is also a
# headline ("از سرنشینان خبری یافت نشد").
_S = r"[\s\u200c]"  # Persian writes some of these words apart, some with a ZWNJ
NOT_FOUND = re.compile(
    rf"(?:خبر|صفحه|مطلب|مقاله|محتوای?){_S}+مورد{_S}+نظر{_S}+(?:شما{_S}+)?"
    rf"(?:(?:یافت|پیدا){_S}*نشد|وجود{_S}*ندارد|حذف{_S}*شده)"
    rf"|صفحه{_S}+(?:یافت|پیدا){_S}*نشد"
    r"|\b(?:page|article|news|story)\s+(?:was\s+)?not\s+found\b",
    re.I,
)
# A bare 404 title or heading ("404", "خطای ۴۰۴"): a weaker sign, since a
# headline may end in one ("... — 404"); taken only on a page that does not
# declare itself an article.
BARE_404 = re.compile(r"^(?:error|خطای?)?\s*404(?:\s*(?:error|not\s+found))?$", re.I)
# Where a soft 404 says so: the title (or one of its parts), headings, an error
# box. Boxes are found by their class and id attributes alone, which libxml2
# tests without a predicate on every element (2.5x faster).
HEADINGS = ("h1", "h2", "h3")
NOT_FOUND_BOXES = (
    "xpath:/descendant::*/@class[contains(., '404') or contains(., 'not-found') or contains(., 'notfound') or contains(., 'error')]/.."
    " | /descendant::*/@id[contains(., '404') or contains(., 'error')]/.."
)
TITLE_PARTS = re.compile(r"\s+[|｜\-–—:]\s+")

# A listing links to many articles of the site and has no article text of its
# own: no metadata calling it an article, nothing where the site keeps an
# article's body, and no stretch of text between two of its article links as
# long as a short article.
LISTING_MIN_LINKS = 10
ARTICLE_MIN_CHARS = 500
ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}
# Bytes no text page has many of (tab, line feeds, form feed, carriage return allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if not 9 <= b <= 13)
# Page furniture whose text is no article's (a footer's address, a menu).
CHROME_TAGS = frozenset({"header", "footer", "nav", "aside"})


def byte_problem(body: bytes | str, flags: tuple[str, ...] | list[str] = ()) -> PageProblem | None:
    """What the bytes alone tell: an empty, binary or cut-short page."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "replace")
    head, tail = raw[:2048].lower(), raw[-2048:].lower()
    if not raw.strip():
        return PageProblem("bad/empty", "empty page")
    if b"\x00" in head or len(head) - len(head.translate(None, _CONTROL_BYTES)) > len(head) // 20 or head.startswith(b"%pdf-"):
        return PageProblem("bad/binary", "binary content, not HTML")
    if "dataloss" in flags:
        return PageProblem("bad/truncated", "truncated page (the connection closed before the whole body came)")
    if b"<html" in head and b"</html" not in tail and b"</body" not in tail:
        return PageProblem("bad/truncated", "truncated page (no closing </body> or </html>)")
    return None


def content_problem(page: Page, body: bytes | str = b"") -> PageProblem | None:
    """What the parsed page tells: a challenge in place of the page (`body`:
    the bytes it was parsed from), a soft 404, or a listing at an article's
    address. `page` is the one the extraction then reads (crawler.extract.
    read_article): what both ask of it, its metadata, JSON-LD and body
    container, is worked out once."""
    declared = _Declared(page)
    return _challenge(body, declared) or _not_found(page.root, declared) or _listing(page, declared)


class _Declared:
    """Whether the page declares itself an article, asked once and only when
    a check needs it: most article pages do, and that answer spares the
    checks their walks of the whole page."""

    def __init__(self, page: Page):
        self._page = page
        self._answer: bool | None = None

    def __bool__(self) -> bool:
        if self._answer is None:
            self._answer = _declares_article(self._page)
        return self._answer


def challenge(body: bytes) -> PageProblem | None:
    """The anti-bot page this response is instead of the page asked for, if it is one."""
    head = body[:65536].lower()
    if b"<html" not in head[:4096]:  # challenges are HTML pages; a feed or sitemap may name the markers
        return None
    for kind, name, markers in CHALLENGES:
        if any(m in head for m in markers) and len(_visible_text(body)) <= CHALLENGE_MAX_TEXT:
            return PageProblem(f"blocked/{kind}", f"{name} page, not the page asked for")
    return None


def _challenge(body: bytes | str, declared: _Declared) -> PageProblem | None:
    # A page declaring itself an article is the site's own page: its markers
    # are a CDN's script, and looking for them costs ~10% of an extraction.
    if declared:
        return None
    return challenge(body if isinstance(body, bytes) else body.encode("utf-8", "replace"))


def _visible_text(body: bytes) -> str:
    hidden = " or ".join(f"ancestor::{t}" for t in sorted(SKIP_TAGS))
    sel = Selector(text=decode_html(body))
    return normalize_text(" ".join(sel.xpath(f"//body//text()[not({hidden})] | //title/text()").getall())) or ""


def _not_found(root: etree._Element, declared: _Declared) -> PageProblem | None:
    title = normalize_text(" ".join(select(root, "xpath://title//text()"))) or ""
    texts = _short_texts([*TITLE_PARTS.split(title), *map(_heading_text, root.iter(*HEADINGS))])
    problem = _says_not_found(texts)
    if problem or declared:
        # A page that declares itself an article is not a soft 404 because
        # a box on it says "not found" (a comment form's message, a hidden
        # template), nor because a heading is a bare 404; looking for such
        # boxes is a walk of every element, spared on most pages.
        return problem
    boxes = _short_texts(normalize_text(text_of(e)) or "" for e in select(root, NOT_FOUND_BOXES))
    problem = _says_not_found(boxes)
    if problem:
        return problem
    bare = next((text for text in (*texts, *boxes) if BARE_404.match(text)), None)
    return PageProblem("not_found", f"a 'not found' page (soft 404): {bare!r}") if bare else None


def _heading_text(element: etree._Element) -> str:
    return normalize_text(" ".join(element.itertext())) or ""


def _short_texts(texts: Iterable[str]) -> list[str]:
    return [to_ascii_digits(text) for text in texts if len(text) <= 300]


def _says_not_found(texts: list[str]) -> PageProblem | None:
    for text in texts:
        m = NOT_FOUND.search(text)
        if m:
            return PageProblem("not_found", f"a 'not found' page (soft 404): {m.group(0)!r}")
    return None


def _listing(page: Page, declared: _Declared) -> PageProblem | None:
    if declared:  # asked first: a listing check reads every link of the page
        return None
    article_link = _article_links(page.url, page.site)
    codes = {c for c in map(article_link, select(page.root, "xpath://a/@href")) if c}
    if len(codes) < LISTING_MIN_LINKS:
        return None
    if _longest_text_between(page.root, article_link) >= ARTICLE_MIN_CHARS:
        return None
    return PageProblem("not_article", f"a listing, not an article: links to {len(codes)} articles and holds no article text")


def _article_links(url: str, site: Site | None) -> Callable[[str | None], str | None]:
    """href -> the news code of another article of the site it leads to, or
    None; each href worked out once (menus and lists repeat them)."""
    families = (site.family,) if site else (GENERIC,)
    host = urlsplit(url).hostname
    own = news_code_from_url(url, families)
    known: dict[str | None, str | None] = {}

    def article_link(href: str | None) -> str | None:
        if href in known:
            return known[href]
        link = absolute_url(url, href)
        code = None
        if link is not None and (urlsplit(link).hostname == host or site and site.owns(link)):
            code = news_code_from_url(link, families)
        known[href] = code = code if code != own else None
        return code

    return article_link


def _declares_article(page: Page) -> bool:
    types = {t for o in page.json_ld for t in (o["@type"] if isinstance(o["@type"], list) else [o["@type"]])}
    if types & ARTICLE_TYPES:
        return True
    if "article" in (t.strip().lower() for t in page.meta.get("og:type", ())) or page.meta.get("article:published_time"):
        return True
    site = page.site
    bodies = (*site.overrides.body, *site.family.spec.body) if site else ()
    return any(normalize_text(node_text(e)) for css in bodies for e in page.whole.select(css))


def _longest_text_between(root: etree._Element, article_link) -> int:
    """The most text, in characters, found between two article links, leaving
    out scripts, styles and page furniture."""
    longest = run = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            tag = node.tag if isinstance(node.tag, str) else None
            if tag is None or tag in SKIP_TAGS or tag in CHROME_TAGS:
                walker.skip_subtree()
            elif tag == "a" and article_link(node.get("href")):
                longest, run = max(longest, run), 0
                walker.skip_subtree()
            elif node.text:
                run += len(node.text.strip())
        elif node.tail and node is not root:
            run += len(node.tail.strip())
    return max(longest, run)

"""What a downloaded page is, decided before any article is extracted from it.

`byte_problem` (what the bytes alone tell) and `content_problem` (what the
parsed page tells) are the places that refuse a page; crawler.extract.
read_article asks both, around one parse. Each refusal has a kind, counted
by a crawl as `pages/<kind>`:

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
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from crawler.extract.html import SKIP_TAGS, decode_html, text_of
from crawler.extract.layers import Page, news_code_from_url, node_text
from crawler.extract.selectors import select
from crawler.families.generic import GENERIC
from crawler.spec import Site
from crawler.text import normalize_text, to_ascii_digits
from crawler.urls import absolute_url


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
# Where a soft 404 says so: the title (or one of its parts), headings, an error box.
# (One pass over the page: the CSS list "h1, h2, h3, [class*='404'], ..." made nine.)
NOT_FOUND_PLACES = (
    "xpath://*[self::h1 or self::h2 or self::h3 or contains(@class, '404') or contains(@id, '404')"
    " or contains(@class, 'not-found') or contains(@class, 'notfound') or contains(@class, 'error') or contains(@id, 'error')]"
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
    """What the bytes alone tell: an empty, binary or cut-short page, or a challenge."""
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
    return challenge(raw)


def content_problem(sel: Selector, url: str, site: Site | None = None) -> PageProblem | None:
    """What the parsed page tells: a soft 404, or a listing at an article's address."""
    return _not_found(sel, url, site) or _listing(sel, url, site)


def challenge(body: bytes) -> PageProblem | None:
    """The anti-bot page this response is instead of the page asked for, if it is one."""
    head = body[:65536].lower()
    if b"<html" not in head[:4096]:  # challenges are HTML pages; a feed or sitemap may name the markers
        return None
    for kind, name, markers in CHALLENGES:
        if any(m in head for m in markers) and len(_visible_text(body)) <= CHALLENGE_MAX_TEXT:
            return PageProblem(f"blocked/{kind}", f"{name} page, not the page asked for")
    return None


def _visible_text(body: bytes) -> str:
    hidden = " or ".join(f"ancestor::{t}" for t in sorted(SKIP_TAGS))
    sel = Selector(text=decode_html(body))
    return normalize_text(" ".join(sel.xpath(f"//body//text()[not({hidden})] | //title/text()").getall())) or ""


def _not_found(sel: Selector, url: str, site: Site | None) -> PageProblem | None:
    title = normalize_text(" ".join(select(sel, "xpath://title//text()"))) or ""
    places = [*TITLE_PARTS.split(title), *(normalize_text(text_of(e)) or "" for e in select(sel, NOT_FOUND_PLACES))]
    texts = [to_ascii_digits(text) for text in places if len(text) <= 300]
    for text in texts:
        m = NOT_FOUND.search(text)
        if m:
            return PageProblem("not_found", f"a 'not found' page (soft 404): {m.group(0)!r}")
    bare = next((text for text in texts if BARE_404.match(text)), None)
    if bare and not _declares_article(sel, url, site):
        return PageProblem("not_found", f"a 'not found' page (soft 404): {bare!r}")
    return None


def _listing(sel: Selector, url: str, site: Site | None) -> PageProblem | None:
    families = (site.family,) if site else (GENERIC,)
    host = urlsplit(url).hostname
    own = news_code_from_url(url, families)

    def article_link(href: str | None) -> str | None:
        """The news code of another article of the site that `href` leads to."""
        link = absolute_url(url, href)
        if link is None or urlsplit(link).hostname != host and not (site and site.owns(link)):
            return None
        code = news_code_from_url(link, families)
        return code if code != own else None

    codes = {c for c in map(article_link, select(sel, "xpath://a/@href")) if c}
    if len(codes) < LISTING_MIN_LINKS or _declares_article(sel, url, site):
        return None
    if _longest_text_between(sel.root, article_link) >= ARTICLE_MIN_CHARS:
        return None
    return PageProblem("not_article", f"a listing, not an article: links to {len(codes)} articles and holds no article text")


def _declares_article(sel: Selector, url: str, site: Site | None) -> bool:
    page = Page(sel, url, site)
    types = {t for o in page.json_ld for t in (o["@type"] if isinstance(o["@type"], list) else [o["@type"]])}
    if types & ARTICLE_TYPES:
        return True
    if "article" in (t.strip().lower() for t in page.meta.get("og:type", ())) or page.meta.get("article:published_time"):
        return True
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

"""From page bytes to a parsel tree, and from elements to text.

Decoding follows the web's order (BOM, HTTP header, <meta> declaration), then
tries UTF-8 and, when the bytes are not UTF-8, windows-1256: the legacy
encoding Iranian sites still serve undeclared. Text is taken block by block so
paragraphs stay paragraphs.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree
from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.extract.junk import Junk, drop_tree

# Elements whose start or end breaks a paragraph.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td th "
    "thead tr ul".split()
)
# Elements whose content is never article text.
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg canvas button select textarea input".split())


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(body: bytes | str, content_type: str | bytes | None = None) -> str:
    """Page text from bytes as served (or text already decoded)."""
    if isinstance(body, str):
        return body
    encoding, start = _encoding(body, content_type)
    return body[start:].decode(encoding, errors="replace")


def _encoding(body: bytes, content_type: str | bytes | None) -> tuple[str, int]:
    """The codec the page's bytes are read in, and where its text starts (after
    a byte order mark). The declared encoding is found as w3lib's
    html_to_unicode finds it; then `_mislabelled` has the last word."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        declared, start = bom_encoding, len(bom)
    elif not body.isascii() and _is_utf8(body):
        return "utf-8", 0  # what _mislabelled would say of any label: most pages, spared the search for one
    else:
        if isinstance(content_type, bytes):
            content_type = content_type.decode("latin-1")
        declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
        # Undeclared: ASCII (the only UTF-8 left here) as UTF-8, else the legacy
        # encoding Iranian sites serve undeclared.
        declared = declared or ("utf-8" if body.isascii() else "cp1256")
        declared, start = (declared + "-be" if declared in ("utf-16", "utf-32") else declared), 0
    declared = codecs.lookup(declared).name
    actual = _mislabelled(body, declared)
    return (actual, 0) if actual else (declared, start)


def _mislabelled(body: bytes, declared: str) -> str | None:
    """The encoding the bytes are in when their label says another, else None.
    Labels lie where bytes cannot: non-ASCII bytes that are valid UTF-8 are
    UTF-8 whatever the label (no legacy text is valid UTF-8 by chance); bytes
    that are not, under a UTF-8 label or a Western one (a server's default),
    are windows-1256 when they read as Persian in it."""
    if body.isascii():
        return None
    if _is_utf8(body):
        return None if declared == "utf-8" else "utf-8"
    if declared == "utf-8":
        return "cp1256"
    if declared == "cp1252":
        letters = [c for c in body.decode("cp1256", errors="replace") if ord(c) > 127]
        if sum("\u0600" <= c <= "\u06ff" for c in letters) > len(letters) / 2:
            return "cp1256"
    return None


# libxml2's HTML parser compares each attribute of an element with every one
# before it: 20,000 distinct attributes take a second to parse, 200,000 many
# minutes, all in C, where no time budget can stop it (Python runs signal
# handlers between its own instructions). A page whose long tags hold more
# than MAX_ATTRIBUTES² pairs of attributes (one element of 10,000: ~0.3 s)
# is refused unparsed (crawler.extract.read_article).
MAX_ATTRIBUTES = 10_000
# Tags shorter than this (at most ~700 attributes) are not counted: parsing
# them is at most a few seconds for a page of DOWNLOAD_MAXSIZE. Long tags are
# found where the page has _LONG_TAG/2 aligned bytes without < or >: a few
# hundred find()s of a few bytes each on an ordinary page.
_LONG_TAG = 2048
_ATTRIBUTE_NAME = re.compile(rb"""[\s/]+([^\s/>"'=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")


def long_tag_attributes(body: bytes) -> list[int]:
    """How many distinct attributes each tag longer than _LONG_TAG bytes has."""
    counts: list[int] = []
    half, end = _LONG_TAG // 2, 0
    for start in range(0, len(body) - half + 1, half):
        if start < end or body.find(b"<", start, start + half) >= 0 or body.find(b">", start, start + half) >= 0:
            continue
        # A stretch without < or >, begun in the window before this one (or it would have been found there).
        tag = max(body.rfind(b"<", max(0, start - half), start), body.rfind(b">", max(0, start - half), start))
        end = _next_angle(body, start)
        if tag >= 0 and body[tag : tag + 1] == b"<" and body[tag + 1 : tag + 2].isalpha():
            counts.append(len({name.lower() for name in _ATTRIBUTE_NAME.findall(body, tag + 1, end)}))
    return counts


def _next_angle(body: bytes, start: int) -> int:
    """Where the first < or > after `start` is (len(body) if none): each
    looked for in C, in a span doubled until one is in it, so that neither is
    looked for far past the other."""
    span = _LONG_TAG
    while True:
        found = [i for i in (body.find(b"<", start, start + span), body.find(b">", start, start + span)) if i >= 0]
        if found or start + span >= len(body):
            return min(found, default=len(body))
        span *= 2


def parse_html(body: bytes | str, url: str, content_type: str | bytes | None = None) -> Selector:
    # Most pages are UTF-8: libxml2 reads their bytes as they came, sparing the
    # decode to text and the encode back to UTF-8 that parsel's text= does (a
    # third of the parse's cost; benchmarks/RESULTS.md, "Extraction").
    if isinstance(body, bytes) and not read_bom(body)[0]:
        # Non-ASCII bytes that are UTF-8 are read as UTF-8 whatever their label
        # (_mislabelled): libxml2 says whether they are while it parses them,
        # which spares checking them in Python first. ASCII bytes go by their label.
        if not body.isascii() or _encoding(body, content_type) == ("utf-8", 0):
            parser = _utf8_parser()
            data = body.replace(b"\x00", b"")  # as parsel does: libxml2 would stop at one
            root = etree.fromstring(data, parser, base_url=url) if data and not data.isspace() else None
            if root is not None and not any(error.type in _ENCODING_ERRORS for error in parser.error_log):
                return Selector(root=root, type="html")
    return Selector(text=decode_html(body, content_type), base_url=url)


def _utf8_parser() -> etree.HTMLParser:
    """This thread's parser (its error log is read after each parse): parsel's,
    its encoding fixed, no table of id attributes (kept for XPath's id(),
    which no selector uses: 4% of the parse), and lxml's plain elements, not
    lxml.html's (whose class a Python function looks up for every element
    touched: 2% of an extraction's instructions)."""
    parser = getattr(_threads, "parser", None)
    if parser is None:
        parser = _threads.parser = etree.HTMLParser(encoding="utf-8", huge_tree=True, collect_ids=False)
    return parser


_threads = threading.local()
# Bytes that are not UTF-8 (libxml2 agrees with Python's decoder on which: tests/test_bad_input.py).
_ENCODING_ERRORS = {etree.ErrorTypes.ERR_INVALID_ENCODING, etree.ErrorTypes.ERR_INVALID_CHAR}


def paragraphs(element: etree._Element, junk: Junk | None = None) -> list[str]:
    """The element's text as a list of raw paragraph strings, split at block
    elements and <br>, skipping scripts, styles and form controls. Elements
    `junk` matches are left out, then dropped from the tree (their tails
    kept), as a body's drop selectors ask; the element itself, if it matches,
    is read whole and dropped."""
    out: list[str] = []
    buf: list[str] = []
    dropped: list[etree._Element] = []

    def flush() -> None:
        text = "".join(buf)
        buf.clear()
        if text.strip():
            out.append(text)

    if junk is not None:
        junk.drop_complex(element)
    matches = junk.matches if junk is not None else None
    # (Each read of an lxml element's tag, text or tail builds a new string: read once.)
    # Comments and processing instructions come as events of their own (with
    # "start" and "end" alone, not at all, and their tails were lost: "had
    # suffered<!-- --> months of..."): only their tails are read, below.
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        tag = node.tag
        if event == "start":
            if matches is not None and matches(node):
                dropped.append(node)
                if node is not element:
                    walker.skip_subtree()  # its end comes next: only its tail is read
                    continue
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if buf and tag in BLOCK_TAGS:
                flush()
            text = node.text
            if text:
                buf.append(text)
        elif event == "end":
            # A dropped element is no block: its tail runs on as if it never was.
            if buf and tag in BLOCK_TAGS and not (dropped and dropped[-1] is node):
                flush()
            if node is not element:
                tail = node.tail
                if tail:
                    buf.append(tail)
        elif node is not element:  # a comment or processing instruction: no text, but the text after it is
            tail = node.tail
            if tail:
                buf.append(tail)
    flush()
    for node in dropped:
        drop_tree(node)
    return out


def text_of(element: etree._Element) -> str:
    """All the element's text on one line (callers normalize white space)."""
    if not len(element) and isinstance(element.tag, str) and element.tag not in SKIP_TAGS:
        text = element.text  # a leaf (most titles, tags, dates): its one paragraph, or none
        return text if text and text.strip() else ""
    return " ".join(paragraphs(element))

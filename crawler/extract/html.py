"""From page bytes to a parsel tree, and from elements to text.

Decoding follows the web's order (BOM, HTTP header, <meta> declaration), then
tries UTF-8 and, when the bytes are not UTF-8, windows-1256: the legacy
encoding Iranian sites still serve undeclared. Text is taken block by block so
paragraphs stay paragraphs.
"""

from __future__ import annotations

import codecs

import lxml.html
from lxml import etree
from parsel import Selector
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.extract.junk import Junk

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
        # Undeclared: UTF-8 when the bytes are, else the legacy encoding Iranian sites serve undeclared.
        declared = declared or ("utf-8" if _is_utf8(body) else "cp1256")
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


def parse_html(body: bytes | str, url: str, content_type: str | bytes | None = None) -> Selector:
    if isinstance(body, bytes) and _encoding(body, content_type) == ("utf-8", 0):
        # Most pages: libxml2 reads the UTF-8 bytes as they came, sparing the
        # decode to text and the encode back to UTF-8 that parsel's text=
        # does (a third of the parse's cost; benchmarks/RESULTS.md, "Extraction").
        root = etree.fromstring(body.replace(b"\x00", b""), _UTF8_HTML, base_url=url) if body.strip() else None
        if root is not None:
            return Selector(root=root, type="html")
    return Selector(text=decode_html(body, content_type), base_url=url)


# As parsel's parser, its encoding fixed, and no table of id attributes (kept for
# XPath's id(), which no selector uses: 4% of the parse).
_UTF8_HTML = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, collect_ids=False)


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
    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else None
        if event == "start":
            if tag is None:
                walker.skip_subtree()
                continue
            if junk is not None and junk.matches(node):
                dropped.append(node)
                if node is not element:
                    walker.skip_subtree()  # its end comes next: only its tail is read
                    continue
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            if node.text:
                buf.append(node.text)
        else:
            # A dropped element is no block: its tail runs on as if it never was.
            if tag in BLOCK_TAGS and not (dropped and dropped[-1] is node):
                flush()
            if node is not element and node.tail:
                buf.append(node.tail)
    flush()
    for node in dropped:
        node.drop_tree()
    return out


def text_of(element: etree._Element) -> str:
    """All the element's text on one line (callers normalize white space)."""
    if not len(element) and isinstance(element.tag, str) and element.tag not in SKIP_TAGS:
        text = element.text  # a leaf (most titles, tags, dates): its one paragraph, or none
        return text if text and text.strip() else ""
    return " ".join(paragraphs(element))

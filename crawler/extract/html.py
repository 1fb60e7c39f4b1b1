"""From page bytes to a parsel tree, and from elements to text.

Decoding follows the web's order (BOM, HTTP header, <meta> declaration), then
tries UTF-8 and, when the bytes are not UTF-8, windows-1256: the legacy
encoding Iranian sites still serve undeclared. Text is taken block by block so
paragraphs stay paragraphs.
"""

from __future__ import annotations

import codecs

from lxml import etree
from parsel import Selector
from w3lib.encoding import html_to_unicode

# Elements whose start or end breaks a paragraph.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td th "
    "thead tr ul".split()
)
# Elements whose content is never article text.
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg canvas button select textarea input".split())


def _guess_legacy_encoding(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1256"
    return "utf-8"


def decode_html(body: bytes | str, content_type: str | bytes | None = None) -> str:
    """Page text from bytes as served (or text already decoded)."""
    if isinstance(body, str):
        return body
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_legacy_encoding)
    actual = _mislabelled(body, codecs.lookup(encoding).name)
    return text if actual is None else body.decode(actual, errors="replace")


def _mislabelled(body: bytes, declared: str) -> str | None:
    """The encoding the bytes are in when their label says another, else None.
    Labels lie where bytes cannot: non-ASCII bytes that are valid UTF-8 are
    UTF-8 whatever the label (no legacy text is valid UTF-8 by chance); bytes
    that are not, under a UTF-8 label or a Western one (a server's default),
    are windows-1256 when they read as Persian in it."""
    if body.isascii():
        return None
    if _guess_legacy_encoding(body) == "utf-8":
        return None if declared == "utf-8" else "utf-8"
    if declared == "utf-8":
        return "cp1256"
    if declared == "cp1252":
        letters = [c for c in body.decode("cp1256", errors="replace") if ord(c) > 127]
        if sum("\u0600" <= c <= "\u06ff" for c in letters) > len(letters) / 2:
            return "cp1256"
    return None


def parse_html(body: bytes | str, url: str, content_type: str | bytes | None = None) -> Selector:
    return Selector(text=decode_html(body, content_type), base_url=url)


def paragraphs(element: etree._Element) -> list[str]:
    """The element's text as a list of raw paragraph strings, split at block
    elements and <br>, skipping scripts, styles and form controls."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = "".join(buf)
        buf.clear()
        if text.strip():
            out.append(text)

    walker = etree.iterwalk(element, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else None
        if event == "start":
            if tag in SKIP_TAGS or tag is None:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                flush()
            if node.text:
                buf.append(node.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            if node is not element and node.tail:
                buf.append(node.tail)
    flush()
    return out


def text_of(element: etree._Element) -> str:
    """All the element's text on one line (callers normalize white space)."""
    return " ".join(paragraphs(element))

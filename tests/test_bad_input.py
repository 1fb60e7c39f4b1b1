"""Bad pages: no crash, a clear reason, nothing wrong exported."""

import json
from pathlib import Path

import pytest
from lxml import etree
from parsel import Selector

from crawler.extract import extract_article, html, read_article
from crawler.extract.pagecheck import byte_problem
from crawler.persian.text import to_ascii_digits
from crawler.schema.article import normalize_article, validation_errors

FIXTURE = Path(__file__).parent / "fixtures" / "etemadonline.com" / "523995.html"
URL = "https://www.etemadonline.com/fa/tiny/news-523995"
EXPECTED = json.loads(FIXTURE.with_suffix(".json").read_text("utf-8"))["expected"]
PAGE = FIXTURE.read_text("utf-8")


def article_from(page, url=URL, **kw):
    return normalize_article(extract_article(page, url, **kw))


def test_truncated_page_is_recognised_before_extraction():
    cut = PAGE.encode("utf-8")[: len(PAGE.encode("utf-8")) * 2 // 3]
    assert byte_problem(cut).kind == "bad/truncated"
    assert byte_problem(PAGE.encode("utf-8")) is None


def test_truncated_page_does_not_crash_extraction():
    cut = PAGE[: len(PAGE) // 2]
    article = article_from(cut)
    assert article["headline"] == EXPECTED["headline"]  # what is there is right


@pytest.mark.parametrize("body,reason", [(b"", "empty"), (b"   \n", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary")])
def test_empty_and_binary_bodies(body, reason):
    assert reason in byte_problem(body).reason
    assert validation_errors(article_from(body)) != []


def test_malformed_but_complete_html_still_extracts():
    mangled = PAGE.replace("</p>", "").replace("</div>", "").replace("</h1>", "")
    article = article_from(mangled)
    for field in ("news_code", "published_at", "uptitle", "lead", "body", "source"):
        assert article[field] == EXPECTED[field], field


def test_page_without_an_article_is_not_exportable(shared):
    listing = (shared / "pages/mehrnews.com/textonly-home-2011-03-10-1937.html").read_bytes()
    article = article_from(listing, "http://www.mehrnews.ir/txtNewsView_fa.aspx?t=News&Page=1")
    errors = validation_errors(article)
    assert "missing body" in errors or "missing news_code" in errors


def test_missing_date_is_named():
    page = PAGE.replace(EXPECTED["published_at_raw"], "")
    errors = validation_errors(article_from(page))
    assert errors == ["missing published_at"]


def legacy_cp1256(page: str, declared: str) -> bytes:
    """The page as a windows-1256 site serves it: that code page has no Persian
    yeh nor Persian digits, so such sites write Arabic yeh and ASCII digits."""
    page = to_ascii_digits(page.replace("ی", "ي")).replace('<meta charset="utf-8">', declared)
    return page.encode("cp1256")


@pytest.mark.parametrize(
    "declared",
    ['<meta charset="windows-1256">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">', "", '<meta charset="utf-8">'],
    ids=["meta-charset", "http-equiv", "undeclared", "declared-utf8-wrongly"],
)
def test_windows_1256_pages(declared):
    article = article_from(legacy_cp1256(PAGE, declared))
    for field in ("headline", "uptitle", "lead", "body", "published_at", "source"):
        assert article[field] == EXPECTED[field], field


def test_windows_1256_declared_in_http_header():
    article = article_from(legacy_cp1256(PAGE, ""), content_type=b"text/html; charset=windows-1256")
    assert article["headline"] == EXPECTED["headline"]


# Byte sequences on either side of what UTF-8 allows (overlong forms, surrogates,
# code points past U+10FFFF, truncated and stray bytes; noncharacters and controls, which it allows).
UTF8_EDGES = [
    b"\xc0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
    b"\xd8", b"\x80", "\ufffe".encode(), "\uffff".encode(), "\ufdd0".encode(), "\U0001fffe".encode(),
    b"\x01", b"\x7f", "\x85".encode(), "\U0010ffff".encode(),
]


@pytest.mark.parametrize("sequence", UTF8_EDGES, ids=lambda s: s.hex())
@pytest.mark.parametrize("where", ["text", "attribute", "comment", "script", "after the page"])
def test_bytes_are_read_as_utf8_exactly_when_python_finds_them_utf8(sequence, where):
    """parse_html lets libxml2 tell whether a page's bytes are UTF-8; it must
    agree with Python's decoder, which decides otherwise (decode_html)."""
    page = {
        "text": b"<html><body><p>\xd8\xb3" + sequence + b"</p></body></html>",
        "attribute": b'<html><body><p class="a' + sequence + b'">\xd8\xb3</p></body></html>',
        "comment": b"<html><body><!--" + sequence + b"--><p>\xd8\xb3</p></body></html>",
        "script": b'<html><head><script>var a="' + sequence + b'";</script></head><body><p>\xd8\xb3</p></body></html>',
        "after the page": b"<html><body><p>\xd8\xb3</p></body></html>" + sequence,
    }[where]
    try:
        page.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    parser = html._utf8_parser()
    etree.fromstring(page, parser)
    assert utf8 == (not any(error.type in html._ENCODING_ERRORS for error in parser.error_log))
    # and the tree is the one parsed from the text decode_html makes of the page
    assert etree.tostring(html.parse_html(page, URL).root) == etree.tostring(Selector(text=html.decode_html(page)).root)


def test_malformed_links_on_a_page_are_skipped_not_raised():
    """An unclosed IPv6 bracket ("http://[x") makes urllib raise: such a canonical
    link, picture or link is left out, and the rest of the page is read."""
    page = PAGE.replace("<head>", '<head><link rel="canonical" href="http://[bad/x">', 1).replace(
        "</h1>", '</h1><a href="http://[z">l</a><img src="http://[oops/a.jpg">', 1
    )
    reading = read_article(page.encode("utf-8"), URL)
    assert reading.problem is None
    article = normalize_article(reading.fields)
    assert article["canonical_url"] is None
    assert article["images"] == normalize_article(read_article(PAGE.encode("utf-8"), URL).fields)["images"]
    for field in ("news_code", "headline", "lead", "body", "published_at"):
        assert article[field] == EXPECTED[field], field

"""The site-agnostic body (crawler.extract.density), as GenericLayer reads it.

Real pages are read as if their site were unknown: the URL moved to a host no
spider owns (path kept), only the metadata and generic layers. The small
pages below are synthetic: written by hand for one rule each.
"""

import subprocess
import sys

import pytest

from benchmarks.common import UNOWNED_HOST, unowned
from crawler.extract import extract_article
from crawler.extract.density import body_paragraphs, densest_block
from crawler.extract.html import paragraphs, parse_html
from crawler.persian.text import ZWNJ, normalize_text
from tests.test_fixtures import FIXTURE_LIST, expected_form

REAL = [(name, page, meta) for name, page, meta in FIXTURE_LIST if meta["kind"] == "real" and "body" in meta["expected"]]


def generic(html, url: str) -> dict:
    return extract_article(html, unowned(url), layers=("metadata", "generic"))


def test_there_are_real_pages():
    assert len(REAL) >= 7


@pytest.mark.parametrize("name,page,meta", REAL, ids=[r[0] for r in REAL])
def test_real_page_body_through_the_generic_path(name, page, meta):
    got = generic(page.read_bytes(), meta["url"])
    assert got["field_sources"]["body"] == "generic"
    assert got["body"] == expected_form("body", meta["expected"]["body"])


@pytest.mark.parametrize("name,page,meta", REAL, ids=[r[0] for r in REAL])
def test_real_page_body_holds_no_link_list(name, page, meta):
    """No paragraph of the body is the text of a headline-long link on the
    page (a related or most-read headline; shorter links, such as the team
    names a live report heads its lines with, may be the article's)."""
    html = page.read_bytes()
    links = {normalize_text(a.xpath("string()")) for a in parse_html(html, meta["url"]).root.iter("a")}
    links = {t for t in links if t and len(t) >= 25}
    body = generic(html, meta["url"])["body"].split("\n\n")
    assert links and not links & set(body)


def page(body: str, head: str = "") -> str:
    return f"<html><head><title>خبر</title>{head}</head><body>{body}</body></html>"


MENU = "<ul class='menu'>" + "".join(f"<li><a href='/s/{i}'>سرویس شماره {i} سایت</a></li>" for i in range(12)) + "</ul>"
RELATED = (
    "<div class='box-list'><h3>پربازدیدترین</h3><ul>"
    + "".join(f"<li><a href='/n/{i}'>عنوان خبری دیگر که پربازدید بوده است شماره {i}</a></li>" for i in range(8))
    + "</ul></div>"
)
# Synthetic, after the layout a real Aryanews article of 2020 has (issue 20):
# the article as text separated by <br> inside one <div>, no <p> at all.
BR_ARTICLE = (
    "<div class='matn'>"
    f"به گزارش خبرنگار ما، شورای شهر امروز درباره طرح تازه حمل‌ونقل عمومی گفت{ZWNJ}وگو کرد و جزئیات آن را بررسی کرد.<br>"
    "<br>"
    f"رئیس شورا گفت این طرح از ماه آینده اجرا می‌شود و خطوط تازه اتوبوس به محله‌های جنوبی شهر می‌رسد.<br>"
    f"<br>به گفته او هزینه اجرای طرح از بودجه سال جاری تأمین شده و نیازی به اعتبار تازه نیست.<br>"
    "</div>"
)
BR_PARAGRAPHS = [
    f"به گزارش خبرنگار ما، شورای شهر امروز درباره طرح تازه حمل‌ونقل عمومی گفت{ZWNJ}وگو کرد و جزئیات آن را بررسی کرد.",
    "رئیس شورا گفت این طرح از ماه آینده اجرا می‌شود و خطوط تازه اتوبوس به محله‌های جنوبی شهر می‌رسد.",
    "به گفته او هزینه اجرای طرح از بودجه سال جاری تأمین شده و نیازی به اعتبار تازه نیست.",
]


def body_of(html: str) -> str | None:
    return extract_article(html, f"https://{UNOWNED_HOST}/news/1", layers=("generic",))["body"]


def test_br_separated_text_in_one_div_is_the_body_with_its_paragraphs_and_zwnj():
    html = page(f"<div class='top'>{MENU}</div><div class='main'><h1>خبر</h1>{BR_ARTICLE}</div><div class='side'>{RELATED}</div>")
    body = body_of(html)
    assert body == "\n\n".join(BR_PARAGRAPHS)
    assert f"گفت{ZWNJ}وگو" in body and "می‌شود" in body


def test_navigation_and_link_lists_are_not_the_body_nor_in_it():
    # The related list sits inside the block that holds the article.
    html = page(f"{MENU}<div class='content'>{BR_ARTICLE}{RELATED}</div>")
    assert body_of(html) == "\n\n".join(BR_PARAGRAPHS)


def test_a_link_list_inside_the_articles_text_is_left_out():
    inline = "<ul>" + "".join(f"<li><a href='/n/{i}'>عنوان خبری دیگر که مرتبط است شماره {i}</a></li>" for i in range(5)) + "</ul>"
    text = "".join(f"<p>{prose(i)}</p>" + (inline if i == 1 else "") for i in range(4))
    assert body_of(page(f"{MENU}<div class='text'>{text}</div>")) == "\n\n".join(prose(i) for i in range(4))


def test_short_lines_split_by_br_are_not_prose():
    """A box of short lines (dates, labels) is as many short lines, not one long block."""
    lines = "<div class='latest'>" + "".join(f"گزارش کوتاه روز {i}<br>" for i in range(40)) + "</div>"
    article = "<div class='text'>" + "".join(f"<p>{prose(i)}</p>" for i in range(3)) + "</div>"
    assert body_of(page(f"{lines}{article}")) == "\n\n".join(prose(i) for i in range(3))


def test_a_long_link_list_is_not_chosen_over_a_short_article():
    many = "<ul>" + "".join(f"<li><a href='/n/{i}'>{'عنوان خبری دیگر بسیار بلند ' * 3}{i}</a></li>" for i in range(60)) + "</ul>"
    html = page(f"<div class='list'>{many}</div><div class='story'>{BR_ARTICLE}</div>")
    assert body_of(html) == "\n\n".join(BR_PARAGRAPHS)


def prose(n: int, word: str = "متن") -> str:
    return " ".join([word] * 30) + f" {n}"


def test_prose_inside_boilerplate_is_not_the_article():
    """A comment section longer than the article is still not the article."""
    comments = "<div class='comments'>" + "".join(f"<div class='c'><p>{prose(i, 'نظر')}</p><p>{prose(i, 'پاسخ')}</p></div>" for i in range(6)) + "</div>"
    article = "<div class='text'>" + "".join(f"<p>{prose(i)}</p>" for i in range(4)) + "</div>"
    html = page(f"{article}{comments}")
    assert body_of(html) == "\n\n".join(prose(i) for i in range(4))


@pytest.mark.parametrize("wrap", [
    ("<form method='post' action='./1'>", "</form>"),  # an ASP.NET page
    ("<div class='page print-layout'>", "</div>"),  # a class a drop selector matches ([class*=print])
])
def test_boilerplate_that_wraps_the_whole_page_is_a_wrapper(wrap):
    article = "<div class='text'>" + "".join(f"<p>{prose(i)}</p>" for i in range(4)) + "</div>"
    html = page(f"{wrap[0]}{MENU}{article}{wrap[1]}")
    assert body_of(html) == "\n\n".join(prose(i) for i in range(4))


def test_an_article_split_into_sibling_blocks_of_one_kind_is_taken_whole():
    parts = [[prose(1), prose(2), prose(3)], [prose(4)], [prose(5), prose(6)]]
    blocks = "".join("<div class='text-block'>" + "".join(f"<p>{p}</p>" for p in part) + "</div><div class='advert'>تبلیغ</div>" for part in parts)
    html = page(f"{MENU}<div class='story'>{blocks}</div><div class='side'>{RELATED}</div>")
    assert body_of(html) == "\n\n".join(p for part in parts for p in part)


def test_a_span_holding_the_paragraphs_is_the_body():
    """ASP.NET sites (nournews, pana) hold the article in <span id="...lblNewsBody">."""
    html = page(
        "<div class='news'><div class='rutitr'>روتیتر خبر</div><h1>عنوان خبر</h1>"
        "<div class='info'><span>۱۴ آبان ۱۴۰۲ - ۰۹:۴۰</span> <span>کد خبر: ۱۲۳</span></div>"
        "<span id='Body_lblNewsBody'>" + "".join(f"<p>{prose(i)}</p>" for i in range(3)) + "</span></div>"
    )
    assert body_of(html) == "\n\n".join(prose(i) for i in range(3))


def test_captions_and_galleries_are_not_body_text():
    article = (
        "<div class='text'>"
        f"<figure><img src='a.jpg'><figcaption>{prose(9, 'عکس')}</figcaption></figure>"
        + "".join(f"<p>{prose(i)}</p>" for i in range(3))
        + f"<div class='photo-gallery'><p>{prose(8, 'تصویر')}</p></div></div>"
    )
    assert body_of(page(article)) == "\n\n".join(prose(i) for i in range(3))


def test_text_after_a_comment_is_kept():
    """lxml's iterwalk gives comments only as events of their own: their tails are text."""
    html = page("<div><p>آغاز جمله<!-- --> و پایان آن<?pi x?> و بعد از آن " + " ".join(["متن"] * 60) + "</p></div>")
    root = parse_html(html, "https://x.example/").root
    assert paragraphs(root)[1].startswith("آغاز جمله و پایان آن و بعد از آن")
    assert body_paragraphs(parse_html(html, "https://x.example/").root)[0].startswith("آغاز جمله و پایان آن و بعد از آن")


def test_no_prose_no_body():
    assert densest_block(parse_html(page(MENU + RELATED), "https://x.example/").root) is None
    assert body_of(page(f"<div><p>{prose(1)}</p></div>")) is None  # under MIN_BODY_CHARS


# The walk is linear in the page: these pages take seconds (a quadratic walk, hours).
HUGE = r"""
import sys
from lxml import etree
from crawler.extract.density import body_paragraphs
from crawler.extract.html import parse_html
kind = sys.argv[1]
if kind == "nested":
    html = "<html><body>" + "<p><b>" * 100_000 + "متن " * 100 + "</b></p>" * 100_000 + "</body></html>"
    root = parse_html(html.encode(), "https://x.example/").root
else:
    # Built by lxml's XML parser: libxml2's HTML parser takes minutes over
    # 200,000 attributes (its check for repeated ones is quadratic), before the walk.
    attributes = " ".join(f"a{i}='x'" for i in range(200_000))
    html = f"<html><body><div {attributes} class='x'>" + ("<p>" + "متن " * 100 + "</p>") * 3 + "</div></body></html>"
    root = etree.fromstring(html.encode(), etree.XMLParser(huge_tree=True))
print(len(html.encode()), len(body_paragraphs(root)))
"""


@pytest.mark.parametrize("kind", ["nested", "attributes"])
def test_the_walk_is_linear_in_the_page(kind):
    done = subprocess.run([sys.executable, "-c", HUGE, kind], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    size, found = map(int, done.stdout.split())
    assert size > 500_000 and found >= 1


def test_the_public_benchmarks_metric():
    """benchmarks/body.py scores as the article-extraction benchmark's README says:
    4-token shingles of \\w+ tokens, with multiplicity, per page divided by their sum."""
    from benchmarks.body import shingle_counts, shingle_prf

    text = "one two three four five six"  # 3 shingles
    assert shingle_counts(text, text) == (1.0, 0.0, 0.0)
    assert shingle_counts("one two three four", "five six seven eight") == (0.0, 0.5, 0.5)
    assert shingle_counts(None, "") == (0.0, 0.0, 0.0)
    # One page right, one page half found: every page weighs the same, whatever its length.
    half = shingle_counts("a b c d e", "a b c d e f g h i j")  # 2 of 7 true shingles
    assert half == pytest.approx((2 / 7, 0.0, 5 / 7))
    p, r, f = shingle_prf([(1.0, 0.0, 0.0), half])
    assert (p, r) == pytest.approx((1.0, (1 + 2 / 7) / 2))

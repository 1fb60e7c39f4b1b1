"""crawler.extract.junk: the body's drop selectors, tested on elements while the
body's text is taken, drop exactly what their XPath (cssselect's) drops."""

import json
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from crawler.extract.boilerplate import DROP_SELECTORS
from crawler.extract.html import paragraphs, parse_html
from crawler.extract.junk import drop_tree, junk
from crawler.extract.selectors import select
from crawler.sites import all_sites

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in FIXTURES.glob("*/*.html") if p.with_suffix(".json").exists())

# Every drop selector a site or family has, and the CSS shapes the matcher
# answers itself (and a few it leaves to XPath).
EVERY_DROP = tuple(
    dict.fromkeys(
        [*DROP_SELECTORS]
        + [css for site in all_sites() for css in (*site.family.spec.body_drop, *site.overrides.body_drop)]
        + [
            "[data-type]", "[rel=tag]", "[lang|=fa]", "[class$=box]", "[id^=news]", "[class~=title]",
            "div.news.box", "a#x.y", "*", "[title='']", "li:first-child", ".item-body p", "p::text",
        ]
    )
)


def page_root(path: Path) -> etree._Element:
    url = json.loads(path.with_suffix(".json").read_text("utf-8"))["url"]
    return parse_html(path.read_bytes(), url).root


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_simple_selector_matches_what_its_xpath_finds(path):
    root = page_root(path)
    for css in EVERY_DROP:
        matcher = junk((css,))
        if matcher.complex:
            continue
        ours = [e for e in root.iter() if isinstance(e.tag, str) and matcher.matches(e)]
        assert ours == select(root, css), css  # the same elements, in document order


def test_selectors_it_cannot_test_on_an_element_are_left_to_xpath():
    matcher = junk(("li:first-child", ".item-body p", "[title='']", "script"))
    assert matcher.complex == "li:first-child, .item-body p, [title='']"
    assert matcher.tags == {"script"}


def old_way(container: etree._Element, drop: tuple[str, ...]) -> list[str]:
    """What extraction did before: every drop selector as one XPath union, its finds dropped, then the text."""
    for element in select(container, ", ".join(drop)):
        drop_tree(element)
    return paragraphs(container)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_body_text_and_tree_are_as_when_dropped_by_xpath(path):
    ours, theirs = page_root(path), page_root(path)
    drop = tuple(css for css in EVERY_DROP if css not in ("*", ".item-body p", "p::text"))
    tags = ("div", "article", "section", "main")
    # Every container of the page in turn, as a spec's body selector could pick it; each
    # one's drops change the page, the same way in both trees when both drop alike.
    for mine, other in zip(list(ours.iter(*tags)), list(theirs.iter(*tags)), strict=True):
        if any(a is ours for a in mine.iterancestors()):  # still on the page
            assert paragraphs(mine, junk(drop)) == old_way(other, drop)
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_a_dropped_block_joins_the_text_around_it_as_a_dropped_element_does():
    page = "<div id=c>aa<div class='share'>x</div>bb<p>cc<span class='ads-1'>y</span>dd</p></div>"
    [container] = select(parse_html(page, "https://x.ir/").root, "#c")
    assert paragraphs(container, junk(DROP_SELECTORS)) == ["aabb", "ccdd"]
    assert etree.tostring(container, encoding="unicode") == '<div id="c">aabb<p>ccdd</p></div>'


@pytest.mark.parametrize(
    "markup",
    ["<div>a<b>x</b>t<i>y</i></div>", "<div><i>y</i>a<b>x</b>t</div>", "<div><b>x</b>t</div>", "<div><i>y</i><b>x</b></div>"],
)
def test_drop_tree_keeps_the_tail_where_it_was(markup):
    """junk.drop_tree on lxml's plain elements does what lxml.html's drop_tree does."""
    ours = etree.fromstring(markup, etree.HTMLParser()).find(".//b")
    theirs = lxml.html.fromstring(markup).find(".//b")
    drop_tree(ours)
    theirs.drop_tree()
    assert etree.tostring(ours.getroottree().find(".//div")) == etree.tostring(theirs.getroottree().find(".//div"))

"""crawler.extract.selectors.select, the compiled selectors every spec runs, finds
what parsel's own `css` and `xpath` find: the same nodes and values, unwrapped."""

import re
from dataclasses import fields
from pathlib import Path

import pytest
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from crawler.extract.boilerplate import DROP_SELECTORS
from crawler.extract.html import parse_html
from crawler.extract.layers import Regions
from crawler.extract.selectors import attribute_steps, classes_in, select
from crawler.families.detect import FAMILIES
from crawler.families.generic import GENERIC
from crawler.families.spec import Family, Site, Spec
from crawler.sites import all_sites

PAGE = """<html><head><title>عنوان | سایت</title><meta property="og:type" content="article"></head><body>
<div class="news-box main"><h1 class="title">تیتر <b>اصلی</b></h1><p>بند یک</p><p>بند <a href="/x">دو</a></p>
<img src="/a.jpg"><figure><img data-src="/b.jpg"><figcaption>زیرنویس</figcaption></figure></div>
<div class="news-box"><p>دیگری</p></div><span id="code">۱۲۳</span></body></html>"""

SELECTORS = [
    ".news-box", ".news-box p", "h1.title", "h1.title::text", "h1.title *::text", "img::attr(src)",
    "img::attr(data-src), img::attr(src)", "meta[property='og:type']::attr(content)", "#code::text", "aside",
    "xpath://p//text()", "xpath://a/@href", "xpath:count(//p)", "xpath://title/text()",
    "xpath:normalize-space(//h1)", "xpath://div[contains(@class, 'news-box')][1]/p",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_select_answers_as_parsel(selector):
    sel = Selector(text=PAGE)
    ours = select(sel, selector)
    theirs = sel.xpath(selector[6:]) if selector.startswith("xpath:") else sel.css(selector)
    assert ours == [s.root for s in theirs]
    assert ours or selector == "aside"


def test_select_within_a_list_of_scopes_and_chained():
    sel = Selector(text=PAGE)
    boxes = select(sel.root, ".news-box")
    assert select(boxes, "p::text") == sel.css(".news-box").css("p::text").getall() == ["بند یک", "بند ", "دیگری"]
    [first] = select(boxes[:1], "xpath:.//figcaption")
    assert select(first, "::text") == ["زیرنویس"]
    first.drop_tree()  # what the body's drop selectors do
    assert "زیرنویس" not in sel.get()


def test_selectors_start_from_regions_found_once():
    family = Family(name="t", spec=Spec(regions=(("boxes", ".news-box"),)), article_paths=())
    site = Site(name="t", domain="t.ir", family=family, base_url="https://t.ir", overrides=Spec(regions=(("code", "#code"),)))
    sel = Selector(text=PAGE)
    regions = Regions(sel.root, site)
    assert select(sel.root, "xpath:$boxes/p", regions) == select(sel.root, ".news-box > p")
    assert select(sel.root, "xpath:normalize-space($code)", regions) == ["۱۲۳"]  # a site's own region
    assert regions["boxes"] is regions["boxes"]  # found once
    assert select(sel.root, "xpath://p[contains(., '$code')]") == []  # in a literal, no region
    with pytest.raises(ValueError, match=r"region its spec does not name \(nowhere\)"):
        select(sel.root, "xpath:$nowhere", regions)
    with pytest.raises(ValueError, match="region"):
        select(sel.root, "xpath:$boxes")


FIXTURES = Path(__file__).parent / "fixtures"
SPECS = {s.family.spec for s in all_sites()} | {s.overrides for s in all_sites()} | {f.spec for f in FAMILIES} | {GENERIC.spec}
# Every selector a spec has: its fields', its regions' and its family's markers.
EVERY_SELECTOR = tuple(
    dict.fromkeys(
        selector
        for spec in SPECS
        for f in fields(spec)
        for selector in ((region for _, region in spec.regions) if f.name == "regions" else getattr(spec, f.name))
    )
) + tuple(dict.fromkeys(marker for family in FAMILIES for marker in family.markers))
# Every CSS selector a spec has, and the shapes attribute_steps rewrites or must leave.
EVERY_CSS = tuple(css for css in EVERY_SELECTOR if not css.startswith("xpath:")) + (
    *DROP_SELECTORS, ".x.y", "a#x.y", "[id^=tav]", "div#a", ".x:first-child", ".x[id=foo]", "p.x-y_z::text",
    "article:has(.item-text)", "[lang|=fa]", "[class$=box]", "[class~=title]", "li:nth-child(2)",
)
# XPath shapes whose predicates count positions or could hold without the
# attribute they test: attribute_steps must leave them as they are.
LEFT_ALONE = (
    "//p[1]", "//li[last()]", "//a[position() < 3]", "//div[count(p)]", "//div[contains(@class, 'a')][2]",
    "//*[@id][1]", "//div[not(@class)]", "//div[contains(@id, '')]", "//div[@id or @class]", "//div[@id and @class]",
    "//p[string-length(.)]", "//div[p][1]/p", "//div[contains(@class, 'a')] [2]", "//div[@id='a']\n[1]",
)
# Every page a selector may meet: the fixtures (the bad ones too) and the saved pages not among them.
SAVED = sorted((Path(__file__).resolve().parents[2] / "shared/pages").glob("*/*.html"))
EVERY_PAGE = list({path.read_bytes(): path for path in [*SAVED, *sorted(FIXTURES.glob("**/*.html"))]}.values())


def test_specs_are_written_as_descriptions():
    """Sites and families write CSS or the XPath a person would, and the engine
    makes it fast (selectors.attribute_steps): no step written for libxml2's sake."""
    # (an attribute's step and back to its element, `/@class[...]/..`; its value as `string()`)
    hand_forms = re.compile(r"/descendant::|descendant-or-self::|\]/\.\.|string\(\)")
    crawler = Path(__file__).resolve().parent.parent / "crawler"
    sources = [*(crawler / "families").glob("*.py"), *(crawler / "sites").glob("*.py")]  # spec.py among the families
    written = [(path.name, line.strip()) for path in sources for line in path.read_text("utf-8").splitlines()]
    assert len(written) > 1000
    assert [(name, line) for name, line in written if hand_forms.search(line)] == []


def _compiled_both_ways(selector: str) -> tuple[etree.XPath, etree.XPath]:
    plain = selector[6:] if selector.startswith("xpath:") else HTMLTranslator().css_to_xpath(selector)
    return etree.XPath(plain, smart_strings=False), etree.XPath(attribute_steps(plain), smart_strings=False)


def _spec_containers(root: etree._Element) -> list[etree._Element]:
    """The article containers the sites' and families' specs find in the page (crawler.extract.layers.SpecLayer)."""
    scopes = {site.overrides.article or site.family.spec.article for site in all_sites()} | {f.spec.article for f in FAMILIES}
    found = (next((hit[:1] for hit in (select(root, css) for css in scope) if hit), []) for scope in scopes)
    return list(dict.fromkeys(element for hit in found for element in hit))


@pytest.mark.parametrize("path", EVERY_PAGE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rewritten_selectors_find_what_the_written_ones_find(path):
    """Every selector of every spec, as written and as attribute_steps rewrites it,
    from the page and from each container the specs find in it (and some
    <article>s and <div>s with a class): the same nodes and values, in the same order."""
    root = parse_html(path.read_bytes(), f"https://{path.parent.name}/").root
    contexts = list(dict.fromkeys([root, *_spec_containers(root), *select(root, "article, div[class]")[:5]]))
    regions = {name: _compiled_both_ways(region)[0] for spec in SPECS for name, region in spec.regions}
    rewritten = 0
    for selector in dict.fromkeys((*EVERY_SELECTOR, *EVERY_CSS, *(f"xpath:{x}" for x in LEFT_ALONE))):
        plain, fast = _compiled_both_ways(selector)
        rewritten += plain.path != fast.path
        for context in contexts:
            variables = {name: region(context) or region(root) for name, region in regions.items()}
            assert fast(context, **variables) == plain(context, **variables), (selector, context)
    assert rewritten > len(EVERY_SELECTOR) / 2


@pytest.mark.parametrize("xpath", LEFT_ALONE)
def test_steps_counting_positions_or_testing_more_are_left_alone(xpath):
    assert attribute_steps(xpath) == xpath


def test_steps_testing_anything_besides_one_attribute_are_left_alone():
    for css in ("a#x.y", ".x:first-child", ".x[id=foo]", "div > p", "[class!=x]", ":not(.x)", "[lang|=fa]", "[class$=x]"):
        plain = HTMLTranslator().css_to_xpath(css)
        assert attribute_steps(plain) == plain, css
    assert attribute_steps(HTMLTranslator().css_to_xpath("div.x .y")).count("/@class[") == 2
    assert attribute_steps("$bar[contains(@class, 'x')]") == "$bar[contains(@class, 'x')]"  # a region, not a step


@pytest.mark.parametrize("xpath", ["//p[contains(@class, 'x')", "//p[@class='x]", "//p[@class='x')]"])
def test_a_malformed_xpath_is_lxmls_to_refuse(xpath):
    with pytest.raises(etree.XPathSyntaxError):
        select(Selector(text=PAGE).root, f"xpath:{xpath}")


@pytest.mark.parametrize(
    ("xpath", "fast"),
    [
        ("//meta[@property='og:type']/@content", "//meta/@property[string() = 'og:type']/../@content"),
        (".//ul[contains(@class, 'x')]/li", ".//ul/@class[contains(string(), 'x')]/../li"),
        ("$bar//*[starts-with(@id, 'x')]", "$bar//*/@id[starts-with(string(), 'x')]/.."),
        (
            "//article[.//*[contains(concat(' ', normalize-space(@class), ' '), ' x ')]]",
            "//article[.//*/@class[contains(concat(' ', normalize-space(), ' '), ' x ')]/..]",
        ),
        ("substring-after(//link[@rel=\"s\"]/@href, '?')", "substring-after(//link/@rel[string() = \"s\"]/../@href, '?')"),
        ("//a[@href = '@x']/@href[contains(., 'y')]", "//a/@href[string() = '@x']/../@href[contains(., 'y')]"),
    ],
)
def test_natural_xpath_is_rewritten(xpath, fast):
    assert attribute_steps(xpath) == fast


def test_class_names_are_split_where_cssselect_splits_them():
    """At XML's white space (space, tab, CR, LF) and nowhere else, as the class tests of selectors read them."""
    root = Selector(text='<div><p class="x\ty\nz"></p><p class="u\u00a0v"></p></div>').root
    classes = classes_in([root])
    assert classes >= {"x", "y", "z", "u\u00a0v"} and "u" not in classes
    for css in (".y", ".z", "p.x.z", ".u\u00a0v"):
        assert select(root, css) != [], css
    assert select(root, ".u") == []


def test_regions_are_found_in_the_article_container_first():
    family = Family(name="t", spec=Spec(regions=(("bar", ".bar"),)), article_paths=())
    site = Site(name="t", domain="t.ir", family=family, base_url="https://t.ir")
    root = Selector(text='<div class="bar">header</div><article><div class="bar">article</div></article>').root
    article = select(root, "article")
    assert [e.text for e in Regions(root, site, article)["bar"]] == ["article"]
    assert [e.text for e in Regions(root, site)["bar"]] == ["header", "article"]
    # A container without the region: the whole page's.
    aside = Selector(text='<div class="bar">header</div><article><p>text</p></article>').root
    assert [e.text for e in Regions(aside, site, select(aside, "article"))["bar"]] == ["header"]

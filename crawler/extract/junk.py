"""Which elements of a body container are dropped before its text is taken.

The drop selectors (boilerplate.DROP_SELECTORS, a family's and a site's
body_drop) are ~35 CSS selectors, nearly all one tag or one class, id or
attribute test. Evaluated by libxml2 as one union, each is a walk of the
container with a string built per element, and the union was the costliest
selector of most pages (benchmarks/RESULTS.md, "Extraction"). Here such a
selector becomes a test of an element, all of them asked of each element on
the one walk that takes the container's text (html.paragraphs). A selector
with more than one compound or with pseudo-classes stays an XPath, evaluated
as before. Both find exactly what cssselect's XPath finds.
"""

from __future__ import annotations

import re
from functools import cache

import cssselect
from lxml import etree

from crawler.extract.selectors import select

# XPath's normalize-space() white space, which cssselect's class test splits on.
_SPACE = "[ \t\r\n]"
# An attribute test, as cssselect translates it, as a regular expression over the value.
_OPERATORS = {
    "exists": lambda v: "",
    "=": lambda v: f"^{v}\\Z",
    "~=": lambda v: f"(?:^|{_SPACE}){v}(?:{_SPACE}|\\Z)",
    "^=": lambda v: f"^{v}",
    "$=": lambda v: f"{v}\\Z",
    "*=": lambda v: v,
    "|=": lambda v: f"^{v}(?:-|\\Z)",
}


class Junk:
    """The drop selectors of a body, compiled: `matches(element)` for the
    simple ones, `complex` (one CSS selector list, or "") for the rest."""

    def __init__(self, selectors: tuple[str, ...]):
        self.tags: set[str] = set()  # "script": any such element
        alternatives: dict[str, list[str]] = {}  # attribute -> patterns, any of which drops
        self.compounds: list[tuple[str | None, tuple[tuple[str, re.Pattern[str]], ...]]] = []  # all must hold
        complex_: list[str] = []
        for group in selectors:
            for parsed in cssselect.parse(group):
                compound = _compound(parsed)
                if compound is None:
                    complex_.append(parsed.canonical())
                    continue
                tag, tests = compound
                if not tests and tag:
                    self.tags.add(tag)
                elif len(tests) == 1 and tag is None:
                    alternatives.setdefault(tests[0][0], []).append(tests[0][1])
                else:
                    self.compounds.append((tag, tuple((name, re.compile(p)) for name, p in tests)))
        self.attributes = {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in alternatives.items()}
        self.complex = ", ".join(complex_)

    def matches(self, element: etree._Element) -> bool:
        tag = element.tag
        if tag in self.tags:
            return True
        for name, pattern in self.attributes.items():
            value = element.get(name)
            if value is not None and pattern.search(value):
                return True
        for want, tests in self.compounds:
            if (want is None or want == tag) and all(
                (value := element.get(name)) is not None and pattern.search(value) for name, pattern in tests
            ):
                return True
        return False

    def drop_complex(self, container: etree._Element) -> None:
        """Drop what the selectors that are not simple find in the container."""
        if self.complex:
            for element in select(container, self.complex):
                drop_tree(element)


def drop_tree(element: etree._Element) -> None:
    """Remove the element and what it holds, keeping its tail in its place
    (lxml.html's HtmlElement.drop_tree, for any element)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = _settable((parent.text or "") + element.tail)
        else:
            previous.tail = _settable((previous.tail or "") + element.tail)
    parent.remove(element)


# What lxml refuses to set as text, though libxml2's HTML parser leaves it in
# the text it reads (a page's stray control characters). normalize_text drops
# these from every field anyway.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _settable(text: str) -> str:
    return _NOT_XML.sub("", text)


@cache
def junk(selectors: tuple[str, ...]) -> Junk:
    return Junk(selectors)


def _compound(parsed: cssselect.Selector) -> tuple[str | None, list[tuple[str, str]]] | None:
    """(tag or None, [(attribute, pattern)]) of a selector that is one compound
    of a tag, classes, ids and attribute tests; None for any other."""
    if parsed.pseudo_element:
        return None
    tests: list[tuple[str, str]] = []
    node = parsed.parsed_tree
    while not isinstance(node, cssselect.parser.Element):
        if isinstance(node, cssselect.parser.Class):
            tests.append(("class", _OPERATORS["~="](re.escape(node.class_name))))
        elif isinstance(node, cssselect.parser.Hash):
            tests.append(("id", _OPERATORS["="](re.escape(node.id))))
        elif isinstance(node, cssselect.parser.Attrib) and node.namespace is None and node.operator in _OPERATORS:
            value = "" if node.value is None else node.value.value
            if node.operator != "exists" and not value:
                return None  # never matches in cssselect; rare enough to leave to it
            tests.append((node.attrib.lower(), _OPERATORS[node.operator](re.escape(value))))
        else:
            return None
        node = node.selector
    if node.namespace is not None:
        return None
    return (node.element.lower() if node.element else None), tests

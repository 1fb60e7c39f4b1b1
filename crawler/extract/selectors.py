"""Selectors as specs write them, answered by lxml from XPath compiled once.

A selector is CSS, or XPath when written "xpath:<expression>", and is
compiled in the form libxml2 evaluates fastest (`attribute_steps`). Also
here: the class names a part of the page holds (`classes_in`), from which
crawler.families.detect answers a family's class markers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator


def select(
    scope: etree._Element | Selector | list[etree._Element], selector: str, regions: Mapping[str, Any] | None = None
) -> list[Any]:
    """What a CSS selector, or an XPath written "xpath:<expression>", finds from
    the scope (an element, or each of a list of them): the nodes parsel's `css`
    and `xpath` would wrap (elements, strings for ::text, ::attr() and text()
    or attribute steps, one value for an XPath that computes one), unwrapped.
    An XPath may start from a region of the page (crawler.families.spec.Spec.regions),
    written $name, which `regions` gives.
    Each selector is compiled once per process: parsel translates and sets up
    an evaluator on every call, which took two thirds of the time specs'
    selectors cost, and wrapping every node took more (benchmarks/RESULTS.md,
    "Extraction")."""
    compiled, names = _compiled(selector)
    variables: dict[str, Any] = {}
    if names:
        if regions is None or not all(name in regions for name in names):
            raise ValueError(f"{selector!r} starts from a region its spec does not name ({', '.join(names)})")
        variables = {name: regions[name] for name in names}
    if isinstance(scope, Selector):
        scope = scope.root
    if not isinstance(scope, list):
        result = compiled(scope, **variables)
        return result if isinstance(result, list) else [result]
    found: list[Any] = []
    for context in scope:
        result = compiled(context, **variables)
        found.extend(result if isinstance(result, list) else [result])
    return found


@cache
def _compiled(selector: str) -> tuple[etree.XPath, tuple[str, ...]]:
    """The selector's XPath, and the regions it starts from."""
    expression = attribute_steps(selector[6:] if selector.startswith("xpath:") else _CSS.css_to_xpath(selector))
    names = tuple(dict.fromkeys(_VARIABLE.findall(_LITERAL.sub("", expression))))
    # (No EXSLT regular expressions, which lxml would register for every evaluation: no spec uses them.)
    return etree.XPath(expression, smart_strings=False, regexp=False), names


_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_VARIABLE = re.compile(r"\$([A-Za-z_][\w.-]*)")


_CSS = HTMLTranslator()


def attribute_steps(xpath: str) -> str:
    """The XPath with each step whose one predicate tests only one attribute of
    its element (its class, its id, an itemprop) rewritten to test the
    attribute: `*[contains(@class, 'x')]` (as a spec writes it) or
    `*[@class and contains(@class, 'x') and ...]` (as cssselect translates
    `.x`) becomes `*/@class[contains(string(), 'x') and ...]/..`. The same
    elements, in the same order, but libxml2 then evaluates the test on the
    attributes rather than building a node-set of the attribute for every
    element: a class looked for over a whole page costs half as much
    (benchmarks/RESULTS.md, "Extraction"). Done once, when a selector is
    compiled, in predicates too; any other step is left as it is
    (tests/test_select.py asks every spec selector both ways, on every
    fixture and saved page)."""
    out: list[str] = []
    i = 0
    while i < len(xpath):
        c = xpath[i]
        if c in "'\"":
            end = xpath.find(c, i + 1) + 1 or len(xpath)  # (unclosed: etree.XPath says so)
            out.append(xpath[i:end])
            i = end
        elif c == "[":
            predicates, written = [], []
            while i < len(xpath) and xpath[i] == "[":  # the step's predicates, each rewritten inside
                end = _closing(xpath, i)
                if end == len(xpath):  # unclosed: left as written, for etree.XPath to refuse
                    return xpath
                predicates.append(attribute_steps(xpath[i + 1 : end]))
                written.append(f"[{predicates[-1]}]")
                i = end + 1
                space = len(xpath[i:]) - len(xpath[i:].lstrip())  # XPath allows space between predicates
                if xpath[i + space : i + space + 1] == "[":
                    written.append(xpath[i : i + space])
                    i += space
            # One predicate on an element's step (a second would count positions among the elements).
            on_attribute = len(predicates) == 1 and _ELEMENT_STEP.search("".join(out)) and _on_attribute(predicates[0])
            out.append(on_attribute or "".join(written))
        else:
            out.append(c)
            i += 1
    return "".join(out)


# A step's element name or *, at the end of what is written so far (not an attribute's, a variable's or a function's).
_ELEMENT_STEP = re.compile(
    r"(?<![@$\w.:-])(?:(?:child|descendant|descendant-or-self|self|parent|ancestor|ancestor-or-self|following|"
    r"following-sibling|preceding|preceding-sibling)::)?(?:\*|[A-Za-z_][\w.-]*)\Z"
)
# The tests of one attribute a step is rewritten for, in the forms specs and cssselect write them,
# and as they read on the attribute; q is a literal.
_QUOTED = r"""(?P<q>'[^']*'|"[^"]*")"""
_ATTRIBUTE_TESTS = (
    (re.compile(r"@(?P<a>[\w-]+)"), None),  # its presence, which a step on it implies
    (re.compile(rf"@(?P<a>[\w-]+)\s*=\s*{_QUOTED}"), "string() = {q}"),
    (re.compile(rf"contains\(\s*@(?P<a>[\w-]+)\s*,\s*{_QUOTED}\s*\)"), "contains(string(), {q})"),
    (re.compile(rf"starts-with\(\s*@(?P<a>[\w-]+)\s*,\s*{_QUOTED}\s*\)"), "starts-with(string(), {q})"),
    (
        re.compile(rf"contains\(\s*concat\(' ',\s*normalize-space\(@(?P<a>[\w-]+)\),\s*' '\),\s*{_QUOTED}\s*\)"),
        "contains(concat(' ', normalize-space(), ' '), {q})",
    ),
)


def _on_attribute(predicate: str) -> str | None:
    """The predicate as a step on the attribute it alone tests and back
    (`/@class[...]/..`); None where it tests anything else, or where it may
    hold of an element without the attribute (`contains(@x, '')`: the step on
    the attribute would not find that element)."""
    names, tests, absent_fails = set(), [], False
    for term in _conjuncts(predicate):
        m, form = next(((m, form) for pattern, form in _ATTRIBUTE_TESTS if (m := pattern.fullmatch(term))), (None, None))
        if m is None:
            return None
        names.add(m["a"])
        # Of no attribute, "" is tested: a presence or equality test fails, and a search for some non-blank text.
        absent_fails = absent_fails or form is None or form.startswith("string() =") or bool(m["q"][1:-1].strip())
        if form:
            tests.append(form.format(q=m["q"]))
    if len(names) != 1 or not tests or not absent_fails:
        return None
    return f"/@{names.pop()}[{' and '.join(tests)}]/.."


def _conjuncts(predicate: str) -> list[str]:
    """The terms of a predicate joined by `and`, at any depth of parentheses around them."""
    cuts = [i for i, depth in _scanned(predicate) if not depth and predicate.startswith(" and ", i)]
    terms = [predicate[start:end].strip() for start, end in zip([0, *(i + 5 for i in cuts)], [*cuts, len(predicate)])]
    flat = []
    for term in terms:
        wrapped = term.startswith("(") and _closing(term, 0) == len(term) - 1
        flat.extend(_conjuncts(term[1:-1]) if wrapped else [term])
    return flat


def _closing(expression: str, i: int) -> int:
    """Where the parenthesis or bracket opening at expression[i] closes."""
    return next((j for j, depth in _scanned(expression, i) if not depth), len(expression))


def _scanned(expression: str, i: int = 0):
    """Where each character outside literals stands, from i on, and how many
    parentheses and brackets are open after it."""
    depth = 0
    while i < len(expression):
        c = expression[i]
        if c in "'\"":
            i = expression.find(c, i + 1)
            if i < 0:
                return
        else:
            depth += (c in "([") - (c in ")]")
            yield i, depth
        i += 1


_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
# The white space XPath's normalize-space() and so cssselect's class test split class names at.
_XML_SPACE = str.maketrans("\t\n\r", "   ")


def classes_in(elements: list[etree._Element]) -> frozenset[str]:
    """The class names the elements and all inside them carry."""
    values = " ".join(" ".join(_CLASS_VALUES(element)) for element in elements)
    return frozenset(values.translate(_XML_SPACE).split(" "))

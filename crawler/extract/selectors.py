"""Selectors as specs write them, answered by lxml from XPath compiled once.

A selector is CSS, or XPath when written "xpath:<expression>". Also here:
the classes a CSS selector needs (`required_classes`) and those a part of
the page holds (`classes_in`), with which crawler.extract.layers.Scope skips
a selector that cannot find anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import cssselect
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
    An XPath may start from a region of the page (crawler.spec.Spec.regions),
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
    expression = selector[6:] if selector.startswith("xpath:") else attribute_steps(_CSS.css_to_xpath(selector))
    names = tuple(dict.fromkeys(_VARIABLE.findall(_LITERAL.sub("", expression))))
    # (No EXSLT regular expressions, which lxml would register for every evaluation: no spec uses them.)
    return etree.XPath(expression, smart_strings=False, regexp=False), names


_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_VARIABLE = re.compile(r"\$([A-Za-z_][\w.-]*)")


_CSS = HTMLTranslator()

# The attribute tests cssselect writes (=, ^=, *=, and a class's), as the whole predicate of a step.
_CLASS_TEST = r"@class and contains\(@class, '([^']*)'\) and contains\(concat\(' ', normalize-space\(@class\), ' '\), ' \1 '\)"
_TESTED = re.compile(r"@([a-z][\w-]*)")


@cache
def _tests_of(name: str) -> re.Pattern[str]:
    n = re.escape(name)
    forms = [rf"@{n} = '[^']*'", rf"@{n} and (?:starts-with|contains)\(@{n}, '[^']*'\)"]
    return re.compile("|".join([*forms, _CLASS_TEST] if name == "class" else forms))


_PREDICATE = re.compile(r"(?<=[\w*])\[((?:[^'\]]|'[^']*')*)\](?=/| \||$)")


def attribute_steps(xpath: str) -> str:
    """The XPath with each step that tests only one attribute of its element
    (its class, its id, an itemprop) rewritten to test the attribute:
    `*[@class and contains(@class, 'x')...]` becomes
    `*/@class[contains(string(), 'x')...]/..`. The same elements, in the same
    order, but libxml2 then evaluates the test on the attributes rather than
    building a node-set of the attribute for every element: a class looked
    for over a whole page costs half as much (benchmarks/RESULTS.md,
    "Extraction"). Predicates of any other form are left as they are."""
    return _PREDICATE.sub(_attribute_step, xpath)


def _attribute_step(m: re.Match[str]) -> str:
    predicate = m.group(1)
    if any("@" in literal for literal in re.findall(r"'([^']*)'", predicate)):
        return m.group(0)
    terms = predicate[1:-1].split(") and (") if predicate.startswith("(") else [predicate]
    tested = _TESTED.match(terms[0])
    if tested:
        name = tested.group(1)
        test = _tests_of(name)
        if all(test.fullmatch(t) for t in terms):
            # string() rather than ".": the attribute's value without a node-set built around it.
            on_value = predicate.replace(f"@{name} and ", "").replace(f"normalize-space(@{name})", "normalize-space()")
            return f"/@{name}[{on_value.replace(f'@{name}', 'string()')}]/.."
    return m.group(0)


@cache
def required_classes(selector: str) -> frozenset[str]:
    """Class names some element of the scope (the element a selector starts
    from, or one inside it) must carry for the selector to find anything:
    `.item-header .rutitr` finds nothing where no element has class rutitr.
    Empty for an XPath, and for a class the selector does not require (one
    under :not(), or in a list one of whose alternatives lacks it)."""
    if selector.startswith("xpath:"):
        return frozenset()
    alternatives = [_classes_in(parsed.parsed_tree) for parsed in cssselect.parse(selector)]
    return frozenset.intersection(*alternatives) if alternatives else frozenset()


def _classes_in(node: Any) -> frozenset[str]:
    """The classes a parsed CSS selector's matches and the elements on the way to them carry, inside the scope."""
    if isinstance(node, cssselect.parser.CombinedSelector):
        left = _classes_in(node.selector)
        # A sibling (+, ~) of the first compound may stand outside the scope, whose root that compound can be.
        return left | _classes_in(node.subselector) if node.combinator in (" ", ">") else left
    if isinstance(node, cssselect.parser.Class):
        return _classes_in(node.selector) | {node.class_name}
    if isinstance(node, (cssselect.parser.Hash, cssselect.parser.Attrib, cssselect.parser.Pseudo, cssselect.parser.Function, cssselect.parser.Negation)):
        return _classes_in(node.selector)  # the compound they test (a negation's own selector is no requirement)
    return frozenset()  # an element's name, or a form whose requirements are not read here


_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
# The white space XPath's normalize-space() and so cssselect's class test split class names at.
_XML_SPACE = str.maketrans("\t\n\r", "   ")


def classes_in(elements: list[etree._Element]) -> frozenset[str]:
    """The class names the elements and all inside them carry."""
    values = " ".join(" ".join(_CLASS_VALUES(element)) for element in elements)
    return frozenset(values.translate(_XML_SPACE).split(" "))

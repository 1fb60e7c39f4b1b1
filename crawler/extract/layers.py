"""The layers extraction asks in turn, and the page they read.

Each layer answers `get(field, page, found)` with a value or None ("not
known here"), for the fields it names in `fields` (it is not asked for the
others). `found` holds what earlier fields resolved to, so the body can
leave out a lead or headline the page prints twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extract import boilerplate, density, heading
from crawler.extract.heading import HOME_CRUMBS
from crawler.extract.html import paragraphs, text_of
from crawler.extract.junk import junk
from crawler.extract.published import parse_first_time, published_time, structured_times
from crawler.extract.selectors import select
from crawler.families.generic import GENERIC
from crawler.families.spec import Family, Site, Spec
from crawler.persian.text import normalize_text, to_ascii_digits
from crawler.persian.urls import absolute_url, decoded_path

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "WebPage"}


class Regions(Mapping[str, list]):
    """The regions of a page its site's specs name (crawler.families.spec.Spec.regions),
    each found on first use: in the article's container, where it holds the
    region, else in the whole page."""

    def __init__(self, root: etree._Element, site: Site | None, container: list[etree._Element] | None = None):
        self._root = root
        self._site = site
        self._container = container
        self._found: dict[str, list] = {}

    @cached_property
    def _definitions(self) -> dict[str, str]:
        site = self._site
        return dict(site.family.spec.regions + site.overrides.regions) if site else {}

    def __getitem__(self, name: str) -> list:
        if name not in self._found:
            definition = self._definitions[name]
            found = select(self._container, definition) if self._container else []
            self._found[name] = found or select(self._root, definition)
        return self._found[name]

    def __contains__(self, name: object) -> bool:
        return name in self._definitions

    def __iter__(self):
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)


class Scope:
    """Where a layer's selectors search: the article's container, or the whole
    page, and the page's regions."""

    def __init__(self, elements: list[etree._Element], regions: Regions):
        self.elements = elements
        self.regions = regions

    def select(self, selector: str) -> list[Any]:
        return select(self.elements, selector, self.regions)


class Page:
    """One parsed page and what is costly to compute about it more than once."""

    def __init__(self, selector: Selector, url: str, site: Site | None):
        self.root: etree._Element = selector.root
        self.url = url
        self.site = site
        self.whole = Scope([self.root], Regions(self.root, site))
        self.scopes: dict[tuple[str, ...], Scope] = {}  # SpecLayer._scope's answers

    @cached_property
    def _metadata_elements(self) -> dict[str, list[etree._Element]]:
        """The page's <meta>, <link> and <script> elements, by tag, in document
        order: gathered by one walk in C, where an XPath with a predicate per
        kind walked the page three times (benchmarks/RESULTS.md, "Extraction")."""
        found: dict[str, list[etree._Element]] = {"meta": [], "link": [], "script": []}
        for element in self.root.iter("meta", "link", "script"):
            found[element.tag].append(element)
        return found

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """JSON-LD objects of article types, @graph flattened."""
        found: list[dict[str, Any]] = []
        for script in self._metadata_elements["script"]:
            if script.get("type") != "application/ld+json":
                continue  # (before its text is read: a page's scripts hold its code)
            raw = script.text
            if not raw:
                continue
            try:
                data = json.loads(raw, strict=False)
            except ValueError:
                continue
            stack = data if isinstance(data, list) else [data]
            while stack:
                obj = stack.pop(0)
                if not isinstance(obj, dict):
                    continue
                stack.extend(obj.get("@graph") or [])
                types = obj.get("@type")
                types = set(types) if isinstance(types, list) else {types}
                if types & ARTICLE_TYPES:
                    found.append(obj)
        # A NewsArticle says more than the WebPage that wraps it.
        found.sort(key=lambda o: o.get("@type") == "WebPage")
        return found

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """<meta> contents by property, name or itemprop."""
        out: dict[str, list[str]] = {}
        for m in self._metadata_elements["meta"]:
            attributes = dict(m.items())  # one call for all, not four get()s
            content = attributes.get("content")
            key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
            if key and content is not None:
                out.setdefault(key.strip().lower(), []).append(content)
        return out

    @cached_property
    def canonical_link(self) -> str | None:
        """href of the first <link rel="canonical"> that has one."""
        links = self._metadata_elements["link"]
        return next((link.get("href") for link in links if link.get("rel") == "canonical" and link.get("href") is not None), None)

    @property
    def known_site(self) -> bool:
        """Whether a site module describes the page's site (not only its detected family or none)."""
        return self.site is not None and not self.site.detected and self.site.family is not GENERIC

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The site's names: its module's, else those the page gives it (og:site_name...)."""
        return self.site.names if self.site and self.site.names else heading.learned_names(self)

    def strip_site_name(self, title: str | None) -> str | None:
        """A title without the site name that <title> and og:title often append
        or prepend, in any form (crawler.extract.heading.strip_site_name);
        normalized if `title` was (a ZWNJ the name's separator followed is
        at its edge now)."""
        return heading.strip_site_name(title, self) if title else title


def node_text(node: Any) -> str:
    """Text of an element, or the value a selector picked (::text, ::attr, XPath string)."""
    return text_of(node) if isinstance(node, etree._Element) else str(node)


def first_text(scope: Scope, selectors: tuple[str, ...]) -> str | None:
    for css in selectors:
        for node in scope.select(css):
            text = normalize_text(node_text(node))
            if text:
                return text
    return None


def all_texts(scope: Scope, selectors: tuple[str, ...]) -> list[str]:
    """Texts of every match of the first selector that matches anything, in order, without repeats."""
    for css in selectors:
        nodes = scope.select(css)
        texts = [normalize_text(node_text(n)) for n in nodes]
        texts = list(dict.fromkeys(t for t in texts if t))
        if texts:
            return texts
    return []


def news_code_from_url(url: str, families: tuple[Family, ...]) -> str | None:
    path = decoded_path(url)
    for family in families:
        article_path = family.article_path(path)  # an AMP copy's or a short form's code is its article's
        for pattern in family.article_paths:
            m = pattern.search(article_path)
            if m:
                return to_ascii_digits(m.group("code"))
    return None


class SpecLayer:
    """Selectors of a site or a family."""

    def __init__(self, label: str, spec: Spec, *, scope: tuple[str, ...], drop: tuple[str, ...], family: Family | None = None):
        self.label = label
        self.spec = spec
        self.scope = scope
        self.drop = drop
        self.family = family
        self.fields = {f for f in SPEC_FIELDS if getattr(spec, f)}
        if family and family.code_in_url:
            self.fields.add("news_code")

    def _scope(self, page: Page) -> Scope:
        # Asked for every field by both spec layers, and each search walks the
        # whole page: found once per page.
        if self.scope not in page.scopes:
            container = next((found[:1] for found in map(page.whole.select, self.scope) if found), None)
            page.scopes[self.scope] = Scope(container, Regions(page.root, page.site, container)) if container else page.whole
        return page.scopes[self.scope]

    def get(self, field: str, page: Page, found: dict[str, Any]) -> Any:
        spec = self.spec
        if field == "news_code":
            if self.family and self.family.code_in_url:
                code = news_code_from_url(page.url, (self.family,))
                if code:
                    return code
            text = first_text(self._scope(page), spec.news_code) if spec.news_code else None
            m = re.search(r"\d+", to_ascii_digits(text or ""))
            return m.group() if m else None
        selectors = getattr(spec, field, ()) if field in SPEC_FIELDS else ()
        if not selectors:
            return None
        scope = self._scope(page)
        if field in ("uptitle", "headline", "lead", "source"):
            text = first_text(scope, selectors)
            if field == "headline":
                text = page.strip_site_name(text)
            if field == "lead" and text:
                text = normalize_text(boilerplate.strip_prefix(text, page.names))
            if field == "source" and text:
                m = boilerplate.SOURCE_LINE.match(text)
                text = normalize_text(m.group("source")) if m else text
            return text
        if field in ("published", "modified"):
            # Lazily: a page's date bar is often found by the first selector, and the
            # rest may each walk the whole page.
            return parse_first_time(node_text(n) for css in selectors for n in scope.select(css))
        if field in ("tags", "authors"):
            return all_texts(scope, selectors)
        if field == "section":
            return [t for t in all_texts(scope, selectors) if t not in HOME_CRUMBS]
        if field == "body":
            return self._body(scope, selectors, page, found)
        if field == "images":
            return images_of(scope, selectors, page.url)
        return None

    def _body(self, scope: Scope, selectors: tuple[str, ...], page: Page, found: dict[str, Any]):
        for css in selectors:
            containers = scope.select(css)
            if not containers:
                continue
            raw: list[str] = []
            for container in containers:
                raw.extend(paragraphs(container, junk(self.drop)))
            return body_value(raw, page, found)
        return None


SPEC_FIELDS = {f for f in Spec.__dataclass_fields__ if f not in ("article", "body_drop", "regions")}


def body_value(raw: list[str], page: Page, found: dict[str, Any]) -> tuple[str, str | None] | None:
    """(body text, source named by its closing line) or None when nothing is left."""
    texts = [t for t in (normalize_text(p) for p in raw) if t]
    kept, source = boilerplate.clean_paragraphs(
        texts, names=page.names, repeats=(found.get("headline"), found.get("lead"), found.get("uptitle"))
    )
    if not kept:
        return None
    return "\n\n".join(kept), source


def images_of(scope: Scope, selectors: tuple[str, ...], base_url: str) -> list[dict[str, str | None]]:
    seen: dict[str, str | None] = {}
    for css in selectors:
        for img in scope.select(css):
            src = img.get("data-src") or img.get("src")
            if not src or src.startswith("data:"):
                continue
            url = absolute_url(base_url, src)
            if url is None:
                continue
            # The caption of the nearest <figure> around it (walked in C: an XPath a picture cost more).
            figure = next(img.iterancestors("figure"), None)
            caption = next(figure.iterchildren("figcaption"), None) if figure is not None else None
            seen.setdefault(url, normalize_text(text_of(caption)) if caption is not None else None)
    return [{"url": u, "caption": c} for u, c in seen.items()]


class MetadataLayer:
    """JSON-LD NewsArticle, OpenGraph, article:* and canonical link. The
    publication time only on a registered site's page (its module relies on
    the metadata's): on other pages the generic layer weighs the metadata's
    time against the one the page prints (crawler.extract.published)."""

    label = "metadata"
    fields = frozenset(("headline", "lead", "published", "modified", "canonical_url", "tags", "section", "authors", "images"))

    def get(self, field: str, page: Page, found: dict[str, Any]) -> Any:
        ld = page.json_ld
        meta = page.meta

        def ld_values(key: str) -> list[Any]:
            return [o[key] for o in ld if o.get(key)]

        if field == "headline":
            # What the page's statements of it (metadata, <h1>, <title>) agree on, else the metadata's.
            agreed = heading.agreed_headline(page)
            if agreed:
                return agreed
            for value in [*ld_values("headline"), *meta.get("og:title", []), *meta.get("twitter:title", [])]:
                text = page.strip_site_name(normalize_text(str(value)))
                if text:
                    return text
        elif field == "lead":
            values = [*meta.get("og:description", []), *map(str, ld_values("description")), *meta.get("description", [])]
            if page.known_site:
                text = next(filter(None, map(normalize_text, values)), None)
            else:
                # Of a site nobody has read, a description is its lead only where the page
                # prints it: elsewhere it is as often a summary no reader sees, or the body cut short.
                text = heading.shown_description(page, values)
            return normalize_text(boilerplate.strip_prefix(text, page.names)) if text else None
        elif field == "published":
            if not page.known_site:
                return None  # the generic layer weighs it with the printed dates (crawler.extract.published)
            return parse_first_time(structured_times(page.root, ld, meta))
        elif field == "modified":
            candidates = [str(v) for v in ld_values("dateModified")]
            candidates += [v for k in ("article:modified_time", "datemodified", "og:updated_time") for v in meta.get(k, [])]
            return parse_first_time(candidates)
        elif field == "canonical_url":
            return absolute_url(page.url, page.canonical_link or next(iter(meta.get("og:url", [])), None))
        elif field == "tags":
            tags = []
            for kw in [*meta.get("article:tag", []), *ld_values("keywords")]:
                tags.extend(kw if isinstance(kw, list) else re.split(r"[,،]", str(kw)))
            return list(dict.fromkeys(t for t in map(normalize_text, tags) if t))
        elif field == "section":
            sections = [*meta.get("article:section", [])]
            for s in ld_values("articleSection"):
                sections.extend(s if isinstance(s, list) else [s])
            return [t for t in dict.fromkeys(map(normalize_text, map(str, sections))) if t and t not in HOME_CRUMBS]
        elif field == "authors":
            names = []
            for author in ld_values("author"):
                for a in author if isinstance(author, list) else [author]:
                    if isinstance(a, dict) and a.get("@type") != "Organization":
                        names.append(a.get("name"))
                    elif isinstance(a, str):
                        names.append(a)
            names = [n for n in map(normalize_text, filter(None, names)) if n and n not in page.names]
            return list(dict.fromkeys(names))
        elif field == "images":
            urls = []
            for image in ld_values("image"):
                for i in image if isinstance(image, list) else [image]:
                    urls.append(i.get("url") if isinstance(i, dict) else i)
            urls += meta.get("og:image", [])
            first = next(filter(None, (absolute_url(page.url, u) for u in urls if isinstance(u, str))), None)
            return [{"url": first, "caption": None}] if first else []
        return None


class GenericLayer:
    """For pages no spec knows: the first <h1>, the uptitle and lead around it
    and the news code the page prints (crawler.extract.heading), the
    publication time from all the page's evidence (crawler.extract.published),
    and the block holding the most paragraph text as the body."""

    label = "generic"
    fields = frozenset(("uptitle", "headline", "lead", "news_code", "published", "body"))

    def get(self, field: str, page: Page, found: dict[str, Any]) -> Any:
        if field == "headline":
            return page.strip_site_name(first_text(page.whole, ("h1", "title::text")))
        if field == "uptitle":
            return heading.uptitle(page, found.get("headline"))
        if field == "lead":
            text = heading.named_lead(page, found.get("headline"))
            return normalize_text(boilerplate.strip_prefix(text, page.names)) if text else None
        if field == "news_code":
            return news_code_from_url(page.url, (GENERIC,)) or heading.url_news_code(page.url) or heading.printed_news_code(page)
        if field == "published":
            return published_time(page.root, page.url, page.json_ld, page.meta)
        if field == "body":
            return self._body(page, found)
        return None

    def _body(self, page: Page, found: dict[str, Any]):
        return body_value(density.body_paragraphs(page.root), page, found)

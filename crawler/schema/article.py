"""The exported article record: its JSON Schema, normalization and validation.

Pipelines, the `scrapy extract` command and notebooks all go through these
functions, so an article looks the same whichever way it was made.
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import lru_cache
from importlib.resources import files
from typing import Any, Mapping

import fastjsonschema

from crawler.persian.text import normalize_paragraphs, normalize_text

SCHEMA_VERSION = 2  # 2: duplicate_of
# Fields that make an article; without any of them it is not exported.
REQUIRED = ("site", "url", "news_code", "headline", "body", "published_at")
ONE_LINE_FIELDS = ("published_at_raw", "uptitle", "headline", "lead", "source")
LIST_FIELDS = ("authors", "tags", "section")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(files("crawler").joinpath("schema/article.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _validate():
    """The schema compiled to Python code by fastjsonschema: ~40x faster than
    jsonschema interpreting it, per article (benchmarks/RESULTS.md, "Crawl").
    fastjsonschema knows drafts up to 7; the schema (2020-12 for its readers)
    uses only keywords that mean the same in draft 7, which
    tests/test_pipelines.py checks against jsonschema's 2020-12 validator."""
    return fastjsonschema.compile({**schema(), "$schema": "http://json-schema.org/draft-07/schema#"})


def field_names() -> tuple[str, ...]:
    """Export order: the contract's fields, then the optional ones."""
    return tuple(schema()["properties"])


def content_hash(headline: str | None, body: str | None) -> str:
    return hashlib.sha256(f"{headline or ''}\n\n{body or ''}".encode()).hexdigest()


def utc_now() -> str:
    """`2026-11-28T23:35:30+00:00`, as datetime's isoformat() writes it, in a quarter of its time."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def normalize_article(article: Mapping[str, Any]) -> dict[str, Any]:
    """Every field in its exported form: text normalized, lists deduplicated,
    absent values null or [], derived fields filled. Idempotent."""
    out = dict(article)
    for name in ONE_LINE_FIELDS:
        out[name] = normalize_text(out.get(name))
    out["body"] = normalize_paragraphs(out.get("body"))
    for name in LIST_FIELDS:
        out[name] = list(dict.fromkeys(t for t in map(normalize_text, out.get(name) or ()) if t))
    out["images"] = [
        {"url": image["url"], "caption": normalize_text(image.get("caption"))} for image in out.get("images") or ()
    ]
    return complete_article(out)


def complete_article(article: Mapping[str, Any]) -> dict[str, Any]:
    """The record of an article whose text is normalized already, as
    extraction returns it (tests/test_fixtures.py checks that it is): every
    field present, absent values null or [], derived fields filled; the last
    step of normalize_article. Extraction calls it alone, sparing a second
    normalization (~2% of its cost) that would change nothing."""
    out: dict[str, Any] = {name: None for name in field_names() if name != "field_sources"}
    out.update(article)
    out["schema_version"] = SCHEMA_VERSION
    for name in (*LIST_FIELDS, "images"):
        out[name] = out[name] or []
    out["language"] = out["language"] or "fa"
    out["crawled_at"] = out["crawled_at"] or utc_now()
    out["content_hash"] = content_hash(out["headline"], out["body"])
    return out


def field_errors(article: Mapping[str, Any]) -> dict[str | None, str]:
    """Why the article may not be exported, by the field at fault (None: the
    article as a whole); {} if it may. Every missing required field is named,
    as `missing <field>`; else the first place the schema rejects, as
    `<path>: <what is wrong>`."""
    missing = {name: f"missing {name}" for name in REQUIRED if not article.get(name)}
    if missing:
        return missing
    try:
        _validate()(dict(article))
    except fastjsonschema.JsonSchemaValueException as e:
        path = [str(step) for step in e.path[1:]]  # e.path[0] is the article itself
        return {path[0] if path else None: f"{'/'.join(path) or 'article'}: {e.message}"}
    return {}


def validation_errors(article: Mapping[str, Any]) -> list[str]:
    """field_errors' messages."""
    return list(field_errors(article).values())

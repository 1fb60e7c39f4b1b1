"""Fixture regression harness: every tests/fixtures/<site>/<name>.html with a
sibling <name>.json is extracted and checked field by field, one test per
field, so a failure names the site and the field.

The JSON holds `url`, `kind` ("real": a page saved as served; "synthetic" or
"reconstructed": written by us, never counted as real), `expected` (values
read off the page by a person) and optionally `absent` (texts that must
appear in no field: boilerplate, site prefixes).
"""

import dataclasses
import json
from pathlib import Path

import pytest

from crawler.extract import FIELDS, build_layers, read_article
from crawler.extract.html import parse_html
from crawler.extract.layers import Page
from crawler.families.spec import Spec
from crawler.persian.text import normalize_paragraphs, normalize_text
from crawler.schema.article import normalize_article, validation_errors
from crawler.sites import site_for_url

FIXTURES = Path(__file__).parent / "fixtures"
KINDS = {"real", "synthetic", "reconstructed"}


def load_fixtures():
    for meta_path in sorted(FIXTURES.glob("*/*.json")):
        page = meta_path.with_suffix(".html")
        if page.exists():
            yield f"{meta_path.parent.name}/{meta_path.stem}", page, json.loads(meta_path.read_text("utf-8"))


# Drafts from `scrapy savefixture` hold extractor output until a person has
# checked them against the page; they do not count (conftest lists them).
FIXTURE_LIST = [f for f in load_fixtures() if not f[2].get("draft")]
_extracted: dict[str, dict] = {}


def extracted(name: str, page: Path, meta: dict) -> dict:
    """The fields a crawl reads off the page (read_article: page checks, then extraction)."""
    if name not in _extracted:
        reading = read_article(page.read_bytes(), meta["url"])
        assert reading.problem is None, reading.problem
        _extracted[name] = reading.fields
    return _extracted[name]


def expected_form(field: str, value):
    """The expected value as the contract would write it (yeh/kaf folded, white space collapsed)."""
    if field == "body":
        return normalize_paragraphs(value)
    if isinstance(value, str) and field not in ("published_at", "modified_at", "news_code", "url", "canonical_url", "site"):
        return normalize_text(value)
    if isinstance(value, list) and field in ("tags", "authors", "section"):
        return [normalize_text(v) for v in value]
    return value


FIELD_CASES = [
    pytest.param(name, page, meta, field, id=f"{name}::{field}")
    for name, page, meta in FIXTURE_LIST
    for field in meta["expected"]
]


@pytest.mark.parametrize("name,page,meta,field", FIELD_CASES)
def test_field(name, page, meta, field):
    got = extracted(name, page, meta)[field]
    assert got == expected_form(field, meta["expected"][field])


@pytest.mark.parametrize("name,page,meta", [pytest.param(*f, id=f[0]) for f in FIXTURE_LIST])
def test_fixture_is_labelled_and_exportable(name, page, meta):
    assert meta["kind"] in KINDS, "a fixture says whether it is a real page"
    article = normalize_article(extracted(name, page, meta))
    assert validation_errors(article) == []


@pytest.mark.parametrize("name,page,meta", [pytest.param(*f, id=f[0]) for f in FIXTURE_LIST])
def test_extracted_text_is_normalized(name, page, meta):
    """Extraction completes its record without normalizing it again
    (crawler.schema.article.complete_article): normalizing leaves it as it is."""
    fields = extracted(name, page, meta)
    assert normalize_article(fields) == fields


@pytest.mark.parametrize("name,page,meta", [pytest.param(*f, id=f[0]) for f in FIXTURE_LIST])
def test_layers_know_no_field_they_do_not_name(name, page, meta):
    """Extraction asks a layer only for the fields it names: of the others it knows nothing."""
    site = site_for_url(meta["url"])
    parsed = Page(parse_html(page.read_bytes(), meta["url"]), meta["url"], site)
    for layer in build_layers(site):
        assert layer.fields < set(FIELDS)
        for field in set(FIELDS) - layer.fields:
            assert not layer.get(field, parsed, {}), (layer.label, field)


def test_a_sites_layers_are_built_once_and_never_used_for_another():
    site = site_for_url("https://www.tabnak.ir/fa/news/1")
    assert build_layers(site) is build_layers(site)
    other = dataclasses.replace(site, overrides=Spec(lead=("p.x",)))  # same name, other selectors
    assert build_layers(other)[0].spec is other.overrides
    assert build_layers(site)[0].spec is site.overrides
    assert [layer.label for layer in build_layers(site, ("metadata", "generic"))] == ["metadata", "generic"]


@pytest.mark.parametrize(
    "name,page,meta", [pytest.param(*f, id=f[0]) for f in FIXTURE_LIST if f[2].get("absent")]
)
def test_boilerplate_absent(name, page, meta):
    fields = extracted(name, page, meta)
    exported_text = "\n".join(
        str(v) for k, v in fields.items() if k not in ("url", "canonical_url", "field_sources")
    )
    for text in meta["absent"]:
        assert normalize_text(text) not in exported_text


def test_etemadonline_fixture_expects_what_the_user_asked(shared):
    """The reconstructed fixture's expectations are the user's sample output, unchanged."""
    user = json.loads((shared / "seed" / "etemadonline-523995.expected.json").read_text("utf-8"))
    ours = json.loads((FIXTURES / "etemadonline.com" / "523995.json").read_text("utf-8"))
    assert ours["kind"] == "reconstructed"
    assert ours["expected"] == {k: v for k, v in user.items() if k not in ("_about", "not_in_output")}
    assert ours["absent"] == user["not_in_output"]

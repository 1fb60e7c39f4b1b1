"""Normalize, validate and deduplicate pipelines, and the schema they enforce."""

import json

import pytest
from jsonschema import Draft202012Validator
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler


from conftest import project_settings
from crawler.export.dedup import MemoryStore
from crawler.items import ArticleItem
from crawler.pipelines import DeduplicatePipeline, NormalizePipeline, ValidatePipeline
from crawler.schema.article import SCHEMA_VERSION, field_errors, field_names, normalize_article, schema, validation_errors


def article(**changes):
    fields = {
        "site": "etemadonline.com",
        "url": "https://www.etemadonline.com/fa/tiny/news-1",
        "news_code": "1",
        "headline": "عنوان  خبر",
        "body": "بند يك\n\n\nبند دو",
        "published_at": "2021-11-24T19:11:37+03:30",
        "crawled_at": "2026-11-28T10:00:00+00:00",
        "field_sources": {"headline": "family:asam"},
    }
    fields.update(changes)
    return ArticleItem(fields)


def project_crawler(**overrides):
    """A crawler with the project's settings and a state that ends with the test."""
    return get_crawler(settings_dict=project_settings(CRAWLER_STATE=":memory:", **overrides))


@pytest.fixture
def crawler():
    return project_crawler()


def run(crawler, item):
    for pipeline_cls in (NormalizePipeline, ValidatePipeline, DeduplicatePipeline):
        item = pipeline_cls.from_crawler(crawler).process_item(item)
    return item


def test_item_fields_are_the_schema_fields():
    assert set(ArticleItem.fields) == set(schema()["properties"]) == set(field_names())


def test_contract_fields_all_required_in_schema():
    contract = {
        "schema_version", "site", "url", "canonical_url", "news_code", "published_at", "published_at_raw",
        "modified_at", "uptitle", "headline", "lead", "body", "source", "authors", "tags", "section", "images",
        "language", "crawled_at", "content_hash", "duplicate_of",
    }
    assert set(schema()["required"]) == contract


def test_schema_is_valid_2020_12_and_read_the_same_by_the_fast_validator():
    """The crawl validates with fastjsonschema (draft 7 at most); readers of the
    schema use 2020-12. On good and broken articles both must agree."""
    Draft202012Validator.check_schema(schema())
    reference = Draft202012Validator(schema())
    good = normalize_article(article())
    good.pop("field_sources")
    broken = [
        {"published_at": "۳ آذر ۱۴۰۰"}, {"site": "Etemad Online"}, {"schema_version": 1}, {"tags": [""]},
        {"tags": "یک"}, {"images": [{"url": "x"}]}, {"images": [{"url": "https://a.ir/1.jpg", "caption": ""}]},
        {"duplicate_of": {"site": "a.ir"}}, {"duplicate_of": {"site": "a.ir", "news_code": "1", "x": 1}},
        {"language": "ar"}, {"content_hash": "abc"}, {"lead": ""}, {"extra": 1}, {"crawled_at": "yesterday"},
    ]  # fmt: skip
    assert reference.is_valid(good) and validation_errors(good) == []
    for change in broken:
        bad = {**good, **change}
        assert not reference.is_valid(bad), change
        assert validation_errors(bad), change
        assert set(field_errors(bad)) == ({None} if "extra" in change else set(change)), "the field at fault is named"
    assert field_errors({**good, "headline": None, "body": ""}) == {"headline": "missing headline", "body": "missing body"}


def test_normalize_fills_every_field_and_normalizes_text(crawler):
    item = NormalizePipeline.from_crawler(crawler).process_item(article())
    assert item["headline"] == "عنوان خبر"
    assert item["body"] == "بند یک\n\nبند دو"
    assert item["tags"] == [] and item["lead"] is None and item["schema_version"] == SCHEMA_VERSION
    assert "field_sources" not in item
    assert validation_errors(dict(item)) == []


def test_field_sources_exported_only_when_asked():
    crawler = project_crawler(CRAWLER_EXPORT_FIELD_SOURCES=True)
    item = NormalizePipeline.from_crawler(crawler).process_item(article())
    assert item["field_sources"] == {"headline": "family:asam"}


@pytest.mark.parametrize("missing", ["news_code", "headline", "body", "published_at", "url", "site"])
def test_article_missing_a_required_field_is_dropped_and_counted(crawler, missing):
    with pytest.raises(DropItem, match=f"missing {missing}"):
        run(crawler, article(**{missing: None}))
    assert crawler.stats.get_value(f"articles/dropped/missing_{missing}") == 1
    assert crawler.stats.get_value("articles/dropped/invalid") == 1


def test_malformed_value_is_dropped_with_the_schema_reason(crawler):
    with pytest.raises(DropItem, match="published_at"):
        run(crawler, article(published_at="۳ آذر ۱۴۰۰"))
    assert crawler.stats.get_value("articles/dropped/schema") == 1


def test_duplicates_by_code_then_canonical_url(crawler):
    dedup = DeduplicatePipeline.from_crawler(crawler)
    first = normalize_article(article(canonical_url="https://www.etemadonline.com/a/1-x"))
    assert dedup.process_item(first) is first
    with pytest.raises(DropItem, match="code:etemadonline.com:1"):
        dedup.process_item(normalize_article(article(url="https://www.etemadonline.com/a/1-y")))
    with pytest.raises(DropItem, match="url:"):
        dedup.process_item(normalize_article(article(news_code="2", canonical_url="https://www.etemadonline.com/a/1-x")))
    # the same code on another site is another article
    assert dedup.process_item(normalize_article(article(site="ilna.ir")))
    assert crawler.stats.get_value("articles/dropped/duplicate") == 2


def test_memory_store_interface():
    store = MemoryStore()
    assert store.add("k") is True and store.add("k") is False and "k" in store
    store.close()
    assert "k" not in store


def test_exported_line_is_plain_utf8_json(crawler):
    line = json.dumps(dict(run(crawler, article())), ensure_ascii=False)
    assert "عنوان خبر" in line


def _exported_before(crawler, **changes):
    from crawler.export.ledger import ExportLedger
    from crawler.export.statebase import ArticleRecord

    earlier = normalize_article(article(canonical_url="https://www.etemadonline.com/a/1-x", **changes))
    ExportLedger.of(crawler).state.record([ArticleRecord.from_article(earlier)])


def test_article_exported_by_an_earlier_run_is_dropped(crawler):
    _exported_before(crawler)
    with pytest.raises(DropItem, match="exported before"):
        run(crawler, article())
    with pytest.raises(DropItem, match="exported before as etemadonline.com 1"):
        run(crawler, article(news_code="9", canonical_url="https://www.etemadonline.com/a/1-x"))
    assert crawler.stats.get_value("articles/dropped/exported_before") == 2


@pytest.mark.parametrize("policy,exported", [("skip", False), ("export", True)])
def test_changed_article_follows_the_update_policy(policy, exported):
    crawler = project_crawler(CRAWLER_UPDATES=policy)
    _exported_before(crawler, body="متن پیشین")
    if exported:
        assert run(crawler, article())["news_code"] == "1"
        assert crawler.stats.get_value("articles/updated") == 1
    else:
        with pytest.raises(DropItem, match="changed since"):
            run(crawler, article())


@pytest.mark.parametrize("policy,exported", [("skip", False), ("export", True)])
def test_an_update_shown_only_by_a_newer_modified_at_is_a_change(policy, exported):
    """Same headline and body, a later modified_at: the site says it updated the article."""
    crawler = project_crawler(CRAWLER_UPDATES=policy)
    _exported_before(crawler, modified_at="2021-11-25T10:00:00+03:30")
    newer = article(modified_at="2021-11-26T10:00:00+03:30")
    if exported:
        assert run(crawler, newer)["modified_at"] == "2021-11-26T10:00:00+03:30"
        assert crawler.stats.get_value("articles/updated") == 1
    else:
        with pytest.raises(DropItem, match="changed since"):
            run(crawler, newer)
        assert crawler.stats.get_value("articles/dropped/changed") == 1


def test_an_update_after_the_clocks_went_back_is_a_change():
    """Tehran left daylight saving at the end of 30 Shahrivar 1401: 23:10
    +03:30 came 40 minutes after 23:30 +04:30, though it reads earlier."""
    crawler = project_crawler(CRAWLER_UPDATES="export")
    _exported_before(crawler, modified_at="2022-09-21T23:30:00+04:30")
    assert run(crawler, article(modified_at="2022-09-21T23:10:00+03:30"))["news_code"] == "1"
    assert crawler.stats.get_value("articles/updated") == 1


@pytest.mark.parametrize("modified_at", ["2021-11-25T10:00:00+03:30", "2021-11-24T10:00:00+03:30", "2021-11-25"])
def test_the_same_or_an_older_modified_at_is_no_change(modified_at):
    crawler = project_crawler(CRAWLER_UPDATES="export")
    _exported_before(crawler, modified_at="2021-11-25T10:00:00+03:30")
    with pytest.raises(DropItem, match="exported before$"):
        run(crawler, article(modified_at=modified_at))


def test_a_dropped_article_gives_back_its_redis_claim_at_once(redis_url):
    """In distributed mode an article is claimed before it passes; one dropped
    as exported before is released, not held until its lease lapses, so the
    other workers do not wait on it."""
    import redis

    from crawler.export.state_redis import RedisState

    crawler = project_crawler(REDIS_URL=redis_url, CRAWLER_LEASE=600)
    _exported_before(crawler)
    with pytest.raises(DropItem, match="exported before"):
        run(crawler, article())
    other_worker, third = (RedisState(redis.Redis.from_url(redis_url), lease=600) for _ in range(2))
    assert other_worker.claim("etemadonline.com", "1", None)
    assert not third.claim("etemadonline.com", "1", None), "while a claim is held, no other worker has it"

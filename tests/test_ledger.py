"""The export ledger's recovery of a killed run's export (crawler.export.ledger)."""

import json

import pytest
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from conftest import project_settings
from crawler.export.ledger import ExportLedger
from crawler.export.neardup import fingerprint
from crawler.export.state import SqliteState
from crawler.export.statebase import ArticleRecord
from crawler.schema.article import normalize_article

BODY = " ".join(f"واژه{i} در متن خبر شماره {i}" for i in range(120))
OTHER_BODY = " ".join(f"جمله{i} از گزارشی دیگر با شماره {i}" for i in range(120))


def article(code: str, body: str) -> dict:
    return normalize_article({
        "site": "etemadonline.com", "url": f"https://www.etemadonline.com/news/{code}", "news_code": code,
        "headline": f"تیتر {code}", "body": body, "published_at": "2021-11-24T19:11:37+03:30",
        "crawled_at": "2026-11-28T10:00:00+00:00",
    })  # fmt: skip


def test_recovered_lines_the_killed_run_had_not_recorded_get_their_fingerprints(tmp_path, monkeypatch):
    # The killed run recorded article 1 (its fingerprint in the same commit) and
    # wrote article 2's line, then died before recording it: 2's fingerprint was lost too.
    state_path = tmp_path / "state.sqlite3"
    killed = SqliteState(state_path)
    recorded, unrecorded = article("1", OTHER_BODY), article("2", BODY)
    killed.near_duplicate_of("etemadonline.com", "1", fingerprint(OTHER_BODY))
    killed.record([ArticleRecord.from_article(recorded)])
    killed.db.close()
    part = tmp_path / "out" / "etemadonline" / "2026-11-28T10-00-00.jsonl.part"
    part.parent.mkdir(parents=True)
    part.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in (recorded, unrecorded)), "utf-8")

    computed = []
    monkeypatch.setattr("crawler.export.ledger.fingerprint", lambda body: computed.append(body) or fingerprint(body))
    feeds = {f"{tmp_path}/out/%(name)s/%(time)s.jsonl": {"format": "jsonlines"}}
    crawler = get_crawler(settings_dict=project_settings(CRAWLER_STATE=str(state_path), FEEDS=feeds))
    ledger = ExportLedger.of(crawler)
    ledger.spider_opened(Spider("etemadonline"))

    assert computed == [BODY], "only the unrecorded line's body is fingerprinted again"
    assert ledger.state.near_duplicate_of("other.ir", "9", fingerprint(BODY)) == ("etemadonline.com", "2")
    assert ledger.state.get("etemadonline.com", "2") is not None
    assert not part.exists() and part.with_suffix("").exists()


def test_a_record_that_fails_is_counted_and_raised_for_the_lines_to_wait(tmp_path, monkeypatch):
    crawler = get_crawler(settings_dict=project_settings(CRAWLER_STATE=":memory:"))
    ledger = ExportLedger.of(crawler)

    def unreachable(records):
        raise ConnectionError("state unreachable")

    monkeypatch.setattr(ledger.state, "record", unreachable)
    line = json.dumps(article("1", BODY), ensure_ascii=False).encode() + b"\n"
    with pytest.raises(ConnectionError):  # the feed file keeps the lines only if told
        ledger.lines_written(tmp_path / "x.jsonl", [line])
    assert crawler.stats.get_value("export/record_failed") == 1
    assert crawler.stats.get_value("articles/exported") is None


def test_recovering_an_appended_history_keeps_an_older_version_with_the_same_text(tmp_path):
    """CRAWLER_UPDATES=export wrote a second line for an article whose update
    time moved on and whose text did not; an appending run (-o) was then
    killed, its `.part` holding the whole history. Recovery takes out a line
    only when a later export is the same version (text and update time), as a
    distributed crawl's repeat is: this older version stays."""
    first = {**article("1", BODY), "modified_at": "2026-11-28T09:00:00+03:30"}
    update = {**first, "modified_at": "2026-11-29T09:00:00+03:30", "crawled_at": "2026-11-29T10:00:00+00:00"}
    assert update["content_hash"] == first["content_hash"]
    state_path = tmp_path / "state.sqlite3"
    state = SqliteState(state_path)
    state.record([ArticleRecord.from_article(first)])
    state.record([ArticleRecord.from_article(update)])
    state.close()
    part = tmp_path / "out" / "all.jsonl.part"
    part.parent.mkdir()
    history = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in (first, update))
    part.write_text(history, "utf-8")

    feeds = {f"{tmp_path}/out/all.jsonl": {"format": "jsonlines"}}
    crawler = get_crawler(settings_dict=project_settings(CRAWLER_STATE=str(state_path), FEEDS=feeds))
    ledger = ExportLedger.of(crawler)
    ledger.spider_opened(Spider("etemadonline"))
    ledger.state.close()

    assert (tmp_path / "out" / "all.jsonl").read_text("utf-8") == history, "both versions kept"
    assert not crawler.stats.get_value("export/recovered_repeats")


def test_an_overwrite_run_with_nothing_to_write_still_finishes_the_killed_runs_export(tmp_path):
    """-O: the run continues a killed run's `.part` in its own file; when it
    never opens that file (FEED_STORE_EMPTY off, nothing new), it finishes
    the `.part` as it stops, so its recorded lines are in a finished file."""
    part = tmp_path / "out" / "all.jsonl.part"
    part.parent.mkdir()
    part.write_text(json.dumps(article("1", BODY), ensure_ascii=False) + "\n", "utf-8")
    feeds = {f"{tmp_path}/out/all.jsonl": {"format": "jsonlines", "overwrite": True, "store_empty": False}}
    crawler = get_crawler(settings_dict=project_settings(CRAWLER_STATE=":memory:", FEEDS=feeds))
    ledger = ExportLedger.of(crawler)
    ledger.spider_opened(Spider("etemadonline"))
    assert ledger.continues(tmp_path / "out" / "all.jsonl") and part.exists(), "left for this run's export to continue"
    crawler.signals.send_catch_log(signal=signals.engine_stopped)
    assert [json.loads(line)["news_code"] for line in (tmp_path / "out" / "all.jsonl").read_text("utf-8").splitlines()] == ["1"]
    assert not part.exists()

"""The quality report's scoring (benchmarks/quality.py): the math on hand-made
cases, and one fixture scored end to end."""

import pytest

from benchmarks.quality import EXACT_FIELDS, Extractor, aggregate, extractors, ours, score_all, score_page, token_prf
from tests.test_fixtures import load_fixtures


def test_identical_texts_score_one_whatever_the_spelling():
    # Arabic kaf and yeh, a ZWNJ written as a space, paragraphs and spaces: the same words.
    assert token_prf("كتاب می‌رود\n\nبه  خانه", "کتاب می رود به خانه") == (1.0, 1.0, 1.0)


def test_disjoint_texts_score_zero():
    assert token_prf("الف ب", "ج د") == (0.0, 0.0, 0.0)
    assert token_prf(None, "ج د") == (0.0, 0.0, 0.0)


def test_partial_overlap():
    precision, recall, f1 = token_prf("a b e", "a b c d")
    assert (precision, recall) == (2 / 3, 1 / 2)
    assert f1 == pytest.approx(4 / 7)


def test_a_lost_zwnj_costs_tokens_unless_blind():
    # The page's می‌رود is the tokens می and رود; a copy without the ZWNJ has one other token.
    assert token_prf("میرود", "می‌رود") == (0.0, 0.0, 0.0)
    assert token_prf("میرود", "می‌رود", zwnj_blind=True) == (1.0, 1.0, 1.0)


def test_tokens_count_as_often_as_they_occur():
    assert token_prf("a a a", "a") == pytest.approx((1 / 3, 1.0, 0.5))


def test_only_expected_fields_the_extractor_knows_are_scored():
    expected = {
        "headline": "كتاب",
        "published_at": "2021-11-24T19:11:37+03:30",
        "uptitle": None,
        "body": "a b c d",
    }
    got = {"headline": "کتاب", "published_at": "2021-11-24", "uptitle": None, "body": "a b e"}
    scores = score_page(got, expected, ("published_at", "headline", "body"))
    assert scores == {
        "headline": True,
        "published_at": False,
        "date": True,
        "body": pytest.approx((2 / 3, 1 / 2, 4 / 7)),
        "body_zwnj_blind": pytest.approx(4 / 7),
    }


def reference_fixture():
    name, page, meta = next(f for f in load_fixtures() if f[0] == "etemadonline.com/523995")
    return [(name, page.read_bytes(), meta)], meta["expected"]


def test_one_fixture_end_to_end():
    pages, expected = reference_fixture()
    records = score_all(pages, [Extractor("ours", ours, (*EXACT_FIELDS, "body"))])
    scores = records[0]["scores"]
    assert set(scores) == {*(f for f in EXACT_FIELDS if f in expected), "date", "body", "body_zwnj_blind"}
    assert all(v is True for k, v in scores.items() if not k.startswith("body"))
    assert scores["body"] == (1.0, 1.0, 1.0)
    total = aggregate(records)
    scored = len(scores) - 3  # not "date" nor the bodies
    assert total["all_fields"] == {"matched": scored, "scored": scored}
    assert total["body"]["at_target"] == 1


def test_trafilatura_is_scored_on_the_fields_it_has():
    pytest.importorskip("trafilatura")
    pages, expected = reference_fixture()
    trafilatura = next(e for e in extractors() if e.name == "trafilatura")
    record = score_all(pages, [trafilatura])[0]
    assert record["error"] is None
    assert set(record["scores"]) == {*(f for f in trafilatura.fields if f in expected), "date", "body_zwnj_blind"}
    assert not {"news_code", "uptitle", "source"} & set(record["scores"])
    assert 0 < record["scores"]["body"][2] <= 1


def test_unknown_site_runs_read_the_page_on_an_unowned_host_with_and_without_the_family():
    from benchmarks.common import UNOWNED_HOST, unowned
    from benchmarks.quality import load_pages, unknown_detect, unknown_nofamily

    assert unowned("https://www.etemadonline.com/fa/tiny/news-523995?x=1") == f"https://{UNOWNED_HOST}/fa/tiny/news-523995?x=1"
    pages, _ = reference_fixture()
    (_, html, meta) = pages[0]
    detected = unknown_detect(html, meta["url"])
    assert detected["site"] == UNOWNED_HOST
    assert "family:asam (detected)" in detected["field_sources"].values()
    assert not any(s.startswith(("family", "site")) for s in unknown_nofamily(html, meta["url"])["field_sources"].values())
    assert any(name.startswith("pages/") and m["kind"] == "synthetic" for name, _p, m in load_pages())

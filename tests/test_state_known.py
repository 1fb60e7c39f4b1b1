"""`known`: the crawl state asked about many news codes of a site at once,
as the news-code filter asks it (crawler.middlewares), in both backends: the
SQLite file and a redis-server of the test's own (conftest's open_state)."""

from crawler.export.statebase import KNOWN_CHUNK, ArticleRecord

SEEN = "2024-01-01T00:00:00+00:00"


def record(site: str, code: str) -> ArticleRecord:
    return ArticleRecord(site, code, f"https://{site}/news/{code}", f"hash-{code}", None, SEEN, SEEN)


def test_known_names_the_exported_codes_of_the_site_and_only_those(open_state):
    state = open_state()
    state.record([record("a.ir", c) for c in ("1", "3", "۱۲", "007")] + [record("b.ir", "2")])
    asked = ["3", "2", "1", "4", "۱۲", "7", "007", "3", ""]
    assert state.known("a.ir", asked) == {"1", "3", "۱۲", "007"}
    assert state.known("a.ir", iter(asked)) == {"1", "3", "۱۲", "007"}, "any iterable, read once"
    assert state.known("b.ir", asked) == {"2"}
    assert state.known("c.ir", asked) == set()
    assert state.known("a.ir", []) == set()
    # What `get` says of each code, `known` says of all.
    assert {c for c in asked if state.get("a.ir", c) is not None} == state.known("a.ir", asked)
    state.close()
    assert open_state().known("a.ir", ["1", "2"]) == {"1"}, "and across reopening"


def test_known_answers_for_more_codes_than_one_query_takes(open_state):
    state = open_state()
    stored = [str(c) for c in range(0, 3 * KNOWN_CHUNK, 3)]  # every third code
    state.record(record("a.ir", c) for c in stored)
    asked = [str(c) for c in reversed(range(3 * KNOWN_CHUNK + 7))]
    assert state.known("a.ir", asked) == set(stored)
    assert state.known("a.ir", (c for c in asked)) == set(stored)

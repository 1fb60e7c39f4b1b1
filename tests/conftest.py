from contextlib import ExitStack
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"


def project_settings(**overrides) -> dict:
    """crawler/settings.py as a dict, with overrides. Without TWISTED_REACTOR:
    a crawler made from it in a test would insist on that reactor."""
    from crawler import settings

    return {**{k: getattr(settings, k) for k in dir(settings) if k.isupper() and k != "TWISTED_REACTOR"}, **overrides}


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of the test's own on 127.0.0.1 (the test skipped where none is installed)."""
    from redisserver import RedisUnavailable, redis_server

    with ExitStack() as stack:
        try:
            url = stack.enter_context(redis_server(tmp_path / "redis"))
        except RedisUnavailable as e:
            pytest.skip(str(e))
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def open_state(request, tmp_path):
    """Opens the crawl state (again) as a new process would: the SQLite file, or Redis."""
    if request.param == "sqlite":
        from crawler.export.state import SqliteState

        yield lambda: SqliteState(tmp_path / "state.sqlite3")
        return
    import redis

    from crawler.export.state_redis import RedisState

    url = request.getfixturevalue("redis_url")
    yield lambda: RedisState(redis.Redis.from_url(url), lease=3)


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


def pytest_report_header(config):
    import json

    drafts = [str(p.relative_to(FIXTURES)) for p in sorted(FIXTURES.glob("*/*.json")) if json.loads(p.read_text("utf-8")).get("draft")]
    if drafts:
        return f"draft fixtures, not checked against their pages and not tested: {', '.join(drafts)}"

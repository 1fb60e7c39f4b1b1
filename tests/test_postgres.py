"""The PostgreSQL sink (crawler.export.postgres) against a real server the tests start
on 127.0.0.1 (tests/pgserver.py), with real crawls of a local site: skipped,
saying why, where PostgreSQL or psycopg is not installed."""

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import ExitStack
from itertools import count

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[postgres]'")

from benchmarks.serve import free_port  # noqa: E402
from localsite import FAST, ROOT, serve  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402
from test_incremental import ARTICLES, big_site, exported_lines, run_args  # noqa: E402

from conftest import project_settings  # noqa: E402
from crawler.export.postgres import PostgresPipeline  # noqa: E402
from crawler.schema.article import normalize_article  # noqa: E402

CODES = [str(c) for c in range(700001, 700001 + ARTICLES)]
_databases = count()


@pytest.fixture(scope="module")
def server():
    from pgserver import PostgresUnavailable, postgres_server

    with ExitStack() as stack:
        try:
            yield stack.enter_context(postgres_server())
        except PostgresUnavailable as e:
            pytest.skip(str(e))


@pytest.fixture
def dsn(server):
    """A new empty database of the test's own."""
    return server.create_database(f"test{next(_databases)}")


def rows(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as connection:
        if connection.execute("SELECT to_regclass('articles')").fetchone()[0] is None:
            return []  # not created yet
        return connection.execute("SELECT site, news_code, headline, modified_at, crawled_at FROM articles ORDER BY news_code").fetchall()


def crawl(base, tmp_path, dsn, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, *run_args(base, tmp_path), "-s", f"POSTGRES_DSN={dsn}", *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def recorded(tmp_path) -> set[str]:
    """News codes the crawl state holds as exported."""
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        return {code for (code,) in db.execute("SELECT news_code FROM articles")}


def test_a_crawl_lands_every_article_once_with_typed_columns(tmp_path, dsn):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(big_site(base))
        proc = crawl(base, tmp_path, dsn)
        _, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr[-2000:]
    assert [r[1] for r in rows(dsn)] == CODES
    assert sorted(a["news_code"] for a in exported_lines(tmp_path / "out" / "etemadonline")) == CODES
    assert f"'postgres/committed': {ARTICLES}" in stderr
    with psycopg.connect(dsn) as connection:
        connection.execute("SET TIME ZONE 'Asia/Tehran'")
        published, images, tags, crawled_type = connection.execute(
            "SELECT published_at::text, jsonb_typeof(images), pg_typeof(tags)::text, pg_typeof(crawled_at)::text"
            " FROM articles WHERE news_code = '700001'"
        ).fetchone()
    assert (published, images, tags, crawled_type) == ("2023-11-01 10:00:00+03:30", "array", "text[]", "timestamp with time zone")


def test_a_sigkilled_crawl_then_a_rerun_loses_nothing_and_repeats_nothing(tmp_path, dsn):
    out = tmp_path / "out" / "etemadonline"
    slow = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0"]
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(big_site(base))
        for kill_after in (7, 25):
            proc = crawl(base, tmp_path, dsn, *slow)
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and len(rows(dsn)) < kill_after:
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            # At any moment, an article the state holds as exported has its row.
            assert recorded(tmp_path) <= {r[1] for r in rows(dsn)}
            assert len(recorded(tmp_path)) < ARTICLES, "killed before the end"
        final = crawl(base, tmp_path, dsn)
        _, stderr = final.communicate(timeout=180)
    assert final.returncode == 0, stderr[-2000:]
    assert [r[1] for r in rows(dsn)] == CODES, "one row per article"
    assert sorted(a["news_code"] for a in exported_lines(out)) == CODES, "every article exported exactly once"
    assert recorded(tmp_path) == set(CODES)


def test_a_database_lost_mid_run_stops_the_run_and_the_next_run_sends_the_rest(tmp_path, server):
    dsn = server.create_database("lost")
    slow = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0"]
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(big_site(base))
        proc = crawl(base, tmp_path, dsn, *slow)
        try:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and len(rows(dsn)) < 10:
                time.sleep(0.01)
            server.stop()
            _, stderr = proc.communicate(timeout=60)
        finally:
            server.start()
        assert proc.returncode == 1
        errors = [line for line in stderr.splitlines() if "] ERROR: " in line]
        assert len(errors) == 1 and "PostgreSQL lost" in errors[0] and "stopping the run" in errors[0], stderr[-3000:]
        assert "Traceback" not in stderr
        assert "finish postgres_unavailable" in stderr
        stored = {r[1] for r in rows(dsn)}
        assert recorded(tmp_path) == stored, "exactly the articles with a row are recorded"
        assert sorted(a["news_code"] for a in exported_lines(tmp_path / "out" / "etemadonline")) == sorted(stored)
        assert len(stored) < ARTICLES

        again = crawl(base, tmp_path, dsn)
        _, stderr = again.communicate(timeout=180)
    assert again.returncode == 0, stderr[-2000:]
    assert [r[1] for r in rows(dsn)] == CODES
    assert sorted(a["news_code"] for a in exported_lines(tmp_path / "out" / "etemadonline")) == CODES


def version(headline: str, crawled: str, modified: str | None = None) -> dict:
    return normalize_article({
        "site": "etemadonline.com", "url": "https://www.etemadonline.com/news/1", "news_code": "1", "headline": headline,
        "body": "متن", "published_at": "2021-11-24T19:11:37+03:30", "modified_at": modified, "crawled_at": crawled,
    })  # fmt: skip


def send(dsn: str, *articles: dict) -> None:
    """The articles through the pipeline, as a crawl hands them on."""
    pipeline = PostgresPipeline.from_crawler(get_crawler(settings_dict=project_settings(POSTGRES_DSN=dsn)))

    async def run():
        await pipeline.open_spider()
        for article in articles:
            assert await pipeline.process_item(article) is article
        await pipeline.close_spider()

    asyncio.run(run())


def test_an_update_replaces_the_row_and_an_older_version_does_not(dsn):
    send(dsn, version("نسخه نخست", "2026-01-01T10:00:00+00:00"))
    send(dsn, version("نسخه دوم", "2026-01-02T10:00:00+00:00"))  # crawled later, no update time either
    assert [r[2] for r in rows(dsn)] == ["نسخه دوم"]
    send(dsn, version("ویرایش", "2026-01-01T00:00:00+00:00", modified="2021-11-25T08:00:00+03:30"))  # a stated update time beats none
    assert [r[2] for r in rows(dsn)] == ["ویرایش"]
    send(dsn, version("کهنه", "2026-02-01T00:00:00+00:00", modified="2021-11-25T07:00:00+03:30"),  # an older update, crawled later
         version("بی زمان", "2026-03-01T00:00:00+00:00"))  # fmt: skip
    assert [r[2] for r in rows(dsn)] == ["ویرایش"]
    with psycopg.connect(dsn) as connection:
        indexes = {name for (name,) in connection.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'articles'")}
    assert indexes == {"articles_pkey", "articles_published_at", "articles_crawled_at", "articles_canonical_url"}


def failed_start(tmp_path, dsn) -> str:
    """A crawl that must stop before any download with one ERROR line, exit 1; that line."""
    routes: dict = {}
    with serve(routes) as (base, requested):
        routes.update(big_site(base))
        proc = crawl(base, tmp_path, dsn)
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1
    errors = [line for line in stderr.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1, stderr[-3000:]
    assert "Traceback" not in stderr and "secret" not in stderr
    assert "finish postgres_unavailable" in stderr
    assert not [p for p in requested if p.startswith("/بخش-")], "no article downloaded"
    assert not exported_lines(tmp_path / "out" / "etemadonline")
    return errors[0]


@pytest.mark.parametrize("bad_dsn, said", [
    (f"postgresql://postgres:secret@127.0.0.1:{free_port()}/news", "PostgreSQL unreachable (POSTGRES_DSN postgres@127.0.0.1:"),
    ("host=127.0.0.1 password=secret port", "POSTGRES_DSN is not a connection string"),
])  # fmt: skip
def test_a_wrong_dsn_fails_the_run_with_one_clear_line_before_any_download(tmp_path, bad_dsn, said):
    assert said in failed_start(tmp_path, bad_dsn)


def test_a_role_that_may_not_create_the_table_fails_the_run_with_one_clear_line(tmp_path, dsn):
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CREATE ROLE reader LOGIN")  # PostgreSQL 15+: no CREATE on schema public for others
    reader = dsn.replace("postgres@", "reader:secret@")
    line = failed_start(tmp_path, reader)
    assert "PostgreSQL table articles not usable (POSTGRES_DSN reader@127.0.0.1:" in line and "permission denied" in line
    # Once its owner has made the table, the role that may only write rows uses it.
    send(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("GRANT SELECT, INSERT, UPDATE ON articles TO reader")
    send(reader, version("نسخه نخست", "2026-01-01T10:00:00+00:00"))
    assert [r[2] for r in rows(dsn)] == ["نسخه نخست"]


def test_without_postgres_dsn_the_pipeline_is_off():
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        PostgresPipeline.from_crawler(get_crawler(settings_dict=project_settings()))

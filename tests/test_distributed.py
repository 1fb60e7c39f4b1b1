"""Distributed mode (crawler.ops.distributed, crawler.export.state_redis): real
`scrapy crawl` workers sharing one crawl through a redis-server of the test's
own on 127.0.0.1, against a local Etemad Online of a few hundred articles."""

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings

from conftest import project_settings
from crawler.export.neardup import NearDuplicateIndex, fingerprint
from crawler.export.state import SqliteState
from crawler.export.state_redis import RedisState
from crawler.export.statebase import ArticleRecord
from crawler.spiders.sites import EtemadonlineSpider
from localsite import FAST, ROOT, Route, scrapy_crawl, serve
from test_crawl_e2e import crawl, link, site_routes, variant
from test_incremental import article_path

ARTICLES = 240
CODES = [str(c) for c in range(800001, 800001 + ARTICLES)]
SITEMAPS = 6
# Short leases and idle time, so that a dead worker is found out in seconds.
DISTRIBUTED = ("-s", "CRAWLER_LEASE=5", "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=1")


def short_path(code: str) -> str:
    return f"/fa/tiny/news-{code}"


def distributed_site(base: str) -> dict[str, Route]:
    """Articles in a sitemap index of several sitemaps (long URLs), the newest
    forty also in the feed under their short links: two URLs, one article."""
    xml = "application/xml"
    per_sitemap = ARTICLES // SITEMAPS
    index = "".join(f"<sitemap><loc>{base}/sitemap-{i}.xml</loc></sitemap>" for i in range(SITEMAPS))
    routes = {
        "/robots.txt": Route(f"User-agent: *\nSitemap: {base}/sitemap_index.xml\n", "text/plain"),
        "/sitemap_index.xml": Route(
            f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>', xml
        ),
        "/fa/feeds/": Route(
            "<rss><channel>" + "".join(f"<item><link>{base}{short_path(c)}</link></item>" for c in CODES[-40:])
            + "</channel></rss>", "application/rss+xml",
        ),
    }  # fmt: skip
    for i in range(SITEMAPS):
        urls = "".join(
            f"<url><loc>{base}{link(article_path(int(c)))}</loc></url>" for c in CODES[i * per_sitemap : (i + 1) * per_sitemap]
        )
        routes[f"/sitemap-{i}.xml"] = Route(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', xml
        )
    for c in CODES:
        page = Route(variant(c, f"خبر شماره {c}", "۱۴۰۲/۰۸/۱۰ ۱۰:۰۰:۰۰"))
        routes[article_path(int(c))] = routes[short_path(c)] = page
    return routes


def worker(base: str, redis_url: str, out: Path, log: Path, *extra: str) -> subprocess.Popen:
    """`scrapy crawl etemadonline` as one worker of the distributed crawl, exporting to `out`."""
    args = ["-a", f"base_url={base}", "-s", f"REDIS_URL={redis_url}", "-s", f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl"]
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", *FAST, *DISTRIBUTED, *args, *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )


def lines(out: Path) -> list[dict]:
    """The articles on disk in a worker's exports: finished files and the whole lines of `.part` ones."""
    found = []
    for path in sorted(out.glob("*/*.jsonl*")):
        data = path.read_bytes()
        found += [json.loads(line) for line in data[: data.rfind(b"\n") + 1].splitlines()]
    return found


def article_downloads(requested: list[str]) -> int:
    return sum(p.startswith(("/بخش-", "/fa/tiny/")) for p in requested)


def crawl_keys(redis_url: str) -> list[bytes]:
    return redis.Redis.from_url(redis_url).keys("etemadonline:*")


def test_two_workers_export_every_article_once_and_download_it_once(tmp_path, redis_url):
    routes: dict = {}
    with serve(routes) as (base, requested):
        routes.update(distributed_site(base))
        workers = [worker(base, redis_url, tmp_path / f"w{i}", tmp_path / f"w{i}.log") for i in (1, 2)]
        codes = [w.wait(timeout=180) for w in workers]
    logs = [(tmp_path / f"w{i}.log").read_text("utf-8") for i in (1, 2)]
    assert codes == [0, 0], logs[0][-3000:] + logs[1][-3000:]
    per_worker = [[a["news_code"] for a in lines(tmp_path / f"w{i}")] for i in (1, 2)]
    assert sorted(per_worker[0] + per_worker[1]) == CODES, "the union holds every article exactly once"
    assert all(per_worker), "both workers took part"
    assert article_downloads(requested) == ARTICLES, "one download per article, whichever URL a worker met"
    assert not crawl_keys(redis_url), "the last worker out deleted the queue, dupefilter and worker lists"
    assert len(RedisState(redis.Redis.from_url(redis_url), 3)) == ARTICLES
    # scrapy-redis through the adapter: no deprecated calls into Scrapy.
    assert not any(re.search(r"scrapy_redis\S*: ScrapyDeprecationWarning", log) for log in logs)
    assert all("crawler.ops.distributed.SharedNewsCodeFilter" in log for log in logs), "not the process-local filter"


def test_a_killed_worker_loses_nothing_once_the_survivor_finishes(tmp_path, redis_url):
    a_out, b_out = tmp_path / "a", tmp_path / "b"
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(distributed_site(base))
        a = worker(base, redis_url, a_out, tmp_path / "a.log")
        b = None
        deadline = time.monotonic() + 90
        while a.poll() is None and time.monotonic() < deadline:
            done = len(lines(a_out))
            if b is None and done >= 10:
                b = worker(base, redis_url, b_out, tmp_path / "b.log")  # joins the crawl under way
            if b is not None and done >= 80:
                a.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        assert a.wait(timeout=30) == -signal.SIGKILL, "killed mid-run"
        assert b.wait(timeout=180) == 0, (tmp_path / "b.log").read_text("utf-8")[-3000:]
        b_log = (tmp_path / "b.log").read_text("utf-8")
        assert "stopped without finishing: starting discovery over" in b_log
        union = [a["news_code"] for a in lines(a_out) + lines(b_out)]
        assert set(union) == set(CODES), "nothing lost"
        assert len(union) - len(CODES) <= 1, "at most the one line written and not yet recorded is repeated"
        assert not crawl_keys(redis_url)
        # The killed worker run again where it ran (same CRAWLER_OUTPUT) finishes its `.part`
        # file, without a line another worker exported after the kill.
        again = worker(base, redis_url, a_out, tmp_path / "again.log")
        assert again.wait(timeout=120) == 0, (tmp_path / "again.log").read_text("utf-8")[-3000:]
    assert "Finished the export a killed run left" in (tmp_path / "again.log").read_text("utf-8")
    assert not list(a_out.glob("*/*.part"))
    assert sorted(a["news_code"] for a in lines(a_out) + lines(b_out)) == CODES, "every article exactly once"


def test_without_group_commit_each_line_is_recorded_as_it_is_written(tmp_path):
    from crawler.export.feeds import AtomicFileFeedStorage

    class Ledger:
        refused, failed, open_files, recorded = None, False, set(), []

        def continues(self, final):
            return False

        def lines_written(self, path, lines):
            self.recorded.append(lines)

        def export_failed(self, path, error, opened=True):
            raise error

    ledger = Ledger()
    storage = AtomicFileFeedStorage(str(tmp_path / "x.jsonl"), feed_options={"overwrite": True}, ledger=ledger, group_commit=False)
    file = storage.open(None)
    file.write(b'{"a": 1}\n')
    assert ledger.recorded == [[b'{"a": 1}\n']], "recorded before the next line is written"
    storage.store(file)


def test_an_article_claimed_by_a_dead_worker_is_exported_when_the_claim_lapses(tmp_path, redis_url):
    dead = RedisState(redis.Redis.from_url(redis_url), lease=10)  # outlasts the crawler's start
    assert dead.claim("etemadonline.com", "600001", None)  # and then this process "dies"
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawl(base, "-o", f"{tmp_path}/out.jsonl:jsonlines", "-s", f"REDIS_URL={redis_url}", *DISTRIBUTED)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'articles/claim_waits': 1" in result.stderr
    codes = [json.loads(line)["news_code"] for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert sorted(codes) == ["523995", "600001", "600002", "600003"]


def test_recovery_takes_out_a_line_another_worker_exported_since(tmp_path):
    """A worker killed between writing a line and recording it; another one
    exported the article once the claim lapsed. (No Redis needed: the ledger
    knows the state only through its interface.)"""
    state_path = tmp_path / "state.sqlite3"
    out = tmp_path / "out" / "etemadonline"
    out.mkdir(parents=True)
    mine = {"site": "etemadonline.com", "news_code": "1", "content_hash": "h1", "crawled_at": "2026-01-01T10:00:00+00:00"}
    other = {**mine, "news_code": "2", "content_hash": "h2"}
    (out / "2026-01-01T10-00-00+00-00.jsonl.part").write_text(json.dumps(mine) + "\n" + json.dumps(other) + "\n")
    state = SqliteState(state_path)
    state.record([ArticleRecord.from_article({**mine, "crawled_at": "2026-01-01T10:00:09+00:00"})])  # exported again
    state.close()
    routes: dict = {}
    with serve(routes) as (base, _):
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={state_path}",
            "-s", f"CRAWLER_OUTPUT={tmp_path}/out/%(name)s/%(time)s.jsonl",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 lines exported again since by another worker taken out" in result.stderr
    [recovered] = out.glob("2026-01-01*.jsonl")
    assert [json.loads(line)["news_code"] for line in recovered.read_text().splitlines()] == ["2"]
    assert SqliteState(state_path).get("etemadonline.com", "2") is not None


def test_redis_url_switches_the_crawl_to_scrapy_redis_and_only_then():
    def settings_for(**overrides) -> Settings:
        settings = Settings(project_settings())
        settings.setdict(overrides, priority="cmdline")
        EtemadonlineSpider.update_settings(settings)
        return settings

    single = settings_for()
    assert single["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert single["DUPEFILTER_CLASS"] == "scrapy.dupefilters.RFPDupeFilter"
    assert "crawler.middlewares.NewsCodeFilterMiddleware" in single.getdict("SPIDER_MIDDLEWARES")
    shared = settings_for(REDIS_URL="redis://127.0.0.1:1/0")
    assert shared["SCHEDULER"] == "crawler.ops.distributed.RedisScheduler"
    assert shared["DUPEFILTER_CLASS"] == "crawler.ops.distributed.NewsCodeDupeFilter"
    assert shared.getbool("SCHEDULER_PERSIST")
    from crawler.ops.distributed import SharedNewsCodeFilter

    assert shared.getdict("SPIDER_MIDDLEWARES") == {SharedNewsCodeFilter: 600}
    assert single.getbool("CRAWLER_GROUP_COMMIT", True) and not shared.getbool("CRAWLER_GROUP_COMMIT", True), "each line recorded alone"
    assert settings_for(REDIS_URL="redis://127.0.0.1:1/0", SCHEDULER="my.Scheduler")["SCHEDULER"] == "my.Scheduler"


def test_scrapy_crawl_keeps_the_shared_news_code_filter_and_refuses_the_local_one():
    """`scrapy crawl` merges the project's settings into the crawler's again
    after the spider's update_settings (CrawlerRunner.create_crawler). The
    process-local filter put back by it made a survivor drop, as requested
    before by itself, the articles a killed worker had taken: lost."""
    from scrapy.crawler import Crawler, CrawlerRunner

    from crawler.ops.distributed import RedisScheduler, SharedNewsCodeFilter

    def crawler_for(**cmdline) -> Crawler:
        settings = Settings(project_settings())
        settings.setdict({"REDIS_URL": "redis://127.0.0.1:1/0", **cmdline}, priority="cmdline")
        return CrawlerRunner(settings).create_crawler(Crawler(EtemadonlineSpider, settings))

    assert crawler_for().settings.getdict("SPIDER_MIDDLEWARES") == {SharedNewsCodeFilter: 600}
    local = crawler_for(SPIDER_MIDDLEWARES={"crawler.middlewares.NewsCodeFilterMiddleware": 600})
    with pytest.raises(ValueError, match="SharedNewsCodeFilter"):
        RedisScheduler.from_crawler(local)  # before it ever reaches Redis


def test_a_redis_blip_when_idle_is_no_verdict():
    """Closing on it would end the crawl as finished with work unfinished
    (the last worker out even deleting the queue and a dead worker's entry)."""
    from scrapy.exceptions import DontCloseSpider

    from crawler.ops.distributed import RedisScheduler

    class Unreachable:
        id = "host:1:abc"

        def idle(self):
            raise redis.ConnectionError("Connection reset by peer")

    scheduler = RedisScheduler.__new__(RedisScheduler)
    scheduler.queue, scheduler.workers, scheduler.listed_idle, scheduler.idle_since = [], Unreachable(), False, 1.0
    with pytest.raises(DontCloseSpider):
        scheduler.spider_idle(None)
    assert scheduler.listed_idle, "perhaps listed idle: listed busy again before the next request"
    assert scheduler.idle_since is None


# -- the Redis state keeps the SQLite state's promises ---------------------------------------------


def record(site="a.ir", code="1", url="https://a.ir/news/1", content_hash="h1", seen="2024-01-01T00:00:00+00:00"):
    return ArticleRecord(site, code, url, content_hash, None, seen, seen)


def test_state_records_survive_reopening_and_keep_first_seen(open_state):
    state = open_state()
    state.record([record()])
    state.record([record(content_hash="h2", seen="2024-02-01T00:00:00+00:00")])
    state.record([record(site="b.ir", code="7", url="https://b.ir/خبر/7")])
    state.close()
    again = open_state()
    got = again.get("a.ir", "1")
    assert (got.content_hash, got.first_seen, got.last_seen) == ("h2", "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00")
    assert got.canonical_url == "https://a.ir/news/1" and got.modified_at is None
    assert again.code_for_url("https://a.ir/news/1") == ("a.ir", "1")
    assert again.code_for_url("https://b.ir/خبر/7") == ("b.ir", "7")
    assert again.code_for_url("https://a.ir/news/2") is None
    assert again.get("a.ir", "2") is None and again.get("b.ir", "1") is None
    assert len(again) == 2


def test_state_near_duplicates_first_seen_wins(open_state):
    state = open_state()
    body = " ".join(f"واژه{i} در متن خبر شماره {i}" for i in range(120))
    fp = fingerprint(body)
    assert state.near_duplicate_of("a.ir", "1", fp) is None
    assert state.near_duplicate_of("a.ir", "1", fp) is None, "an article met again is not its own duplicate"
    assert state.near_duplicate_of("b.ir", "7", fp ^ 0b101) == ("a.ir", "1")
    assert state.near_duplicate_of("e.ir", "4", fp ^ ((1 << 64) - 1)) is None
    # Five bits apart (the most that counts), in one band or spread over all three: found.
    assert state.near_duplicate_of("h.ir", "3", fp ^ 0b11111) == ("a.ir", "1")
    assert state.near_duplicate_of("i.ir", "5", fp ^ (1 << 2 | 1 << 30 | 1 << 31 | 1 << 50 | 1 << 63)) == ("a.ir", "1")
    assert state.near_duplicate_of("j.ir", "6", fp ^ 0b111111 << 40) is None  # six from the first, more from the rest: none
    high = (1 << 64) - 12345
    assert state.near_duplicate_of("f.ir", "8", high) is None
    state.close()
    again = open_state()
    assert again.near_duplicate_of("c.ir", "9", fp) == ("a.ir", "1")
    assert again.near_duplicate_of("g.ir", "2", high) == ("f.ir", "8")


def test_a_near_duplicate_index_of_the_first_layout_is_rebuilt(open_state, tmp_path, request):
    # Layout 1 (until this version): 6 bands of 11, 11, 11, 11, 10, 10 bits, looked up exactly,
    # written here as that version wrote it. It is rebuilt once, and what it held is found.
    fp = 0x0123456789ABCDEF
    old_bands = [(n, fp >> offset & (1 << width) - 1) for n, (offset, width) in enumerate(zip((0, 11, 22, 33, 44, 54), (11, 11, 11, 11, 10, 10)))]
    if "sqlite" in request.node.callspec.id:
        db = sqlite3.connect(tmp_path / "state.sqlite3")
        db.executescript(
            "CREATE TABLE fingerprints (seq INTEGER PRIMARY KEY, site TEXT NOT NULL, news_code TEXT NOT NULL,"
            " fingerprint INTEGER NOT NULL, UNIQUE (site, news_code));"
            "CREATE TABLE fingerprint_bands (band INTEGER NOT NULL, value INTEGER NOT NULL, seq INTEGER NOT NULL);"
        )
        db.execute("INSERT INTO fingerprints VALUES (1, 'a.ir', '1', ?)", (fp,))
        db.executemany("INSERT INTO fingerprint_bands VALUES (?, ?, 1)", old_bands)
        db.commit()
        db.close()
    else:
        server = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        server.set("crawler:fp:seq", 1)
        server.hset("crawler:fp:keys", "a.ir 1", 1)
        server.hset("crawler:fp:entries", 1, f"a.ir 1 {fp}")
        for n, value in old_bands:
            server.sadd(f"crawler:fp:band:{n}:{value}", 1)
    state = open_state()
    assert state.near_duplicate_of("b.ir", "2", fp ^ 0b11111) == ("a.ir", "1")
    state.close()
    if "sqlite" in request.node.callspec.id:
        db = sqlite3.connect(tmp_path / "state.sqlite3")
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'fingerprint_bands'").fetchall() == []
        assert db.execute("PRAGMA user_version").fetchone() == (NearDuplicateIndex.LAYOUT,)
    else:
        assert list(server.scan_iter("crawler:fp:band:*")) == []
    assert open_state().near_duplicate_of("c.ir", "3", fp) == ("a.ir", "1")


def test_redis_claims_one_holder_until_recorded_released_or_lapsed(redis_url):
    def process(lease=3):
        return RedisState(redis.Redis.from_url(redis_url), lease=lease)

    one, two = process(), process()
    assert one.claim("a.ir", "1", "https://a.ir/1")
    assert not two.claim("a.ir", "1", None), "the code is held"
    assert not two.claim("a.ir", "2", "https://a.ir/1"), "so is the canonical URL"
    assert two.claim("a.ir", "3", None) and not one.claim("a.ir", "3", None)
    one.record([record(code="1", url="https://a.ir/1")])
    assert two.claim("a.ir", "1", "https://a.ir/1"), "recording let go of the claim"
    assert two.get("a.ir", "1") is not None, "and the claimant finds the article exported"
    two.release("a.ir", "1", "https://a.ir/1")
    assert one.claim("a.ir", "1", "https://a.ir/1")
    two.close()  # gives back its claim on 3
    assert one.claim("a.ir", "3", None)
    short = process(lease=0.2)
    assert short.claim("a.ir", "4", None)  # and then it dies
    assert not one.claim("a.ir", "4", None)
    time.sleep(0.3)
    assert one.claim("a.ir", "4", None), "a dead holder's claim lapses"


def test_sqlite_state_always_gives_the_claim(tmp_path):
    state = SqliteState(tmp_path / "state.sqlite3")
    assert state.claim("a.ir", "1", None) and state.claim("a.ir", "1", None)
    state.release("a.ir", "1", None)

"""The PostgreSQL sink: every exported article upserted into one table, exactly once.

Enabled by POSTGRES_DSN (a libpq connection string or URI; off by default);
needs psycopg 3: pip install '.[postgres]'. The pipeline creates its table
(POSTGRES_TABLE) and indexes when they are missing, and keeps one row per
(site, news_code): a version replaces the row only when it is newer, by
modified_at (none is older than any), then crawled_at.

Exactly once, with no change to the ledger: this pipeline is the last, and it
hands an article on to the export only once the transaction holding its row
has committed. The feed storage writes its line after that, and the ledger
(crawler.export.ledger) records the article in the crawl state only once the line
is on disk. So an article recorded as exported has its row committed; one
killed before that is not recorded, and the next run exports it again, which
upserts the same row again. Rows are written in groups, as lines are
fsynced (crawler.export.feeds): the articles that arrive within BATCH_DELAY seconds
(at most BATCH_ROWS) share one transaction, while each waits for it.

A database unreachable at start stops the run before anything is downloaded,
with one line (exit status 1 from `scrapy crawl`). One lost in the middle of
a run stops the run: the articles whose transaction failed, and those after,
are dropped before export, so they stay unrecorded and the next run sends
them again.
"""

from __future__ import annotations

import asyncio
import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import CloseSpider, DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.schema.article import field_names

logger = logging.getLogger(__name__)

BATCH_DELAY = 0.05  # seconds an article may wait for the others of its transaction
BATCH_ROWS = 100
CONNECT_TIMEOUT = 10  # seconds, unless the DSN says otherwise
COLUMNS = field_names()
KEY = ("site", "news_code")
JSON_COLUMNS = ("images", "duplicate_of", "field_sources")

# The table; {table} is a quoted identifier. Times are instants
# (timestamptz): a date without a time of day is 00:00 Tehran time, the
# session's time zone.
CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS {table} (
    site text NOT NULL,
    news_code text NOT NULL,
    schema_version smallint NOT NULL,
    url text NOT NULL,
    canonical_url text,
    published_at timestamptz NOT NULL,
    published_at_raw text,
    modified_at timestamptz,
    uptitle text,
    headline text NOT NULL,
    lead text,
    body text NOT NULL,
    source text,
    authors text[] NOT NULL,
    tags text[] NOT NULL,
    section text[] NOT NULL,
    images jsonb NOT NULL,
    language text NOT NULL,
    crawled_at timestamptz NOT NULL,
    content_hash text NOT NULL,
    duplicate_of jsonb,
    field_sources jsonb,
    PRIMARY KEY (site, news_code)
)
"""
INDEXED = ("published_at", "crawled_at", "canonical_url")  # each as index <table>_<column>
# A stored row is replaced only by a newer version.
UPSERT = """
INSERT INTO {table} AS stored ({columns}) VALUES ({values})
ON CONFLICT (site, news_code) DO UPDATE SET ({updated}) = ({excluded})
WHERE (coalesce(excluded.modified_at, '-infinity'), excluded.crawled_at)
    > (coalesce(stored.modified_at, '-infinity'), stored.crawled_at)
"""


def describe(dsn: str) -> str:
    """Where the DSN points, without its password."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(dsn)
    host = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    return f"{params.get('user', '') + '@' if params.get('user') else ''}{host}{port}/{params.get('dbname', '')}"


def first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class PostgresPipeline:
    def __init__(self, crawler, dsn: str, table: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.dsn = dsn
        self.table = table
        self.connection = None
        self.pending: list[tuple[tuple, asyncio.Future]] = []  # (row, told whether it committed)
        self.writer: asyncio.Task | None = None
        self.failure: str | None = None  # why the database is given up on

    @classmethod
    def from_crawler(cls, crawler):
        dsn = crawler.settings.get("POSTGRES_DSN")
        if not dsn:
            raise NotConfigured  # without a message, which Scrapy would log as a WARNING on every run
        return cls(crawler, dsn, crawler.settings.get("POSTGRES_TABLE", "articles"))

    async def open_spider(self, spider=None):
        try:
            import psycopg
        except ImportError:
            logger.error("POSTGRES_DSN is set but psycopg is not installed: pip install '.[postgres]'")
            raise CloseSpider("postgres_unavailable") from None
        from psycopg import sql

        try:
            where = describe(self.dsn)
        except psycopg.Error as e:
            logger.error("POSTGRES_DSN is not a connection string: %s", first_line(e))
            raise CloseSpider("postgres_unavailable") from None
        try:
            params = {} if "connect_timeout" in self.dsn else {"connect_timeout": CONNECT_TIMEOUT}
            self.connection = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True, **params)
        except psycopg.Error as e:
            logger.error("PostgreSQL unreachable (POSTGRES_DSN %s): %s", where, first_line(e))
            raise CloseSpider("postgres_unavailable") from None
        try:
            await self.connection.execute("SET TIME ZONE 'Asia/Tehran'")
            await self._create_missing(sql)
        except psycopg.Error as e:  # e.g. no right to create the table
            logger.error("PostgreSQL table %s not usable (POSTGRES_DSN %s): %s", self.table, where, first_line(e))
            await self.connection.close()
            raise CloseSpider("postgres_unavailable") from None
        self.upsert = sql.SQL(UPSERT).format(
            table=sql.Identifier(self.table),
            columns=sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
            values=sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS)),
            updated=sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS if c not in KEY),
            excluded=sql.SQL(", ").join(sql.SQL("excluded.") + sql.Identifier(c) for c in COLUMNS if c not in KEY),
        )
        logger.info("Upserting articles into PostgreSQL %s, table %s", where, self.table)

    async def _create_missing(self, sql) -> None:
        """The table and its indexes, those missing only: a role that may
        write rows but not create tables uses a table its owner made."""
        table = sql.Identifier(self.table)
        wanted = [(self.table, sql.SQL(CREATE_TABLE).format(table=table))] + [
            (f"{self.table}_{column}", sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                sql.Identifier(f"{self.table}_{column}"), table, sql.Identifier(column)))
            for column in INDEXED
        ]  # fmt: skip
        for name, create in wanted:
            cursor = await self.connection.execute("SELECT to_regclass(%s)", [sql.Identifier(name).as_string(self.connection)])
            if (await cursor.fetchone())[0] is None:
                await self.connection.execute(create)

    async def process_item(self, item, spider=None):
        if self.failure is None:
            done = asyncio.get_running_loop().create_future()
            self.pending.append((_row(ItemAdapter(item).asdict()), done))
            if self.writer is None or self.writer.done():
                self.writer = asyncio.ensure_future(self._write())
            if await done:
                return item
        self.stats.inc_value("postgres/unsent")
        raise DropItem(f"article {item['site']} {item['news_code']} not exported, PostgreSQL being lost: the next run sends it")

    async def _write(self) -> None:
        """Commits the waiting rows in transactions of BATCH_ROWS, each after
        BATCH_DELAY gathered them, and tells each article whether its row is in."""
        import psycopg

        while self.pending:
            if len(self.pending) < BATCH_ROWS:
                await asyncio.sleep(BATCH_DELAY)
            batch, self.pending = self.pending[:BATCH_ROWS], self.pending[BATCH_ROWS:]
            try:
                async with self.connection.transaction():
                    async with self.connection.cursor() as cursor:
                        await cursor.executemany(self.upsert, [row for row, _ in batch])
            except psycopg.Error as e:
                self._give_up(first_line(e))
                for _, done in batch + self.pending:
                    done.set_result(False)
                self.pending = []
                return
            self.stats.inc_value("postgres/committed", len(batch))
            self.stats.inc_value("postgres/transactions")
            for _, done in batch:
                done.set_result(True)

    def _give_up(self, reason: str) -> None:
        self.failure = reason
        self.stats.inc_value("postgres/lost")
        logger.error("PostgreSQL lost (POSTGRES_DSN %s): %s; stopping the run, the articles not committed stay unexported for the next run", describe(self.dsn), reason)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="postgres_unavailable"))

    async def close_spider(self, spider=None):
        if self.writer is not None:
            await self.writer
        if self.connection is not None:
            await self.connection.close()


def _row(article: dict) -> tuple:
    from psycopg.types.json import Jsonb

    return tuple(
        (Jsonb(article.get(c)) if article.get(c) is not None else None) if c in JSON_COLUMNS else article.get(c)
        for c in COLUMNS
    )

"""Scrapy settings. Everything here can be changed per run with `-s NAME=value`."""

from crawler import __version__
from crawler.schema.article import field_names

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# Identify the crawler to the sites; set your own contact with -s USER_AGENT="...".
USER_AGENT = f"iran-news-crawler/{__version__} (research crawler; +https://github.com/iran-news-crawler/iran-news-crawler)"

# Politeness.
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0  # seconds between requests to one site, before AutoThrottle adapts it
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Outputs of one response handled at once. An article page gives one item, and
# Scrapy starts this many tasks for every response: its default, 100, cost
# ~10% of a crawl's CPU (benchmarks/RESULTS.md, "Crawl").
CONCURRENT_ITEMS = 8
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30  # Iranian sites answer slowly from abroad
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

# Retries with backoff on rate limits and server errors (crawler.middlewares).
RETRY_TIMES = 4
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 520, 521, 522, 524]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 120.0
RETRY_AFTER_MAX = 600.0  # longest Retry-After honoured
# A host that has not answered once is given up on when a request to it runs
# out of retries, or this many seconds after its first attempt; a run none of
# whose start hosts answered then stops (crawler.ops.faults.Reach).
CRAWLER_UNREACHABLE_AFTER = 30.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # After Offsite (50) and RobotsTxt (100), so their rules apply as when recording;
    # robots.txt itself is fetched through this chain, so it is replayed too.
    "crawler.ops.warc.WarcReplayMiddleware": 110,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Faults counted, anti-bot pages stopped (crawler.ops.faults): after decompression
    # (590), before meta refreshes (580) and retries (550) act on an answer.
    "crawler.ops.faults.FaultMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.ops.faults.CappedCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.ops.faults.RedirectLoopMiddleware": 600,
    # Above every Scrapy middleware (HttpCompression 590 ... HttpCache 900): sees
    # responses as the downloader returns them, before decoding, redirects, retries.
    "crawler.ops.warc.WarcRecorderMiddleware": 950,
}
# Record every response into a WARC file: a path or a template with %(name)s and
# %(time)s, e.g. "warc/%(name)s/%(time)s.warc.gz" (crawler.ops.warc).
RECORD_WARC = None
# Serve every request from WARC files instead of the network: a path, a
# comma-separated list or a list, glob patterns allowed (crawler.ops.warc).
REPLAY_WARC = None

SPIDER_MIDDLEWARES = {"crawler.middlewares.NewsCodeFilterMiddleware": 600}

ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.DeduplicatePipeline": 300,
    "crawler.pipelines.NearDuplicatePipeline": 400,
    # Last: an article goes on to the export once its row is committed (crawler.export.postgres).
    "crawler.export.postgres.PostgresPipeline": 500,
}
DEDUP_STORE = "crawler.export.dedup.MemoryStore"  # within a run

# Across runs: the crawl state (crawler.export.state) remembers every exported article;
# incremental runs download and export only what it does not hold.
CRAWLER_STATE = ".crawler/state.sqlite3"  # ":memory:" forgets at the end of the run
# A SQLite state that is empty, truncated or not a database stops the run
# (exit 1). True sets such a file aside (<name>.broken-<time>) and starts a
# new state instead: every article is then exported again.
CRAWLER_STATE_RESET_BROKEN = False
# An article exported before whose text or update time changed, on a page
# fetched anyway: "skip" drops it, "export" writes a new line with its code.
CRAWLER_UPDATES = "skip"
# Flush each exported line to disk before the article counts as exported.
CRAWLER_FSYNC = True
# Record exported lines in groups (one fsync and one commit for the lines of
# SYNC_DELAY); distributed mode (REDIS_URL) turns it off: each line alone.
CRAWLER_GROUP_COMMIT = True
EXTENSIONS = {
    # Each crawl counts its own log lines, not the process's (crawler.ops.logcount): crawlall's verdicts.
    "scrapy.extensions.logcount.LogCount": None,
    "crawler.ops.logcount.SiteLogCount": -1,  # before Scrapy's, whose FeedExporter makes the ledger
    "crawler.export.ledger.ExportLedger": 500,
    "crawler.ops.monitor.LayoutMonitor": 510,
    "crawler.ops.faults.FaultReport": 520,
}
# Add `field_sources` (which extraction layer gave each field) to every exported line.
CRAWLER_EXPORT_FIELD_SOURCES = False
# Seconds of CPU time one article page's reading may take (crawler.extract.
# cpu_budget); a page past it is refused and counted as pages/bad/too_slow.
# Ordinary pages take milliseconds. 0 for no limit.
CRAWLER_EXTRACT_TIMEOUT = 10

# Distributed mode (crawler.ops.distributed): workers on many machines share one
# crawl through Redis, e.g. -s REDIS_URL=redis://host:6379/0 (scrapy-redis's
# setting; REDIS_PARAMS too). Unset, a crawl runs in this process alone.
REDIS_URL = None
# Seconds a worker's place in the crawl, and its claims on articles, outlive
# its last sign of life: how soon the others take over from a dead worker.
CRAWLER_LEASE = 60
# A worker stops once the shared queue has been empty and every worker idle
# this long (seconds; scrapy-redis's setting, 0 for never).
MAX_IDLE_TIME_BEFORE_CLOSE = 30

# Layout-change alarms (crawler.ops.monitor): an ERROR and exit status 1 when, in a
# run of at least CRAWLER_ALARM_MIN_PAGES pages, fewer exported articles than
# this share have a field (a Site's `coverage` overrides per field), or more
# article pages than CRAWLER_MAX_FAILED_SHARE give no exportable article.
# Required fields are not listed: exported articles always have them, and
# their loss shows in the failed share.
CRAWLER_COVERAGE_THRESHOLDS = {"lead": 0.5}
CRAWLER_MAX_FAILED_SHARE = 0.2
CRAWLER_ALARM_MIN_PAGES = 5

# Export: one JSON Lines file per run, readable UTF-8, under its final name only
# once the run has closed (written as <name>.part until then). Used when the
# run names no feed of its own (-o, -O or FEEDS replace it).
CRAWLER_OUTPUT = "data/%(name)s/%(time)s.jsonl"
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = list(field_names())
FEED_STORAGES = {
    "": "crawler.export.feeds.AtomicFileFeedStorage",
    "file": "crawler.export.feeds.AtomicFileFeedStorage",
}

# PostgreSQL sink (crawler.export.postgres): every exported article also upserted, one
# row per site and news code, into POSTGRES_TABLE, e.g.
# -s POSTGRES_DSN=postgresql://crawler@dbhost/news. Unset, no database is used.
POSTGRES_DSN = None
POSTGRES_TABLE = "articles"

# An unattended crawler needs no console or code-execution port.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_FORMATTER = "crawler.ops.logformatter.ConciseLogFormatter"
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

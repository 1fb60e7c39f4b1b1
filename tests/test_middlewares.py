from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

from scrapy.settings import Settings

from conftest import project_settings
from crawler.middlewares import BackoffRetryMiddleware, retry_after


def test_retry_after_header_forms():
    assert retry_after(b"120") == 120.0
    in_a_minute = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=60), usegmt=True)
    assert 55 <= retry_after(in_a_minute.encode()) <= 60
    assert retry_after(b"soon") is None and retry_after(None) is None
    # An HTTP date in "-0000" parses to a naive time: UTC, not a crash.
    naive = format_datetime(datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=60))
    assert naive.endswith("-0000") and 55 <= retry_after(naive.encode()) <= 60


def test_backoff_doubles_with_jitter_and_is_capped():
    middleware = BackoffRetryMiddleware(Settings(project_settings()))
    delays = [middleware.backoff(n, None) for n in (1, 2, 3, 4)]
    for n, delay in enumerate(delays, 1):
        assert 0.75 * 2.0 * 2 ** (n - 1) <= delay <= 1.25 * 2.0 * 2 ** (n - 1)
    assert middleware.backoff(20, None) == 120.0
    assert middleware.backoff(1, 7.0) == 7.0 and middleware.backoff(1, 10_000) == 600.0

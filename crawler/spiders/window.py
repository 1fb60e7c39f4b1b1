"""Date windows: which publication times a run wants.

    scrapy crawl isna -a since=1402-08-01 -a until=1402-08-30   # Jalali dates
    scrapy crawl isna -a since=2023-10-23                       # Gregorian
    scrapy crawl isna -a days=3                                 # the last three days

A date's year says its calendar (crawler.persian.dates). `until` given as a date
includes that whole day. Discovery uses the window to skip sitemaps, sitemap
entries and feed items dated outside it; articles whose own publication time
falls outside it are not exported (`articles/outside_window`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.persian.dates import TEHRAN, ParsedTime, parse_time


class WindowError(ValueError):
    pass


@dataclass(frozen=True)
class Window:
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_args(
        cls, since: str | None = None, until: str | None = None, days: str | int | None = None, now: datetime | None = None
    ) -> Window | None:
        if days is not None and since is not None:
            raise WindowError("give -a days or -a since, not both")
        start = _bound(since, "since", end_of_day=False)
        end = _bound(until, "until", end_of_day=True)
        if days is not None:
            start = _days_ago(days, now or datetime.now(TEHRAN))
        if start is None and end is None:
            return None
        if start and end and start > end:
            raise WindowError(f"since={since} is after until={until}" if since else f"until={until} is before the last {days} days")
        return cls(start, end)

    def may_contain(self, text: str | None) -> bool:
        """Whether a date written in discovery data (sitemap lastmod, feed
        pubDate) leaves the item possibly inside; undated items are kept."""
        parsed = parse_time(text)
        if parsed is None:
            return True
        # A day is kept if any moment of it is inside.
        return (self.since is None or _last_moment(parsed) >= self.since) and (self.until is None or parsed.value <= self.until)

    def may_hold(self, newest_change: str | None) -> bool:
        """Whether a sitemap whose newest change is dated `newest_change` may
        list items inside: not when that is before the window opens."""
        parsed = parse_time(newest_change)
        return parsed is None or self.since is None or _last_moment(parsed) >= self.since

    def describe(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _bound(text: str | None, name: str, *, end_of_day: bool) -> datetime | None:
    if text is None:
        return None
    parsed = parse_time(text)
    if parsed is None:
        raise WindowError(f"{name}={text!r} is not a date (Jalali 1400-09-01 or Gregorian 2021-11-22)")
    return _last_moment(parsed) if end_of_day else parsed.value


def _days_ago(days: str | float, now: datetime) -> datetime:
    try:
        n = float(days)
    except ValueError:
        raise WindowError(f"days={days!r} is not a number") from None
    if not n > 0:  # NaN too
        raise WindowError(f"days={days!r} is not a positive number of days")
    try:
        return now - timedelta(days=n)
    except OverflowError:  # past the year 1, or infinite
        raise WindowError(f"days={days!r} reaches back before the year 1") from None


def _last_moment(parsed: ParsedTime) -> datetime:
    """The time itself, or the last second of a day given without one."""
    return parsed.value if parsed.has_time else parsed.value + timedelta(days=1) - timedelta(seconds=1)

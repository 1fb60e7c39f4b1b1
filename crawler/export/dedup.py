"""Which articles were already exported: the interface deduplication uses,
and its in-memory implementation for one run.

Within one run only: what earlier runs exported is the crawl state's
(crawler.export.state). Another store implementing the same three methods can be
named by the `DEDUP_STORE` setting.
"""

from __future__ import annotations

from typing import Protocol


class SeenStore(Protocol):
    def add(self, key: str) -> bool:
        """Record `key`; True if it was not seen before."""

    def __contains__(self, key: str) -> bool: ...

    def close(self) -> None: ...


class MemoryStore:
    """Keys seen in this process; forgotten when the run ends."""

    def __init__(self) -> None:
        self._keys: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler) -> MemoryStore:
        return cls()

    def add(self, key: str) -> bool:
        if key in self._keys:
            return False
        self._keys.add(key)
        return True

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def close(self) -> None:
        self._keys.clear()


def article_keys(site: str, news_code: str | None, canonical_url: str | None) -> list[str]:
    """The identities of one article: its code on its site, then its canonical URL."""
    keys = [f"code:{site}:{news_code}"] if news_code else []
    if canonical_url:
        keys.append(f"url:{canonical_url}")
    return keys

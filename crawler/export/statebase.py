"""The crawl state's interface: what every backend stores (ArticleRecord) and
answers (CrawlState), below both implementations, the SQLite file
(crawler.export.state) and Redis (crawler.export.state_redis). Which one a crawl uses is
chosen by its settings (crawler.export.ledger.open_state); nothing else knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol

KNOWN_CHUNK = 500  # news codes per query of `known`


class StateError(Exception):
    """The crawl state cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class ArticleRecord:
    site: str
    news_code: str
    canonical_url: str | None
    content_hash: str
    modified_at: str | None
    first_seen: str
    last_seen: str

    @classmethod
    def from_article(cls, article: Mapping) -> ArticleRecord:
        return cls(
            site=article["site"],
            news_code=article["news_code"],
            canonical_url=article.get("canonical_url"),
            content_hash=article["content_hash"],
            modified_at=article.get("modified_at"),
            first_seen=article["crawled_at"],
            last_seen=article["crawled_at"],
        )


class CrawlState(Protocol):
    def get(self, site: str, news_code: str) -> ArticleRecord | None:
        """The exported article with this code on this site, if any."""

    def known(self, site: str, news_codes: Iterable[str]) -> set[str]:
        """Which of these codes of this site are of exported articles: what
        `get` tells of each, asked as one query per KNOWN_CHUNK codes (the
        news-code filter asks so for a sitemap's or a listing's links)."""

    def code_for_url(self, canonical_url: str) -> tuple[str, str] | None:
        """(site, news_code) of the exported article with this canonical URL."""

    def record(self, records: Iterable[ArticleRecord]) -> None:
        """Remember these articles as exported (first_seen kept, last_seen updated),
        and let go of this process's claims on them."""

    def claim(self, site: str, news_code: str, canonical_url: str | None) -> bool:
        """Reserve the article (its code and canonical URL) for this process to
        export; False while another process holds it. The claim of a process
        that dies lapses after a while (a lease)."""

    def release(self, site: str, news_code: str, canonical_url: str | None) -> None:
        """Give back a claim on an article this process will not export after all."""

    def near_duplicate_of(self, site: str, news_code: str, fingerprint: int) -> tuple[str, str] | None:
        """(site, news_code) of the first-seen other article whose body
        fingerprint (crawler.export.neardup) is within DEFAULT_MAX_DISTANCE bits of
        this one's; this one's is remembered too, as seen after those."""

    def close(self) -> None: ...


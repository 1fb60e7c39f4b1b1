"""Export and state: export files whose lines are on disk before they count
(feeds, partfiles), the ledger that records them in the crawl state
(ledger; statebase, the interface; state, SQLite; state_redis, Redis),
deduplication (dedup, neardup), and the other sinks (dataset, postgres).
docs/architecture.md shows how a page gets here."""

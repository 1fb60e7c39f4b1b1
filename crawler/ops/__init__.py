"""Operations around the crawl: one run at a time (lock), faults and the
verdict (faults), layout alarms (monitor), health across runs (report),
log lines per site (logcount, logformatter), WARC record and replay (warc),
distributed mode (distributed) and hints for mistyped names (usage)."""

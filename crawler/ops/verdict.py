"""Whether a run failed, and its main cause in words: the one verdict that
`scrapy crawl` and `scrapy crawlall` exit by (crawler.commands.crawlall.outcome),
that the run's manifest records (crawler.export.ledger) and that `scrapy
status` shows (crawler.ops.report).

A run failed when its host could not be reached (UNREACHABLE_STAT), the site
blocked the crawler (SITE_BLOCKED_STAT), it did not end normally
(NORMAL_ENDS), an export or the manifest could not be written, it raised a
layout alarm (crawler.ops.monitor), or it logged an ERROR (counted per site,
crawler.ops.logcount). The cause is the first of these, in that order: what
stopped or spoiled the run first.

Pure code: the run's final stats in, the verdict out. Every stat it reads is
final once the engine has stopped, when the manifest is written; only
`export/manifest_failed` comes after, and a run with that stat has no
manifest of its own to disagree with.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

from crawler.ops.faults import FAULT_KINDS, NORMAL_ENDS, SITE_BLOCKED_STAT, UNREACHABLE_STAT
from crawler.ops.monitor import ALARMS_STAT

WRITE_FAILED_STAT = "export/write_failed"  # crawler.export.ledger
MANIFEST_FAILED_STAT = "export/manifest_failed"  # crawler.export.ledger


class Verdict(NamedTuple):
    failed: bool
    cause: str  # "" when the run did not fail


def judge(stats: Mapping, alarms: Sequence[str] = ()) -> Verdict:
    """The verdict on a run from its final stats; `alarms` are the messages of
    its layout alarms (the stats count them; without the messages the cause
    gives their number)."""
    reason = stats.get("finish_reason", "not started")
    if stats.get(UNREACHABLE_STAT):
        return Verdict(True, f"cannot reach {stats[UNREACHABLE_STAT]}")
    if stats.get(SITE_BLOCKED_STAT):
        kinds = ", ".join(f"{k.removeprefix('pages/blocked/')} {n}" for k, n in sorted(stats.items()) if k.startswith("pages/blocked/"))
        return Verdict(True, f"the site blocks the crawler (anti-bot pages: {kinds})")
    if reason not in NORMAL_ENDS:
        return Verdict(True, f"finish reason {reason}")
    if stats.get(WRITE_FAILED_STAT):
        return Verdict(True, "its export could not be written whole (see the log)")
    if stats.get(MANIFEST_FAILED_STAT):
        return Verdict(True, "the run's manifest could not be written (see the log)")
    count = stats.get(ALARMS_STAT, 0)
    if count:
        if not alarms:
            return Verdict(True, f"{count} layout alarm{'' if count == 1 else 's'}")
        return Verdict(True, alarms[0] + (f" (and {count - 1} more alarms)" if count > 1 else ""))
    errors = stats.get("log_count/ERROR", 0)
    if errors:
        faults = {kind: stats[f"faults/{kind}"] for kind in FAULT_KINDS if stats.get(f"faults/{kind}")}
        worst = max(faults, key=faults.get, default=None)
        most = f", most faults {worst.replace('_', ' ')} ({faults[worst]})" if worst else ""
        return Verdict(True, f"{errors} error{'' if errors == 1 else 's'} logged{most}")
    return Verdict(False, "")

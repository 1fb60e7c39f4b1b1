"""What every speed benchmark prints with its numbers: the machine, the
versions, the date; the small statistics and memory readings they share; and
how a page is read as if its site were unknown (`unowned`)."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit, urlunsplit


def machine_facts(*packages: str) -> dict[str, str | int]:
    facts: dict[str, str | int] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count() or 0,
        "cpu": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        # Others' work on the machine slows every contender: compare ratios of one run.
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    for name in ("scrapy", "lxml", *packages):
        try:
            facts[name] = version(name)
        except PackageNotFoundError:
            facts[name] = "not installed"
    return facts


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_facts(facts: dict) -> None:
    print("  ".join(f"{k}={v}" for k, v in facts.items()))


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100), interpolated between the nearest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rss_kib(pid: int | str = "self") -> tuple[int, int]:
    """(current RSS, peak RSS) of a process in KiB, from /proc (Linux)."""
    current = peak = 0
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return current, peak


# A host no site module owns: a page's URL moved onto it, path kept, is read as
# `scrapy crawl news` and `scrapy extract` read a site with no module.
UNOWNED_HOST = "unlisted-news.example"


def unowned(url: str) -> str:
    """The URL on a host no site owns, its path and query kept."""
    return urlunsplit(urlsplit(url)._replace(netloc=UNOWNED_HOST, fragment=""))

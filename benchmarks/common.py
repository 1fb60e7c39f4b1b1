"""What every benchmark shares but its timing and serving (benchmarks/harness.py,
benchmarks/serve.py): its command line, the header it prints with its numbers
(the machine, the versions, the date, the load), the pages it reads (real
apart from those we wrote, as each page's metadata says), the small
statistics and memory readings, and how a page is read as if its site were
unknown (`unowned`)."""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib
import json
import logging
import os
import platform
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
PUBLIC_BENCHMARK = SHARED / "benchmarks" / "article-extraction"


def arguments(script: str, doc: str) -> argparse.ArgumentParser:
    """A benchmark's parser: `python -m benchmarks.<name>` as its usage, its
    docstring's first paragraph as its description. Call with __file__, __doc__."""
    return argparse.ArgumentParser(prog=f"python -m benchmarks.{Path(script).stem}", description=doc.split("\n\n")[0])


# Trafilatura and the libraries it brings log every doubt at WARNING.
TRAFILATURA_LOGGERS = ("trafilatura", "htmldate", "courlan")


def optional(module: str, install: str = "pip install -e '.[bench]'", quiet: Iterable[str] = ()) -> ModuleType | None:
    """The module a contender needs, or None, said on stderr, where it is not
    installed: that contender is left out. `quiet`: loggers raised to ERROR."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        print(f"{module} is not installed ({install}): left out", file=sys.stderr)
        return None
    for name in quiet:
        logging.getLogger(name).setLevel(logging.ERROR)
    return found


def machine_facts(*packages: str) -> dict[str, str | int]:
    facts: dict[str, str | int] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count() or 0,
        "cpu": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(terse=True),
        # Others' work on the machine slows every contender: compare ratios of one run.
        "load_average_1min": load_average()[0],
    }
    return facts | versions("scrapy", "lxml", *packages, missing="not installed")


def versions(*packages: str, missing: str | None = None) -> dict[str, str]:
    """Each package's installed version; one not installed is `missing`, or left out."""
    found = {}
    for name in packages:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            if missing is not None:
                found[name] = missing
    return found


def load_average() -> tuple[float, float, float]:
    """The machine's load over 1, 5 and 15 minutes."""
    one, five, fifteen = (round(x, 2) for x in os.getloadavg())
    return one, five, fifteen


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


# ---- pages ----

# A page's kind, as its metadata says: "real" (saved as a site served it) or
# written by us ("reconstructed", "synthetic"); only real pages say how an
# extractor does on the web, so results give them apart.
KINDS = ("real", "reconstructed", "synthetic")


@dataclass(frozen=True)
class Page:
    name: str  # <site>/<stem> for a fixture
    path: Path
    url: str
    kind: str
    meta: dict  # the fixture's metadata, the provenance row, or the ground truth

    @property
    def real(self) -> bool:
        return self.kind == "real"

    def read(self) -> bytes:
        data = self.path.read_bytes()
        return gzip.decompress(data) if self.path.suffix == ".gz" else data


def kind_of(meta: dict) -> str:
    """The page's kind; a page whose metadata names none is no real page."""
    return meta.get("kind") if meta.get("kind") in KINDS else "unlabelled"


def fixture_pages(fixtures: Path = FIXTURES) -> list[Page]:
    """Every tests/fixtures/<site>/<name>.html whose <name>.json gives its URL,
    drafts included (tests/fixtures/bad, pages made to be refused, left out)."""
    pages = []
    for meta_path in sorted(fixtures.glob("*/*.json")):
        html_path = meta_path.with_suffix(".html")
        if meta_path.parent.name == "bad" or not html_path.exists():
            continue
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("url"):
            pages.append(Page(f"{meta_path.parent.name}/{meta_path.stem}", html_path, meta["url"], kind_of(meta), meta))
    return pages


def shared_pages(folder: Path = SHARED / "pages") -> list[Page]:
    """The real pages of ../shared/pages listed in its PROVENANCE.tsv, at their
    original URL (none where ../shared is not there)."""
    provenance = folder / "PROVENANCE.tsv"
    if not provenance.exists():
        return []
    with provenance.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Page(f"shared/{row['file']}", folder / row["file"], row["original_url"], "real", row) for row in rows]


def public_benchmark_pages(folder: Path = PUBLIC_BENCHMARK) -> list[Page]:
    """The public article-extraction benchmark's pages (real, mostly English),
    each with its ground truth (`meta`: url, articleBody)."""
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    return [Page(key, folder / "html" / f"{key}.html.gz", item["url"], "real", item) for key, item in sorted(truth.items())]


# A host no site module owns: a page's URL moved onto it, path kept, is read as
# `scrapy crawl news` and `scrapy extract` read a site with no module.
UNOWNED_HOST = "unlisted-news.example"


def unowned(url: str) -> str:
    """The URL on a host no site owns, its path and query kept."""
    return urlunsplit(urlsplit(url)._replace(netloc=UNOWNED_HOST, fragment=""))

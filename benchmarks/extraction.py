"""Extraction speed on the fixtures, single process: ours against Trafilatura
and against the bare cost of parsing the page.

    python -m benchmarks.extraction               # 20 rounds over every fixture
    python -m benchmarks.extraction --rounds 3    # a quick smoke run
    python -m benchmarks.extraction --json

Pages: every tests/fixtures/<site>/<name>.html with a <name>.json giving its
URL (tests/fixtures/bad, pages made to be refused, left out). The figures are
given over all of them (what the targets are about), and, as the fixtures'
metadata says, for the real pages, the reconstructed one and the synthetic
ones (written by hand, mostly small) apart. Each round runs
every contender over every page, contenders interleaved page by page so that
a slower stretch of the machine hits them all alike, in an order shuffled
for every page (seeded: the same every run): a call runs slower right after
Trafilatura's, which evicts its code and data from the caches, and faster
right after a parse of the same page, so a fixed order favours some
(--fixed-order: ours right after Trafilatura, then lxml right after ours, as
the rounds before the seventh ran; benchmarks/RESULTS.md, "Extraction").
Every call is timed on its own. Pages per second = pages / the round's
total time (median round);
per-page times are each page's median over the rounds, and their median and
p90 over the pages are reported.

Contenders, each given the page as a crawl has it:
- ours: `crawler.extract.extract_article(bytes, url)`: decoding, parsing, all
  four layers, normalization;
- read_article: `crawler.extract.read_article(bytes, url)`, what a crawl
  calls: the page checks (crawler.extract.pagecheck) and the extraction;
- trafilatura: `trafilatura.extract(bytes, url=url)` (its defaults: main text
  only) and, closer to what ours does, with `with_metadata=True`;
- lxml: `lxml.html.fromstring(text)`, and parsel: `Selector(text=text)`: the
  bare parse, of text decoded once beforehand (decoding is not counted for
  them, so they are the harder baselines).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Callable

import lxml.html
from parsel import Selector

from benchmarks.common import FIXTURES, TRAFILATURA_LOGGERS, arguments, fixture_pages, machine_facts, optional, percentile, print_facts
from benchmarks.harness import interleaved, per_page
from crawler.extract import extract_article, read_article
from crawler.extract.html import decode_html

# What the brief's targets compare: ours at least this many times Trafilatura's
# rate, and within this factor of the bare lxml parse.
TARGET_VS_TRAFILATURA = 5.0
TARGET_VS_LXML = 3.0
# What a crawl calls, the page checks and the extraction, against the extraction alone.
TARGET_READ_VS_EXTRACT = 1.3


def load_pages(fixtures: Path = FIXTURES) -> list[tuple[str, bytes, str, str]]:
    """(name, bytes, decoded text, url) of every fixture page with a URL."""
    return [page[:4] for page in load_pages_with_kinds(fixtures)]


def load_pages_with_kinds(fixtures: Path = FIXTURES) -> list[tuple[str, bytes, str, str, str]]:
    """(name, bytes, decoded text, url, kind) of every fixture page with a URL;
    kind as its metadata says: real, reconstructed or synthetic."""
    pages = []
    for page in fixture_pages(fixtures):
        body = page.read()
        pages.append((page.name, body, decode_html(body), page.url, page.kind))
    return pages


def contenders(include_trafilatura: bool = True) -> dict[str, Callable[[bytes, str, str], object]]:
    found: dict[str, Callable[[bytes, str, str], object]] = {
        "ours": lambda body, text, url: extract_article(body, url),
        "read_article": lambda body, text, url: read_article(body, url),
        "lxml": lambda body, text, url: lxml.html.fromstring(text),
        "parsel": lambda body, text, url: Selector(text=text),
    }
    if include_trafilatura and (trafilatura := optional("trafilatura", quiet=TRAFILATURA_LOGGERS)):
        found["trafilatura"] = lambda body, text, url: trafilatura.extract(body, url=url)
        found["trafilatura+meta"] = lambda body, text, url: trafilatura.extract(body, url=url, with_metadata=True)
    return found


def summarize(pages, times) -> dict[str, dict]:
    out = {}
    for name, t in times.items():
        medians = list(per_page(t).values())
        out[name] = {
            "pages_per_second": len(pages) / statistics.median(t["rounds"]),
            "page_ms_median": percentile(medians, 50) * 1000,
            "page_ms_p90": percentile(medians, 90) * 1000,
            "page_ms_max": max(medians) * 1000,
        }
    ours = out["ours"]["pages_per_second"]
    for row in out.values():
        row["ours_speed_ratio"] = ours / row["pages_per_second"]  # >1: ours faster
    return out


def by_kind(pages, times) -> dict[str, dict]:
    """Per kind of page: how many, their bytes, and each contender's rate over
    them (pages over the median of their rounds' totals) and ours over it."""
    out = {}
    for kind in sorted({p[4] for p in pages}):
        names = [p[0] for p in pages if p[4] == kind]
        rates = {}
        for contender, t in times.items():
            rounds = [sum(t["pages"][n][i] for n in names) for i in range(len(t["rounds"]))]
            rates[contender] = len(names) / statistics.median(rounds)
        out[kind] = {
            "pages": len(names),
            "bytes": sum(len(p[1]) for p in pages if p[4] == kind),
            "pages_per_second": rates,
            "ours_speed_ratio": {c: rates["ours"] / r for c, r in rates.items()},
        }
    return out


def slowest_pages(times, name: str, n: int) -> list[tuple[str, float]]:
    return sorted(((page, seconds * 1000) for page, seconds in per_page(times[name]).items()), key=lambda kv: -kv[1])[:n]


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--rounds", type=int, default=20, help="passes over all pages (default 20)")
    parser.add_argument("--no-trafilatura", action="store_true", help="leave Trafilatura out")
    parser.add_argument(
        "--fixed-order", action="store_true", help="run the contenders in one order on every page (the first six rounds' method)"
    )
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)

    kinds = load_pages_with_kinds()
    pages = [page[:4] for page in kinds]
    runners = contenders(not args.no_trafilatura)
    times = interleaved(pages, runners, args.rounds, order="fixed" if args.fixed_order else "shuffled")
    result = {
        "machine": machine_facts("parsel", "trafilatura"),
        "pages": len(pages),
        "bytes": sum(len(p[1]) for p in pages),
        "rounds": args.rounds,
        "order": "fixed" if args.fixed_order else "shuffled",
        "contenders": summarize(pages, times),
        "by_kind": by_kind(kinds, times),
        "ours_slowest_pages_ms": slowest_pages(times, "ours", 5),
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print_facts(result["machine"])
    print(f"{result['pages']} pages, {result['bytes'] / 1024:.0f} KiB, {args.rounds} rounds, {result['order']} order\n")
    print(f"{'contender':<18}{'pages/s':>10}{'median ms':>11}{'p90 ms':>9}{'max ms':>9}{'ours ×':>9}")
    for name, row in result["contenders"].items():
        print(
            f"{name:<18}{row['pages_per_second']:>10.0f}{row['page_ms_median']:>11.2f}{row['page_ms_p90']:>9.2f}"
            f"{row['page_ms_max']:>9.2f}{row['ours_speed_ratio']:>9.2f}"
        )
    c = result["contenders"]
    print()
    if "trafilatura" in c:
        print(f"ours / trafilatura rate: {c['trafilatura']['ours_speed_ratio']:.1f}x (target >= {TARGET_VS_TRAFILATURA:g}x)")
    print(f"ours takes {1 / c['lxml']['ours_speed_ratio']:.1f}x the bare lxml parse (target <= {TARGET_VS_LXML:g}x)")
    print(
        f"read_article takes {c['read_article']['ours_speed_ratio']:.2f}x extract_article"
        f" (target <= {TARGET_READ_VS_EXTRACT:g}x on real pages)"
    )
    print("\nby kind of page (the targets are over all of them):")
    for kind, row in result["by_kind"].items():
        ratios = row["ours_speed_ratio"]
        against = f", {ratios['trafilatura']:.1f}x Trafilatura's rate" if "trafilatura" in ratios else ""
        print(
            f"  {kind:<14}{row['pages']:>3} page{'s' if row['pages'] != 1 else ''}, {row['bytes'] / 1024:>4.0f} KiB: ours {row['pages_per_second']['ours']:.0f} pages/s,"
            f" {1 / ratios['lxml']:.1f}x the lxml parse{against}; read_article {ratios['read_article']:.2f}x ours"
        )
    print("ours, slowest pages (ms):", ", ".join(f"{p} {ms:.1f}" for p, ms in result["ours_slowest_pages_ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

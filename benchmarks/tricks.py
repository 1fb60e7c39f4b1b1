"""What each remaining engine speed trick earns on the real pages: extract_article
over the 7 real fixture pages with the trick and without it.

    python -m benchmarks.tricks                          # CPU time, 100 rounds, each trick
    python -m benchmarks.tricks --trick regions --rounds 40
    python -m benchmarks.tricks --instructions           # valgrind's count instead (slow)

Tricks: `attribute-steps` (selectors.attribute_steps: a step testing one
attribute evaluated on the attributes; off, selectors are compiled as
written) and `regions` (a region found once a page; off, found again by
every selector that starts from it). CPU time (the thread's, so that other
processes on a shared machine count less than in wall time): in one process,
page by page, with and without in alternating order, garbage collection
outside the timed calls; the figure is the sum of each page's median. With
--instructions, callgrind counts a round in separate processes, with N
rounds and with none (as benchmarks.instructions does). A trick must earn
5% of extract_article's time to stay (benchmarks/RESULTS.md, "Extraction").
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from benchmarks.extraction import load_pages_with_kinds
from benchmarks.instructions import counted
from crawler.extract import extract_article, layers, selectors

_COMPILED = selectors._compiled
_FOUND_ONCE = layers.Regions.__getitem__


@cache
def _compiled_as_written(selector: str):
    rewrite, selectors.attribute_steps = selectors.attribute_steps, lambda xpath: xpath
    try:
        return _COMPILED.__wrapped__(selector)
    finally:
        selectors.attribute_steps = rewrite


def _found_every_time(self: layers.Regions, name: str) -> list:
    self._found.pop(name, None)
    return _FOUND_ONCE(self, name)


def _attribute_steps(on: bool) -> None:
    selectors._compiled = _COMPILED if on else _compiled_as_written


def _regions(on: bool) -> None:
    layers.Regions.__getitem__ = _FOUND_ONCE if on else _found_every_time


TRICKS = {"attribute-steps": _attribute_steps, "regions": _regions}


def real_pages() -> list[tuple[str, bytes, str]]:
    return [(name, body, url) for name, body, _, url, kind in load_pages_with_kinds() if kind == "real"]


def cpu_times(trick: str, rounds: int) -> dict[bool, float]:
    """Sum over the pages of each page's median CPU seconds, with the trick (True) and without."""
    pages, toggle, clock = real_pages(), TRICKS[trick], time.thread_time
    times: dict[tuple[str, bool], list[float]] = {(name, on): [] for name, _, _ in pages for on in (True, False)}
    for on in (True, False):  # warm-up: each way's compiled selectors
        toggle(on)
        for _, body, url in pages:
            extract_article(body, url)
    for i in range(rounds):
        for name, body, url in pages:
            for on in (True, False) if i % 2 == 0 else (False, True):
                toggle(on)
                gc.disable()
                start = clock()
                extract_article(body, url)
                times[name, on].append(clock() - start)
                gc.enable()
        gc.collect()
    toggle(True)
    return {on: sum(statistics.median(times[name, on]) for name, _, _ in pages) for on in (True, False)}


def rounds(off: str, n: int) -> None:
    """In the process valgrind runs (benchmarks.instructions.counted): warm
    up, then n rounds over the real pages, the trick named `off` off ("": none)."""
    if off:
        TRICKS[off](False)
    pages = real_pages()
    for _ in range(n + 1):
        for _, body, url in pages:
            extract_article(body, url)


def instructions(trick: str, n: int) -> dict[bool, float]:
    """Instructions a round, with the trick (True) and without."""
    runs = [(on, k) for on in (True, False) for k in (n, 0)]
    with ThreadPoolExecutor(2) as pool:
        found = dict(zip(runs, pool.map(lambda run: counted("" if run[0] else trick, run[1], "benchmarks.tricks"), runs)))
    return {on: (found[on, n] - found[on, 0]) / n for on in (True, False)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tricks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trick", choices=sorted(TRICKS), action="append", help="the trick to measure (default: each)")
    parser.add_argument("--rounds", type=int, help="passes over the pages (default 100; 3 with --instructions)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind, not CPU time")
    args = parser.parse_args(argv)
    for trick in args.trick or sorted(TRICKS):
        if args.instructions:
            found = instructions(trick, args.rounds or 3)
            unit, scale = "M instructions", 1e-6
        else:
            found = cpu_times(trick, args.rounds or 100)
            unit, scale = "ms CPU", 1e3
        print(
            f"{trick}: with {found[True] * scale:.2f}, without {found[False] * scale:.2f} {unit} a round of the"
            f" {len(real_pages())} real pages: it earns {1 - found[True] / found[False]:.1%} of extract_article's"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

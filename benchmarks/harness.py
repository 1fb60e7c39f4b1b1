"""How the benchmarks time: the order contenders take turns in, the best and
the median of rounds, contenders interleaved page by page, and the wall and
CPU seconds of a block, the CPU of child processes too.

On a machine others share, the speed moves between runs: compare contenders
timed in the same run, in an order that favours none (alternated or
shuffled), and read the best (the least disturbed) or the median round."""

from __future__ import annotations

import random
import resource
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
ORDERS = ("shuffled", "fixed")
clock = time.perf_counter  # a module name, so that tests can give a clock of their own


def in_turn(items: Sequence[T], turn: int) -> list[T]:
    """`items` in their order on even turns and reversed on odd ones: none is always first."""
    return list(items) if turn % 2 == 0 else list(items)[::-1]


def turns(items: Sequence[T], order: str = "shuffled", seed: int = 0) -> Iterator[list[T]]:
    """The order of `items` turn after turn: "fixed" (as given) or
    "shuffled" (a new order every turn, seeded: the same every run).
    (Alternating, `in_turn`, is for whole runs: turn by turn over the pages
    of a round, an even number of pages would give each page one order.) A contender runs slower right after one that evicts its code
    and data from the caches, and faster right after one that read the same
    page: a fixed order favours some."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    items = list(items)
    shuffle = random.Random(seed).shuffle
    while True:
        if order == "shuffled":
            shuffle(items)
        yield list(items)


def best_of(fn: Callable[[], Any], rounds: int) -> float:
    """The fewest seconds `fn()` took in `rounds` calls."""
    best = float("inf")
    for _ in range(rounds):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def interleaved(pages: Sequence[tuple], contenders: dict[str, Callable], rounds: int, order: str = "shuffled",
                seed: int = 0, warm_up: bool = True) -> dict[str, dict]:
    """Each contender called on every page (`run(*page[1:])`; page[0] is its
    name) in every round, contenders interleaved page by page in `turns`
    order, so that a slower stretch of the machine hits them all alike; every
    call timed on its own. Per contender: each round's total seconds
    ("rounds") and each page's seconds per round ("pages"). `warm_up` runs
    every contender over every page first, untimed (imports, caches)."""
    times = {name: {"rounds": [], "pages": {p[0]: [] for p in pages}} for name in contenders}
    if warm_up:
        for run in contenders.values():
            for _, *args in pages:
                run(*args)
    orders = turns(list(contenders.items()), order, seed)
    for _ in range(rounds):
        totals = dict.fromkeys(contenders, 0.0)
        for page_name, *args in pages:
            for name, run in next(orders):
                start = clock()
                run(*args)
                took = clock() - start
                totals[name] += took
                times[name]["pages"][page_name].append(took)
        for name, total in totals.items():
            times[name]["rounds"].append(total)
    return times


def per_page(timing: dict, pick: Callable[[list[float]], float] = statistics.median) -> dict[str, float]:
    """Each page's seconds over the rounds, from one contender's `interleaved`
    timing: their median, or with `pick=min` the best."""
    return {page: pick(seconds) for page, seconds in timing["pages"].items()}


class Clock:
    """Wall and CPU seconds of a block: `with Clock() as c: ...`, then
    `c.wall`, `c.cpu`. The CPU is this process's (all its threads), or with
    `children=True` that of its child processes that ended and were waited
    for within the block (what a benchmark that runs a command costs, beyond
    the benchmark itself)."""

    def __init__(self, children: bool = False) -> None:
        self.who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
        self.wall = self.cpu = 0.0

    def _cpu(self) -> float:
        usage = resource.getrusage(self.who)
        return usage.ru_utime + usage.ru_stime

    def __enter__(self) -> Clock:
        self._started = (clock(), self._cpu())
        return self

    def __exit__(self, *exc) -> None:
        wall, cpu = self._started
        self.wall, self.cpu = clock() - wall, self._cpu() - cpu

"""What bounding extraction costs (crawler.extract.read_article's budget and
attribute guard), and what the pathological pages of
tests/fixtures/bad/pathological.py cost now.

    python -m benchmarks.bounded              # 7 rounds
    python -m benchmarks.bounded --rounds 3

Pages: the fixtures (tests/fixtures, bad ones left out), the saved pages of
../shared/pages and the article-extraction benchmark's pages
(../shared/benchmarks/article-extraction/html), each as a crawl has it.
Each figure is a page's best of the rounds (the machine is shared: the best
is the least disturbed), then the median and mean over the pages.

- the guard: `html.long_tag_attributes(bytes)`, which every read_article runs;
- the budget: read_article with the default budget and without one, in
  alternate order page by page (two setitimer calls and one getsignal);
- the pathological pages: read_article's CPU time, once each.
"""

from __future__ import annotations

import runpy
import statistics

from benchmarks.common import FIXTURES, arguments, fixture_pages, machine_facts, print_facts, public_benchmark_pages, shared_pages
from benchmarks.harness import Clock, best_of, in_turn
from crawler.extract import read_article
from crawler.extract.html import long_tag_attributes

BUDGET = 10  # CRAWLER_EXTRACT_TIMEOUT's default


def all_pages() -> list[tuple[str, bytes, str]]:
    """(name, bytes, url) of every page: the shared pages at their site's home,
    the benchmark's at one URL, as if each were an article of an unknown site."""
    pages = [(p.name, p.read(), p.url) for p in fixture_pages()]
    pages += [(p.name, p.read(), f"https://{p.path.parent.name}/") for p in shared_pages()]
    pages += [(f"benchmark/{p.name}", p.read(), "https://example.com/news/1") for p in public_benchmark_pages()]
    return pages


def summary(label: str, seconds: list[float], unit: float = 1e6, name: str = "µs") -> None:
    print(f"  {label:<42} median {statistics.median(seconds) * unit:8.1f} {name}   mean {statistics.fmean(seconds) * unit:8.1f} {name}")


def main() -> None:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    print_facts(machine_facts())
    pages = all_pages()
    print(f"{len(pages)} pages, best of {rounds} rounds each")

    guard = [best_of(lambda: long_tag_attributes(body), rounds) for _, body, _ in pages]
    summary("guard (long_tag_attributes)", guard)

    with_budget, without = [], []
    for i, (_, body, url) in enumerate(pages):
        for times, budget in in_turn([(with_budget, BUDGET), (without, None)], i):
            times.append(best_of(lambda: read_article(body, url, budget=budget), rounds))
    summary("read_article, budget 10 s", with_budget, 1e3, "ms")
    summary("read_article, no budget", without, 1e3, "ms")

    print("pathological pages, read_article with the default budget (CPU seconds):")
    for name, page in runpy.run_path(str(FIXTURES / "bad/pathological.py"))["PAGES"].items():
        body = page()
        with Clock() as clock:
            reading = read_article(body, "https://example.com/news/1", budget=BUDGET)
        outcome = reading.problem.kind if reading.problem else "read"
        print(f"  {name:<26} {len(body) / 1e6:5.1f} MB  {clock.cpu:6.2f} s  {outcome}")


if __name__ == "__main__":
    main()

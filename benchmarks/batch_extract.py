"""iran-news-extract over a folder of 1,000 saved pages, as a researcher runs
it: the console script in a process of its own, start-up included.

    python -m benchmarks.batch_extract                  # 1,000 pages, 3 rounds
    python -m benchmarks.batch_extract --pages 200 --rounds 1

Pages: the real ones only (tests/fixtures/<site>/*.html whose metadata says
`real`, and ../shared/pages, listed in its PROVENANCE.tsv), copied round
robin under new names into a temporary folder until it holds --pages files.
Two folders are timed: one with a urls.tsv beside the pages (each page's URL
given), one without (each URL read from the page's canonical link or og:url;
pages naming none are reported, not extracted). The two alternate within
each round, the first one swapped every round, each with --jobs 1 (one
process) and with the default (a worker per CPU). Also timed: `--help` and
a one-page run (start-up). Wall-clock time, median of the rounds, and the
CPU time (user + system) of the processes: on a machine others share, the
wall-clock rate follows their load; pages per CPU-second do not.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import arguments, fixture_pages, machine_facts, print_facts, shared_pages
from benchmarks.harness import Clock, in_turn

SCRIPT = str(Path(sys.executable).with_name("iran-news-extract"))


def real_pages() -> list[tuple[Path, str]]:
    return [(page.path, page.url) for page in fixture_pages() + shared_pages() if page.real]


def folder(pages: list[tuple[Path, str]], count: int, with_urls: bool) -> Path:
    target = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    lines = []
    for i in range(count):
        source, url = pages[i % len(pages)]
        name = f"{i:04d}-{source.name}"
        shutil.copyfile(source, target / name)
        lines.append(f"{name}\t{url}\n")
    if with_urls:
        (target / "urls.tsv").write_text("".join(lines), "utf-8")
    return target


def timed(*args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, the last line on stderr) of a run."""
    with Clock(children=True) as clock:
        result = subprocess.run([SCRIPT, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return clock.wall, clock.cpu, result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


def main() -> None:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = real_pages()
    print_facts(machine_facts())
    print(f"{len(pages)} real pages, copied into folders of {args.pages}")
    folders = {"urls.tsv": folder(pages, args.pages, True), "canonical": folder(pages, args.pages, False)}
    runs = {
        "--help": ("--help",),
        "one page": (str(pages[0][0]),),
        **{f"{name}, jobs 1": ("--jobs", "1", "--input-dir", str(path)) for name, path in folders.items()},
        **{f"{name}, jobs {os.cpu_count()}": ("--input-dir", str(path)) for name, path in folders.items()},
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    summaries = {}
    try:
        for round_ in range(args.rounds):
            for name in in_turn(list(runs), round_):
                wall, cpu, summaries[name] = timed(*runs[name])
                times[name].append((wall, cpu))
    finally:
        for path in folders.values():
            shutil.rmtree(path)
    for name, values in times.items():
        wall, cpu = statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)
        rate = f"  {args.pages / wall:4.0f} pages/s, {args.pages / cpu:4.0f} per CPU-second" if "jobs" in name else ""
        rounds = ", ".join(f"{v[0]:.2f}" for v in values)
        print(f"{name:17} {wall:6.2f} s wall ({rounds}), {cpu:5.2f} s CPU{rate}  {summaries[name] if 'jobs' in name else ''}")


if __name__ == "__main__":
    main()

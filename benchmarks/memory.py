"""The crawl's memory over a long crawl: RSS of `scrapy crawl etemadonline`
sampled while it exports a local site of 50,000 articles.

    python -m benchmarks.memory                           # 50,000 articles
    python -m benchmarks.memory --articles 2000 --marks 500   # a quick smoke run
    python -m benchmarks.memory --tracemalloc             # and what grows, by line

The site and server are benchmarks/site.py's (nginx). Every --interval
seconds the crawl process's VmRSS (/proc/<pid>/status) is read, with the
number of articles exported so far (lines in the export's .part file). The
report gives RSS when the count first reaches each mark (10k, 20k, ...),
and the peak (VmHWM). With --tracemalloc, the crawl also runs the
benchmarks/memtrace.py extension, which logs the allocation sites that grew
most between marks (the crawl runs slower with it; its RSS is not the
crawl's alone then).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import arguments, machine_facts, print_facts, rss_kib
from benchmarks.crawl import no_throttle
from benchmarks.serve import free_port, serve
from benchmarks.site import build
from crawler import settings as project_settings

ROOT = Path(__file__).resolve().parent.parent


def crawl_command(base: str, work: Path, concurrency: int, fsync: bool, trace_every: int) -> list[str]:
    args = [
        sys.executable, "-m", "scrapy", "crawl", "etemadonline", "-a", f"base_url={base}",
        "-s", f"CRAWLER_STATE={work}/state.sqlite3", "-s", f"CRAWLER_OUTPUT={work}/out/%(name)s/%(time)s.jsonl",
        "-s", f"CRAWLER_FSYNC={int(fsync)}", "-s", f"LOG_FILE={work}/log",
        *no_throttle(concurrency),
    ]  # fmt: skip
    if trace_every:
        extensions = {**project_settings.EXTENSIONS, "benchmarks.memtrace.TracemallocDiff": 900}
        args += ["-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"MEMTRACE_EVERY={trace_every}"]
    return args


class LineCounter:
    """Lines in the growing export file, read incrementally."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = None
        self.offset = 0
        self.lines = 0

    def count(self) -> int:
        if self.file is None:
            found = sorted(self.folder.glob("*/*.jsonl.part"))
            if not found:
                return 0
            self.file = found[0].open("rb")
        chunk = self.file.read()
        self.lines += chunk.count(b"\n")
        return self.lines


def sample(proc: subprocess.Popen, counter: LineCounter, interval: float) -> list[dict]:
    samples = []
    start = time.monotonic()
    while proc.poll() is None:
        try:
            rss, peak = rss_kib(proc.pid)
        except (OSError, ValueError):  # the process is ending
            break
        samples.append({"seconds": time.monotonic() - start, "articles": counter.count(), "rss_mib": rss / 1024, "peak_mib": peak / 1024})
        time.sleep(interval)
    return samples


def at_marks(samples: list[dict], marks: list[int]) -> list[dict]:
    out = []
    for mark in marks:
        first = next((s for s in samples if s["articles"] >= mark), None)
        if first is not None:
            out.append({"mark": mark, **first})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--articles", type=int, default=50_000, help="site size (default 50000)")
    parser.add_argument("--marks", type=int, default=10_000, help="report RSS every this many articles (default 10000)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples (default 1)")
    parser.add_argument("--fsync", action="store_true", help="CRAWLER_FSYNC=1 (default 0: the run is shorter; memory is the same)")
    parser.add_argument("--tracemalloc", action="store_true", help="log what grew between marks (benchmarks/memtrace.py)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        tmp = Path(tmp)
        build(tmp / "site", args.articles, f"http://127.0.0.1:{port}")
        work = tmp / "run"
        work.mkdir()
        with serve(tmp / "site", port) as base:
            command = crawl_command(base, work, args.concurrency, args.fsync, args.marks if args.tracemalloc else 0)
            proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            samples = sample(proc, LineCounter(work / "out"), args.interval)
            stderr = proc.communicate()[1]
        if proc.returncode != 0:
            raise SystemExit(f"crawl failed ({proc.returncode}):\n{stderr[-3000:]}")
        exported = sum(1 for f in (work / "out").glob("*/*.jsonl") for _ in f.open("rb"))
        log = (work / "log").read_text("utf-8")
        traces = [line for line in log.splitlines() if "[memtrace]" in line] if args.tracemalloc else []

    marks = list(range(args.marks, args.articles + 1, args.marks))
    result = {
        "machine": machine_facts(),
        "articles": args.articles,
        "exported": exported,
        "fsync": args.fsync,
        "tracemalloc": args.tracemalloc,
        "at_marks": at_marks(samples, marks),
        "peak_mib": max((s["peak_mib"] for s in samples), default=None),
        "samples": samples,
        "memtrace": traces,
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print_facts(result["machine"])
    print(f"{exported:,} of {args.articles:,} articles exported, {len(samples)} samples, peak RSS {result['peak_mib']:.0f} MiB\n")
    print(f"{'articles':>9}{'seconds':>9}{'RSS MiB':>9}")

    def row(label: str, s: dict, note: str = "") -> None:
        print(f"{label:>9}{s['seconds']:>9.0f}{s['rss_mib']:>9.0f}{note}")

    if samples:
        row("start", samples[0])
    for mark in result["at_marks"]:
        row(f"{mark['mark']:,}", mark)
    last = samples[-1] if samples else None
    if last and (not result["at_marks"] or last["articles"] > result["at_marks"][-1]["articles"]):
        row(f"{last['articles']:,}", last, "  (last sample, closing)")
    for line in traces:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Whole-crawl speed: articles per second of `scrapy crawl etemadonline` over
a local site, against a bare Scrapy spider downloading the same article pages
in the same run.

    python -m benchmarks.crawl                        # 5,000 articles, nginx, fsync on and off
    python -m benchmarks.crawl --articles 300 --runs bare,fsync-off   # a quick smoke run

The site (benchmarks/site.py) is built in a temporary folder and served from
127.0.0.1 by nginx (or `--server python`); the server alone is measured
first with wrk. Then, one after the other against the same server:

- bare: benchmarks/bare_spider.py by `scrapy runspider`, outside the project
  (Scrapy's default settings), given the article URLs;
- fsync-on / fsync-off: the project's crawl, discovering the articles from
  robots.txt, the sitemaps, the feed and the home page, extracting,
  normalizing, validating, deduplicating and exporting them, with a fresh
  crawl state, CRAWLER_FSYNC=1 / 0;
- workers / workers-fsync-off: the same with CRAWLER_PROCESSES=--processes
  (pages read and bodies fingerprinted in worker processes, crawler.cpupool).

Both get `-s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0
-s CONCURRENT_REQUESTS=C -s CONCURRENT_REQUESTS_PER_DOMAIN=C`. The rate is
pages (bare) or exported articles (crawl) over Scrapy's own
elapsed_time_seconds (engine start to close); the process's wall time and CPU
time are shown too. Articles a crawl did not export exactly once are named.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import machine_facts, print_facts
from benchmarks.site import FIRST_CODE, build, free_port, measure_server, serve

ROOT = Path(__file__).resolve().parent.parent
RUNS = ("bare", "fsync-on", "fsync-off", "workers", "workers-fsync-off")
TARGET_SHARE_OF_BARE = 0.80
_STAT = re.compile(r"'(elapsed_time_seconds|response_received_count|articles/exported|item_scraped_count)': ([\d.]+)")


def no_throttle(concurrency: int) -> list[str]:
    return [
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s", "LOG_LEVEL=INFO",
    ]  # fmt: skip


def run_scrapy(args: list[str], cwd: Path, log: Path) -> dict:
    """Runs `python -m scrapy ...`; its final stats, wall and CPU seconds."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args, "-s", f"LOG_FILE={log}"], cwd=cwd, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"scrapy {' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}\n{log.read_text()[-3000:] if log.exists() else ''}")
    stats = {k: float(v) for k, v in _STAT.findall(log.read_text("utf-8"))}
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, **stats}


def bare(work: Path, urls_file: Path, concurrency: int, extra: list[str] = ()) -> dict:
    work.mkdir()
    spider = ROOT / "benchmarks" / "bare_spider.py"
    args = ["runspider", str(spider), "-a", f"urls={urls_file}", *no_throttle(concurrency), *extra]
    stats = run_scrapy(args, work, work / "log")
    stats["pages"] = stats.get("response_received_count", 0)
    return stats


def crawl(work: Path, base: str, concurrency: int, fsync: bool, extra: list[str] = ()) -> dict:
    work.mkdir()
    args = [
        "crawl", "etemadonline", "-a", f"base_url={base}",
        "-s", f"CRAWLER_STATE={work}/state.sqlite3", "-s", f"CRAWLER_OUTPUT={work}/out/%(name)s/%(time)s.jsonl",
        "-s", f"CRAWLER_FSYNC={int(fsync)}", *no_throttle(concurrency), *extra,
    ]  # fmt: skip
    stats = run_scrapy(args, ROOT, work / "log")
    stats["pages"] = stats.get("articles/exported", 0)
    return stats


def check_export(work: Path, expected: list[str]) -> list[str]:
    """The news codes not exported exactly once (each named in the log: why)."""
    counts = Counter(
        json.loads(line)["news_code"] for f in (work / "out").glob("*/*.jsonl") for line in f.open(encoding="utf-8")
    )
    return [code for code in expected if counts.get(code) != 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.crawl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="site size (default 5000)")
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS and ..._PER_DOMAIN (default 16)")
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"which, in order, comma-separated (default {','.join(RUNS)})")
    parser.add_argument("--repeat", type=int, default=1, help="times to do the runs (default 1)")
    parser.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) - 1), help="CRAWLER_PROCESSES of the workers runs (default: CPUs - 1)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting for every run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    extra = [arg for setting in args.set for arg in ("-s", setting)]
    runs = args.runs.split(",")
    if unknown := set(runs) - set(RUNS):
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")

    results: list[dict] = []
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        tmp = Path(tmp)
        urls = build(tmp / "site", args.articles, f"http://127.0.0.1:{port}")
        urls_file = tmp / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n", "utf-8")
        codes = [str(FIRST_CODE + i) for i in range(args.articles)]
        with serve(tmp / "site", port, args.server) as base:
            server_rps = measure_server(urls[0], 5, args.concurrency)
            for r in range(args.repeat):
                for name in runs:
                    work = tmp / f"{name}-{r}"
                    if name == "bare":
                        stats = bare(work, urls_file, args.concurrency, extra)
                    else:
                        workers = ["-s", f"CRAWLER_PROCESSES={args.processes}"] if name.startswith("workers") else []
                        stats = crawl(work, base, args.concurrency, fsync=not name.endswith("fsync-off"), extra=[*workers, *extra])
                        stats["not_exported_once"] = check_export(work, codes)
                        if stats["not_exported_once"]:
                            print(f"  {name}: NOT exported once: {' '.join(stats['not_exported_once'][:20])}; see the log", file=sys.stderr)
                    stats["rate"] = stats["pages"] / stats["elapsed_time_seconds"]
                    results.append({"run": name, "repeat": r, **stats})
                    print(f"  {name}: {stats['pages']:.0f} pages in {stats['elapsed_time_seconds']:.1f} s", file=sys.stderr)

    bare_rate = {x["repeat"]: x["rate"] for x in results if x["run"] == "bare"}
    for x in results:
        x["share_of_bare"] = x["rate"] / bare_rate[x["repeat"]] if x["repeat"] in bare_rate else None
    summary = {
        "machine": machine_facts("parsel"),
        "articles": args.articles,
        "concurrency": args.concurrency,
        "server": args.server,
        "settings": args.set,
        "processes": args.processes,
        "server_alone_requests_per_second": server_rps,
        "runs": results,
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print_facts(summary["machine"])
    print(f"{args.articles} articles, concurrency {args.concurrency}, server {args.server}: "
          + (f"{server_rps:.0f} requests/s alone (wrk)" if server_rps else "not measured alone (no wrk)"))
    print(f"\n{'run':<18}{'pages/s':>9}{'of bare':>9}{'elapsed s':>11}{'wall s':>8}{'cpu s':>7}{'cpu ms/page':>13}")
    for x in results:
        share = f"{x['share_of_bare']:.0%}" if x["share_of_bare"] else "-"
        print(
            f"{x['run']:<18}{x['rate']:>9.0f}{share:>9}{x['elapsed_time_seconds']:>11.1f}{x['wall_s']:>8.1f}"
            f"{x['cpu_s']:>7.1f}{x['cpu_s'] / x['pages'] * 1000:>13.2f}"
        )
    if bare_rate:
        # This VM's speed moves by a third between runs of the same code, so
        # the medians over all repeats say more than one repeat's pair.
        bare_median = statistics.median(bare_rate.values())
        print(f"\nmedians over {args.repeat} repeat(s): bare {bare_median:.0f} pages/s", end="")
        for name in dict.fromkeys(x["run"] for x in results if x["run"] != "bare"):
            median = statistics.median(x["rate"] for x in results if x["run"] == name)
            print(f"; {name} {median:.0f} ({median / bare_median:.0%})", end="")
        print(f"\ntarget: the crawl at >= {TARGET_SHARE_OF_BARE:.0%} of the bare spider's rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())

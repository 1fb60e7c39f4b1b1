"""Whole-crawl speed: articles per second of `scrapy crawl etemadonline` over
a local site, against a bare Scrapy spider downloading the same article pages
in the same run.

    python -m benchmarks.crawl                        # 5,000 articles, nginx, fsync on and off
    python -m benchmarks.crawl --articles 300 --runs bare,fsync-off   # a quick smoke run
    python -m benchmarks.crawl --pages real --runs bare,fsync-on      # the real pages, each site's own spider

The site (benchmarks/site.py) is built in a temporary folder and served from
127.0.0.1 by nginx (or `--server python`); the server alone is measured
first with wrk. Then, one after the other against the same server:

- bare: benchmarks/bare_spider.py by `scrapy runspider`, outside the project
  (Scrapy's default settings but for those below), given the article URLs;
- parse: the same spider parsing each page once as the crawl does, and
  nothing more: the floor under any crawl that reads its pages;
- fsync-on / fsync-off: the project's crawl, discovering the articles from
  robots.txt, the sitemaps, the feed and the home page, extracting,
  normalizing, validating, deduplicating and exporting them, with a fresh
  crawl state, CRAWLER_FSYNC=1 / 0;
- redis-workers: --processes scrapy-redis workers (REDIS_URL, a
  redis-server of its own) sharing each site's crawl, each a whole Scrapy
  process;
- processes: `scrapy crawlall --processes N` (N = --processes) over every
  site at once, one site per process at a time, each site with a state of
  its own.

All get `-s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0
-s CONCURRENT_REQUESTS=C -s CONCURRENT_REQUESTS_PER_DOMAIN=C` and the
project's CONCURRENT_ITEMS. With --repeat, every other repeat runs them in
the reverse order. The rate is pages (bare, parse) or exported articles (crawl)
over Scrapy's own elapsed_time_seconds (engine start to close; for
`processes`, the first site's start to the last one's close); the
process's wall time and CPU time are shown too, the CPU summed over the
run's processes (its children). CPU per article page is beyond start-up:
each kind of run is also timed on an empty site, and that is taken off
once per site crawled.

`--pages real`: the real saved pages (tests/fixtures, kind real, with a
numeric code), the first of each site (crawlall crawls a site once), each
copied --articles / sites times at its own site's URL shape and read by its
own site's spider (benchmarks/site.py, RealPageMaker), each site served on
a port of its own; but for `processes`, one site after another, the bare
spider fetching the same pages; the figures are summed over the sites. Articles a crawl did not export exactly once are
named (template pages only).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from benchmarks.common import arguments, machine_facts, print_facts
from benchmarks.harness import Clock, in_turn
from benchmarks.serve import free_port, measure_server, serve
from benchmarks.site import FIRST_CODE, RealPageMaker, build
from crawler import settings as project_settings

ROOT = Path(__file__).resolve().parent.parent
BARE_RUNS = ("bare", "parse")  # benchmarks/bare_spider.py, not a crawl of ours
RUNS = ("bare", "parse", "fsync-on", "fsync-off", "redis-workers", "processes")
TARGET_SHARE_OF_BARE = 0.80
# A one-process crawl's CPU per article page, over the bare spider's per page.
TARGET_CPU_OVER_BARE = 2.5
_TIME = re.compile(r"'(?:start|finish)_time': datetime\.datetime\(([\d, ]+\d)")
_STAT = re.compile(r"'(elapsed_time_seconds|response_received_count|articles/exported|item_scraped_count)': ([\d.]+)")


def no_throttle(concurrency: int) -> list[str]:
    """The settings every run gets, the bare spider too: no throttling, the
    same concurrency, and the project's CONCURRENT_ITEMS (Scrapy's default,
    100, made the bare spider 1.4-2.0x slower)."""
    return [
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
        "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s", f"CONCURRENT_ITEMS={project_settings.CONCURRENT_ITEMS}", "-s", "LOG_LEVEL=INFO",
    ]  # fmt: skip


def run_scrapy(args: list[str], cwd: Path, log: Path, failed_ok: bool = False) -> dict:
    """Runs `python -m scrapy ...`; its final stats, wall and CPU seconds.
    `failed_ok`: exit status 1, a crawl's FAILED verdict, is no error (real
    pages read by another site's spider raise its layout alarms)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with Clock(children=True) as clock:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", *args, "-s", f"LOG_FILE={log}"], cwd=cwd, env=env, capture_output=True, text=True
        )
    if proc.returncode not in ((0, 1) if failed_ok else (0,)):
        raise RuntimeError(f"scrapy {' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}\n{log.read_text()[-3000:] if log.exists() else ''}")
    stats = {k: float(v) for k, v in _STAT.findall(log.read_text("utf-8"))}
    return {"wall_s": clock.wall, "cpu_s": clock.cpu, **stats}


def bare(work: Path, urls_file: Path, concurrency: int, extra: list[str] = (), parse: bool = False) -> dict:
    work.mkdir()
    spider = ROOT / "benchmarks" / "bare_spider.py"
    args = ["runspider", str(spider), "-a", f"urls={urls_file}", *(["-a", "parse=1"] if parse else []), *no_throttle(concurrency), *extra]
    stats = run_scrapy(args, work, work / "log")
    stats["pages"] = stats.get("response_received_count", 0)
    return stats


def crawl(work: Path, spider: str, base: str, concurrency: int, fsync: bool, extra: list[str] = (), failed_ok: bool = False) -> dict:
    work.mkdir()
    args = [
        "crawl", spider, "-a", f"base_url={base}",
        "-s", f"CRAWLER_STATE={work}/state.sqlite3", "-s", f"CRAWLER_OUTPUT={work}/out/%(name)s/%(time)s.jsonl",
        "-s", f"CRAWLER_FSYNC={int(fsync)}", *no_throttle(concurrency), *extra,
    ]  # fmt: skip
    stats = run_scrapy(args, ROOT, work / "log", failed_ok)
    stats["pages"] = stats.get("articles/exported", 0)
    return stats


def redis_workers(work: Path, spider: str, base: str, concurrency: int, count: int, extra: list[str] = ()) -> dict:
    """`count` scrapy-redis workers on this machine sharing one crawl,
    each its own process and export folder, records in groups as the other
    runs' are: their exported articles summed, the longest engine time, CPU
    summed over them and the redis-server."""
    from tests.redisserver import redis_server

    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with Clock(children=True) as clock, redis_server(work / "redis") as url:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base}", "-s", f"REDIS_URL={url}",
                 "-s", f"CRAWLER_OUTPUT={work}/out-{i}/%(name)s/%(time)s.jsonl", "-s", "CRAWLER_GROUP_COMMIT=1",
                 "-s", "MAX_IDLE_TIME_BEFORE_CLOSE=1", "-s", f"LOG_FILE={work}/log-{i}", *no_throttle(concurrency), *extra],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for i in range(count)
        ]
        for proc in procs:
            proc.wait()
    logs = [dict((k, float(v)) for k, v in _STAT.findall((work / f"log-{i}").read_text("utf-8"))) for i in range(count)]
    return {
        "wall_s": clock.wall,
        "cpu_s": clock.cpu,
        "elapsed_time_seconds": max(log.get("elapsed_time_seconds", 0) for log in logs),
        "pages": sum(log.get("articles/exported", 0) for log in logs),
    }


def processes(work: Path, bases: dict[str, str], args, extra: list[str]) -> dict:
    """`scrapy crawlall --processes N` over every site at once (the sites in
    N processes, one site each at a time), each spider on its own mirror
    (benchmarks.mirrored_spiders), each site with its own state: its pages
    summed, its engine time from the first site's start to the last one's
    finish, its CPU that of all its processes."""
    work.mkdir()
    stats = run_scrapy(
        ["crawlall", *bases, "--processes", str(args.processes), "-s", "SPIDER_MODULES=benchmarks.mirrored_spiders",
         "-s", f"BENCH_BASE_URLS={json.dumps(bases)}", "-s", f"CRAWLER_STATE={work}/%(name)s.sqlite3",
         "-s", f"CRAWLER_OUTPUT={work}/out/%(name)s/%(time)s.jsonl", "-s", "CRAWLER_FSYNC=1", *no_throttle(args.concurrency), *extra],
        ROOT, work / "log", failed_ok=True,
    )  # fmt: skip
    log = (work / "log").read_text("utf-8")
    times = [datetime(*map(int, t.split(", "))) for t in _TIME.findall(log)]
    exported = [float(n) for n in re.findall(r"'articles/exported': (\d+)", log)]
    return {**stats, "elapsed_time_seconds": (max(times) - min(times)).total_seconds() if times else 0, "pages": sum(exported)}


def one_run(name: str, work: Path, spider: str, base: str, urls_file: Path, args, extra: list[str], failed_ok: bool = False) -> dict:
    if name in BARE_RUNS:
        return bare(work, urls_file, args.concurrency, extra, parse=name == "parse")
    if name == "redis-workers":
        return redis_workers(work, spider, base, args.concurrency, args.processes, extra)
    # Real pages read by their own spiders still raise alarms (a few fields a
    # site's spec misses on an old page), and an empty site's crawl fails.
    failed_ok = failed_ok or args.pages != "template"
    return crawl(work, spider, base, args.concurrency, fsync=name != "fsync-off", extra=extra, failed_ok=failed_ok)


def combined(results: list[dict], idle: dict[str, float], sites: int) -> list[dict]:
    """One row per run and repeat, summed over the sites: pages, seconds, CPU,
    and the CPU per article page beyond start-up (`idle`, once per site)."""
    rows: dict[tuple[str, int], dict] = {}
    for x in results:
        row = rows.setdefault((x["run"], x["repeat"]), {"run": x["run"], "repeat": x["repeat"], "not_exported_once": []})
        for key in ("pages", "article_pages", "elapsed_time_seconds", "wall_s", "cpu_s"):
            row[key] = row.get(key, 0) + x.get(key, 0)
        row["not_exported_once"] += x.get("not_exported_once", [])
    for row in rows.values():
        row["rate"] = row["pages"] / row["elapsed_time_seconds"]
        row["cpu_ms_per_article_page"] = (row["cpu_s"] - sites * idle[row["run"]]) / row["article_pages"] * 1000
    return list(rows.values())


def check_export(work: Path, expected: list[str]) -> list[str]:
    """The news codes not exported exactly once (each named in the log: why)."""
    counts = Counter(
        json.loads(line)["news_code"] for f in (work / "out").glob("*/*.jsonl") for line in f.open(encoding="utf-8")
    )
    return [code for code in expected if counts.get(code) != 1]


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--articles", type=int, default=5000, help="site size (default 5000)")
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS and ..._PER_DOMAIN (default 16)")
    parser.add_argument("--server", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--pages", choices=("template", "real"), default="template", help="the template, or the real saved pages each read by its own site's spider (benchmarks/site.py)")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"which, in order, comma-separated (default {','.join(RUNS)})")
    parser.add_argument("--repeat", type=int, default=1, help="times to do the runs (default 1)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2, help="processes of the redis-workers and processes runs (default: CPUs)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting for every run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    extra = [arg for setting in args.set for arg in ("-s", setting)]
    runs = args.runs.split(",")
    if unknown := set(runs) - set(RUNS):
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")

    results: list[dict] = []
    # (spider, real page, port): the template read by the Etemad Online
    # spider, or the real pages each read by its own site's spider, one page
    # a site (crawlall runs a site once), each site on a port of its own.
    if args.pages == "template":
        sites = [("etemadonline", None, free_port())]
    else:
        firsts = {m.spider: m for m in reversed(RealPageMaker.all(""))}
        sites = [(spider, m.source, free_port()) for spider, m in sorted(firsts.items())]
    per_site = args.articles // len(sites)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp, ExitStack() as servers:
        tmp = Path(tmp)
        served = []
        for n, (spider, meta, port) in enumerate(sites):
            base = f"http://127.0.0.1:{port}"
            urls = build(tmp / f"site-{n}", per_site, base, meta and RealPageMaker(meta, base))
            (tmp / f"urls-{n}.txt").write_text("\n".join(urls) + "\n", "utf-8")
            served.append(servers.enter_context(serve(tmp / f"site-{n}", port, args.server)))
        server_rps = measure_server(urls[0], 5, args.concurrency)
        codes = [str(FIRST_CODE + i) for i in range(per_site)]
        for r in range(args.repeat):
            for name in in_turn(runs, r):
                if name == "processes":
                    stats = processes(tmp / f"{name}-{r}", dict(zip((s[0] for s in sites), served)), args, extra)
                    results.append({"run": name, "repeat": r, "site": "all", "article_pages": per_site * len(sites), **stats})
                    print(f"  {name}: {stats['pages']:.0f} pages in {stats['elapsed_time_seconds']:.1f} s", file=sys.stderr)
                    continue
                for n, (spider, meta, _) in enumerate(sites):
                    stats = one_run(name, tmp / f"{name}-{n}-{r}", spider, served[n], tmp / f"urls-{n}.txt", args, extra)
                    if meta is None:
                        stats["not_exported_once"] = check_export(tmp / f"{name}-{n}-{r}", codes) if name not in BARE_RUNS else []
                        if stats["not_exported_once"]:
                            print(f"  {name}: NOT exported once: {' '.join(stats['not_exported_once'][:20])}; see the log", file=sys.stderr)
                    results.append({"run": name, "repeat": r, "site": spider, "article_pages": per_site, **stats})
                    print(f"  {spider} {name}: {stats['pages']:.0f} pages in {stats['elapsed_time_seconds']:.1f} s", file=sys.stderr)
        # What a run costs with nothing to fetch (start-up, discovery of an
        # empty site), taken off each run's CPU once per site crawled: real
        # pages are crawled one site at a time, and start-up would otherwise
        # weigh on each.
        empty = tmp / "site-empty"
        port = free_port()
        build(empty, 0, f"http://127.0.0.1:{port}")
        (tmp / "urls-empty.txt").write_text("", "utf-8")
        idle = {}
        with serve(empty, port, args.server) as base:
            for name in runs:
                if name == "processes":  # all sites at once: its start-up per site
                    idle[name] = processes(tmp / f"{name}-empty", {s[0]: base for s in sites}, args, extra)["cpu_s"] / len(sites)
                else:
                    idle[name] = one_run(name, tmp / f"{name}-empty", sites[0][0], base, tmp / "urls-empty.txt", args, extra, failed_ok=True)["cpu_s"]
    results = combined(results, idle, len(sites))
    bare_rate = {x["repeat"]: x["rate"] for x in results if x["run"] == "bare"}
    bare_cpu = {x["repeat"]: x["cpu_ms_per_article_page"] for x in results if x["run"] == "bare"}
    for x in results:
        x["share_of_bare"] = x["rate"] / bare_rate[x["repeat"]] if x["repeat"] in bare_rate else None
        x["cpu_over_bare"] = x["cpu_ms_per_article_page"] / bare_cpu[x["repeat"]] if x["repeat"] in bare_cpu else None
    summary = {
        "machine": machine_facts("parsel"),
        "articles": args.articles,
        "concurrency": args.concurrency,
        "server": args.server,
        "pages": args.pages,
        "settings": args.set,
        "processes": args.processes,
        "server_alone_requests_per_second": server_rps,
        "runs": results,
    }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print_facts(summary["machine"])
    print(f"{args.articles} articles ({args.pages} pages), concurrency {args.concurrency}, server {args.server}: "
          + (f"{server_rps:.0f} requests/s alone (wrk)" if server_rps else "not measured alone (no wrk)"))
    print(f"\n{'run':<18}{'pages/s':>9}{'of bare':>9}{'elapsed s':>11}{'wall s':>8}{'cpu s':>7}{'cpu ms/article page':>21}{'x bare':>8}")
    for x in results:
        share = f"{x['share_of_bare']:.0%}" if x["share_of_bare"] else "-"
        over = f"{x['cpu_over_bare']:.2f}" if x["cpu_over_bare"] else "-"
        print(
            f"{x['run']:<18}{x['rate']:>9.0f}{share:>9}{x['elapsed_time_seconds']:>11.1f}{x['wall_s']:>8.1f}"
            f"{x['cpu_s']:>7.1f}{x['cpu_ms_per_article_page']:>21.2f}{over:>8}"
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
        for name in dict.fromkeys(x["run"] for x in results if x["run"] != "bare"):
            median = statistics.median(x["cpu_over_bare"] for x in results if x["run"] == name)
            floor = " (the floor: no crawl of ours)" if name in BARE_RUNS else ""
            print(f"{name}{floor}: CPU per article page {median:.2f}x the bare spider's (median)", end="; ")
        print(f"target for a one-process crawl: <= {TARGET_CPU_OVER_BARE:g}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

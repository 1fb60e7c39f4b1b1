"""scrapy crawlall [SPIDER | family:NAME ...]: many sites, in one process or N.

Without arguments every site spider runs; names and `family:<name>` choose.
Each site writes its own export (CRAWLER_OUTPUT, one folder per spider), and
`-a` arguments (a date window, say) go to every spider. At the end a summary
line per site, judged on that site's own stats and log lines
(crawler.ops.logcount) by the verdict its manifest records (crawler.ops.verdict);
the exit status is 1 when any site failed, or was never started, or when
errors were logged that no site can be blamed for.

`-o`/`-O` (and FEEDS, CRAWLER_OUTPUT) must give each site its own folder,
with `%(name)s` in the folder's path: one file written by several sites at
once would interleave their lines, and its folder's `.part` recovery,
manifests and lock would be shared too. RECORD_WARC must give each its own
file (a WARC file has one writer: crawler.ops.warc). Otherwise a usage
error, one line, as for an unknown site or family.

`--processes N` (default 1: all sites in this process, at once) runs the
sites in N processes, one site per process at a time, each an ordinary
`scrapy crawl SITE` with this run's -a arguments and command-line settings:
a CPU-bound crawl of many sites uses N cores (benchmarks/RESULTS.md,
"Crawl"). A crawl state serves one process, so each site needs its own
(CRAWLER_STATE with %(name)s, or REDIS_URL). Each child reports its stats
through a file (RESULT_ENV); one that ends without (killed, crashed) is its
site's failure. A site's state that does not exist yet starts with the
site's rows of the project's shared state (`seed_site_states`). SIGINT and
SIGTERM stop the children as a Scrapy crawl stops, once however many they
get (`run_processes`, `stop_once`); crawlall's second forces them; no site
starts after.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from scrapy.commands import BaseRunSpiderCommand
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.project import get_project_settings

from crawler.commands import check_spider_arguments, usage_error
from crawler.export.partfiles import write_atomically
from crawler.export.state import seed
from crawler.export.statebase import StateError
from crawler.ops import logcount
from crawler.ops.faults import fault_counts
from crawler.ops.lock import LockHeld, hold_lock
from crawler.ops.monitor import ALARMS_STAT
from crawler.ops.usage import did_you_mean
from crawler.ops.verdict import Verdict, judge
from crawler.sites import all_sites, site_named

logger = logging.getLogger(__name__)

# A run refused before it started: another run holds its state, or the state
# file is broken. Its one-line message is all there is to say.
REFUSALS = (LockHeld, StateError)

# Where a `scrapy crawl` started by `crawlall --processes` writes its result (crawler.commands.crawl).
RESULT_ENV = "CRAWLALL_RESULT"
# What crawlall sends its sites' processes on its second SIGINT or SIGTERM: stop now (stop_once).
FORCE_SIGNAL = signal.SIGUSR1
# Seconds between two looks at the sites' processes (run_processes).
POLL_INTERVAL = 0.1


def choose_sites(command: str, args: list[str]) -> list[str]:
    """The sites named (all without names); a usage error for a name that is
    neither a site spider nor `family:` and a family's name."""
    sites = all_sites()
    if not args:
        return [s.name for s in sites]
    families = sorted({s.family.name for s in sites})
    chosen: list[str] = []
    for arg in args:
        if arg.startswith("family:"):
            family = arg.removeprefix("family:")
            names = [s.name for s in sites if s.family.name == family]
            if not names:
                usage_error(command, f"no family {family!r}; {did_you_mean(family, families)}known: {', '.join(families)}")
        elif arg in {s.name for s in sites}:
            names = [arg]
        else:
            usage_error(command, f"no site spider {arg!r}; {did_you_mean(arg, [s.name for s in sites])}`scrapy list` names them")
        chosen.extend(n for n in names if n not in chosen)
    return chosen


def outcome(stats: dict, alarms: Sequence[str] = ()) -> tuple[Verdict, str]:
    """The run's verdict (crawler.ops.verdict, which its manifest records too)
    and its summary line; `scrapy crawl` judges by it too."""
    verdict = judge(stats, alarms)
    summary = (
        f"{'FAILED' if verdict.failed else 'ok':6} exported {stats.get('articles/exported', 0):5}"
        f"  dropped {stats.get('articles/dropped/invalid', 0):4}  errors {stats.get('log_count/ERROR', 0):3}"
        f"  alarms {stats.get(ALARMS_STAT, 0):2}  blocked {fault_counts(stats)['blocked']:4}"
        f"  pages {stats.get('response_received_count', 0):5}  finish {stats.get('finish_reason', 'not started')}"
    )
    return verdict, summary


def shared_outputs(settings, processes: int) -> list[str]:
    """The run's outputs that would be one file (or folder) for several sites:
    those whose folder does not vary with %(name)s. Standard output takes whole
    lines from each site of one process, so it may be shared there; from
    several processes, each writing through its own buffer, lines could mix."""
    uris = settings.getdict("FEEDS") or [settings["CRAWLER_OUTPUT"]]
    stdout = ("-", "stdout:") if processes == 1 else ()
    return [uri for uri in uris if uri not in stdout and "%(name)s" not in uri.rpartition("/")[0]]


def start(process, crawlers: list, spargs: dict) -> dict:
    """Runs the crawlers to their end. Returns the refusal message of each one
    refused before it started (REFUSALS); any other exception that stopped a
    start is logged with its traceback, as asyncio would have."""
    refused = {}

    def done(task, crawler):
        error = None if task.cancelled() else task.exception()
        if isinstance(error, REFUSALS):
            refused[crawler] = str(error)
        elif error is not None:
            logger.error("%s could not start", crawler.spidercls.name, exc_info=error)

    # The worker pool it sized is gone (benchmarks/RESULTS.md, "Crawl"); an operator's settings may still
    # set it. Told once a process, not once a site, as Scrapy's CrawlerProcess tells of its retired DNS_RESOLVER.
    if process.settings.get("CRAWLER_PROCESSES") is not None:
        logger.warning("CRAWLER_PROCESSES is no longer used: pages are read in the crawl's process; `scrapy crawlall --processes N` runs the sites in N processes")
    for crawler in crawlers:
        process.crawl(crawler, **spargs).add_done_callback(lambda task, crawler=crawler: done(task, crawler))
    if os.environ.get(RESULT_ENV):
        stop_once(process)
        process.start(install_signal_handlers=False)
    else:
        process.start()
    return refused


def stop_once(process) -> None:
    """The signal handlers of a `scrapy crawl` started by `crawlall --processes`:
    SIGINT and SIGTERM, however many, stop it gracefully, once; FORCE_SIGNAL
    (crawlall's, on its own second signal) forces it. Scrapy's own would take
    a second SIGTERM for an order to force the stop, and one stop often
    brings two: `systemctl stop` signals every process of the unit, a
    terminal's Ctrl-C the whole process group, and crawlall passes its own on
    to the sites it may be the only one to have reached."""
    from twisted.internet import reactor

    stopping = []

    def graceful(signum):
        logger.info("Received %s, shutting down gracefully (once: crawlall forces the stop on its next signal)", signal.Signals(signum).name)
        deferred_from_coro(process.stop())

    def force():
        logger.info("crawlall received a second signal: forcing unclean shutdown")
        with contextlib.suppress(RuntimeError):  # stopped already
            reactor.stop()

    def stop(signum, frame):
        # Nothing logged here: the interrupted code may be writing to the same stream.
        if signum == FORCE_SIGNAL:
            reactor.callFromThread(force)
        elif not stopping:
            stopping.append(signum)
            reactor.callFromThread(graceful, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, FORCE_SIGNAL):
        signal.signal(signum, stop)


def write_result(stats: dict, refused: str | None) -> None:
    """A `scrapy crawl` started by `crawlall --processes` (RESULT_ENV set):
    its stats, or why it was refused, for crawlall's summary."""
    if path := os.environ.get(RESULT_ENV):
        write_atomically(Path(path), json.dumps({"stats": stats, "refused": refused}, default=str).encode("utf-8"))


def child_command(name: str, spargs: dict, settings) -> list[str]:
    """`scrapy crawl NAME` with this run's -a arguments and command-line settings (-s, -o/-O, -L, --logfile)."""
    command = [sys.executable, "-m", "scrapy", "crawl", name]
    for k, v in spargs.items():
        command += ["-a", f"{k}={v}"]
    for key in settings:
        if settings.getpriority(key) == SETTINGS_PRIORITIES["cmdline"]:
            value = settings[key]
            value = value.copy_to_dict() if isinstance(value, BaseSettings) else value
            command += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return command


def run_processes(names: list[str], processes: int, command) -> dict[str, tuple[dict, str | None, str | None]]:
    """Runs `command(name)` for each site, `processes` at a time. For each
    site: its stats, its refusal, and how its process ended when that was not
    with a result. The children stay in this process group: a terminal's
    Ctrl-C and systemd's stop reach them, and SIGINT or SIGTERM sent to this
    process alone are passed on; they stop once however many they get
    (`stop_once`). A second signal here forces them (FORCE_SIGNAL). The
    signal handler only notes the signal, and the loop checks each child
    through its Popen, which alone reaps it: a child reaped by another call
    would be lost to the loop."""
    ended: dict[str, tuple[dict, str | None, str | None]] = {}
    waiting, running, stopping = list(names), {}, []
    passed_on = 0  # signals in `stopping` passed on to the children

    def stop(signum, frame):
        stopping.append(signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with tempfile.TemporaryDirectory(prefix="crawlall-") as results:
            while running or (waiting and not stopping):
                while waiting and len(running) < processes and not stopping:
                    name = waiting.pop(0)
                    env = {**os.environ, RESULT_ENV: os.path.join(results, f"{name}.json")}
                    child = subprocess.Popen(command(name), env=env)
                    running[child.pid] = (name, child)
                    logger.info("%s started, process %d", name, child.pid)
                time.sleep(POLL_INTERVAL)
                if len(stopping) > passed_on:  # signals between two looks count as one
                    passed_on, first = len(stopping), not passed_on
                    signum = stopping[-1] if first else FORCE_SIGNAL
                    logger.info(
                        "%s: %s %d sites, starting no other", signal.Signals(stopping[-1]).name,
                        "stopping" if first else "forcing the stop of", len(running),
                    )  # fmt: skip
                    for name, child in running.values():
                        child.send_signal(signum)
                for pid, (name, child) in list(running.items()):
                    if child.poll() is None:
                        continue
                    del running[pid]
                    code = child.returncode
                    result = Path(results, f"{name}.json")
                    if result.exists() and code in (0, 1):
                        done = json.loads(result.read_text("utf-8"))
                        ended[name] = (done["stats"], done["refused"], None)
                    else:
                        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
                        logger.error("%s: its process %d %s, without a result", name, pid, how)
                        ended[name] = ({}, None, f"its process {how}")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return ended


def seed_site_states(settings, names: list[str]) -> None:
    """A state per site (CRAWLER_STATE with %(name)s) that does not exist yet
    starts as a copy of the site's rows in the project's state, shared by all
    sites (the CRAWLER_STATE of its settings: `.crawler/state.sqlite3`), when
    that holds any: a deployment that moves to `--processes` goes on where
    its plain runs left off, where empty states would export every article
    again. Under the shared state's lock: while a run still uses that
    state, this one is refused (LockHeld)."""
    template, shared = settings["CRAWLER_STATE"], get_project_settings()["CRAWLER_STATE"]
    if settings.get("REDIS_URL") or "%(name)s" not in template or shared == ":memory:" or "%(name)s" in shared:
        return
    new = {name: Path(template.replace("%(name)s", name)) for name in names}
    new = {name: path for name, path in new.items() if not path.exists()}
    if not new or not Path(shared).exists():
        return
    lock = hold_lock(shared, "crawl state")
    try:
        for name, path in new.items():
            if copied := seed(path, Path(shared), site_named(name).domain):
                logger.info("%s: its crawl state %s starts with the %d articles the shared state %s holds of it", name, path, copied, shared)
    finally:
        lock.release()


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] [SPIDER | family:NAME ...]"

    def short_desc(self) -> str:
        return "Run many site spiders, in one process or N, each with its own export, and summarize"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--processes", metavar="N", default="1", help="run the sites in N processes, one site each at a time (default 1: all in this one)")

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        given = opts.processes
        opts.processes = int(given) if given.isdigit() else 0
        if opts.processes < 1:
            usage_error("crawlall", f"--processes takes a number of processes, 1 or more, not {given!r}")
        names = opts.sites = choose_sites("crawlall", args)
        check_spider_arguments("crawlall", self.settings, names, opts.spargs)
        state = self.settings["CRAWLER_STATE"]
        if min(opts.processes, len(names)) > 1 and not self.settings.get("REDIS_URL") and state != ":memory:" and "%(name)s" not in state:
            usage_error(
                "crawlall", f"--processes {opts.processes}: the crawl state {state} would be one for {len(names)} sites' processes,"
                " and it serves one; give each site its own with %(name)s, e.g. -s 'CRAWLER_STATE=.crawler/%(name)s.sqlite3'",
            )  # fmt: skip
        if len(names) == 1:
            return
        if shared := shared_outputs(self.settings, min(opts.processes, len(names))):
            usage_error(
                "crawlall", f"{shared[0]} would be one output for {len(names)} sites; give each its own folder"
                " with %(name)s, e.g. -O 'out/%(name)s/%(time)s.jsonl'",
            )  # fmt: skip
        # One file recorded by two sites is refused to the second (crawler.ops.warc: one writer a file), in one process too.
        warc = self.settings.get("RECORD_WARC")
        if warc and "%(name)s" not in warc:
            usage_error(
                "crawlall", f"RECORD_WARC {warc} would be one WARC file for {len(names)} sites; give each its own"
                " with %(name)s, e.g. -s 'RECORD_WARC=warc/%(name)s/%(time)s.warc.gz'",
            )  # fmt: skip

    def run(self, args: list[str], opts) -> None:
        names = opts.sites
        processes = min(opts.processes, len(names))
        try:
            seed_site_states(self.settings, names)
        except REFUSALS as e:
            print(f"crawlall: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        if processes > 1:
            ended = run_processes(names, processes, lambda name: child_command(name, opts.spargs, self.settings))
            bootstrap_failed = False
        else:
            crawlers = {name: self._create_crawler(name) for name in names}
            refused = start(self.crawler_process, list(crawlers.values()), opts.spargs)
            ended = {name: (c.stats.get_stats() if c.stats else {}, refused.get(c), None) for name, c in crawlers.items()}
            bootstrap_failed = self.crawler_process.bootstrap_failed
        for message in dict.fromkeys(refusal for _, refusal, _ in ended.values() if refusal):
            print(f"crawlall: {message}", file=sys.stderr)
        failed = []
        print(f"\ncrawlall: {len(names)} sites", file=sys.stderr)
        for name in names:
            stats, refusal, death = ended.get(name, ({}, None, None))  # none: never started (stopped before)
            (site_failed, _), summary = outcome(stats)
            if death:
                site_failed, summary = True, f"FAILED {death}"
            print(f"  {name:20} {'REFUSED' if refusal else summary}", file=sys.stderr)
            if site_failed:
                failed.append(name)
        stray = logcount.unattributed["ERROR"]
        if stray:
            print(f"crawlall: {stray} errors logged that name no site (see the log)", file=sys.stderr)
        if failed or stray or bootstrap_failed:
            print(f"crawlall: failed: {', '.join(failed) or 'errors that name no site'}", file=sys.stderr)
            self.exitcode = 1

"""scrapy crawlall: several sites in one process, separate exports, a summary, an exit status."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawler.commands.crawlall import choose_sites, outcome, run_processes
from crawler.export.state import SqliteState, seed
from crawler.export.statebase import ArticleRecord
from crawler.ops import logcount
from crawler.ops.lock import hold_lock
from crawler.sites import site_named
from localsite import FAST, ROOT, Route, serve
from test_crawl_e2e import site_routes


def crawlall(*args, tmp_path):
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", *FAST, "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_choosing_sites():
    assert "etemadonline" in choose_sites("crawlall", []) and "news" not in choose_sites("crawlall", [])
    asam = choose_sites("crawlall", ["family:asam"])
    assert "etemadonline" in asam and len(asam) > 1
    assert choose_sites("crawlall", ["etemadonline", "family:asam"])[0] == "etemadonline"


@pytest.mark.parametrize(
    "args, line",
    [
        (["etemadonlin"], "no site spider 'etemadonlin'; did you mean etemadonline? `scrapy list` names them"),
        (["nosuchsite"], "no site spider 'nosuchsite'; `scrapy list` names them"),
        (["family:asm"], "no family 'asm'; did you mean asam? known: "),
        # One WARC file for several sites: the second would be refused it (one writer a file), in one process too.
        (["etemadonline", "ilna", "-s", "RECORD_WARC=warc/all.warc.gz"],
         "RECORD_WARC warc/all.warc.gz would be one WARC file for 2 sites; give each its own with %(name)s"),
    ],
)  # fmt: skip
def test_usage_mistakes_are_one_line_and_exit_status_2(tmp_path, args, line):
    with serve({}) as (base, _):
        pass  # should the refusal fail, nothing answers (and nothing leaves this machine)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", *FAST, "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", *args],
        cwd=tmp_path, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    [said] = result.stderr.splitlines()
    assert said.startswith(f"scrapy crawlall: error: {line}")
    assert list(tmp_path.iterdir()) == [], "nothing written, nothing crawled"


def test_a_warc_file_per_site_is_accepted(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawlall(
            "etemadonline", "ilna", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
            "-s", f"RECORD_WARC={tmp_path}/warc/%(name)s.warc.gz", tmp_path=tmp_path,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "warc").iterdir()) == ["etemadonline.warc.gz", "ilna.warc.gz"]


def test_outcome_counts_what_failed():
    assert outcome({"finish_reason": "finished", "articles/exported": 3})[0].failed is False
    assert outcome({"finish_reason": "finished", "log_count/ERROR": 2})[0].failed is True
    assert outcome({"finish_reason": "shutdown"})[0].failed is True
    assert outcome({})[0].failed is True
    # Its manifest unwritten (a full disk at close): the next run could not account for the export.
    assert outcome({"finish_reason": "finished", "export/manifest_failed": 1})[0].failed is True


def test_two_sites_one_process_separate_exports(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        # Both spiders crawl the same local copy; each exports under its own site.
        result = crawlall(
            "etemadonline", "ilna", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", tmp_path=tmp_path
        )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    exported = {}
    for name in ("etemadonline", "ilna"):
        [export] = (tmp_path / name).glob("*.jsonl")
        exported[name] = [json.loads(line) for line in export.read_text("utf-8").splitlines()]
        assert len(exported[name]) == 4
    # One body throughout: the first article exported is the original of all others, across the two sites.
    originals = [a for articles in exported.values() for a in articles if a["duplicate_of"] is None]
    assert len(originals) == 1
    summary = result.stderr.split("crawlall: 2 sites")[1]
    assert "etemadonline" in summary and "ilna" in summary and "FAILED" not in summary


def test_a_failing_site_makes_the_exit_status_non_zero(tmp_path):
    with serve({}) as (base, _):
        pass  # the server is gone: every request fails
    result = crawlall("etemadonline", "-a", f"base_url={base}", "-s", "RETRY_TIMES=0", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "FAILED" in result.stderr and "crawlall: failed: etemadonline" in result.stderr


def test_each_site_is_judged_on_its_own_errors(tmp_path):
    # One process, two sites on one local server: etemadonline's pages are
    # served; every start page of 8am (a WordPress site) answers 500.
    healthy, failing = site_named("etemadonline"), site_named("8am")
    starts = lambda site: {*site.start_feeds, *site.start_sitemaps, *site.start_listings}  # noqa: E731
    broken = starts(failing) - starts(healthy)
    assert broken, "the sites ask for different start pages"
    routes: dict = {path: Route("server error", "text/plain", 500) for path in broken}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawlall(
            "etemadonline", "8am", "-a", f"base_url={base}", "-s", "RETRY_TIMES=1",
            "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", tmp_path=tmp_path,
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    summary = {line.split()[0]: line.split() for line in result.stderr.split("crawlall: 2 sites")[1].splitlines()[1:3]}
    fields = lambda name: dict(zip(summary[name][2::2], summary[name][3::2]))  # noqa: E731
    assert summary["etemadonline"][1] == "ok", result.stderr
    assert fields("etemadonline")["errors"] == "0" and fields("etemadonline")["exported"] == "4"
    assert fields("etemadonline")["dropped"] == "1"  # its own article without a date, and no other's
    assert summary["8am"][1] == "FAILED"
    assert fields("8am")["errors"] == str(len(broken)) and fields("8am")["dropped"] == "0"
    assert "crawlall: failed: 8am" in result.stderr


@pytest.mark.parametrize("output", [["-O", "all.jsonl"], ["-o", "%(name)s.jsonl"], ["-s", "CRAWLER_OUTPUT=out/%(time)s-%(name)s.jsonl"]])
def test_one_output_for_many_sites_is_refused(tmp_path, output):
    # Two sites writing one file interleave their lines; each must have a folder of its own.
    with serve({}) as (base, _):
        pass  # should the refusal fail, nothing answers (and nothing leaves this machine)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", *FAST, "etemadonline", "ilna", "-a", f"base_url={base}", *output],
        cwd=tmp_path, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    [line] = result.stderr.splitlines()  # told before Scrapy starts (and logs)
    assert line.startswith("scrapy crawlall: error: ") and "would be one output for 2 sites; give each its own folder with %(name)s" in line
    assert list(tmp_path.iterdir()) == [], "nothing written, nothing crawled"


def test_standard_output_shared_by_the_sites_of_one_process_carries_only_their_lines(tmp_path):
    """`-o -` pipes the articles of every site (one process writes whole lines);
    the summary goes to stderr, so the pipe holds JSON lines alone."""
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        result = crawlall(
            "etemadonline", "ilna", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
            "-s", "FEEDS={}", "-o", "-:jsonlines", tmp_path=tmp_path,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    sites = [json.loads(line)["site"] for line in result.stdout.splitlines()]
    assert sorted(set(sites)) == ["etemadonline.com", "ilna.ir"] and len(sites) == 8
    assert "crawlall: 2 sites" in result.stderr


def test_standard_output_is_no_output_for_the_sites_of_several_processes(tmp_path):
    # Each process writes through a buffer of its own: lines longer than a pipe's atomic write could mix.
    with serve({}) as (base, _):
        pass  # should the refusal fail, nothing answers (and nothing leaves this machine)
    result = crawlall(
        "etemadonline", "ilna", "--processes", "2", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/%(name)s.sqlite3",
        "-o", "-:jsonlines", tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    [line] = result.stderr.splitlines()
    assert line.startswith("scrapy crawlall: error: stdout: would be one output for 2 sites")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_per_site_is_accepted(tmp_path):
    with serve({}) as (base, _):
        pass  # nothing to crawl: only the output is judged
    result = crawlall("etemadonline", "-a", f"base_url={base}", "-s", "RETRY_TIMES=0", "-O", f"{tmp_path}/all.jsonl", tmp_path=tmp_path)
    assert "one output" not in result.stderr, "one site may have one file"


class FakeCrawler:
    def __init__(self, name):
        self.spider = SimpleNamespace(name=name)
        self.settings = Settings({"LOG_LEVEL": "INFO", "STATS_DUMP": False})
        self.stats = MemoryStatsCollector(self)


def test_log_lines_count_for_the_site_they_name(monkeypatch):
    monkeypatch.setattr(logcount, "running", [])
    monkeypatch.setattr(logcount, "unattributed", logcount.Counter())
    a, b = FakeCrawler("a"), FakeCrawler("b")
    handlers = [logcount.CrawlLogCounter(a), logcount.CrawlLogCounter(b)]
    logcount.running.extend([a, b])
    log = logging.getLogger("test.logcount")
    for handler in handlers:
        log.addHandler(handler)
    try:
        log.error("a failed", extra={"spider": a.spider})
        log.error("a failed again", extra={"spider": a.spider})
        log.warning("b warns", extra={"spider": b.spider})
        log.error("whose?")  # names no spider while two run: no one's
        assert a.stats.get_value("log_count/ERROR") == 2 and b.stats.get_value("log_count/ERROR") is None
        assert b.stats.get_value("log_count/WARNING") == 1 and a.stats.get_value("log_count/WARNING") is None
        assert logcount.unattributed["ERROR"] == 1, "counted once, not once per site"
        logcount.running.remove(a)
        log.removeHandler(handlers[0])
        log.error("b alone")  # the only crawl running: its own
        assert b.stats.get_value("log_count/ERROR") == 1 and logcount.unattributed["ERROR"] == 1
    finally:
        for handler in handlers:
            log.removeHandler(handler)


def test_a_busy_state_refuses_every_site_in_one_line(tmp_path):
    held = hold_lock(tmp_path / "state.sqlite3", "crawl state")
    try:
        with serve({}) as (base, _):
            pass
        result = crawlall("etemadonline", "ilna", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3", tmp_path=tmp_path)
    finally:
        held.release()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr, result.stderr[-3000:]
    [line] = [line for line in result.stderr.splitlines() if line.startswith("crawlall: crawl state ")]  # said once, not once a site
    assert f"is in use by another run: pid {os.getpid()}, started " in line
    assert "etemadonline         REFUSED" in result.stderr and "ilna                 REFUSED" in result.stderr
    assert not (tmp_path / "state.sqlite3").exists()


# -- crawlall --processes N: the sites in N processes, one site each at a time --


def crawlall_started(*args, tmp_path, sites: int) -> tuple[subprocess.Popen, dict[str, int], list[str]]:
    """`crawlall --processes 2` under way, its first `sites` sites crawling
    (their spiders opened): the process, the pid of each site process it
    started (as it logged them), and its stderr lines so far."""
    parent = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawlall", *FAST, "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl",
         "-s", f"CRAWLER_STATE={tmp_path}/%(name)s.sqlite3", "--processes", "2", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,  # a process group as a shell's job
    )  # fmt: skip
    pids, lines = {}, []
    while sum("Spider opened" in line for line in lines) < sites:
        line = parent.stderr.readline()
        assert line, "".join(lines[-50:])
        lines.append(line)
        if " started, process " in line:
            name, _, pid = line.split("] INFO: ")[1].partition(" started, process ")
            pids[name] = int(pid)
    return parent, pids, lines


def read_until(parent: subprocess.Popen, lines: list[str], text: str, times: int) -> None:
    """Reads `parent`'s stderr into `lines` until `text` has been in `times` lines since."""
    seen = 0
    while seen < times:
        lines.append(parent.stderr.readline())
        assert lines[-1], "".join(lines[-50:])
        seen += text in lines[-1]


def summary_of(stderr: str, sites: int) -> dict[str, str]:
    lines = stderr.split(f"crawlall: {sites} sites\n")[1].splitlines()[:sites]
    return {line.split()[0]: line.split(None, 1)[1] for line in lines}


def test_processes_run_each_site_in_its_own_process_with_its_own_state(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        parent, pids, _ = crawlall_started("etemadonline", "ilna", "-a", f"base_url={base}", tmp_path=tmp_path, sites=2)
        stdout, stderr = parent.communicate(timeout=300)
    assert parent.returncode == 0, stdout + stderr[-2000:]
    assert len(set(pids.values()) | {parent.pid}) == 3, "two site processes besides crawlall's"
    summary = summary_of(stderr, 2)
    for name in ("etemadonline", "ilna"):
        # The -a argument, CRAWLER_OUTPUT and CRAWLER_STATE given to crawlall reached its sites' processes.
        [export] = (tmp_path / name).glob("*.jsonl")
        assert len(export.read_text("utf-8").splitlines()) == 4
        assert (tmp_path / f"{name}.sqlite3").exists()
        assert summary[name].startswith("ok") and "exported     4  dropped    1  errors   0" in summary[name]


def test_a_killed_site_process_is_that_sites_failure(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        routes["/"] = Route(routes["/"].body, delay=4)  # both sites still crawling when one is killed
        parent, pids, _ = crawlall_started("etemadonline", "ilna", "-a", f"base_url={base}", tmp_path=tmp_path, sites=2)
        os.kill(pids["ilna"], signal.SIGKILL)
        stdout, stderr = parent.communicate(timeout=300)
    assert parent.returncode == 1, stdout + stderr[-2000:]
    summary = summary_of(stderr, 2)
    assert summary["ilna"] == "FAILED its process killed by SIGKILL"
    assert summary["etemadonline"].startswith("ok") and "exported     4" in summary["etemadonline"]
    assert "crawlall: failed: ilna\n" in stderr
    assert f"ilna: its process {pids['ilna']} killed by SIGKILL, without a result" in stderr


@pytest.mark.parametrize(
    "stop", [
        "SIGTERM to crawlall",
        "SIGINT to its process group (Ctrl-C in a terminal)",
        "SIGTERM to crawlall and its site processes at once (systemctl stop, KillMode=control-group)",
    ],
)  # fmt: skip
def test_a_signal_stops_the_site_processes_as_a_scrapy_crawl_stops_and_starts_no_other(tmp_path, stop):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        routes["/"] = Route(routes["/"].body, delay=4)
        parent, pids, lines = crawlall_started("etemadonline", "ilna", "rokna", "-a", f"base_url={base}", tmp_path=tmp_path, sites=2)
        time.sleep(1)  # their crawls under way (a crawl stopped while its engine starts has no finish reason: Scrapy's)
        if stop == "SIGTERM to crawlall":  # crawlall alone: it passes it on
            parent.send_signal(signal.SIGTERM)
        elif stop.startswith("SIGINT"):  # each site process gets it twice, from the terminal and from crawlall
            os.killpg(parent.pid, signal.SIGINT)
        else:  # each gets it twice, from systemd and from crawlall (sent together, two may make one: crawlall's after)
            for pid in pids.values():
                os.kill(pid, signal.SIGTERM)
            read_until(parent, lines, "Received SIGTERM, shutting down gracefully", 2)
            parent.send_signal(signal.SIGTERM)
        stdout, stderr = parent.communicate(timeout=300)
    assert parent.returncode == 1, stdout + stderr[-2000:]
    assert set(pids) == {"etemadonline", "ilna"}
    summary = summary_of(stderr, 3)
    for name in pids:  # each stopped once, closed its spider and reported: not killed, not forced
        assert summary[name].startswith("FAILED") and summary[name].endswith("finish shutdown"), stdout + stderr[-5000:]
        assert stderr.count(f"crawl: {name} FAILED") == 1
    assert summary["rokna"].endswith("finish not started")
    assert "crawlall: failed: etemadonline, ilna, rokna" in stderr
    assert "Traceback" not in stderr and "forcing unclean shutdown" not in stderr
    assert ("".join(lines) + stderr).count("shutting down gracefully") == len(pids), "each site process stopped once, however many signals it got"
    assert not list(tmp_path.glob("*/*.part")), "no export left half-written"
    for name in pids:
        assert len(list((tmp_path / name).glob("*.manifest.json"))) == 1


def test_a_second_signal_to_crawlall_forces_the_site_processes(tmp_path):
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        routes["/"] = Route(routes["/"].body, delay=30)  # a graceful stop waits for it
        parent, pids, lines = crawlall_started("etemadonline", "ilna", "-a", f"base_url={base}", tmp_path=tmp_path, sites=2)
        time.sleep(1)
        parent.send_signal(signal.SIGTERM)
        read_until(parent, lines, "stopping 2 sites", 1)
        time.sleep(1)  # each stopping gracefully, as a second SIGTERM from elsewhere would leave it
        parent.send_signal(signal.SIGTERM)
        stdout, stderr = parent.communicate(timeout=60)
    assert parent.returncode == 1, stdout + stderr[-2000:]
    assert "SIGTERM: forcing the stop of 2 sites" in stderr
    assert stderr.count("crawlall received a second signal: forcing unclean shutdown") == 2, stderr[-5000:]
    summary = summary_of(stderr, 2)
    assert set(summary) == set(pids) and all(line.startswith("FAILED") for line in summary.values())


def test_a_signal_while_a_site_starts_after_another_ended_loses_no_site():
    """The signal comes after site a's process has ended (a zombie, not yet
    reaped) while crawlall starts site b's: passing it on must not reap a
    behind the loop's back (it was lost to an os.wait(), which then raised)."""

    def command(name):
        if name == "b":
            time.sleep(0.5)  # a's process has ended by now
            os.kill(os.getpid(), signal.SIGTERM)  # systemctl stop, Ctrl-C, ...
        return [sys.executable, "-c", f"import time; time.sleep({0.2 if name == 'a' else 30})"]

    ended = run_processes(["a", "b", "c"], 2, command)
    # a ended by itself (without a result: it is no crawl), b was stopped, c never started.
    assert ended == {"a": ({}, None, "its process exited with status 0"), "b": ({}, None, "its process killed by SIGTERM")}


def test_a_state_per_site_starts_from_the_shared_states_rows_of_its_site(tmp_path):
    """Moving a deployment to --processes: the new per-site states take over
    the shared state's rows (articles, and fingerprints for near duplicates),
    so nothing is exported again. While a run holds the shared state, a run
    that would copy it is refused."""
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "scrapy", "crawlall", "etemadonline", "ilna", *FAST, "-a", f"base_url={base}",
             "-s", f"CRAWLER_OUTPUT={tmp_path}/out/%(name)s/%(time)s.jsonl", *args],
            cwd=tmp_path, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    per_site = ["--processes", "2", "-s", "CRAWLER_STATE=.crawler/%(name)s.sqlite3"]
    routes: dict = {}
    with serve(routes) as (base, _):
        routes.update(site_routes(base))
        first = run("-s", "CRAWLER_STATE=.crawler/state.sqlite3")  # the project's shared state (FAST's is in memory)
        assert first.returncode == 0, first.stderr[-2000:]
        held = hold_lock(tmp_path / ".crawler/state.sqlite3", "crawl state")
        try:
            busy = run(*per_site)
        finally:
            held.release()
        assert busy.returncode == 1 and busy.stderr.splitlines()[-1].startswith("crawlall: crawl state .crawler/state.sqlite3 is in use by another run")
        assert sorted(p.name for p in (tmp_path / ".crawler").glob("*.sqlite3")) == ["state.sqlite3"], "nothing copied while in use"
        time.sleep(1.1)  # the next export is another second's file
        second = run(*per_site)
    assert second.returncode == 0, second.stderr[-2000:]
    for name in ("etemadonline", "ilna"):
        assert f"{name}: its crawl state .crawler/{name}.sqlite3 starts with the 4 articles the shared state .crawler/state.sqlite3 holds of it" in second.stderr
        codes = [json.loads(line)["news_code"] for f in (tmp_path / "out" / name).glob("*.jsonl") for line in f.read_text("utf-8").splitlines()]
        assert len(codes) == 4 and len(set(codes)) == 4, "every article exported once"
    assert summary_of(second.stderr, 2)["ilna"].startswith("ok     exported     0")


def test_seeding_copies_one_sites_articles_and_fingerprints(tmp_path):
    shared = SqliteState(tmp_path / "state.sqlite3")
    seen = "2024-01-01T00:00:00+00:00"
    shared.record([ArticleRecord(site, code, f"https://{site}/{code}", "h", None, seen, seen) for site, code in [("a.ir", "1"), ("b.ir", "2")]])
    fingerprint = 0x0123456789ABCDEF
    shared.near_duplicate_of("a.ir", "1", fingerprint)
    shared.close()  # writes the fingerprint
    assert seed(tmp_path / "a.sqlite3", tmp_path / "state.sqlite3", "a.ir") == 1
    assert seed(tmp_path / "c.sqlite3", tmp_path / "state.sqlite3", "c.ir") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.sqlite3", "state.sqlite3"], "no state made for a site without rows"
    own = SqliteState(tmp_path / "a.sqlite3")
    assert own.known("a.ir", ["1"]) == {"1"} and own.get("b.ir", "2") is None
    assert own.near_duplicate_of("a.ir", "9", fingerprint ^ 0b11) == ("a.ir", "1")
    own.close()


def test_seeding_on_a_full_disk_is_a_state_error_and_makes_no_state(tmp_path):
    """Under a real file-size limit: the seeding fails as a refusal crawlall
    says in one line (StateError), not a traceback, and no state is named."""
    shared = SqliteState(tmp_path / "state.sqlite3")
    seen = "2024-01-01T00:00:00+00:00"
    shared.record([ArticleRecord("a.ir", str(code), f"https://a.ir/{code}/{'x' * 200}", "h", None, seen, seen) for code in range(3000)])
    shared.close()
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from crawler.export.state import seed\n"
        "from crawler.export.statebase import StateError\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))\n"
        "try:\n"
        "    seed(Path(sys.argv[1]) / 'a.sqlite3', Path(sys.argv[1]) / 'state.sqlite3', 'a.ir')\n"
        "except StateError as e:\n"
        "    print('refused:', e)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.startswith(f"refused: crawl state {tmp_path}/a.sqlite3 could not be made from {tmp_path}/state.sqlite3: ")
    assert not (tmp_path / "a.sqlite3").exists()
    assert "ERROR" not in result.stderr, "no fingerprints said lost: the seeding's own, dropped"


@pytest.mark.parametrize("n", ["0", "-1", "1.5", "two"])
def test_a_bad_number_of_processes_is_a_usage_error(tmp_path, n):
    result = crawlall("etemadonline", "ilna", "--processes", n, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"scrapy crawlall: error: --processes takes a number of processes, 1 or more, not {n!r}"]


def test_processes_need_a_state_per_site(tmp_path):
    with serve({}) as (base, _):
        pass  # should the refusal fail, nothing answers
    result = crawlall(
        "etemadonline", "ilna", "--processes", "2", "-a", f"base_url={base}", "-s", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert f"--processes 2: the crawl state {tmp_path}/state.sqlite3 would be one for 2 sites' processes" in line
    assert "CRAWLER_STATE=.crawler/%(name)s.sqlite3" in line
    assert list(tmp_path.iterdir()) == []


def test_the_retired_crawler_processes_setting_is_told_once_a_process(tmp_path):
    with serve({}) as (base, _):
        pass  # nothing to crawl: only the warning is judged
    result = crawlall("etemadonline", "ilna", "-a", f"base_url={base}", "-s", "RETRY_TIMES=0", "-s", "CRAWLER_PROCESSES=1", tmp_path=tmp_path)
    assert sum("CRAWLER_PROCESSES is no longer used" in line for line in result.stderr.splitlines()) == 1, result.stderr[-3000:]

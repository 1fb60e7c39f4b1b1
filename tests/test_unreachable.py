"""Unreachable sites (crawler.ops.faults.Reach): when no host a run starts from
answers (no DNS, refused, timed out, TLS), the run stops early, with one
line naming the host and the cause, a manifest saying it did not complete,
and no tracebacks; canary says "unreachable". Real `scrapy` processes
against a real refused port, a name that never resolves (.invalid, failed
by tests/offlinedns.py without a DNS server), a port that never answers and
a port that speaks no TLS."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager

from crawler import settings
from localsite import FAST, ROOT, Route, scrapy_crawl, serve
from offlinedns import OFFLINE_DNS
from test_crawl_e2e import link, variant


def refused_port() -> int:
    """A port nothing listens on: bound, then closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def listening(answer: bytes | None):
    """A port that accepts connections and then says nothing (None), or
    `answer` to whatever it is sent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    stop = threading.Event()

    def serve_forever():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(4096)
                conn.sendall(answer)

    if answer is not None:  # else never accepted: the kernel's backlog holds the connections, silent
        threading.Thread(target=serve_forever, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()


def manifest(out) -> dict:
    [path] = out.glob("*.manifest.json")
    return json.loads(path.read_text("utf-8"))


def last_line(result) -> str:
    """`scrapy crawl`'s summary line, which ends its output."""
    line = result.stderr.splitlines()[-1]
    assert line.startswith("crawl: etemadonline FAILED "), line
    return line


def log_lines(stderr: str, level: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"] {level}: " in line]


def test_a_refused_port_stops_the_run_early_with_default_retries(tmp_path):
    port = refused_port()
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "etemadonline", "-a", f"base_url=http://127.0.0.1:{port}",
         "-s", "CRAWLER_STATE=:memory:", "-s", f"CRAWLER_OUTPUT={tmp_path}/%(name)s/%(time)s.jsonl"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    run = manifest(tmp_path / "etemadonline")
    # Every start request waits for robots.txt: its first try and RETRY_TIMES retries (fewer, had
    # CRAWLER_UNREACHABLE_AFTER passed first) are the run's only attempts. Then the host is given up
    # on and the start requests fail untried, where retrying each in turn makes 1 + RETRY_TIMES apiece.
    assert 1 <= run["faults"]["connection"] <= 1 + settings.RETRY_TIMES, run["faults"]
    assert last_line(result).endswith(f"  cause: cannot reach 127.0.0.1:{port}: connection refused")
    [error] = log_lines(result.stderr, "ERROR")
    assert error.endswith(f"ERROR: etemadonline: cannot reach 127.0.0.1:{port}: connection refused")
    assert "Traceback" not in result.stderr and not log_lines(result.stderr, "WARNING")
    assert run["complete"] is False and run["finish_reason"] == "unreachable"


def test_an_unknown_host_is_named_with_dns_as_the_cause(tmp_path):
    result = scrapy_crawl("etemadonline", "-a", "base_url=https://www.example.invalid", *OFFLINE_DNS)
    assert result.returncode == 1
    assert last_line(result).endswith("  cause: cannot reach www.example.invalid: DNS lookup failed")
    assert "finish unreachable" in result.stderr and "Traceback" not in result.stderr


def test_a_port_that_speaks_no_tls_fails_the_handshake():
    with listening(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") as port:
        result = scrapy_crawl("etemadonline", "-a", f"base_url=https://127.0.0.1:{port}")
    assert result.returncode == 1
    assert last_line(result).endswith(f"  cause: cannot reach 127.0.0.1:{port}: TLS handshake failed")


def test_a_silent_host_is_given_up_on_after_crawler_unreachable_after_seconds():
    with listening(None) as port:
        result = scrapy_crawl(
            "etemadonline", "-a", f"base_url=http://127.0.0.1:{port}",
            "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=4", "-s", "CRAWLER_UNREACHABLE_AFTER=3",
        )  # fmt: skip
    assert result.returncode == 1
    assert last_line(result).endswith(f"  cause: cannot reach 127.0.0.1:{port}: timed out")
    # robots.txt timed out at 2 s (retried: 3 s had not passed), then at 4 s: given up with 3 retries left.
    assert "'faults/timeout': 2," in result.stderr


def test_a_host_that_answered_is_not_given_up_on():
    routes: dict = {}
    always_reset, fine = "/بخش-سیاسی-2/700001-reset", "/بخش-سیاسی-2/700002-ok"
    with serve(routes) as (base, requested):
        rss = "".join(f"<item><link>{base}{link(p)}</link></item>" for p in (always_reset, fine))
        routes.update({
            "/robots.txt": Route("User-agent: *\n", "text/plain"),
            "/fa/feeds/": Route(f"<rss><channel>{rss}</channel></rss>", "application/rss+xml"),
            always_reset: Route("", fault="reset"),
            fine: Route(variant("700002", "خبر 700002", "۱۴۰۲/۰۱/۱۵ ۱۲:۰۰:۰۰")),
        })  # fmt: skip
        result = scrapy_crawl("etemadonline", "-a", f"base_url={base}", "-o", "-:jsonlines")
    assert [json.loads(line)["news_code"] for line in result.stdout.splitlines()] == ["700002"], result.stderr[-3000:]
    assert requested.count(always_reset) == 5  # every retry made: the host answers other requests
    assert "cannot reach" not in result.stderr and "finish finished" in result.stderr


def test_canary_reports_an_unreachable_site_with_the_cause():
    port = refused_port()
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "canary", "etemadonline", *FAST, "-a", f"base_url=http://127.0.0.1:{port}"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    [row] = [line for line in result.stdout.splitlines() if line.startswith("etemadonline ")]
    assert row.split()[1:] == ["FAIL"] * 4 + ["-", "unreachable:", f"127.0.0.1:{port}:", "connection", "refused"], result.stdout
    assert "no article link" not in result.stdout


def test_an_offline_crawlall_logs_one_line_per_site():
    sites = ["etemadonline", "ilna", "isna"]
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawlall", *sites, *FAST, *OFFLINE_DNS, "-a", "base_url=http://offline.invalid"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = log_lines(result.stderr, "ERROR") + log_lines(result.stderr, "WARNING")
    assert sorted(line.split("ERROR: ")[1] for line in problems) == [
        f"{site}: cannot reach offline.invalid: DNS lookup failed" for site in sites
    ]
    summary = result.stderr.split(f"crawlall: {len(sites)} sites\n")[1]
    for site in sites:
        assert f"  {site} " in summary and summary.count("finish unreachable") == len(sites)

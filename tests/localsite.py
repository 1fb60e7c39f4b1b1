"""A news site served from 127.0.0.1 for whole-crawl tests: fixed routes,
a log of the paths asked for, and a server that stops when the test ends."""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
# No waiting between requests to 127.0.0.1.
FAST = ("-s", "CRAWLER_STATE=:memory:", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_BACKOFF_BASE=0.01", "-s", "LOG_LEVEL=INFO")


def scrapy_crawl(spider: str, *args: str) -> subprocess.CompletedProcess:
    """`scrapy crawl` as a user runs it, in the project directory."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, *FAST, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )


def crawl_served(spider: str, routes_for, out: Path) -> tuple[str, list[str], str]:
    """`scrapy crawl <spider>` against the routes `routes_for(base_url)` gives,
    served on 127.0.0.1, its export written to `out`: (base_url, requested paths, log)."""
    routes: dict[str, Route | list[Route]] = {}
    with serve(routes) as (base, requested):
        routes.update(routes_for(base))
        result = scrapy_crawl(spider, "-a", f"base_url={base}", "-O", f"{out}:jsonlines")
    assert result.returncode == 0, result.stderr[-3000:]
    return base, requested, result.stderr


class Route:
    """One answer. `delay` waits that many seconds before answering (timeouts),
    or until a threading.Event is set (at most a minute: a test's run held at work);
    `fault` misbehaves on purpose: "reset" drops the connection with a TCP
    reset instead of answering, "cut" sends half the body under the whole
    body's Content-Length."""

    def __init__(
        self, body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200, headers=(),
        *, delay: float | threading.Event = 0, fault: str | None = None,
    ):  # fmt: skip
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.content_type = content_type
        self.status = status
        self.headers = dict(headers)
        self.delay = delay
        self.fault = fault


@contextmanager
def serve(routes: dict[str, Route | list[Route]]):
    """Yields (base_url, requested paths). Paths are matched percent-decoded; a
    list of routes is served one per request, the last one from then on."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = unquote(urlsplit(self.path).path)
            requested.append(path)
            route = routes.get(path) or Route("not found", "text/plain", 404)
            if isinstance(route, list):
                route = route.pop(0) if len(route) > 1 else route[0]
            if isinstance(route.delay, threading.Event):
                route.delay.wait(60)
            else:
                time.sleep(route.delay)
            if route.fault == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                return
            try:
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body[: len(route.body) // 2] if route.fault == "cut" else route.body)
            except ConnectionError:
                pass  # the client gave up waiting, or on a body past DOWNLOAD_MAXSIZE, as it may

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()

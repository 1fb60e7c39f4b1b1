"""A folder served on 127.0.0.1 for the crawl benchmarks, by nginx or by a
multi-process Python server, from a `with` block: the server stops when the
block ends, or when the process that started it dies.

    python -m benchmarks.serve FOLDER --port 8000     # the Python server alone, until Ctrl-C

nginx (apt-get install nginx-light) runs from a generated config, one worker
per CPU, access log off; `python` is http.server in one process per CPU,
threads within, HTTP/1.1 keep-alive, for machines without nginx.
`measure_server` measures a server alone with wrk (apt-get install wrk)."""

from __future__ import annotations

import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

from benchmarks.common import arguments

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """In a child process before it runs (preexec_fn): SIGTERM when its parent
    dies, so that a benchmark or test killed mid-run leaves no server behind."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


NGINX_CONF = """
daemon off;
{user}
worker_processes {workers};
pid {state}/nginx.pid;
error_log {state}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type text/html;  # article paths without an extension, as sites serve them
    charset utf-8;
    charset_types application/xml text/plain;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {state}/body;
    proxy_temp_path {state}/proxy;
    fastcgi_temp_path {state}/fastcgi;
    uwsgi_temp_path {state}/uwsgi;
    scgi_temp_path {state}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html index.xml;
    }}
}}
"""


@contextmanager
def serve(root: Path, port: int, kind: str = "nginx", workers: int | None = None):
    """Serves `root` (a site: benchmarks/site.py's `build`) on 127.0.0.1:port
    until the block ends; yields the base URL once its robots.txt answers."""
    workers = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-server-") as state:
        if kind == "nginx":
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            conf = Path(state) / "nginx.conf"
            # Started by root, nginx's workers would be nobody, who cannot read a temporary folder.
            user = f"user {pwd.getpwuid(0).pw_name};" if os.geteuid() == 0 else ""
            conf.write_text(NGINX_CONF.format(user=user, workers=workers, state=state, port=port, root=root), "utf-8")
            command = [nginx, "-c", str(conf), "-p", state]
        elif kind == "python":
            command = [sys.executable, "-m", "benchmarks.serve", str(root), "--port", str(port), "--workers", str(workers)]
        else:
            raise ValueError(f"unknown server {kind!r}")
        proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True, preexec_fn=die_with_parent)
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/robots.txt", proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urlopen(url, timeout=1):
                return
        except HTTPError as e:
            raise RuntimeError(f"server up but answers {url} with {e.code}") from None
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not up after {timeout} s")


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy asks
    extensions_map = {
        "": "text/html; charset=utf-8",  # article paths without an extension, as sites serve them
        ".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    }  # fmt: skip

    def translate_path(self, path):
        local = super().translate_path(path)
        feed = os.path.join(local, "index.xml")  # nginx's `index index.html index.xml`
        return feed if os.path.isdir(local) and os.path.exists(feed) else local

    def log_message(self, *args):
        pass


def python_server(root: Path, port: int, workers: int) -> None:
    """One listening socket, `workers` forked processes each accepting on it with threads."""
    handler = partial(_Handler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # clients hanging up under load are no news
    children = []
    for _ in range(workers - 1):
        pid = os.fork()
        if pid == 0:
            children = []
            break
        children.append(pid)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        for pid in children:
            os.kill(pid, signal.SIGTERM)


def measure_server(url: str, seconds: float = 5.0, connections: int = 16) -> float | None:
    """Requests per second the server alone gives for one URL, by wrk
    (apt-get install wrk); None without wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    threads = str(min(2, connections))
    out = subprocess.run(
        [wrk, "-t", threads, "-c", str(connections), "-d", f"{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    return float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("root", type=Path, help="the folder to serve")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    python_server(args.root, args.port, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())

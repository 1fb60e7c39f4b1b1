"""A local Etemad Online of any size for crawl benchmarks: pre-rendered files
in a folder, and a fast server for them on 127.0.0.1.

    python -m benchmarks.site --articles 5000 --serve nginx   # build, serve, wait for Ctrl-C

The site is what `scrapy crawl etemadonline -a base_url=...` discovers:
robots.txt naming /sitemap.xml, a sitemap index of urlsets of at most
SITEMAP_SIZE articles, the RSS feed /fa/feeds/ and the home page (the newest
FEED_SIZE articles, also in the sitemaps, so the one-request-per-code filter
works as on a real site). Articles are the reconstructed Etemad Online sample
(tests/fixtures/etemadonline.com/523995.html, 10 KB) with their own news code,
headline, time and body: BODY_PARAGRAPHS paragraphs drawn (seeded by the
article's number) from the Persian article bodies of all fixtures, so no two
articles are exact or near duplicates. URLs are /news-1/<code>-article.html,
an Asam article path.

Servers: nginx (apt-get install nginx-light) from a generated config, one
worker per CPU, access log off; or `python`, a multi-process
http.server (one process per CPU, threads within, HTTP/1.1 keep-alive)
for machines without nginx. `measure_server` measures one alone with wrk.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import pwd
import random
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
from urllib.parse import quote, unquote, urlsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = FIXTURES / "etemadonline.com" / "523995.html"
FIRST_CODE = 700000
SITEMAP_SIZE = 1000
FEED_SIZE = 50
BODY_PARAGRAPHS = 10
_PERSIAN = re.compile("[\u0600-\u06ff]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def article_path(code: int) -> str:
    return f"/news-1/{code}-article.html"


def _paragraph_pool() -> list[str]:
    pool = []
    for meta in sorted(FIXTURES.glob("*/*.json")):
        body = json.loads(meta.read_text("utf-8")).get("expected", {}).get("body") or ""
        pool.extend(p for p in body.split("\n\n") if len(p) > 80 and _PERSIAN.search(p))
    return sorted(set(pool))


class ArticleMaker:
    """The sample page turned into article number i."""

    def __init__(self) -> None:
        sample = SAMPLE.read_text("utf-8")
        meta = json.loads(SAMPLE.with_suffix(".json").read_text("utf-8"))["expected"]
        start = sample.index('<div id="echo_detail">') + len('<div id="echo_detail">')
        end = sample.index("</div>", start)
        # Keep the dateline first paragraph and the source line, replace the text between.
        paragraphs = re.findall(r"<p>.*?</p>", sample[start:end], re.S)
        self.head, self.tail = sample[:start] + paragraphs[0], paragraphs[-1] + sample[end:]
        self.headline = meta["headline"]
        self.date = meta["published_at_raw"]  # ۱۴۰۰/۰۹/۰۳ ۱۹:۱۱:۳۷
        self.pool = _paragraph_pool()

    def path(self, i: int) -> str:
        return article_path(FIRST_CODE + i)

    def page(self, i: int) -> bytes:
        code = str(FIRST_CODE + i)
        rng = random.Random(i)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in rng.sample(self.pool, min(BODY_PARAGRAPHS, len(self.pool))))
        day, minute = 1 + i % 28, i % 60
        date = self.date.replace("۰۳", _fa(f"{day:02d}"), 1).replace("۱۱:", _fa(f"{minute:02d}") + ":", 1)
        text = (self.head + body + self.tail).replace("523995", code)
        return text.replace(self.headline, f"{self.headline}، شماره {i}").replace(self.date, date).encode("utf-8")


class RealPageMaker:
    """Copies of one real saved article page (tests/fixtures, kind "real") as
    article number i of its own site, served from `base`: at the page's own
    URL shape with code `code + 1 + i` (the code replaced in the page too, in
    ASCII and Persian digits, so the copy is an article of its own); its
    site's absolute links made local, its canonical link and og:url left
    out; and the text inside its <p> elements put through a letter
    permutation seeded by i, so that copies are no near duplicates (which the
    crawl would flag, each lookup meeting every earlier copy). The markup,
    sizes and everything outside <p> stay as saved. Read by the page's own
    site's spider (`spider`)."""

    LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی" + "abcdefghijklmnopqrstuvwxyz"

    def __init__(self, meta_path: Path, base: str) -> None:
        from crawler.sites import site_for_url

        meta = json.loads(meta_path.read_text("utf-8"))
        self.name = f"{meta_path.parent.name}/{meta_path.stem}"
        self.domain = meta_path.parent.name
        self.spider = site_for_url(meta["url"]).name
        self.code = meta["expected"]["news_code"]
        self.path_template = urlsplit(meta["url"]).path
        text = _CANONICAL.sub("", meta_path.with_suffix(".html").read_bytes().decode("utf-8", "replace"))
        self.html = re.sub(rf"https?://(?:www\.)?{re.escape(self.domain)}", base, text)

    @classmethod
    def all(cls, base: str) -> list["RealPageMaker"]:
        """One for each real fixture with a numeric code (a code to count up from)."""
        makers = []
        for meta_path in sorted(FIXTURES.glob("*/*.json")):
            meta = json.loads(meta_path.read_text("utf-8"))
            if meta.get("kind") == "real" and meta.get("expected", {}).get("news_code", "").isdigit():
                makers.append(cls(meta_path, base))
        return makers

    def _code(self, i: int) -> str:
        return str(int(self.code) + 1 + i)

    def path(self, i: int) -> str:
        return quote(self.path_template.replace(self.code, self._code(i)))  # as sitemaps write it

    def page(self, i: int) -> bytes:
        rng = random.Random(i)
        letters = self.LETTERS
        table = str.maketrans(letters, "".join(rng.sample(letters[:32], 32)) + "".join(rng.sample(letters[32:], 26)))

        def scramble(m: re.Match[str]) -> str:
            parts = _TAG.split(m.group(2))  # text, and tags and entities (kept), alternate
            return m.group(1) + "".join(p.translate(table) if i % 2 == 0 else p for i, p in enumerate(parts)) + m.group(3)

        text = self.html.replace(self.code, self._code(i)).replace(_fa(self.code), _fa(self._code(i)))
        return _PARAGRAPH.sub(scramble, text).encode("utf-8")


_CANONICAL = re.compile(r"""<link[^>]*rel=["']canonical["'][^>]*>|<meta[^>]*property=["']og:url["'][^>]*>""", re.I)
_PARAGRAPH = re.compile(r"(<p\b[^>]*>)(.*?)(</p>)", re.S | re.I)
_TAG = re.compile(r"(<[^>]*>|&#?\w+;)")


def _fa(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def build(root: Path, articles: int, base: str, maker: "ArticleMaker | RealPageMaker | None" = None) -> list[str]:
    """Writes the site under `root` for the server at `base`: `articles`
    pages of `maker` (default: the reconstructed Etemad Online template), and
    robots.txt, sitemaps, a feed and a home page listing them. Returns the
    article URLs."""
    maker = maker or ArticleMaker()
    (root / "fa" / "feeds").mkdir(parents=True, exist_ok=True)
    urls = []
    for i in range(articles):
        path = maker.path(i)
        file = root / unquote(path).lstrip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(maker.page(i))
        urls.append(base + path)
    urlsets = []
    for n, start in enumerate(range(0, articles, SITEMAP_SIZE), 1):
        locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls[start : start + SITEMAP_SIZE])
        (root / f"sitemap-{n}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
            "utf-8",
        )
        urlsets.append(f"{base}/sitemap-{n}.xml")
    index = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urlsets)
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>',
        "utf-8",
    )
    (root / "robots.txt").write_text(f"User-agent: *\nDisallow: /admin/\nSitemap: {base}/sitemap.xml\n", "utf-8")
    newest = urls[-FEED_SIZE:]
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in newest)
    (root / "fa" / "feeds" / "index.xml").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>', "utf-8"
    )
    links = "".join(f'<a href="{u.removeprefix(base)}">x</a>' for u in newest)
    (root / "index.html").write_text(f"<html><body>{links}</body></html>", "utf-8")
    return urls


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
    """Serves `root` on 127.0.0.1:port until the block ends."""
    workers = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-server-") as state:
        if kind == "nginx":
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            conf = Path(state) / "nginx.conf"
            # Started by root, nginx's workers would be nobody, who cannot read a temporary folder.
            user = f"user {pwd.getpwuid(0).pw_name};" if os.geteuid() == 0 else ""
            conf.write_text(NGINX_CONF.format(user=user, workers=workers, state=state, port=port, root=root), "utf-8")
            proc = subprocess.Popen([nginx, "-c", str(conf), "-p", state], start_new_session=True)
        elif kind == "python":
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.site", "--python-server", str(root), "--port", str(port), "--workers", str(workers)],
                cwd=ROOT, start_new_session=True,
            )
        else:
            raise ValueError(f"unknown server {kind!r}")
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
    """Requests per second the server alone gives for one article, by wrk
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
    parser = argparse.ArgumentParser(prog="python -m benchmarks.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--serve", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--python-server", metavar="ROOT", help=argparse.SUPPRESS)  # the child `serve` starts
    args = parser.parse_args(argv)
    if args.python_server:
        python_server(Path(args.python_server), args.port, args.workers)
        return 0
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="bench-site-") as root:
        urls = build(Path(root), args.articles, f"http://127.0.0.1:{port}")
        with serve(Path(root), port, args.serve, args.workers) as base:
            print(f"{len(urls)} articles at {base}/ (robots.txt, sitemap.xml, fa/feeds/); Ctrl-C stops")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A local Etemad Online of any size for crawl benchmarks: pre-rendered files
in a folder, served on 127.0.0.1 by benchmarks/serve.py.

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
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from benchmarks.common import FIXTURES, Page, arguments, fixture_pages
from benchmarks.serve import free_port, serve

SAMPLE = FIXTURES / "etemadonline.com" / "523995.html"
FIRST_CODE = 700000
SITEMAP_SIZE = 1000
FEED_SIZE = 50
BODY_PARAGRAPHS = 10
_PERSIAN = re.compile("[\u0600-\u06ff]")


def article_path(code: int) -> str:
    return f"/news-1/{code}-article.html"


def _paragraph_pool() -> list[str]:
    pool = []
    for page in fixture_pages():
        body = page.meta.get("expected", {}).get("body") or ""
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

    def __init__(self, page: Page, base: str) -> None:
        from crawler.sites import site_for_url

        self.source = page
        self.name = page.name
        self.domain = page.path.parent.name
        self.spider = site_for_url(page.url).name
        self.code = page.meta["expected"]["news_code"]
        self.path_template = urlsplit(page.url).path
        text = _CANONICAL.sub("", page.read().decode("utf-8", "replace"))
        self.html = re.sub(rf"https?://(?:www\.)?{re.escape(self.domain)}", base, text)

    @classmethod
    def all(cls, base: str) -> list["RealPageMaker"]:
        """One for each real fixture with a numeric code (a code to count up from)."""
        return [cls(page, base) for page in fixture_pages() if page.real and page.meta.get("expected", {}).get("news_code", "").isdigit()]

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



def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--serve", choices=("nginx", "python"), default="nginx")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
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

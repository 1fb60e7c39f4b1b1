"""scrapy savefixture URL [--file PAGE]: add a page to the regression suite.

Saves the page as served (fetched through Scrapy, with the project's settings,
or taken from a file) into tests/fixtures/<site>/<name>.html, and writes
beside it a DRAFT <name>.json holding what the extractor gives today. A
person then checks every value against the page, corrects it, and removes
"draft"; until then the harness skips the fixture, so extractor output is
never mistaken for a reading of the page.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request, Spider
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.extract import read_article
from crawler.sites import site_for_url
from crawler.spiders.news import generic_site

CHECKED_FIELDS = (
    "news_code", "published_at", "published_at_raw", "uptitle", "headline", "lead", "body",
    "source", "authors", "tags", "section", "canonical_url",
)  # fmt: skip


class _FetchPage(Spider):
    name = "savefixture"
    custom_settings = {"CRAWLER_STATE": ":memory:"}  # saving a page exports nothing

    def __init__(self, url: str, responses: list, **kwargs):
        super().__init__(**kwargs)
        self.url, self.responses = url, responses

    async def start(self):
        yield Request(self.url, callback=self.responses.append, dont_filter=True)


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "URL [--file PAGE] [--name NAME] [--dir DIR] [--kind real|synthetic]"

    def short_desc(self) -> str:
        return "Save a page as a test fixture with a draft of its expected values"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--file", help="take the page from this file instead of downloading it")
        parser.add_argument("--name", help="fixture name (default: the news code)")
        parser.add_argument("--dir", default="tests/fixtures", help="fixtures directory (default tests/fixtures)")
        parser.add_argument("--kind", default="real", choices=("real", "synthetic"), help="real: saved as served")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1 or not re.match(r"https?://", args[0]):
            raise UsageError("give the page's URL")
        url = args[0]
        if opts.file:
            body, content_type, how = Path(opts.file).read_bytes(), None, f"taken from {opts.file}"
        else:
            responses: list = []
            self.crawler_process.crawl(_FetchPage, url=url, responses=responses)
            self.crawler_process.start()
            if not responses:
                print(f"could not download {url}; see the log above", flush=True)
                self.exitcode = 1
                return
            body, content_type, how = responses[0].body, responses[0].headers.get("Content-Type"), "downloaded"
        site = site_for_url(url) or generic_site(url)
        reading = read_article(body, url, site=site, content_type=content_type)
        if reading.problem:
            print(f"not saved: {reading.problem}")
            self.exitcode = 1
            return
        fields = reading.fields
        name = opts.name or fields["news_code"] or "page"
        folder = Path(opts.dir) / site.domain
        folder.mkdir(parents=True, exist_ok=True)
        page_path, meta_path = folder / f"{name}.html", folder / f"{name}.json"
        if page_path.exists() or meta_path.exists():
            raise UsageError(f"{page_path} exists; give another --name")
        page_path.write_bytes(body)
        meta = {
            "url": url,
            "kind": opts.kind,
            "draft": True,
            "about": f"{how} on {datetime.now(timezone.utc):%Y-%m-%d} by scrapy savefixture. DRAFT: the expected "
            "values below are the extractor's output, not yet checked: compare each with the page, correct it, "
            "then delete \"draft\".",
            "expected": {field: fields[field] for field in CHECKED_FIELDS},
            "absent": [],
        }
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"saved {page_path} and draft {meta_path}; check every expected value against the page")

"""scrapy extract --url URL FILE: extract one saved page and print its article
as one JSON line, with the normalization and validation a crawl applies."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import usage_error
from crawler.extract import LAYERS, read_article
from crawler.ops.usage import did_you_mean
from crawler.schema.article import normalize_article, validation_errors
from crawler.sites import site_named


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "--url URL [--site NAME] [--sources] FILE"

    def short_desc(self) -> str:
        return "Extract the article from a saved page and print it as a JSON line"

    def long_desc(self) -> str:
        return (
            "Runs the same extraction, normalization and validation as a crawl on a saved page. "
            "A page of a host no site module owns is read with the CMS family its markup shows, if any "
            "(--sources then names it 'family:<name> (detected)'). "
            "Prints the article as one JSON line on stdout and exits 0 when it is complete; "
            "otherwise prints the reasons and the partial fields on stderr and exits 1."
        )

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", required=True, help="the URL the page was fetched from")
        parser.add_argument("--site", help="site spec to use (a spider name) when the URL's host is not the site's")
        parser.add_argument("--sources", action="store_true", help="add field_sources: the layer that gave each field")
        parser.add_argument(
            "--layers", default=",".join(LAYERS), help=f"comma-separated layers to run (default {','.join(LAYERS)})"
        )

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        for layer in opts.layers.split(","):
            if layer not in LAYERS:
                usage_error("extract", f"no layer {layer!r}; {did_you_mean(layer, LAYERS)}the layers are {','.join(LAYERS)}")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one saved page")
        path = Path(args[0])
        try:
            site = site_named(opts.site) if opts.site else None
        except KeyError as e:
            raise UsageError(str(e.args[0])) from None
        page = path.read_bytes()
        reading = read_article(page, opts.url, site=site, layers=opts.layers.split(","))
        if reading.problem:
            print(f"not an article page: {reading.problem}", file=sys.stderr)
            self.exitcode = 1
            return
        fields = reading.fields
        # A saved page was downloaded when it was saved.
        fields["crawled_at"] = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0).isoformat()
        article = normalize_article(fields)
        sources = article.pop("field_sources")
        if opts.sources:
            article["field_sources"] = sources
        line = json.dumps(article, ensure_ascii=False)
        errors = validation_errors(article)
        if errors:
            print(f"incomplete article, not exported by a crawl: {'; '.join(errors)}", file=sys.stderr)
            print(line, file=sys.stderr)
            self.exitcode = 1
            return
        print(line)

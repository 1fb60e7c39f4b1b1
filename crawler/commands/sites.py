"""scrapy sites: the supported sites, their family, discovery and fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.sites import all_sites
from crawler.spec import Site


def fixture_kinds(site: Site, fixtures: Path) -> str:
    kinds = set()
    for meta in (fixtures / site.domain).glob("*.json"):
        data = json.loads(meta.read_text("utf-8"))
        if site.owns(data.get("url", "")) and not data.get("draft"):
            kinds.add(data.get("kind", "?"))
    return ", ".join(sorted(kinds)) or "none"


def discovery(site: Site) -> str:
    parts = []
    if site.start_feeds:
        parts.append(f"RSS ({len(site.start_feeds)})")
    if site.start_sitemaps:
        parts.append(f"sitemaps ({len(site.start_sitemaps)})")
    if site.start_listings:
        parts.append("listing pages")
    return ", ".join(parts)


def markdown_table(fixtures: Path) -> str:
    rows = ["| spider | site | family | article URLs | discovery | language | fixtures |", "|---|---|---|---|---|---|---|"]
    for site in sorted(all_sites(), key=lambda s: (s.family.name, s.name)):
        rows.append(
            f"| `{site.name}` | {site.domain}{''.join(f' `{p}`' for p in site.paths)} | {site.family.name} "
            f"| {', '.join(f'`{s}`' for s in site.article_shapes)} | {discovery(site)} | {site.language} | {fixture_kinds(site, fixtures)} |"
        )
    return "\n".join(rows)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the supported sites as a Markdown table (spider, family, article URLs, discovery, fixtures)"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--fixtures", default="tests/fixtures", help="fixtures directory")

    def run(self, args: list[str], opts) -> None:
        print(markdown_table(Path(opts.fixtures)))

"""scrapy sites: the supported sites, their family, discovery and fixtures;
`scrapy sites --args`: the -a arguments each spider takes."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.spiderloader import get_spider_loader

from crawler.families.spec import Site
from crawler.sites import all_sites


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


def arguments_help(spiders: dict[str, type]) -> str:
    """The spiders' `arguments`, each set once with the spiders that take it."""
    groups: dict[tuple, list[str]] = {}
    for name, spidercls in sorted(spiders.items()):
        groups.setdefault(tuple(spidercls.arguments.items()), []).append(name)
    blocks = []
    for arguments, names in sorted(groups.items(), key=lambda g: -len(g[1])):
        who = f"the {len(names)} site spiders" if len(names) > 3 else ", ".join(names)
        width = max(len(name) for name, _ in arguments)
        lines = [f"{who} (scrapy crawl {names[0] if len(names) == 1 else 'SPIDER'} -a NAME=VALUE):"]
        lines += [f"  {name:{width}}  {text}" for name, text in arguments]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "List the supported sites as a Markdown table (spider, family, article URLs, discovery, fixtures)"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--fixtures", default="tests/fixtures", help="fixtures directory")
        parser.add_argument("--args", action="store_true", help="list the -a arguments each spider takes instead")

    def run(self, args: list[str], opts) -> None:
        if opts.args:
            loader = get_spider_loader(self.settings)
            print(arguments_help({name: loader.load(name) for name in loader.list()}))
            return
        print(markdown_table(Path(opts.fixtures)))

"""The README's and docs/' promises that code can check."""

import glob
import re
from pathlib import Path

from scrapy.settings import default_settings

from crawler import settings as project_settings
from crawler.commands.sites import markdown_table
from crawler.families.nastooh import NASTOOH
from crawler.families.spec import Site

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
DOCS = {path.name: path.read_text("utf-8") for path in (ROOT / "docs").glob("*.md")}


def test_supported_sites_table_is_current():
    assert markdown_table(ROOT / "tests" / "fixtures") in DOCS["sites.md"], "run `scrapy sites` and paste its table into docs/sites.md"


def test_readme_opens_with_the_crawl_and_test_commands_and_ci_runs_the_latter():
    commands = re.findall(r"```sh\n(.+?)\n```", README)[:2]
    assert commands[0].endswith("scrapy crawl etemadonline")
    assert commands[1].endswith("pytest")
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def test_readme_stays_short_and_links_every_doc():
    assert len(README) < 20_000
    for name in DOCS:
        assert f"(docs/{name})" in README, name


def test_links_between_docs_lead_somewhere():
    pages = {"README.md": README, **{f"docs/{name}": text for name, text in DOCS.items()}}
    for page, text in pages.items():
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", text):
            assert (ROOT / page).parent.joinpath(target).resolve().exists(), f"{page} links to {target}"


def test_every_setting_of_ours_is_documented():
    ours = [name for name in dir(project_settings) if name.isupper() and not hasattr(default_settings, name)]
    assert "CRAWLER_STATE" in ours
    for name in ours:
        assert f"| `{name}` |" in DOCS["settings.md"], name


def test_the_loading_recipes_leave_unfinished_exports_out(tmp_path):
    site = tmp_path / "data" / "isna"
    site.mkdir(parents=True)
    for name in ("a.jsonl", "b.jsonl.gz", "c.jsonl.part", "d.jsonl.gz.part", "e.manifest.json"):
        (site / name).write_text("")
    patterns = re.findall(r"'(data/[^']+)'|\"(data/[^\"]+)\"", README)
    patterns = {p for pair in patterns for p in pair if p}
    assert patterns
    found = {Path(f).name for p in patterns for f in glob.glob(str(tmp_path / p))}
    assert found == {"a.jsonl", "b.jsonl.gz"}


def test_the_add_a_site_example_makes_a_site():
    code = re.search(r"\*\*Add a site\*\*.*?```python\n(.+?)```", README, re.S).group(1)
    scope: dict = {}
    exec(code, scope)
    site = scope["SITE"]
    assert isinstance(site, Site) and site.family is NASTOOH and site.owns("https://www.example.ir/news/123456/x")

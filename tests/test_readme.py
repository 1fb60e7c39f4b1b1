"""The README's promises that code can check."""

import re
from pathlib import Path

from crawler.commands.sites import markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def test_supported_sites_table_is_current():
    assert markdown_table(ROOT / "tests" / "fixtures") in README, "run `scrapy sites` and paste its table into README.md"


def test_readme_opens_with_the_crawl_and_test_commands_and_ci_runs_the_latter():
    commands = re.findall(r"```sh\n(.+?)\n```", README)[:2]
    assert commands[0].endswith("scrapy crawl etemadonline")
    assert commands[1].endswith("pytest")
    assert commands[1] in (ROOT / ".ci" / "run").read_text()

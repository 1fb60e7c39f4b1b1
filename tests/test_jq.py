"""The README's jq recipe, run as written on an output folder holding a plain
export, a gzipped one and a killed crawl's `.part`."""

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def test_the_jq_recipe_reads_plain_and_gzipped_exports_and_no_part_file(tmp_path):
    if not shutil.which("jq"):
        pytest.skip("jq is not installed: apt-get install jq")
    [command] = re.findall(r"^find data .*\| jq .*$", README, re.M)
    line = {"site": "isna.ir", "news_code": "1", "published_at": "2023-10-23T10:00:00+03:30", "headline": "a", "body": "b"}
    (tmp_path / "data/isna").mkdir(parents=True)
    (tmp_path / "data/isna/2026-12-01T03-00-00.jsonl").write_text(json.dumps(line) + "\n")
    (tmp_path / "data/isna/2026-12-02T03-00-00.jsonl.gz").write_bytes(gzip.compress((json.dumps({**line, "news_code": "2"}) + "\n").encode()))
    (tmp_path / "data/isna/2026-12-03T03-00-00.jsonl.part").write_text(json.dumps({**line, "news_code": "3"}) + "\n{\"half")
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    got = sorted(json.loads(row)["news_code"] for row in result.stdout.splitlines())
    assert got == ["1", "2"]

"""Deployment for scheduled jobs: the project builds into a scrapyd egg, and a
scrapyd started on 127.0.0.1 runs a job from it that exports the articles."""

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from benchmarks.serve import free_port
from localsite import ROOT, serve
from test_crawl_e2e import site_routes

pytest.importorskip("scrapyd")
DEPLOY = shutil.which("scrapyd-deploy", path=str(Path(sys.executable).parent))


def call(base: str, endpoint: str, data: dict | None = None, files: dict | None = None) -> dict:
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (data or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, content in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.egg"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{base}/{endpoint}", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    elif data is not None:
        request = urllib.request.Request(f"{base}/{endpoint}", urllib.parse.urlencode(data, doseq=True).encode())
    else:
        request = urllib.request.Request(f"{base}/{endpoint}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.skipif(DEPLOY is None, reason="scrapyd-client is not installed")
def test_egg_runs_a_job_in_scrapyd(tmp_path):
    egg = tmp_path / "crawler.egg"
    build = subprocess.run([DEPLOY, "--build-egg", str(egg)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0 and egg.exists(), build.stderr[-2000:]

    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\n"
        f"logs_dir = {home}/logs\nitems_dir =\ndbs_dir = {home}/dbs\npoll_interval = 0.5\n"
    )
    scrapyd = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    api = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(api, "daemonstatus.json")
                break
            except OSError:
                time.sleep(0.1)
        assert call(api, "addversion.json", {"project": "crawler", "version": "1"}, {"egg": egg.read_bytes()})["status"] == "ok"
        assert "etemadonline" in call(api, "listspiders.json?project=crawler")["spiders"]
        routes: dict = {}
        with serve(routes) as (base, _):
            routes.update(site_routes(base))
            out = tmp_path / "out"
            job = call(api, "schedule.json", {
                "project": "crawler", "spider": "etemadonline", "base_url": base,
                "setting": [f"CRAWLER_OUTPUT={out}/%(name)s/%(time)s.jsonl", f"CRAWLER_STATE={tmp_path}/state.sqlite3",
                            "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0"],
            })
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                jobs = call(api, "listjobs.json?project=crawler")
                if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                    break
                time.sleep(0.5)
            else:
                pytest.fail("the scrapyd job did not finish")
        [export] = (out / "etemadonline").glob("*.jsonl")
        codes = sorted(json.loads(line)["news_code"] for line in export.read_text("utf-8").splitlines())
        assert codes == ["523995", "600001", "600002", "600003"]
    finally:
        scrapyd.terminate()
        scrapyd.wait(timeout=30)

"""The benchmarks' shared harness (benchmarks/common.py, harness.py,
serve.py): every benchmark imports, and the parts that do not time, on tiny
input: the order contenders take turns in, the best and the per-page median
of rounds (on a clock of our own), which pages count as real, and a served
site that stops when its benchmark is killed."""

import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import time
from urllib.request import urlopen

import pytest

import benchmarks
from benchmarks import harness
from benchmarks.common import KINDS, ROOT, arguments, fixture_pages, kind_of, optional
from benchmarks.serve import free_port

MODULES = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_imports(name):
    importlib.import_module(f"benchmarks.{name}")


def test_the_usage_names_the_module_and_the_first_paragraph():
    parser = arguments("/x/benchmarks/crawl.py", "What it measures.\nSecond line.\n\nDetails.")
    assert parser.prog == "python -m benchmarks.crawl"
    assert parser.description == "What it measures.\nSecond line."


def test_runs_in_turn_reverse_every_other_turn_and_a_fixed_order_stays():
    assert harness.in_turn("ab", 0) == ["a", "b"] and harness.in_turn("ab", 1) == ["b", "a"]
    assert harness.in_turn("abc", 3) == list("cba")
    fixed = harness.turns("abc", "fixed")
    assert [next(fixed) for _ in range(2)] == [list("abc")] * 2


def test_shuffled_order_is_seeded_and_favours_none():
    first = harness.turns("abcd", "shuffled", seed=3)
    again = harness.turns("abcd", "shuffled", seed=3)
    orders = [next(first) for _ in range(200)]
    assert orders == [next(again) for _ in range(200)]  # the same every run
    assert all(sorted(o) == list("abcd") for o in orders)
    assert {o[0] for o in orders} == set("abcd")  # each is first sometimes
    other = harness.turns("abcd", "shuffled", seed=4)
    assert orders != [next(other) for _ in range(200)]
    with pytest.raises(ValueError):
        next(harness.turns("ab", "sorted"))


class Ticks:
    """A clock that moves by the given steps, one a reading."""

    def __init__(self, steps):
        self.steps, self.now = iter(steps), 0.0

    def __call__(self):
        self.now += next(self.steps)
        return self.now


def test_best_of_keeps_the_fewest_seconds(monkeypatch):
    # Each call reads the clock twice: before (+0) and after (+its duration).
    monkeypatch.setattr(harness, "clock", Ticks([0, 5, 0, 2, 0, 9]))
    calls = []
    assert harness.best_of(lambda: calls.append(1), 3) == 2
    assert len(calls) == 3


def test_interleaved_times_each_call_and_takes_turns(monkeypatch):
    durations = {("p1", "a"): 1, ("p1", "b"): 10, ("p2", "a"): 2, ("p2", "b"): 20}
    called = []
    now = [0.0]  # the clock: each call moves it by the call's duration, twice as much in round 2

    def contender(name):
        def run(page):
            called.append((page, name))
            now[0] += durations[page, name] * (1 + (len(called) > 4))
        return run

    monkeypatch.setattr(harness, "clock", lambda: now[0])
    pages = [("p1", "p1"), ("p2", "p2")]
    times = harness.interleaved(pages, {"a": contender("a"), "b": contender("b")}, 2, order="fixed", warm_up=False)
    assert called == [("p1", "a"), ("p1", "b"), ("p2", "a"), ("p2", "b")] * 2
    assert times["a"]["pages"] == {"p1": [1, 2], "p2": [2, 4]}
    assert times["a"]["rounds"] == [3, 6] and times["b"]["rounds"] == [30, 60]
    assert harness.per_page(times["b"]) == {"p1": 15, "p2": 30}  # the median
    assert harness.per_page(times["b"], min) == {"p1": 10, "p2": 20}


def test_interleaved_warms_every_contender_up_on_every_page():
    called = []
    harness.interleaved([("p1", 1), ("p2", 2)], {"a": called.append}, 0)
    assert called == [1, 2]


def test_clock_counts_this_process_or_its_children():
    burn = [sys.executable, "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"]
    with harness.Clock() as own:
        t = time.process_time()
        while time.process_time() - t < 0.2:
            pass
    assert own.cpu >= 0.15 and own.wall >= own.cpu * 0.5
    with harness.Clock(children=True) as children, harness.Clock() as parent:
        subprocess.run(burn, check=True)
    assert children.cpu >= 0.25  # the child's CPU, which the parent's own clock does not see
    assert parent.cpu < children.cpu / 2


def test_real_pages_are_kept_apart_as_their_metadata_says(tmp_path):
    pages = {
        "a.ir/1": {"url": "https://a.ir/1", "kind": "real"},
        "a.ir/2": {"url": "https://a.ir/2", "kind": "synthetic"},
        "b.ir/3": {"url": "https://b.ir/3", "kind": "reconstructed", "draft": True},
        "b.ir/4": {"url": "https://b.ir/4"},  # says nothing: not real
        "b.ir/5": {"kind": "real"},  # no URL: not a page to read
        "bad/6": {"url": "https://bad/6", "kind": "real"},  # made to be refused
    }
    for name, meta in pages.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / f"{name}.json").write_text(json.dumps(meta))
        (tmp_path / f"{name}.html").write_text("<p>x</p>")
    (tmp_path / "a.ir/7.json").write_text(json.dumps({"url": "https://a.ir/7", "kind": "real"}))  # no page
    found = fixture_pages(tmp_path)
    assert {(p.name, p.kind, p.real) for p in found} == {
        ("a.ir/1", "real", True), ("a.ir/2", "synthetic", False),
        ("b.ir/3", "reconstructed", False), ("b.ir/4", "unlabelled", False),
    }  # fmt: skip
    assert kind_of({"kind": "Real"}) == "unlabelled" and "unlabelled" not in KINDS


def test_the_fixtures_hold_real_and_written_pages():
    kinds = {p.kind for p in fixture_pages()}
    assert "real" in kinds and kinds - {"real"}


@pytest.mark.parametrize("kind", ["python", "nginx"])
def test_a_served_site_stops_when_the_benchmark_dies(tmp_path, kind):
    """A benchmark killed mid-run (SIGKILL: no `finally` runs) leaves no server behind."""
    if kind == "nginx" and not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        pytest.skip("nginx is not installed")
    port = free_port()
    script = (
        "import sys, time; from pathlib import Path; from benchmarks.serve import serve; from benchmarks.site import build\n"
        f"build(Path({str(tmp_path)!r}), 0, 'http://127.0.0.1:{port}')\n"
        f"with serve(Path({str(tmp_path)!r}), {port}, {kind!r}, workers=2) as base:\n"
        "    print(base, flush=True); time.sleep(60)\n"
    )
    benchmark = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    base = benchmark.stdout.readline().strip()
    assert base == f"http://127.0.0.1:{port}"
    assert urlopen(f"{base}/robots.txt", timeout=5).status == 200
    benchmark.kill()
    benchmark.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urlopen(f"{base}/robots.txt", timeout=1).close()
        except OSError:
            return  # refused: stopped
        time.sleep(0.1)
    pytest.fail(f"the {kind} server still answers after its benchmark died")


def test_a_contender_not_installed_is_left_out_and_said(capsys):
    assert optional("no_such_module_here", "pip install it") is None
    assert capsys.readouterr().err == "no_such_module_here is not installed (pip install it): left out\n"
    assert optional("json") is json

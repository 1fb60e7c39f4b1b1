"""Instructions a round of extraction over the fixtures executes, counted by
valgrind (callgrind): the same figure every run, to ~0.5%, where wall time
on a shared VM moves by a third between runs, so an edit worth 1% can be
told from noise.

    python -m benchmarks.instructions                  # ours and lxml's parse, 2 rounds
    python -m benchmarks.instructions --what ours --rounds 4

Each contender is run twice under callgrind, with N rounds and with none
(imports and a warm-up round in both), concurrently; the difference over N
is one round. PYTHONHASHSEED is fixed. Needs valgrind (apt-get install
valgrind); slow (~40x), so the default is two rounds. Instructions are not
time: the parse's and the tree walks' memory traffic costs time they do not
count (benchmarks/RESULTS.md, "Extraction", sixth round).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import arguments

ROOT = Path(__file__).resolve().parent.parent
_COLLECTED = re.compile(rb"Collected : (\d+)")


def rounds(what: str, n: int) -> None:
    """In the process valgrind runs: warm up, then n rounds of `what` over every fixture."""
    import lxml.html

    from benchmarks.extraction import load_pages
    from crawler.extract import extract_article

    pages = load_pages()
    run = (lambda body, text, url: extract_article(body, url)) if what == "ours" else (lambda body, text, url: lxml.html.fromstring(text))
    for _ in range(n + 1):
        for _, body, text, url in pages:
            run(body, text, url)


def counted(what: str, n: int, module: str = "benchmarks.instructions") -> int:
    """Instructions of a whole run of `n` rounds (and the warm-up): `module`'s rounds(what, n)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, "-c", f"from {module} import rounds; rounds({what!r}, {n})"],
            cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, check=True,
        )  # fmt: skip
    return int(_COLLECTED.search(out.stderr).group(1))


def per_round(what: str, n: int) -> float:
    with ThreadPoolExecutor(2) as pool:
        with_rounds, without = pool.map(lambda k: counted(what, k), (n, 0))
    return (with_rounds - without) / n


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--what", choices=("ours", "lxml", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    found = {what: per_round(what, args.rounds) for what in (("ours", "lxml") if args.what == "both" else (args.what,))}
    for what, count in found.items():
        print(f"{what}: {count / 1e6:.1f} M instructions a round")
    if len(found) == 2:
        print(f"ours / lxml: {found['ours'] / found['lxml']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

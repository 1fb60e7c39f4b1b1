"""The site-agnostic body (crawler.extract.density through GenericLayer), beside Trafilatura, in one run.

    python -m benchmarks.body                   # both page sets, quality and speed
    python -m benchmarks.body --candidates      # also the other content locators weighed
    python -m benchmarks.body --json

Two page sets:
- the public article-extraction benchmark (../shared/benchmarks/article-extraction:
  181 real pages, mostly English), scored with its own metric: 4-token
  shingles of `\\w+` tokens, each page's shared (tp), predicted-only (fp) and
  true-only (fn) counts divided by their sum, averaged over the pages;
  precision tp/(tp+fp), recall tp/(tp+fn), F1 from the two;
- our fixtures (real pages apart from synthetic and reconstructed ones), scored
  against the bodies a person read off each page, with the same metric and
  with benchmarks.quality's bag-of-tokens F1 (contract normalization).

Every page is read as if its site were unknown: its URL is moved to a host no
spider owns (path and query kept) and only the metadata and generic layers
run, so the body is the density walk's, cleaned as every body is
(boilerplate.clean_paragraphs, without the headline and lead found on the page).
Trafilatura gets the same bytes and URL (`trafilatura.extract`, its defaults,
comments off). Speed: pages per second of both, interleaved page by page in
a shuffled order (benchmarks.harness.interleaved), over both page sets.

--candidates adds the content locators weighed against our own walk, each
giving only the element that holds the article, its text then taken by our
code (html.paragraphs, so ZWNJs survive, and the same cleaning):
readability-lxml (its summary, parsed again), and Trafilatura and jusText
located in our tree as the nearest element holding every block of the text
they return.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from typing import Any, Callable

from benchmarks import common
from benchmarks.common import KINDS, TRAFILATURA_LOGGERS, arguments, machine_facts, optional, print_facts, unowned
from benchmarks.extraction import summarize
from benchmarks.harness import interleaved
from benchmarks.quality import token_prf
from crawler.extract import extract_article
from crawler.extract.html import parse_html
from tests.test_fixtures import expected_form

GENERIC_LAYERS = ("metadata", "generic")

Page = tuple[str, bytes, str, str, str | None]  # name, bytes, unknown-host URL, kind, expected body


def public_pages() -> list[Page]:
    return [(p.name, p.read(), unowned(p.url), p.kind, p.meta["articleBody"]) for p in common.public_benchmark_pages()]


def fixture_pages() -> list[Page]:
    """The fixtures with a body a person read off the page (tests/fixtures/bad left out)."""
    return [
        (p.name, p.read(), unowned(p.url), p.kind, expected_form("body", p.meta["expected"]["body"]))
        for p in common.fixture_pages() if p.meta.get("expected", {}).get("body") and not p.meta.get("draft")
    ]


# ---- the benchmark's metric ----

def shingles(text: str | None, n: int = 4) -> Counter:
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(len(tokens) - n + 1, 0)))


def shingle_counts(predicted: str | None, true: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, divided by their sum (all 0 when both are empty)."""
    p, t = shingles(predicted), shingles(true)
    tp, fp, fn = sum((p & t).values()), sum((p - t).values()), sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def shingle_prf(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# ---- the extractors ----

def ours(html: bytes, url: str) -> str | None:
    return extract_article(html, url, layers=GENERIC_LAYERS)["body"]


def trafilatura_body(html: bytes, url: str) -> str | None:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False)


def located(html: bytes, url: str, locate: Callable[[bytes, Any], Any]) -> str | None:
    """Our generic body with the content element chosen by `locate(html, root)`:
    density.densest_block is swapped for the locator for the call, so that the
    text is taken and cleaned exactly as the generic layer does."""
    from crawler.extract import density

    original = density.densest_block

    def chosen(root):
        element = locate(html, root)
        return density.Block(element, 0, []) if element is not None else None

    density.densest_block = chosen
    try:
        return ours(html, url)
    finally:
        density.densest_block = original


def readability_element(html: bytes, root):
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    return parse_html(summary, "https://x.example/").root


def containing(root, text: str | None):
    """The nearest element holding every block of `text` (blocks of 30 characters or more,
    compared without white space and ZWNJs) that our tree has as an element's own text."""
    if not text:
        return None
    squeeze = lambda s: re.sub(r"[\s\u200c]+", "", s)  # noqa: E731
    wanted = squeeze(text)
    hits = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        own = squeeze((element.text or "") + "".join((c.tail or "") for c in element))
        if len(own) >= 30 and own in wanted:
            hits.append(element)
    if not hits:
        return None
    common = list(hits[0].iterancestors())[::-1] + [hits[0]]
    for hit in hits[1:]:
        ancestors = set(hit.iterancestors()) | {hit}
        while common[-1] not in ancestors:
            common.pop()
    return common[-1]


def trafilatura_element(html: bytes, root):
    return containing(root, trafilatura_body(html, None))


def justext_element(html: bytes, root):
    import justext

    persian = any("\u0600" <= c <= "\u06ff" for c in html.decode("utf-8", "replace")[:200000])
    stoplist = justext.get_stoplist("Persian" if persian else "English")
    good = [p.text for p in justext.justext(html, stoplist) if not p.is_boilerplate]
    return containing(root, "\n".join(good))


def extractors(candidates: bool) -> dict[str, Callable[[bytes, str], str | None]]:
    found: dict[str, Callable[[bytes, str], str | None]] = {"ours": ours}
    if optional("trafilatura", quiet=(*TRAFILATURA_LOGGERS, "readability", "justext")):
        found["trafilatura"] = trafilatura_body
    if candidates:
        found["readability-locates"] = lambda html, url: located(html, url, readability_element)
        found["trafilatura-locates"] = lambda html, url: located(html, url, trafilatura_element)
        found["justext-locates"] = lambda html, url: located(html, url, justext_element)
    return found


# ---- scoring ----

def score(pages: list[Page], extractor_list: dict[str, Callable]) -> dict[str, dict[str, Any]]:
    """Per extractor: every page's (tp, fp, fn) and token F1, and errors."""
    out: dict[str, dict[str, Any]] = {name: {"pages": {}} for name in extractor_list}
    for name, html, url, kind, expected in pages:
        for extractor, run in extractor_list.items():
            try:
                got, error = run(html, url), None
            except Exception as exc:  # a crash is scored as an empty body, and named
                got, error = None, repr(exc)
            out[extractor]["pages"][name] = {
                "kind": kind, "shingles": shingle_counts(got, expected),
                "token_f1": token_prf(got, expected)[2], "error": error,
            }
    return out


def summary(scores: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
    pages = [p for p in scores["pages"].values() if kind is None or p["kind"] == kind]
    if not pages:
        return {}
    p, r, f = shingle_prf([x["shingles"] for x in pages])
    return {
        "pages": len(pages), "precision": p, "recall": r, "f1": f,
        "token_f1": sum(x["token_f1"] for x in pages) / len(pages),
        "min_token_f1": min(x["token_f1"] for x in pages),
        "errors": sum(bool(x["error"]) for x in pages),
    }


def speed(pages: list[Page], extractor_list: dict[str, Callable], rounds: int) -> dict[str, Any]:
    runners = {n: (lambda run: lambda body, text, url: run(body, url))(r) for n, r in extractor_list.items() if n in ("ours", "trafilatura")}
    as_fixtures = [(name, html, "", url) for name, html, url, _kind, _expected in pages]
    return summarize(as_fixtures, interleaved(as_fixtures, runners, rounds))


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--candidates", action="store_true", help="also score the other content locators")
    parser.add_argument("--rounds", type=int, default=3, help="speed rounds over all pages (0: no speed run)")
    parser.add_argument("--misses", type=float, default=None, help="list pages whose token F1 is below this, for ours")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    facts = machine_facts("trafilatura", "readability-lxml", "jusText")
    extractor_list = extractors(args.candidates)
    sets = {"public benchmark": public_pages(), "fixtures": fixture_pages()}
    result: dict[str, Any] = {"facts": facts, "sets": {}}
    for set_name, pages in sets.items():
        scores = score(pages, extractor_list)
        kinds = [None] if set_name == "public benchmark" else list(KINDS)
        result["sets"][set_name] = {
            (kind or "all"): {name: summary(s, kind) for name, s in scores.items()} for kind in kinds
        }
        result["sets"][set_name]["_pages"] = scores
    if args.rounds:
        result["speed"] = speed([p for pages in sets.values() for p in pages], extractor_list, args.rounds)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
        return 0
    print_facts(facts)
    for set_name, by_kind in result["sets"].items():
        for kind, by_extractor in by_kind.items():
            if kind == "_pages" or not any(by_extractor.values()):
                continue
            print(f"\n== {set_name}, {kind} pages ==")
            print(f"{'extractor':<22}{'pages':>6}{'P':>8}{'R':>8}{'F1':>8}{'token F1':>10}{'min':>8}{'errors':>8}")
            for name, s in by_extractor.items():
                if s:
                    print(f"{name:<22}{s['pages']:>6}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
                          f"{s['token_f1']:>10.3f}{s['min_token_f1']:>8.3f}{s['errors']:>8}")
        if args.misses is not None:
            for page, s in by_kind["_pages"]["ours"]["pages"].items():
                if s["token_f1"] < args.misses:
                    others = {n: round(x["pages"][page]["token_f1"], 3) for n, x in by_kind["_pages"].items() if n != "ours"}
                    print(f"  {page} ({s['kind']}): ours {s['token_f1']:.3f} {others}")
    if "speed" in result:
        pages = sum(len(p) for p in sets.values())
        print(f"\nSpeed over all {pages} pages, {args.rounds} rounds, interleaved (pages/s, median round):")
        for name, s in result["speed"].items():
            print(f"  {name:<12} {s['pages_per_second']:8.1f} pages/s  median page {s['page_ms_median']:.1f} ms")
        if "trafilatura" in result["speed"]:
            ratio = result["speed"]["ours"]["pages_per_second"] / result["speed"]["trafilatura"]["pages_per_second"]
            print(f"  ours / trafilatura: {ratio:.1f}x (target at least 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

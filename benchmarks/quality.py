"""Extraction quality on the fixtures: ours on its own sites, ours on the same
pages as if their sites were unknown (with family detection, and with the
family layer off), Trafilatura and htmldate.

    python -m benchmarks.quality            # text tables
    python -m benchmarks.quality --json     # the same numbers, and every page's scores, as JSON

Every `tests/fixtures/<site>/<name>.html` with a `<name>.json`, and every
synthetic page of `tests/pages/` (pages the fixture harness cannot hold yet),
is extracted by each extractor and scored against its "expected" values the way
the fixture harness compares them (contract normalization): exact match per
field, and bag-of-tokens precision/recall/F1 for the body (white-space tokens
after `fold_for_comparison`). A second body F1, blind to zero-width
non-joiners (deleted on both sides), tells a wrong choice of text from lost
ZWNJs: Trafilatura drops every ZWNJ, so the page's `می‌رود` (tokens `می`,
`رود`) comes out as the one token `میرود`. Drafts (values not yet read off the
page by a person) are left out; fields a fixture does not list are not scored,
nor are fields an extractor has no notion of ("n/a": Trafilatura has no news
code, uptitle or source). Real pages and synthetic or reconstructed ones are
reported apart: only real pages say how the extractors do on the web. The
article pages of ../shared/pages are fixtures byte for byte (the script checks
and names any that is not, which has no expected values read by a person).

"Unknown site": the page's URL moved to a host no site owns, its path kept, as
`scrapy crawl news` and `scrapy extract` meet a site with no module:
"unknown+detect" is `extract_article(html, url)` there (the family its markup
shows, crawler.families.detect, then metadata and generic layers),
"unknown-nofamily" the same with `layers=("metadata", "generic")`.

Trafilatura (`pip install -e '.[bench]'`) is mapped field by field: text →
body (one paragraph per line), title → headline, date → published_at (a date
without time of day, compared as it is; the "date" column asks only whether the
Gregorian day agrees, for every extractor), description → lead, tags → tags,
categories → section. htmldate (`find_date`, Trafilatura's own date finder,
extensive search, original date) gives a day: scored in the "date" column.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from benchmarks import common
from benchmarks.common import ROOT, TRAFILATURA_LOGGERS, arguments, fixture_pages, optional, shared_pages, unowned
from benchmarks.harness import best_of
from crawler.extract import extract_article
from crawler.persian.text import ZWNJ, fold_for_comparison, normalize_paragraphs, normalize_text
from tests.test_fixtures import expected_form

PAGES = ROOT / "tests/pages"  # synthetic pages kept out of the fixtures

EXACT_FIELDS = ("news_code", "published_at", "headline", "uptitle", "lead", "tags", "section", "source")
# Text table columns: the exact fields, with the date-only check beside published_at.
COLUMNS = ("news_code", "published_at", "date", "headline", "uptitle", "lead", "tags", "section", "source")
HEADERS = {"news_code": "code", "published_at": "published"}
BODY_TARGET = 0.97  # the project's target body F1 on every real page


@dataclass(frozen=True)
class Extractor:
    name: str
    extract: Callable[[bytes, str], dict[str, Any]]
    fields: tuple[str, ...]  # the fields it can give at all


def tokens(text: str | None, zwnj_blind: bool = False) -> list[str]:
    text = text or ""
    return fold_for_comparison(text.replace(ZWNJ, "") if zwnj_blind else text).split()


def token_prf(got: str | None, expected: str | None, zwnj_blind: bool = False) -> tuple[float, float, float]:
    """Precision, recall and F1 of got's tokens against expected's, as multisets."""
    got_tokens, expected_tokens = Counter(tokens(got, zwnj_blind)), Counter(tokens(expected, zwnj_blind))
    if not got_tokens and not expected_tokens:
        return 1.0, 1.0, 1.0
    overlap = sum((got_tokens & expected_tokens).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision = overlap / sum(got_tokens.values())
    recall = overlap / sum(expected_tokens.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def date_part(value: str | None) -> str | None:
    """The Gregorian day of an ISO time or date."""
    return value[:10] if value else None


def score_page(got: dict[str, Any], expected: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Per scored field: True/False for exact fields and "date", (P, R, F1) for "body",
    and F1 for "body_zwnj_blind".
    Only fields both expected and within the extractor's `fields` are scored."""
    scores: dict[str, Any] = {}
    for field in EXACT_FIELDS:
        if field in expected and field in fields:
            scores[field] = got.get(field) == expected_form(field, expected[field])
    if "published_at" in scores:
        scores["date"] = date_part(got.get("published_at")) == date_part(expected["published_at"])
    if "body" in expected and "body" in fields:
        body = expected_form("body", expected["body"])
        scores["body"] = token_prf(got.get("body"), body)
        scores["body_zwnj_blind"] = token_prf(got.get("body"), body, zwnj_blind=True)[2]
    return scores


def ours(html: bytes, url: str) -> dict[str, Any]:
    return extract_article(html, url)


def unknown_detect(html: bytes, url: str) -> dict[str, Any]:
    """What `scrapy crawl news` and `scrapy extract` get on a site with no module."""
    return extract_article(html, unowned(url))


def unknown_nofamily(html: bytes, url: str) -> dict[str, Any]:
    """The same with no family layer: structured metadata and the generic layer alone."""
    return extract_article(html, unowned(url), layers=("metadata", "generic"))


def trafilatura_fields(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    document = trafilatura.bare_extraction(html, url=unowned(url), with_metadata=True)
    found = document.as_dict() if document else {}
    text = found.get("text")
    return {
        "published_at": found.get("date"),
        "headline": normalize_text(found.get("title")),
        "lead": normalize_text(found.get("description")),
        # It gives a keywords meta as one comma-joined item: split as our metadata layer does.
        "tags": [normalize_text(t) for tag in found.get("tags") or [] for t in re.split(r"[,،]", tag) if t.strip()],
        "section": [normalize_text(c) for c in found.get("categories") or []],
        # Trafilatura's text has one paragraph per line.
        "body": normalize_paragraphs("\n\n".join(text.splitlines())) if text else None,
    }


def htmldate_fields(html: bytes, url: str) -> dict[str, Any]:
    from htmldate import find_date

    return {"published_at": find_date(html, url=unowned(url), extensive_search=True, original_date=True)}


def extractors() -> list[Extractor]:
    found = [
        Extractor("ours", ours, (*EXACT_FIELDS, "body")),
        Extractor("unknown+detect", unknown_detect, (*EXACT_FIELDS, "body")),
        Extractor("unknown-nofamily", unknown_nofamily, (*EXACT_FIELDS, "body")),
    ]
    if optional("trafilatura", quiet=TRAFILATURA_LOGGERS):
        found.append(Extractor("trafilatura", trafilatura_fields, ("published_at", "headline", "lead", "tags", "section", "body")))
        found.append(Extractor("htmldate", htmldate_fields, ("published_at",)))
    return found


def load_pages() -> list[tuple[str, Path, dict]]:
    """(name, page, meta) of the fixtures and of tests/pages/."""
    pages = [(page.name, page.path, page.meta) for page in fixture_pages()]
    for meta_path in sorted(PAGES.glob("*.json")):
        pages.append((f"pages/{meta_path.stem}", meta_path.with_suffix(".html"), json.loads(meta_path.read_text("utf-8"))))
    return pages


def shared_articles_not_in_fixtures() -> list[str]:
    """The article pages of ../shared/pages that no fixture holds byte for byte."""
    held = {page.read() for page in fixture_pages()}
    return [page.meta["file"] for page in shared_pages() if page.meta["kind"] == "article" and page.read() not in held]


def score_all(pages: list[tuple[str, bytes, dict]], extractor_list: list[Extractor]) -> list[dict[str, Any]]:
    records = []
    for name, html, meta in pages:
        for extractor in extractor_list:
            error = None
            try:
                got = extractor.extract(html, meta["url"])
            except Exception as exc:  # a crash is scored as an empty result, and named
                got, error = {}, repr(exc)
            records.append({
                "page": name, "site": name.split("/")[0], "kind": meta["kind"],
                "extractor": extractor.name, "error": error,
                "scores": score_page(got, meta["expected"], extractor.fields),
            })
    return records


def aggregate(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Pages, matched/scored per exact field, and body P/R/F1 means, over some records."""
    fields = {c: [0, 0] for c in COLUMNS}
    bodies, blind = [], []
    for record in records:
        for field, value in record["scores"].items():
            if field == "body":
                bodies.append(value)
            elif field == "body_zwnj_blind":
                blind.append(value)
            else:
                fields[field][0] += value
                fields[field][1] += 1
    exact = [fields[f] for f in EXACT_FIELDS]
    result: dict[str, Any] = {
        "pages": len(records),
        "fields": {f: {"matched": m, "scored": s} for f, (m, s) in fields.items() if s},
        "all_fields": {"matched": sum(m for m, _ in exact), "scored": sum(s for _, s in exact)},
    }
    if bodies:
        p, r, f = (sum(b[i] for b in bodies) / len(bodies) for i in range(3))
        result["body"] = {
            "pages": len(bodies), "precision": p, "recall": r, "f1": f,
            "min_f1": min(b[2] for b in bodies),
            "f1_zwnj_blind": sum(blind) / len(blind),
            "at_target": sum(b[2] >= BODY_TARGET for b in bodies),
        }
    return result


def group_of(kind: str) -> str:
    """Saved pages apart from pages written by us (synthetic or reconstructed)."""
    return "real" if kind == "real" else "synthetic/reconstructed"


def report(records: list[dict[str, Any]], extractor_names: list[str]) -> dict[str, Any]:
    groups: dict[str, Any] = {}
    for group in sorted({group_of(r["kind"]) for r in records}, key=lambda g: g != "real"):
        in_group = [r for r in records if group_of(r["kind"]) == group]
        sites = sorted({r["site"] for r in in_group})
        groups[group] = {
            name: {
                "sites": {s: aggregate([r for r in in_group if r["site"] == s and r["extractor"] == name]) for s in sites},
                "total": aggregate([r for r in in_group if r["extractor"] == name]),
            }
            for name in extractor_names
        }
    return groups


def timing(pages: list[tuple[str, bytes, dict]], extractor_list: list[Extractor], repeat: int) -> dict[str, Any]:
    """Pages per second, best of `repeat` passes over all pages, one process."""

    def one_pass(extractor: Extractor) -> None:
        for _name, html, meta in pages:
            try:
                extractor.extract(html, meta["url"])
            except Exception:
                pass  # already reported by the scoring pass

    result = {}
    for extractor in extractor_list:
        best = best_of(lambda: one_pass(extractor), repeat)
        result[extractor.name] = {"seconds": best, "pages_per_second": len(pages) / best if best else None}
    return result


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), **common.versions("lxml", "trafilatura")}


# ---- text output ----

def cell(summary: dict[str, Any], field: str) -> str:
    counts = summary["fields"].get(field)
    return f"{counts['matched']}/{counts['scored']}" if counts else "n/a"


def body_cells(summary: dict[str, Any]) -> list[str]:
    body = summary.get("body")
    if not body:
        return ["n/a"] * 5
    return [f"{body[k]:.3f}" for k in ("precision", "recall", "f1", "min_f1", "f1_zwnj_blind")]


def row(label: str, extractor: str, summary: dict[str, Any]) -> list[str]:
    total = summary["all_fields"]
    fields_cell = f"{total['matched']}/{total['scored']}" if total["scored"] else "n/a"
    return [label, extractor, str(summary["pages"]), *(cell(summary, c) for c in COLUMNS), fields_cell, *body_cells(summary)]


def table(rows: list[list[str]]) -> str:
    header = ["site", "extractor", "pages", *(HEADERS.get(c, c) for c in COLUMNS), "all", "body P", "R", "F1", "min F1", "F1 no-ZWNJ"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))) for r in [header, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def misses(records: list[dict[str, Any]], extractor: str) -> list[str]:
    lines = []
    for record in records:
        if record["extractor"] != extractor:
            continue
        scores = record["scores"]
        wrong = [f for f in COLUMNS if scores.get(f) is False]
        f1 = scores["body"][2] if "body" in scores else None
        if wrong or (f1 is not None and f1 < BODY_TARGET) or record["error"]:
            parts = [f"wrong: {', '.join(wrong)}"] if wrong else []
            if f1 is not None:
                parts.append(f"body F1 {f1:.3f}")
            if record["error"]:
                parts.append(f"error: {record['error']}")
            lines.append(f"  {record['page']} ({record['kind']}): {'; '.join(parts)}")
    return lines


def print_text(result: dict[str, Any], records: list[dict[str, Any]], miss_extractors: list[str]) -> None:
    v = result["versions"]
    drafts = f" ({len(result['drafts_left_out'])} drafts left out)" if result["drafts_left_out"] else ""
    print(f"Extraction quality, {result['date']}: {result['fixtures']} pages{drafts}; "
          + ", ".join(f"{k} {val}" for k, val in v.items()))
    missing = result["shared_articles_not_in_fixtures"]
    print("Article pages of ../shared/pages not among them (no expected values read by a person): "
          + (", ".join(missing) if missing else "none, every one is a fixture"))
    print("Cells: pages right / pages scored per field; 'date' = Gregorian day of published_at; 'all' = the exact fields together;\n"
          f"body: mean token P/R/F1, the lowest F1 (target {BODY_TARGET} on every real page), mean F1 with ZWNJs deleted on both sides.")
    for group, by_extractor in result["groups"].items():
        print(f"\n== {group} fixtures ==")
        rows = []
        sites = next(iter(by_extractor.values()))["sites"]
        for site in sites:
            for i, (name, groups) in enumerate(by_extractor.items()):
                rows.append(row(site if i == 0 else "", name, groups["sites"][site]))
        for i, (name, groups) in enumerate(by_extractor.items()):
            rows.append(row("TOTAL" if i == 0 else "", name, groups["total"]))
        print(table(rows))
        body = {n: g["total"].get("body") for n, g in by_extractor.items()}
        print("body F1 >= target: " + ", ".join(
            f"{n} {b['at_target']}/{b['pages']}" for n, b in body.items() if b))
    print(f"\nSpeed (one process, best of {result['repeat']} passes over all {result['fixtures']} pages):")
    for name, t in result["timing"].items():
        print(f"  {name:<14} {t['pages_per_second']:8.1f} pages/s  ({t['seconds']:.2f} s a pass)")
    for name in miss_extractors:
        lines = misses(sorted(records, key=lambda r: (r["kind"] != "real", r["page"])), name)
        print(f"\nPages where {name} misses a field or the body target: {len(lines) or 'none'}")
        for line in lines:
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--json", action="store_true", help="print JSON (with per-page scores) instead of tables")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes per extractor (best is kept)")
    parser.add_argument("--misses", default="ours", help="comma-separated extractors whose misses are listed page by page ('' for none)")
    args = parser.parse_args(argv)

    fixtures = load_pages()
    pages = [(name, path.read_bytes(), meta) for name, path, meta in fixtures if not meta.get("draft")]
    extractor_list = extractors()
    names = [e.name for e in extractor_list]
    records = score_all(pages, extractor_list)
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        "fixtures": len(pages),
        "drafts_left_out": [name for name, _path, meta in fixtures if meta.get("draft")],
        "shared_articles_not_in_fixtures": shared_articles_not_in_fixtures(),
        "body_target": BODY_TARGET,
        "repeat": args.repeat,
        "groups": report(records, names),
        "timing": timing(pages, extractor_list, args.repeat),
    }
    if args.json:
        result["pages"] = records
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_text(result, records, [n for n in args.misses.split(",") if n in names])
    return 0


if __name__ == "__main__":
    sys.exit(main())

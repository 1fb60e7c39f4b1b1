"""Publication dates on pages of unknown sites: ours against htmldate.

    python -m benchmarks.dates            # the table
    python -m benchmarks.dates --pages    # and every page's values
    python -m benchmarks.dates --speed    # and the cost of the choice, per page

Every fixture page (tests/fixtures, drafts left out) is given a URL on a host
no spider owns, its path kept, and read by
- **ours**: `extract_article(html, url, layers=("metadata", "generic"))`, the
  date crawler.extract.published chooses;
- **htmldate** (installed with Trafilatura, `pip install -e '.[bench]'`):
  `find_date(html, url=url, original_date=True, extensive_search=True)`, asked
  for a time of day too (`outputformat="%Y-%m-%dT%H:%M:%S%z"`; a time without
  offset is taken as Tehran wall time, one with an offset converted to Tehran).

Scored against the fixture's published_at, read off the page by a person:
- day: the Tehran calendar day agrees; a page with no date found is a miss,
  one with another day is wrong (worse: no date is better than a wrong one);
- time: on pages whose published_at has a time of day, the hour and minute
  agree (Tehran wall time); exact: the whole published_at as the contract
  writes it (ours only: htmldate's output has another shape).
Real pages and synthetic or reconstructed ones are reported apart, and apart
again the synthetic hard cases of tests/test_published.py (header clocks,
today bars, related lists, ...), where on some pages the right answer is no
date: there "day" counts a page right when no date is given. The
../shared/pages articles are the same bytes as the real fixtures.
"""

from __future__ import annotations

import logging
from datetime import datetime

from benchmarks.common import arguments, fixture_pages, unowned
from benchmarks.harness import best_of
from crawler.extract import extract_article
from crawler.extract.html import parse_html
from crawler.extract.layers import Page
from crawler.extract.published import published_time
from crawler.persian.dates import TEHRAN
from tests.test_published import SYNTHETIC



def ours(html: bytes, url: str) -> str | None:
    return extract_article(html, url, layers=("metadata", "generic"))["published_at"]


def htmldate(html: bytes, url: str) -> str | None:
    from htmldate import find_date

    found = find_date(html, url=url, original_date=True, extensive_search=True, outputformat="%Y-%m-%dT%H:%M:%S%z")
    if not found:
        return None
    value = datetime.fromisoformat(found)
    value = value.replace(tzinfo=TEHRAN) if value.tzinfo is None else value.astimezone(TEHRAN)
    # It gives midnight when it found a day only.
    return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()


def score(got: str | None, expected: str | None) -> dict[str, bool | None]:
    if expected is None:
        return {"found": got is not None, "day": got is None, "time": None, "exact": got is None}
    timed = "T" in expected
    return {
        "found": got is not None,
        "day": got is not None and got[:10] == expected[:10],
        "time": (got is not None and "T" in got and got[:16] == expected[:16]) if timed else None,
        "exact": got == expected,
    }


def speed(pages: list[tuple[bytes, str]], passes: int = 5) -> None:
    """Milliseconds a page, best of `passes`: published_time alone (on pages
    already parsed, metadata read), and the whole metadata+generic extraction."""
    parsed = [Page(parse_html(html, url), url, None) for html, url in pages]
    for page in parsed:
        page.json_ld, page.meta  # noqa: B018 (read once, outside the timing)
    timings = {
        name: best_of(run, passes) * 1000 / len(pages)
        for name, run in (
            ("published_time", lambda: [published_time(p.root, p.url, p.json_ld, p.meta) for p in parsed]),
            ("metadata+generic extraction", lambda: [ours(html, url) for html, url in pages]),
        )
    }
    print(", ".join(f"{name}: {ms:.2f} ms a page" for name, ms in timings.items()), f"({len(pages)} fixture pages, best of {passes})")


def main() -> None:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--pages", action="store_true", help="print every page's values")
    parser.add_argument("--speed", action="store_true", help="time the date's choice on the fixture pages")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # htmldate logs every doubt
    contenders = {"ours": ours, "htmldate": htmldate}
    rows: dict[tuple[str, str], list[dict]] = {}
    pages = []
    for page in fixture_pages():
        if not page.meta.get("draft") and "published_at" in page.meta["expected"]:
            kind = "real" if page.real else "synthetic"
            pages.append((kind, page.name, page.read(), unowned(page.url), page.meta["expected"]["published_at"]))
    pages += [("hard", case[:45], html.encode(), url, expected) for case, html, url, expected, _ in SYNTHETIC]
    for kind, name, html, url, expected in pages:
        for contender, read in contenders.items():
            got = read(html, url)
            rows.setdefault((kind, contender), []).append(score(got, expected))
            if args.pages:
                print(f"{kind:9} {name:45} {contender:8} {got or '-':26} expected {expected}")
    print(f"{'pages':9} {'extractor':9} {'n':>3} {'day':>7} {'wrong day':>9} {'no date':>7} {'time':>7} {'exact':>7}")
    for (kind, contender), scores in sorted(rows.items(), key=lambda r: ["real", "synthetic", "hard"].index(r[0][0])):
        n = len(scores)
        timed = [s for s in scores if s["time"] is not None]
        day = sum(s["day"] for s in scores)
        wrong = sum(s["found"] and not s["day"] for s in scores)  # (a date where none is right counts too)
        missing = sum(not s["found"] for s in scores)
        time_right = sum(bool(s["time"]) for s in timed)
        exact = f"{sum(s['exact'] for s in scores)}/{n}" if contender == "ours" else "n/a"
        print(f"{kind:9} {contender:9} {n:3} {day:>3}/{n:<3} {wrong:>9} {missing:>7} {time_right:>3}/{len(timed):<3} {exact:>7}")
    if args.speed:
        speed([(html, url) for kind, _, html, url, _ in pages if kind != "hard"])


if __name__ == "__main__":
    main()

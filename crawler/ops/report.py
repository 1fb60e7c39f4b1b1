"""Health across runs, from the run manifests (crawler.export.ledger): per site, the
last run and its verdict, articles exported per day, field coverage now
against its median, the alarms, and whether the site failed its last runs.
`scrapy status` prints it (crawler.commands.status) and writes it as one
self-contained HTML page with inline SVG charts: no server, no script, no
network, nothing to install.

Pure code: manifests in, text or HTML out. Manifests are found by their
suffix and read by their content (`spider`, `started_at`, ...), whatever the
rest of their name. A run's verdict is the one its manifest recorded, which
`scrapy crawl` exited by (crawler.ops.verdict). A manifest written before
verdicts were recorded is judged again by the same rules from what it holds
(its finish, export, alarms and anti-bot pages, not the errors its run
logged), and the report says so. Days are UTC days, a run counted on the day
it started.
"""

from __future__ import annotations

import html
import json
import logging
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from crawler.ops.faults import SITE_BLOCKED_STAT, blocking_verdict
from crawler.ops.monitor import ALARMS_STAT
from crawler.ops.verdict import WRITE_FAILED_STAT, Verdict, judge

MANIFEST_GLOB = "*.manifest.json"
SPARKS = "▁▂▃▄▅▆▇█"
NO_RUN, NONE_EXPORTED = " ", "_"  # sparkline days without a run, and with runs that exported nothing
MOVED = 0.1  # coverage this far from its median is shown in the terminal (the HTML shows every field)
JUDGED_AGAIN = "no verdict recorded (an older manifest): judged from the manifest, which does not count logged errors"


@dataclass(frozen=True)
class Run:
    spider: str
    site: str | None
    started: datetime
    finish_reason: str
    exported: int
    coverage: dict[str, float]
    alarms: tuple[str, ...]
    failed: bool
    cause: str  # "" when the run did not fail
    path: Path
    recorded: bool  # False: an older manifest without its verdict, judged again (`verdict`)


@dataclass
class SiteHealth:
    name: str
    runs: list[Run]  # oldest first
    days: list[tuple[date, int | None]]  # exported per day of the window, oldest first; None: no run that day
    median: dict[str, float] = field(default_factory=dict)  # field -> median coverage over the window's runs

    @property
    def last(self) -> Run:
        return self.runs[-1]

    @property
    def failing(self) -> int:
        """How many runs in a row, up to the last, failed."""
        streak = 0
        for run in reversed(self.runs):
            if not run.failed:
                break
            streak += 1
        return streak

    def moved(self, by: float = MOVED) -> dict[str, tuple[float, float]]:
        """Fields whose coverage in the last run is `by` or more from their median: (now, median)."""
        now = self.last.coverage
        return {f: (now[f], m) for f, m in self.median.items() if f in now and abs(now[f] - m) >= by}


def read_runs(folder: Path) -> tuple[list[Run], list[str]]:
    """The runs of the manifests under `folder`, oldest first, and a line for
    each file that is not a readable run manifest (skipped)."""
    runs, problems = [], []
    for path in sorted(folder.rglob(MANIFEST_GLOB)):
        try:
            runs.append(run_of(json.loads(path.read_text("utf-8")), path))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            problems.append(f"{path}: not a readable run manifest ({type(e).__name__}: {e}); skipped")
    return sorted(runs, key=lambda run: run.started), problems


def run_of(manifest: dict[str, Any], path: Path) -> Run:
    quality = manifest.get("quality") or {}
    failed, cause = verdict(manifest)
    return Run(
        spider=manifest["spider"],
        site=manifest.get("site"),
        started=datetime.fromisoformat(manifest["started_at"]).astimezone(timezone.utc),
        finish_reason=manifest.get("finish_reason") or "unknown",
        exported=int((manifest.get("counts") or {}).get("exported", 0)),
        coverage={f: float(v) for f, v in (quality.get("coverage") or {}).items()},
        alarms=tuple(a["message"] for a in quality.get("alarms") or ()),
        failed=failed,
        cause=cause,
        path=path,
        recorded="verdict" in manifest,
    )


def verdict(manifest: dict[str, Any]) -> Verdict:
    """The run's verdict, as its manifest recorded it; an older manifest's,
    judged by the same rules from the stats it holds (`stats_of`)."""
    recorded = manifest.get("verdict")
    if recorded is not None:
        return Verdict(bool(recorded["failed"]), recorded["cause"] or "")
    alarms = (manifest.get("quality") or {}).get("alarms") or []
    return judge(stats_of(manifest), [a["message"] for a in alarms])


def stats_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """The stats a verdict reads, as far as a manifest holds them: not the
    logged errors, nor the unreachable hosts (their finish reason says
    `unreachable`)."""
    pages = {f"pages/{kind}": n for kind, n in (manifest.get("pages") or {}).items()}
    blocking = blocking_verdict(manifest.get("spider", ""), pages)
    return {
        **pages,
        "finish_reason": manifest.get("finish_reason") or "unknown",
        WRITE_FAILED_STAT: int(manifest.get("finish_reason") == "finished" and manifest.get("complete") is False),
        ALARMS_STAT: len((manifest.get("quality") or {}).get("alarms") or ()),
        SITE_BLOCKED_STAT: int(blocking is not None and blocking[0] == logging.ERROR),  # as crawler.ops.faults.FaultReport sets it
    }


def health(runs: Iterable[Run], days: int, today: date) -> list[SiteHealth]:
    """Each site's health over the `days` days up to `today`, sites in name order."""
    window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    by_site: dict[str, list[Run]] = {}
    runs = list(runs)
    # `scrapy crawl news -a domain=...` crawls a site per domain under one spider name.
    domains: dict[str, set] = {}
    for run in runs:
        domains.setdefault(run.spider, set()).add(run.site)
    for run in runs:
        by_site.setdefault(run.spider if len(domains[run.spider]) == 1 else f"{run.spider} {run.site}", []).append(run)
    sites = []
    for name in sorted(by_site):
        site_runs = by_site[name]
        exported: dict[date, int] = {}
        for run in site_runs:
            day = run.started.date()
            exported[day] = exported.get(day, 0) + run.exported
        recent = [run for run in site_runs if run.started.date() >= window[0] and run.coverage]
        fields = sorted({f for run in recent for f in run.coverage})
        median = {f: statistics.median(run.coverage[f] for run in recent if f in run.coverage) for f in fields}
        sites.append(SiteHealth(name, site_runs, [(day, exported.get(day)) for day in window], median))
    return sites


def sparkline(values: list[int | None]) -> str:
    """One character a day: ▁ to █ against the window's busiest day, `_` for
    runs that exported nothing, a blank for no run."""
    top = max((v for v in values if v), default=0)
    return "".join(
        NO_RUN if v is None else NONE_EXPORTED if v == 0 else SPARKS[max(0, -(-v * len(SPARKS) // top) - 1)]
        for v in values
    )


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def worst_first(sites: list[SiteHealth], failed_runs: int) -> list[SiteHealth]:
    """Sites failing `failed_runs` runs in a row first, then those whose last run failed, each by name."""
    return sorted(sites, key=lambda s: (s.failing < failed_runs, not s.last.failed, s.name))


def text(sites: list[SiteHealth], days: int, failed_runs: int) -> str:
    """The terminal report: a block per site, the worst first."""
    lines = [f"{len(sites)} sites; exported per day over {days} days, oldest first ('{NO_RUN}' no run, '{NONE_EXPORTED}' none exported)"]
    width = max(len(s.name) for s in sites)
    for site in worst_first(sites, failed_runs):
        last = site.last
        counts = [n for _, n in site.days]
        lines.append(
            f"{site.name:{width}}  {'FAILED' if last.failed else 'ok':6}  last run {when(last.started)}"
            f"  exported {last.exported}  per day |{sparkline(counts)}| max {max((n for n in counts if n), default=0)}"
        )
        pad = " " * (width + 2)
        if site.failing >= failed_runs:
            lines.append(f"{pad}FAILED ITS LAST {site.failing} RUNS")
        if last.cause:
            lines.append(f"{pad}cause: {last.cause}")
        if not last.recorded:
            lines.append(f"{pad}{JUDGED_AGAIN}")
        in_cause = last.alarms and last.cause.startswith(last.alarms[0])
        lines.extend(f"{pad}alarm: {message}" for message in last.alarms[1 if in_cause else 0 :])
        moved = site.moved()
        if moved:
            lines.append(f"{pad}coverage now (median): " + ", ".join(f"{f} {now:.0%} ({m:.0%})" for f, (now, m) in moved.items()))
        elif not last.coverage:
            lines.append(f"{pad}coverage: no article exported by the last run")
    return "\n".join(lines) + "\n"


# -- HTML ----------------------------------------------------------------------

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left; vertical-align: top; }
tr.failed td.verdict { color: #b00020; font-weight: bold; }
tr.failing { background: #fdecea; }
td.verdict small, td.alarms { color: #555; max-width: 28em; }
svg text { font: 9px system-ui, sans-serif; fill: #444; }
.bar { fill: #3b7dd8; } .none { fill: #b00020; } .norun { fill: #ccc; }
.now { fill: #3b7dd8; } .now.fell { fill: #b00020; } .median { stroke: #222; stroke-width: 1.5; }
"""


def html_page(sites: list[SiteHealth], days: int, failed_runs: int, generated: datetime) -> str:
    """One self-contained page: a summary, and a table row per site with its
    volume and coverage charts as inline SVG (a <title> on each bar says its value)."""
    failing = [s.name for s in sites if s.failing >= failed_runs]
    failed = [s.name for s in sites if s.last.failed]
    rows = "\n".join(_row(site, failed_runs) for site in worst_first(sites, failed_runs))
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Crawl status</title><style>{STYLE}</style></head>
<body>
<h1>Crawl status</h1>
<p>{len(sites)} sites, {len(failed)} failed their last run, {len(failing)} their last {failed_runs} runs or more{": " + e(", ".join(failing)) if failing else ""}.
Exported articles per day over the last {days} days (UTC, a run counted on the day it started; grey: no run, red: nothing exported);
field coverage of the last run (bars) against its median over those days (ticks; red: {MOVED:.0%} or more below).
Made {e(when(generated))}.</p>
<table>
<thead><tr><th>Site</th><th>Last run</th><th>Verdict</th><th>Exported per day</th><th>Coverage now and median</th><th>Alarms</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body></html>
"""


def _row(site: SiteHealth, failed_runs: int) -> str:
    e, last = html.escape, site.last
    classes = " ".join(c for c, on in (("site", True), ("failed", last.failed), ("failing", site.failing >= failed_runs)) if on)
    verdict = "FAILED" if last.failed else "ok"
    if site.failing >= failed_runs:
        verdict += f"<br><small>its last {site.failing} runs failed</small>"
    if last.cause:
        verdict += f"<br><small>{e(last.cause)}</small>"
    if not last.recorded:
        verdict += f"<br><small>{e(JUDGED_AGAIN)}</small>"
    alarms = "<br>".join(e(a) for a in last.alarms) or "none"
    return (
        f'<tr class="{classes}" data-site="{e(site.name)}"><td>{e(site.name)}<br><small>{e(last.site or "")}</small></td>'
        f"<td>{e(when(last.started))}<br><small>exported {last.exported}, {e(last.finish_reason)}</small></td>"
        f'<td class="verdict">{verdict}</td><td>{volume_svg(site.days)}</td><td>{coverage_svg(last.coverage, site.median)}</td>'
        f'<td class="alarms">{alarms}</td></tr>'
    )


def volume_svg(days: list[tuple[date, int | None]], bar: int = 10, height: int = 40) -> str:
    top = max((n for _, n in days if n), default=0)
    rects = []
    for i, (day, n) in enumerate(days):
        if n is None:
            shape, tip, h = "norun", "no run", 2
        elif n == 0:
            shape, tip, h = "none", "0 exported", 3
        else:
            shape, tip, h = "bar", f"{n} exported", max(3, round(height * n / top))
        rects.append(
            f'<rect class="{shape}" x="{i * bar}" y="{height - h}" width="{bar - 2}" height="{h}"><title>{day}: {tip}</title></rect>'
        )
    width = bar * len(days)
    return (
        f'<svg class="volume" width="{width}" height="{height + 12}" viewBox="0 0 {width} {height + 12}" role="img">'
        f'{"".join(rects)}<text x="0" y="{height + 10}">max {top}/day</text></svg>'
    )


def coverage_svg(now: dict[str, float], median: dict[str, float], label: int = 95, scale: int = 120, row: int = 12) -> str:
    fields = sorted(set(now) | set(median))
    if not now:
        return '<svg class="coverage" width="215" height="14" role="img"><text x="0" y="10">no article exported by the last run</text></svg>'
    parts = []
    for i, name in enumerate(fields):
        y, value, mid = i * row, now.get(name, 0.0), median.get(name)
        fell = mid is not None and mid - value >= MOVED
        tip = f"{name}: {value:.0%} now" + (f", median {mid:.0%}" if mid is not None else "")
        parts.append(f'<text x="0" y="{y + 9}">{html.escape(name)}</text>')
        parts.append(
            f'<rect class="now{" fell" if fell else ""}" x="{label}" y="{y + 2}" width="{max(1, round(scale * value))}" height="{row - 4}">'
            f"<title>{html.escape(tip)}</title></rect>"
        )
        if mid is not None:
            x = label + round(scale * mid)
            parts.append(f'<line class="median" x1="{x}" x2="{x}" y1="{y}" y2="{y + row}"><title>{html.escape(tip)}</title></line>')
        parts.append(f'<text x="{label + scale + 4}" y="{y + 9}">{value:.0%}</text>')
    width, height = label + scale + 32, row * len(fields)
    return f'<svg class="coverage" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">{"".join(parts)}</svg>'

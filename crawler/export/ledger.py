"""The export ledger: which articles are exported, across runs and crashes.

An article counts as exported when its line is in an export file on disk:
the feed storage (crawler.export.feeds) reports the lines it has written (with
CRAWLER_FSYNC, once their group is fsynced), and the ledger records those
articles in the crawl state (crawler.export.state) only then, in one commit.
A run killed in the middle leaves a `.part` file whose whole lines were
written but perhaps not recorded; the next run of the spider records them,
cuts a half-written last line, and finishes the file (appending it to a
`-o` target); a `-O` run continues it instead, since the file it replaces
must keep those lines, and finishes it as it stops. So the union of the
export files holds every article once: none lost, none twice. (In a
distributed crawl another worker may export an article again whose line a
killed worker wrote but had not recorded; recovering the killed worker's file
then takes that line out, see `_exported_since`.)

One run at a time per output folder: the ledger holds an flock on
`<folder>/.crawler.lock` (crawler.ops.lock) from the spider's opening to the
engine's stop. A run that finds the folder held logs one line naming the
holder and closes at once (finish reason `output_locked`), writing nothing
there; a `.part` still flocked by its writer is never recovered.

An export that failed to write (crawler.export.feeds) closes the run (finish reason
`export_failed`), its file left `.part` for the next run to recover.

At the end of each run the ledger writes `<start time>.manifest.json` beside
the exports, atomically: files, counts, window, finish reason, layout-alarm
report (crawler.ops.monitor), the run's verdict (crawler.ops.verdict),
versions. It is written once the engine has stopped, not as the spider
closes: the exports are finished and the alarms, a blocked site and the
logged errors counted by handlers of that same signal, run in the order
their components were made, and the verdict recorded must be the one the
run exits by. The output folder's lock is released after it.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

from crawler import __version__
from crawler.export.neardup import fingerprint
from crawler.export.partfiles import PART_SUFFIX, final_path_of, finish, part_path_of, recover, write_atomically
from crawler.export.state import SqliteState
from crawler.export.statebase import ArticleRecord, CrawlState
from crawler.ops.faults import fault_counts
from crawler.ops.lock import Lock, LockHeld, hold, try_hold_open_file
from crawler.ops.monitor import run_report
from crawler.ops.verdict import judge
from crawler.schema.article import SCHEMA_VERSION

logger = logging.getLogger(__name__)

LOCK_NAME = ".crawler.lock"  # in each output folder


class ExportLedger:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.state: CrawlState = open_state(crawler.settings, crawler.spidercls.name)
        self.started = datetime.now(timezone.utc).replace(microsecond=0)
        self.files: dict[str, int] = {}  # export file -> lines written this run
        self.open_files: set = set()  # crawler.export.feeds.DurableLineFile, synced before the manifest counts
        self.recovered: list[str] = []
        self.continued: set[str] = set()  # -O files whose killed run's `.part` this run's export continues
        self.locks: list[Lock] = []  # on the output folders, for the whole run
        self.refused: str | None = None  # why this run may not write its output folder
        self.failed = False  # an export failed to write: the run is not complete
        self.closed: tuple | None = None  # (spider, finish reason) once the spider has closed
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # At the engine's stop, in this order: the -O files not opened finished, then
        # the manifest (its verdict sees an export that failed there), all before the lock is released.
        crawler.signals.connect(self._finish_continued, signal=signals.engine_stopped)
        crawler.signals.connect(self.write_manifest, signal=signals.engine_stopped)
        crawler.signals.connect(self.state.close, signal=signals.engine_stopped)
        crawler.signals.connect(self._release, signal=signals.engine_stopped)

    @classmethod
    def of(cls, crawler) -> ExportLedger:
        """The crawl's one ledger, made by whichever component asks first (the
        extension, the feed storage, a middleware or pipeline)."""
        ledger = crawler.__dict__.get("_export_ledger")
        if ledger is None:
            ledger = crawler.__dict__["_export_ledger"] = cls(crawler)
        return ledger

    from_crawler = of

    # -- called by the feed storage ------------------------------------------------

    def lines_written(self, path: Path, lines: list[bytes]) -> None:
        """These lines are on disk in `path`: the articles in them are exported."""
        records = [ArticleRecord.from_article(a) for a in map(_article, lines) if a is not None]
        if records:
            try:
                self.state.record(records)  # first: if it fails, the lines are reported again
            except Exception:
                self.stats.inc_value("export/record_failed")
                raise
            self.stats.inc_value("articles/exported", len(records))
        self.files[str(path)] = self.files.get(str(path), 0) + len(lines)

    def export_failed(self, path: Path, error: OSError, *, opened: bool = True) -> None:
        """Writing `path` failed (or, not `opened`, making it did): the file
        stays `.part` and the run closes, failed."""
        kept = "its whole lines stay in the .part file for the next run to recover" if opened else "nothing written to it"
        logger.error("Export to %s failed (%s): %s; closing the run", path, error.strerror or error, kept)
        self.stats.inc_value("export/write_failed")
        engine = self.crawler._engine  # Scrapy's way to ask before the crawl starts: None
        if not self.failed and engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="export_failed"))
        self.failed = True

    # -- runs ------------------------------------------------------------------------

    def spider_opened(self, spider):
        try:
            for folder in self._output_folders(spider):
                self.locks.append(hold(folder / LOCK_NAME, f"output folder {folder}"))
        except LockHeld as e:
            self._release()
            self.refused = str(e)
            logger.error("%s: refusing to run", e)
            raise CloseSpider("output_locked") from None
        for part, append in self._leftover_parts(spider):
            with part.open("rb") as held:
                if not try_hold_open_file(held):  # a live crawl writes it: not a killed run's
                    logger.warning("Left %s alone: another crawl is writing it", part)
                    self.stats.inc_value("export/parts_in_use")
                    continue
                try:
                    self._recover(part, append)
                except OSError as e:  # a full disk: this run could not write either
                    logger.error("Could not finish %s, which a killed run left (%s): refusing to run", part, e.strerror or e)
                    self.stats.inc_value("export/write_failed")
                    self.failed = True  # nor does this run write: its feeds open nothing (crawler.export.feeds)
                    raise CloseSpider("export_failed") from None

    def _recover(self, part: Path, append: bool) -> None:
        articles, cut, repeats = recover(part, self._exported_since)
        articles = [a for a in articles if _is_article(a)]
        for article in articles:
            self._fingerprint_if_unrecorded(article)
        self.state.record([ArticleRecord.from_article(a) for a in articles])
        final = final_path_of(part)
        if append:
            finish(part, final, append=True)
        else:  # -O: this run's file starts with these lines, so the file it replaces keeps them
            self.continued.add(os.path.abspath(final))
        self.recovered.append(str(final))
        self.stats.inc_value("export/recovered_files")
        self.stats.inc_value("export/recovered_articles", len(articles))
        if repeats:
            self.stats.inc_value("export/recovered_repeats", repeats)
        logger.warning(
            "%s the export a killed run left: %s (%d articles%s%s)%s",
            "Finished" if append else "Continuing", final, len(articles), f", {cut} bytes of a half-written line cut" if cut else "",
            f", {repeats} lines exported again since by another worker taken out" if repeats else "",
            "" if append else "; this run's -O file keeps its lines",
        )

    def _exported_since(self, article) -> bool:
        """Whether a recovered line repeats an export recorded after it: the
        killed run wrote the line and died before recording it, and another
        worker of a distributed crawl, once the article's claim had lapsed,
        exported it again. The state then holds the same version (text and
        update time) seen at another time; that export stands. An older version
        in an appended file's history differs from the state's in one of the
        two and stays; but for an article with no update time whose text went
        back to what it was, the older line is taken for a repeat (the newer
        line, the same text, stays)."""
        if not _is_article(article):
            return False
        seen = self._last_seen_as_this_version(article)
        return seen is not None and seen != article["crawled_at"]

    def _fingerprint_if_unrecorded(self, article) -> None:
        """Gives the state the body fingerprint of a recovered article whose
        line the killed run had not recorded: the state writes a fingerprint
        in the commit that records its article (crawler.export.state), so it was
        lost with the record."""
        recorded = self._last_seen_as_this_version(article) == article["crawled_at"]
        if not recorded and article.get("body"):
            self.state.near_duplicate_of(article["site"], article["news_code"], fingerprint(article["body"]))

    def _last_seen_as_this_version(self, article) -> str | None:
        """When the state last recorded the article with the text and update time of this line, if it has it so."""
        before = self.state.get(article["site"], article["news_code"])
        same = before is not None and (before.content_hash, before.modified_at) == (article["content_hash"], article.get("modified_at"))
        return before.last_seen if same else None

    def continues(self, final: Path) -> bool:
        """Whether this run's export to `final` continues the `.part` a killed run left."""
        return os.path.abspath(final) in self.continued

    def _finish_continued(self) -> None:
        """Finishes the `.part` files this run was to continue but did not open
        (no line to write and FEED_STORE_EMPTY off), unless an export failed."""
        for final in sorted(self.continued):
            part = part_path_of(Path(final))
            if self.failed or not part.exists():
                continue
            try:
                finish(part, Path(final))
            except OSError as e:
                self.export_failed(part, e)

    def _leftover_parts(self, spider) -> list[tuple[Path, bool]]:
        """`.part` files matching this spider's file feeds, from earlier runs,
        and whether their feed appends (`-o`) rather than overwrites (`-O`)."""
        found = []
        for template, options in _file_feeds(self.crawler.settings, spider.name).items():
            pattern = re.sub(r"%\(\w+\)[sd]", "*", glob.escape(template)) + PART_SUFFIX
            found.extend((Path(p), not options.get("overwrite")) for p in sorted(glob.glob(pattern)))
        return found

    def _output_folders(self, spider) -> list[Path]:
        """The folders the file feeds write to: each template's directory up to
        its first placeholder left once the spider's name is in."""
        folders = []
        for template in _file_templates(self.crawler.settings, spider.name):
            static = template.split("%(")[0]
            folder = Path(os.path.abspath(os.path.dirname(static) if "%(" in template else Path(template).parent))
            if folder not in folders:
                folders.append(folder)
        return folders

    def _release(self) -> None:
        for lock in self.locks:
            lock.release()
        self.locks = []

    def spider_closed(self, spider, reason):
        self.closed = (spider, reason)

    def write_manifest(self) -> None:
        """The run's manifest, once every stat its verdict reads is final."""
        if self.closed is None or self.refused:
            return  # never ran; or nothing written, no manifest in the folder another run holds
        spider, reason = self.closed
        for file in list(self.open_files):  # lines still waiting for their group's fsync
            file.sync()
        manifest_dir = self._manifest_dir(spider)
        if manifest_dir is None:
            return
        stats = self.stats.get_stats()
        quality = run_report(self.crawler)  # coverage, failed share, layout alarms
        manifest = {
            "spider": spider.name,
            "site": getattr(getattr(spider, "site", None), "domain", None),
            "started_at": self.started.isoformat(),
            "finished_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "finish_reason": reason,
            "complete": reason == "finished" and not self.failed,
            "files": [{"path": Path(p).name, "articles": n} for p, n in self.files.items()],
            "recovered_files": [Path(p).name for p in self.recovered],
            "window": getattr(spider, "window", None) and spider.window.describe(),
            "counts": {k.removeprefix("articles/"): v for k, v in sorted(stats.items()) if k.startswith("articles/")},
            "pages": {k.removeprefix("pages/"): v for k, v in sorted(stats.items()) if k.startswith("pages/")},
            "faults": fault_counts(stats),  # crawler.ops.faults
            "quality": quality,
            "verdict": judge(stats, [a["message"] for a in quality["alarms"]])._asdict(),  # the run's exit status and cause
            "crawler_version": __version__,
            "schema_version": SCHEMA_VERSION,
        }
        path = self._manifest_path(manifest_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_atomically(path, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        except OSError as e:
            logger.error("Could not write the run's manifest %s (%s)", path, e.strerror or e)
            self.stats.inc_value("export/manifest_failed")

    def _manifest_path(self, manifest_dir: Path) -> Path:
        """Named after the run's export file (`<time>.jsonl` -> `<time>.manifest.json`,
        `-O out.jsonl` -> `out.manifest.json`), so the two are found together; a
        run that wrote no file names it by its start."""
        for written in self.files:
            final = Path(written)
            final = final_path_of(final) if final.name.endswith(PART_SUFFIX) else final
            stem = final.name.removesuffix(".gz").removesuffix(".jsonl").removesuffix(".jl").removesuffix(".json")
            return final.with_name(f"{stem}.manifest.json")
        return manifest_dir / f"{self.started.isoformat().replace(':', '-')}.manifest.json"

    def _manifest_dir(self, spider) -> Path | None:
        """The folder of the run's first file feed, where its exports go."""
        for template in _file_templates(self.crawler.settings, spider.name):
            return Path(template).parent
        return None


def open_state(settings, site: str | None = None) -> CrawlState:
    """The store the settings name: Redis at REDIS_URL when that is set
    (distributed mode), else CRAWLER_STATE, a SQLite file path (":memory:"
    for a state that ends with the run), where %(name)s stands for the
    crawl's site (a state of its own: `crawlall --processes`)."""
    if settings.get("REDIS_URL"):
        from crawler.export.state_redis import RedisState  # optional dependency: pip install '.[distributed]'

        return RedisState.from_settings(settings)
    path = settings.get("CRAWLER_STATE")
    return SqliteState.open(
        path.replace("%(name)s", site) if site else path,
        durable=settings.getbool("CRAWLER_FSYNC", True),
        reset_broken=settings.getbool("CRAWLER_STATE_RESET_BROKEN"),
    )


def _file_templates(settings, name: str) -> list[str]:
    """The paths of the run's file feeds, the site's name put in (other placeholders left)."""
    return list(_file_feeds(settings, name))


def _file_feeds(settings, name: str) -> dict[str, dict]:
    """`_file_templates`, each with its feed's options."""
    return {
        uri.removeprefix("file://").replace("%(name)s", name): options for uri, options in settings.getdict("FEEDS").items()
        if uri not in ("-", "stdout:") and ("://" not in uri or uri.startswith("file://"))
    }


def _article(line: bytes) -> dict | None:
    try:
        article = json.loads(line)
    except ValueError:
        return None
    return article if _is_article(article) else None


def _is_article(obj) -> bool:
    return isinstance(obj, dict) and all(obj.get(k) for k in ("site", "news_code", "content_hash", "crawled_at"))

from crawler.export.feeds import AtomicFileFeedStorage


def test_export_has_its_final_name_only_once_stored(tmp_path):
    final = tmp_path / "site" / "run.jsonl"
    storage = AtomicFileFeedStorage(str(final), feed_options={"overwrite": True})
    file = storage.open(None)
    file.write(b'{"a": 1}\n')
    assert not final.exists() and (tmp_path / "site" / "run.jsonl.part").exists()
    storage.store(file)
    assert final.read_bytes() == b'{"a": 1}\n'
    assert not (tmp_path / "site" / "run.jsonl.part").exists()


def test_appending_continues_a_finished_file(tmp_path):
    final = tmp_path / "run.jsonl"
    final.write_bytes(b"1\n")
    storage = AtomicFileFeedStorage(str(final))
    file = storage.open(None)
    file.write(b"2\n")
    assert not final.exists()
    storage.store(file)
    assert final.read_bytes() == b"1\n2\n"


def test_lines_are_reported_once_their_group_is_on_disk(tmp_path, monkeypatch):
    import os

    from crawler.export import feeds

    synced, reported, scheduled = [], [], []
    real_fsync = os.fsync
    monkeypatch.setattr(feeds.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))

    class Timer:
        def __init__(self, fn):
            self.fn, self.cancelled = fn, False

        def cancel(self):
            self.cancelled = True

    def sync_later(delay, fn):
        assert delay == feeds.SYNC_DELAY
        scheduled.append(Timer(fn))
        return scheduled[-1]

    file = feeds.DurableLineFile(tmp_path / "x.part", "wb", True, on_written=reported.append, sync_later=sync_later)
    file.write(b"1\n")
    file.write(b"2\n")
    assert (tmp_path / "x.part").read_bytes() == b"1\n2\n", "written at once"
    assert reported == [] and synced == [] and len(scheduled) == 1, "reported only once synced; one sync scheduled"
    scheduled[0].fn()
    assert reported == [[b"1\n", b"2\n"]] and len(synced) == 1, "one fsync, one report for the group"
    for i in range(feeds.SYNC_LINES):
        file.write(b"%d\n" % i)
    assert len(reported) == 2 and len(reported[1]) == feeds.SYNC_LINES and scheduled[1].cancelled, "a full group syncs at once"
    file.write(b"last\n")
    file.close()
    assert reported[-1] == [b"last\n"] and scheduled[-1].cancelled, "closing syncs what waits"
    assert sum(map(len, reported)) == feeds.SYNC_LINES + 3


def test_without_fsync_or_a_scheduler_each_line_is_reported_alone(tmp_path):
    from crawler.export.feeds import DurableLineFile

    for fsync in (False, True):
        reported = []
        file = DurableLineFile(tmp_path / f"{fsync}.part", "wb", fsync, on_written=reported.append)
        file.write(b"1\n")
        file.write(b"2\n")
        assert reported == [[b"1\n"], [b"2\n"]]
        file.close()


def test_lines_whose_report_failed_are_reported_with_the_next_group(tmp_path):
    from crawler.export.feeds import DurableLineFile

    reported, failures = [], [RuntimeError("state unreachable")]

    def on_written(lines):
        if failures:
            raise failures.pop()
        reported.append(list(lines))

    file = DurableLineFile(tmp_path / "x.part", "wb", True, on_written=on_written, sync_later=lambda delay, fn: None)
    file.write(b"1\n")
    try:
        file.sync()
    except RuntimeError:
        pass
    assert reported == []
    file.write(b"2\n")
    file.close()
    assert reported == [[b"1\n", b"2\n"]]


def test_a_failed_report_on_the_timer_is_one_log_line_and_the_lines_wait(tmp_path, caplog):
    from crawler.export.feeds import DurableLineFile

    reported, failures, scheduled = [], [RuntimeError("state unreachable")], []

    def on_written(lines):
        if failures:
            raise failures.pop()
        reported.append(list(lines))

    file = DurableLineFile(tmp_path / "x.part", "wb", True, on_written=on_written, sync_later=lambda delay, fn: scheduled.append(fn))
    file.write(b"1\n")
    scheduled.pop()()  # the timer fires: no exception escapes to the event loop
    assert reported == [] and "not synced or not recorded yet" in caplog.text and "state unreachable" in caplog.text
    file.write(b"2\n")
    assert scheduled, "a new timer for the lines that wait"
    scheduled.pop()()
    assert reported == [[b"1\n", b"2\n"]]
    file.close()

from crawler.feeds import AtomicFileFeedStorage


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

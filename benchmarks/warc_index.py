"""What reading a WARC archive record by record, checking each is whole
(crawler.ops.warc.whole_records), costs over warcio reading it alone.

    python -m benchmarks.warc_index              # a 50 MB archive, 5 rounds
    python -m benchmarks.warc_index --mb 200 --rounds 3

The archive: the real pages of ../shared/pages as gzipped response records,
gzipped per record as RECORD_WARC writes them, over and over to the size
asked for. Replay reads it so to build its index (index_responses), a run
continuing a `.part` to find where to cut it (whole_end). Each figure is the
best of the rounds (the machine is shared), the two readers in alternate
order:

- **warcio**: ArchiveIterator over every record, the offset of each response
  taken, as replay's index read archives before whole_records;
- **whole_records**: the same records, each block read through, its block
  digest checked, its gzip member's end and the file's end checked.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from io import BytesIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.common import arguments, machine_facts, print_facts, shared_pages
from benchmarks.harness import best_of, in_turn
from crawler.ops.warc import whole_records


def write_archive(path: str, megabytes: int) -> int:
    """The shared pages as response records, until the file holds `megabytes`; how many records."""
    pages = [(p.url, gzip.compress(p.read())) for p in shared_pages()]
    if not pages:
        raise SystemExit("no pages: ../shared/pages is not there")
    count = 0
    with open(path, "wb") as file:
        writer = WARCWriter(file, gzip=True)
        while file.tell() < megabytes * 1_000_000:
            url, body = pages[count % len(pages)]
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http))
            count += 1
    return count


def warcio_alone(path: str) -> None:
    with open(path, "rb") as file:
        records = ArchiveIterator(file)
        for record in records:
            if record.rec_type == "response":
                records.get_record_offset()


def checked(path: str) -> None:
    with open(path, "rb") as file:
        for _ in whole_records(file):
            pass


def main() -> None:
    parser = arguments(__file__, __doc__)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print_facts(machine_facts("warcio"))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "pages.warc.gz")
        count = write_archive(path, args.mb)
        size = os.path.getsize(path) / 1e6
        print(f"{size:.0f} MB, {count} records, best of {args.rounds} rounds")
        best = {}
        for turn in range(2):  # each reader first once
            for name, read in in_turn([("warcio", warcio_alone), ("whole_records", checked)], turn):
                best[name] = min(best.get(name, float("inf")), best_of(lambda: read(path), args.rounds))
        for name, seconds in best.items():
            print(f"  {name:<14} {seconds:6.2f} s  {size / seconds:6.1f} MB/s  ({seconds / best['warcio']:.2f}x warcio)")


if __name__ == "__main__":
    main()

"""A feed storage whose output exists under its final name only once the run
has closed: until then lines go to `<name>.part`, so a consumer never takes a
half-written export for a finished one. On close the file is flushed to disk
and renamed in one step."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"


class AtomicFileFeedStorage(FileFeedStorage):
    def open(self, spider):
        self.final_path = Path(self.path)
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        self.part_path = self.final_path.with_name(self.final_path.name + PART_SUFFIX)
        if self.write_mode == "ab" and self.final_path.exists() and not self.part_path.exists():
            # appending to a finished file: continue it rather than replace it
            os.replace(self.final_path, self.part_path)
        return self.part_path.open(self.write_mode)

    def store(self, file):
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(self.part_path, self.final_path)
        logger.info("Export complete: %s", self.final_path)

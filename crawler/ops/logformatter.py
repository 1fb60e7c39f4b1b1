"""Log lines for dropped items that fit on one line: Scrapy's default prints
the whole item, body included, for every drop."""

import logging

from scrapy.logformatter import LogFormatter


class ConciseLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        return {"level": logging.WARNING, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

"""Custom Scrapy commands (COMMANDS_MODULE)."""

from __future__ import annotations

import sys
from typing import NoReturn

from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from crawler.ops.usage import did_you_mean


def usage_error(command: str, message: str) -> NoReturn:
    """Exit 2 with one line on stderr. (Scrapy's own usage errors print the
    command's usage first; a scheduled job's log needs the reason alone.)"""
    print(f"scrapy {command}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_spider_arguments(command: str, settings, names: list[str], spargs: dict[str, str]) -> None:
    """A usage error when a spider named is not one, or an -a argument is one
    that a spider does not take or cannot use: before anything is downloaded."""
    loader = get_spider_loader(settings)
    for name in names:
        try:
            spidercls = loader.load(name)
        except KeyError:
            usage_error(command, f"no spider {name!r}; {did_you_mean(name, loader.list())}`scrapy list` names them")
        try:
            spidercls.check_arguments(spargs)
        except UsageError as e:
            usage_error(command, str(e))
